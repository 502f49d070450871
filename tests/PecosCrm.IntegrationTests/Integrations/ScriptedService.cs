using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Integrations;

/// <summary>
/// A local stand-in for an outside REST API (Mailchimp, Klaviyo, HubSpot): it records every request
/// and answers with the first scripted reply whose condition matches (each used once), else with the
/// standing reply for its path, else 200 and <c>{}</c>.
/// </summary>
public sealed class ScriptedService : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(Func<Recorded, bool> When, Reply Reply)> _once = new();
    private readonly ConcurrentDictionary<string, Func<Recorded, Reply>> _standing = new(StringComparer.Ordinal);

    public sealed record Recorded(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body);

    public sealed record Reply(int Status, string Body = "{}", IReadOnlyDictionary<string, string>? Headers = null);

    private ScriptedService(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    public ConcurrentQueue<Recorded> Requests { get; } = new();

    /// <summary>Answers the next request that matches <paramref name="when"/> (any, when null) with <paramref name="reply"/>, once.</summary>
    public void Once(Reply reply, Func<Recorded, bool>? when = null) => _once.Enqueue((when ?? (_ => true), reply));

    /// <summary>Answers every request to <paramref name="method"/> <paramref name="path"/> that no scripted reply takes.</summary>
    public void Always(string method, string path, Func<Recorded, Reply> reply) => _standing[method + " " + path] = reply;

    public IReadOnlyList<Recorded> To(string method, string pathStart) =>
        [.. Requests.Where(r => r.Method == method && r.Path.StartsWith(pathStart, StringComparison.Ordinal))];

    public static async Task<ScriptedService> StartAsync()
    {
        var (app, url) = RecordingEndpoint.LocalApp();
        var service = new ScriptedService(app, url);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            var recorded = new Recorded(context.Request.Method, context.Request.Path + context.Request.QueryString,
                context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body);
            service.Requests.Enqueue(recorded);
            var reply = service.Take(recorded)
                ?? (service._standing.TryGetValue(recorded.Method + " " + context.Request.Path, out var standing) ? standing(recorded) : new Reply(200));
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = "application/json";
            foreach (var (name, value) in reply.Headers ?? new Dictionary<string, string>())
            {
                context.Response.Headers[name] = value;
            }
            await context.Response.WriteAsync(reply.Body);
        });
        await app.StartAsync();
        return service;
    }

    private Reply? Take(Recorded request)
    {
        lock (_once)
        {
            var all = _once.ToList();
            var index = all.FindIndex(o => o.When(request));
            if (index < 0)
            {
                return null;
            }
            _once.Clear();
            foreach (var (o, i) in all.Select((o, i) => (o, i)).Where(x => x.i != index))
            {
                _once.Enqueue(o);
            }
            return all[index].Reply;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
