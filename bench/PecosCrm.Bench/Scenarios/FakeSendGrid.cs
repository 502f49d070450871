using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using PecosCrm.Core.Messaging;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// A SendGrid-compatible mail endpoint on a loopback port: answers 202 with an <c>X-Message-Id</c>
/// to <c>POST /v3/mail/send</c>, counts the emails (one per personalization: a request may carry up to
/// 1,000 recipients) and the requests, and keeps what the event webhook needs later (each recipient
/// and the custom args that tie an event back to its message: a personalization's own, else the request's).
/// </summary>
public sealed class FakeSendGrid : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Stopwatch _clock;
    private long _count;
    private long _requests;
    private long _firstTicks = -1;
    private long _lastTicks;

    private FakeSendGrid(WebApplication app, Stopwatch clock)
    {
        _app = app;
        _clock = clock;
    }

    /// <summary>Known once started: Kestrel chooses the free port.</summary>
    public Uri BaseAddress => new(_app.Urls.Single());

    /// <summary>Emails taken: personalizations.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Requests taken.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>The bench clock's time of the first and the last email taken.</summary>
    public (TimeSpan First, TimeSpan Last) Window => (TimeSpan.FromTicks(Interlocked.Read(ref _firstTicks)), TimeSpan.FromTicks(Interlocked.Read(ref _lastTicks)));

    public ConcurrentQueue<SentEmail> Sent { get; } = new();

    public static async Task<FakeSendGrid> StartAsync(Stopwatch clock, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeSendGrid(app, clock);
        app.MapPost("/v3/mail/send", fake.TakeAsync);
        await app.StartAsync(cancellationToken);
        return fake;
    }

    private async Task<IResult> TakeAsync(HttpRequest request)
    {
        using var document = await JsonDocument.ParseAsync(request.Body);
        var root = document.RootElement;
        var shared = root.TryGetProperty("custom_args", out var common) ? common : (JsonElement?)null;
        var taken = 0;
        foreach (var personalization in root.GetProperty("personalizations").EnumerateArray())
        {
            var to = personalization.GetProperty("to")[0].GetProperty("email").GetString() ?? "";
            var args = personalization.TryGetProperty("custom_args", out var a) ? a : shared!.Value;
            Sent.Enqueue(new SentEmail(to, args.GetProperty(CustomArgs.CustomerId).GetString()!, args.GetProperty(CustomArgs.MessageId).GetString()!));
            taken++;
        }
        var now = _clock.Elapsed.Ticks;
        Interlocked.CompareExchange(ref _firstTicks, now, -1);
        Interlocked.Exchange(ref _lastTicks, now);
        Interlocked.Add(ref _count, taken);
        Interlocked.Increment(ref _requests);
        request.HttpContext.Response.Headers["X-Message-Id"] = "fake-" + Guid.NewGuid().ToString("N")[..16];
        return Results.StatusCode(StatusCodes.Status202Accepted);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>One email the fake endpoint took.</summary>
public sealed record SentEmail(string To, string CustomerId, string MessageId);
