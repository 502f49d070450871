using System.Text.Json;
using System.Text.Json.Nodes;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Functions mode: the host delivers each timer tick and queue message as <c>POST /{FunctionName}</c>
/// with <c>{ "Data": {...}, "Metadata": {...} }</c> and reads <c>{ "Outputs", "Logs", "ReturnValue" }</c>
/// back. A non-2xx answer fails the invocation, so the host retries the message or poisons it.
/// </summary>
public static partial class InvocationEndpoints
{
    public static IEndpointRouteBuilder MapFunctionInvocations(this IEndpointRouteBuilder app)
    {
        var registry = app.ServiceProvider.GetRequiredService<TriggerRegistry>();
        foreach (var function in registry.Functions)
        {
            app.MapPost("/" + function.Name, (HttpContext http, CancellationToken ct) => InvokeAsync(function, http, ct))
                .AllowAnonymous()
                .ExcludeFromDescription()
                .DisableRateLimiting();
        }
        return app;
    }

    private static async Task<IResult> InvokeAsync(FunctionTrigger function, HttpContext http, CancellationToken cancellationToken)
    {
        var logger = http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(InvocationEndpoints));
        JsonNode? payload;
        try
        {
            payload = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: cancellationToken);
        }
        catch (JsonException ex)
        {
            return Answer(StatusCodes.Status400BadRequest, $"Invocation payload is not JSON: {ex.Message}");
        }
        var data = payload?["Data"]?[function.BindingName];
        var metadata = payload?["Metadata"];

        try
        {
            if (function.Kind == TriggerKind.Timer)
            {
                var job = (ITimerJob)http.RequestServices.GetRequiredService(function.JobType);
                var time = http.RequestServices.GetRequiredService<TimeProvider>();
                var timer = UnwrapString(data) is { } text ? JsonNode.Parse(text) : data;
                var isPastDue = timer?["IsPastDue"]?.GetValue<bool>() ?? false;
                await job.RunAsync(new TimerInvocation(time.GetUtcNow(), isPastDue), cancellationToken);
            }
            else
            {
                var body = UnwrapString(data) ?? data?.ToJsonString();
                if (body is null)
                {
                    return Answer(StatusCodes.Status400BadRequest, $"Invocation payload has no Data.{function.BindingName}.");
                }
                var dequeueCount = long.TryParse(UnwrapString(metadata?["DequeueCount"]) ?? metadata?["DequeueCount"]?.ToJsonString(), out var n) ? n : 1;
                var messageId = UnwrapString(metadata?["Id"]);
                var job = (IQueueJob)http.RequestServices.GetRequiredService(function.JobType);
                await job.HandleAsync(new QueueInvocation(body, messageId, dequeueCount), cancellationToken);
            }
            return Answer(StatusCodes.Status200OK, $"{function.Name} completed.");
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogInvocationFailed(logger, function.Name, ex);
            return Answer(StatusCodes.Status500InternalServerError, $"{function.Name} failed: {ex.GetType().Name}.");
        }
    }

    /// <summary>
    /// String trigger data arrives JSON-encoded twice (<c>"\"{...}\""</c>): unwrap until it is no
    /// longer a JSON string literal. Returns null when the node is not a string.
    /// </summary>
    public static string? UnwrapString(JsonNode? node)
    {
        if (node is not JsonValue value || !value.TryGetValue<string>(out var text))
        {
            return null;
        }
        while (text.Length >= 2 && text[0] == '"' && text[^1] == '"')
        {
            try
            {
                text = JsonSerializer.Deserialize<string>(text)!;
            }
            catch (JsonException)
            {
                break;
            }
        }
        return text;
    }

    /// <summary>Always a JSON object: a bare string that looked like Base64 would be turned into bytes by the host.</summary>
    private static IResult Answer(int status, string log) =>
        Results.Json(new InvocationResponse(new Dictionary<string, object?>(), [log], null), statusCode: status);

    [LoggerMessage(1, LogLevel.Error, "Invocation of {Function} failed")]
    private static partial void LogInvocationFailed(ILogger logger, string function, Exception ex);
}

/// <summary>The custom-handler response payload. Property names are PascalCase, as the host expects.</summary>
public sealed record InvocationResponse(
    [property: System.Text.Json.Serialization.JsonPropertyName("Outputs")] IDictionary<string, object?> Outputs,
    [property: System.Text.Json.Serialization.JsonPropertyName("Logs")] IReadOnlyList<string> Logs,
    [property: System.Text.Json.Serialization.JsonPropertyName("ReturnValue")] object? ReturnValue);
