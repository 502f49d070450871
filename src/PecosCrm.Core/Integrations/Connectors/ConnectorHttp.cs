using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>How to reach one outside API: its base address, how a request is authorised, and the least time between two calls.</summary>
public sealed record ConnectorEndpoint(Uri BaseUrl, Action<HttpRequestMessage> Authorise, TimeSpan Pace);

/// <summary>
/// The calls of one run (a sync or a connection test) to one outside API. Every call waits its
/// turn under the API's documented pace, is retried after a 5xx, a timeout or a refused connection
/// (<see cref="ConnectorOptions.RetryDelays"/>), and after a 429 waits what <c>Retry-After</c> says
/// (ending the run when that is longer than <see cref="ConnectorOptions.MaxRetryAfter"/>). Other 4xx
/// answers fail at once. Every try is kept for the log (method, path, status, duration), never the
/// bodies, which hold personal data.
/// </summary>
public sealed class ConnectorHttp(string connector, string runId, ConnectorEndpoint endpoint, ConnectorOptions options, TimeProvider time)
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AllowAutoRedirect = false })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    private readonly List<ConnectorCall> _calls = [];
    private long _lastCall = long.MinValue;

    public IReadOnlyList<ConnectorCall> Calls => _calls;

    /// <summary>Sends a JSON body (or none) and returns the answer's JSON (null for an empty answer).</summary>
    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken, string contentType = "application/json") =>
        (await SendAsync(method, path, body, null, contentType, cancellationToken)).Body;

    /// <summary>As <see cref="SendAsync(HttpMethod, string, JsonNode?, CancellationToken, string)"/>; false when the API answers 404 (the record is not there yet).</summary>
    public async Task<bool> SendIfFoundAsync(HttpMethod method, string path, JsonNode? body, CancellationToken cancellationToken) =>
        (await SendAsync(method, path, body, (int)HttpStatusCode.NotFound, "application/json", cancellationToken)).Status != (int)HttpStatusCode.NotFound;

    private async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, string path, JsonNode? body, int? accepted, string contentType, CancellationToken cancellationToken)
    {
        var content = body?.ToJsonString();
        for (var attempt = 1; ; attempt++)
        {
            await PaceAsync(cancellationToken);
            using var request = new HttpRequestMessage(method, new Uri(endpoint.BaseUrl, path.TrimStart('/')));
            endpoint.Authorise(request);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
            if (content is not null)
            {
                request.Content = new StringContent(content, Encoding.UTF8, contentType);
            }
            var started = Stopwatch.GetTimestamp();
            var at = time.GetUtcNow();
            HttpResponseMessage? response = null;
            string? error = null;
            string? answer = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Timeout);
            try
            {
                response = await Http.SendAsync(request, timeout.Token);
                answer = await response.Content.ReadAsStringAsync(timeout.Token);
            }
            catch (HttpRequestException ex)
            {
                error = ex.Message;
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                error = $"no answer within {options.Timeout.TotalSeconds:0} s";
            }
            var status = response is null ? (int?)null : (int)response.StatusCode;
            if (status is >= 300 && status != accepted && error is null)
            {
                error = Shorten(answer);
            }
            _calls.Add(new ConnectorCall(Guid.CreateVersion7().ToString("N"), connector, at, method.Method, request.RequestUri!.PathAndQuery, status,
                (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, attempt, error, runId));
            using (response)
            {
                if (status is >= 200 and < 300)
                {
                    return (status.Value, string.IsNullOrWhiteSpace(answer) ? null : JsonNode.Parse(answer));
                }
                if (status is { } other && other == accepted)
                {
                    return (other, null);
                }
                var retryAfter = status == (int)HttpStatusCode.TooManyRequests ? ConnectorBackoff.RetryAfter(response!.Headers.RetryAfter, time.GetUtcNow()) : null;
                if (retryAfter is { } asked && asked > options.MaxRetryAfter)
                {
                    throw new ConnectorRateLimitedException(asked);
                }
                var retryable = status is null or 429 or >= 500;
                var wait = retryable ? ConnectorBackoff.BeforeNextCall(attempt, options.CallDelays, retryAfter) : null;
                if (wait is null)
                {
                    throw new ConnectorFailedException($"{method.Method} {request.RequestUri!.AbsolutePath} failed" + (status is { } s ? $" with {s}" : "") + $": {error}");
                }
                await Task.Delay(wait.Value, time, cancellationToken);
            }
        }
    }

    private async Task PaceAsync(CancellationToken cancellationToken)
    {
        if (_lastCall != long.MinValue)
        {
            var left = endpoint.Pace - time.GetElapsedTime(_lastCall);
            if (left > TimeSpan.Zero)
            {
                await Task.Delay(left, time, cancellationToken);
            }
        }
        _lastCall = time.GetTimestamp();
    }

    private static string? Shorten(string? text) => text is null ? null : text.Length <= 500 ? text : text[..500];

    /// <summary>A JSON body from an object, with the outside API's own property names as given.</summary>
    public static JsonNode Json(object value) => JsonSerializer.SerializeToNode(value)!;
}
