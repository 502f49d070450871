using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace PecosCrm.Bench.Scenarios;

/// <summary>The calls the event and 360 scenarios make, with the admin key, failing loudly on any unexpected answer.</summary>
public sealed class CrmApiClient : IDisposable
{
    public const string PostEventsCause = "POST /api/events";
    public const string GetMetricsCause = "GET /api/customers/{id}/metrics";

    private static readonly MediaTypeHeaderValue Json = new("application/json");

    private readonly HttpClient _http;

    /// <param name="timeout">How long one call may take; 2 minutes unless a scenario makes a longer one (a bulk enrolment).</param>
    public CrmApiClient(CrmServer server, TimeSpan? timeout = null)
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            // Above the highest concurrency, so no request waits for a connection.
            MaxConnectionsPerServer = 256,
            UseCookies = false,
            AllowAutoRedirect = false,
        })
        {
            BaseAddress = server.BaseAddress,
            Timeout = timeout ?? TimeSpan.FromMinutes(2),
        };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", server.AdminKey);
    }

    /// <summary>Posts a ready-made <c>{"events":[...]}</c> body; serialised beforehand so the timing holds the server's work, not the client's.</summary>
    public async Task PostEventsAsync(byte[] body, CancellationToken cancellationToken)
    {
        using var cause = StorageCallCounter.Cause(PostEventsCause);
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = Json;
        using var response = await _http.PostAsync("/api/events", content, cancellationToken);
        await EnsureAsync(response, HttpStatusCode.Accepted, "POST /api/events", cancellationToken);
    }

    /// <summary>The counters the event scenarios check, or null while the customer's profile does not exist yet.</summary>
    public async Task<MetricsSnapshot?> GetMetricsAsync(string customerId, CancellationToken cancellationToken)
    {
        using var cause = StorageCallCounter.Cause(GetMetricsCause);
        using var response = await _http.GetAsync($"/api/customers/{Uri.EscapeDataString(customerId)}/metrics", cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
        var body = await EnsureAsync(response, HttpStatusCode.OK, "GET metrics", cancellationToken);
        using var document = JsonDocument.Parse(body);
        return MetricsSnapshot.Parse(document.RootElement.GetProperty("metrics"));
    }

    /// <summary>Reads a GET's whole body: a client that stops at the headers would flatter the server.</summary>
    public Task<byte[]> GetAsync(string path, CancellationToken cancellationToken) => GetAsync(path, null, cancellationToken);

    /// <summary>A GET whose storage calls a <see cref="StorageCallCounter"/> counts under <paramref name="cause"/>.</summary>
    public async Task<byte[]> GetAsync(string path, string? cause, CancellationToken cancellationToken)
    {
        using var counted = cause is null ? null : StorageCallCounter.Cause(cause);
        using var response = await _http.GetAsync(path, cancellationToken);
        return await EnsureAsync(response, HttpStatusCode.OK, "GET " + path, cancellationToken);
    }

    public async Task<JsonDocument> SendJsonAsync(HttpMethod method, string path, object? body, HttpStatusCode expected, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        using var response = await _http.SendAsync(request, cancellationToken);
        var bytes = await EnsureAsync(response, expected, $"{method} {path}", cancellationToken);
        return JsonDocument.Parse(bytes);
    }

    public void Dispose() => _http.Dispose();

    private static async Task<byte[]> EnsureAsync(HttpResponseMessage response, HttpStatusCode expected, string what, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (response.StatusCode != expected)
        {
            throw new InvalidOperationException(
                $"{what} answered {(int)response.StatusCode}, not {(int)expected}: {Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 500)))}");
        }
        return body;
    }
}
