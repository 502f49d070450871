using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace PecosCrm.IntegrationTests.Infrastructure;

/// <summary>
/// A local HTTP endpoint standing in for an outside service (SendGrid, an SMS provider): it records
/// every request and answers with the next status of a script, then 202 for ever.
/// </summary>
public sealed class RecordingEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _script = new();

    public sealed record Recorded(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);

    private RecordingEndpoint(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public ConcurrentQueue<Recorded> Requests { get; } = new();

    /// <summary>Statuses to answer with, in order (e.g. 429 then 500), before the default 202.</summary>
    public void Answer(params int[] statuses)
    {
        foreach (var s in statuses)
        {
            _script.Enqueue(s);
        }
    }

    public static async Task<RecordingEndpoint> StartAsync()
    {
        var (app, url) = LocalApp();
        var endpoint = new RecordingEndpoint(app, url);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            endpoint.Requests.Enqueue(new Recorded(context.Request.Method, context.Request.Path, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
            context.Response.StatusCode = endpoint._script.TryDequeue(out var status) ? status : StatusCodes.Status202Accepted;
            if (context.Response.StatusCode == 202)
            {
                context.Response.Headers["X-Message-Id"] = "sg-" + Guid.NewGuid().ToString("N")[..12];
            }
            else
            {
                await context.Response.WriteAsync("{\"errors\":[{\"message\":\"scripted failure\"}]}");
            }
        });
        await app.StartAsync();
        return endpoint;
    }

    /// <summary>A bare web app on a free local port that logs nothing: what a test's stand-in for an outside service is built on.</summary>
    internal static (WebApplication App, string Url) LocalApp()
    {
        var port = FreePort();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        return (builder.Build(), $"http://127.0.0.1:{port}");
    }

    private static int FreePort()
    {
        using var socket = new TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
