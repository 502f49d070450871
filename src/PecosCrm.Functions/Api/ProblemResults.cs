using System.Text.Json;
using Azure;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using PecosCrm.Core;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

/// <summary>
/// The one place that turns failures into RFC 9457 problem details: known faults get their 4xx,
/// storage outages a 503 with Retry-After, and anything else a 500 that leaks nothing.
/// </summary>
public sealed partial class ProblemExceptionHandler(
    IProblemDetailsService problems, StorageInitializer storage, ILogger<ProblemExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is RequestFailedException { ErrorCode: { } code } && StorageInitializer.MissingResourceCodes.Contains(code))
        {
            await storage.EnsureCreatedAsync(cancellationToken);
            http.Response.Headers.RetryAfter = "1";
            http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
            return await problems.TryWriteAsync(new ProblemDetailsContext
            {
                HttpContext = http,
                ProblemDetails = Problems.Create(StatusCodes.Status503ServiceUnavailable, "Storage is being prepared.", "Retry in a moment."),
            });
        }

        var problem = exception switch
        {
            ValidationFailedException v => new HttpValidationProblemDetails(v.Errors.ToDictionary(e => e.Key, e => e.Value))
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request is not valid.",
                Detail = "See errors for each field that needs fixing.",
            },
            NotFoundException n => Problems.Create(StatusCodes.Status404NotFound, "Not found.", n.Message),
            ConflictException c => Problems.Create(StatusCodes.Status409Conflict, "Conflict.", c.Message),
            ConcurrencyException c => Problems.Create(StatusCodes.Status412PreconditionFailed, "The record has changed.", c.Message),
            BadHttpRequestException { InnerException: JsonException j } => JsonProblem(j),
            BadHttpRequestException b => Problems.Create(b.StatusCode, TitleFor(b.StatusCode), DetailFor(b)),
            _ when IsStorageOutage(exception) => Problems.Create(StatusCodes.Status503ServiceUnavailable, "Storage is unavailable.", "Try again shortly."),
            _ => null,
        };
        if (problem is null)
        {
            LogUnhandled(logger, http.Request.Method, http.Request.Path, exception);
            problem = Problems.Create(StatusCodes.Status500InternalServerError, "An unexpected error occurred.", null);
        }
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            LogStorageOutage(logger, exception);
            http.Response.Headers.RetryAfter = "5";
        }
        http.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = http, ProblemDetails = problem, Exception = exception });
    }

    private static bool IsStorageOutage(Exception exception) => exception switch
    {
        RequestFailedException { Status: 0 or 500 or 502 or 503 or 504 } => true,
        AggregateException a => a.InnerExceptions.Any(IsStorageOutage),
        HttpRequestException or TimeoutException => true,
        TaskCanceledException t => t.InnerException is TimeoutException,
        _ => exception.InnerException is { } inner && IsStorageOutage(inner),
    };

    private static string TitleFor(int status) => status switch
    {
        StatusCodes.Status413PayloadTooLarge => "The request body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported content type.",
        _ => "The request is not valid.",
    };

    private static string DetailFor(BadHttpRequestException b) =>
        b.StatusCode == StatusCodes.Status415UnsupportedMediaType ? Problems.UnsupportedMediaTypeDetail : b.Message;

    /// <summary>
    /// A body that is not JSON, or holds a value of the wrong type (an unknown enum value, text for a
    /// number), is a validation problem naming the field at fault, without echoing the body or type names.
    /// </summary>
    private static ProblemDetails JsonProblem(JsonException j)
    {
        if (UnknownField(j) is { } unknown)
        {
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [unknown] = ["is not a known field"] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request body has a field this request does not take.",
                Detail = $"'{unknown}' is not a field of this request; nothing was changed. See /api/docs for the fields it takes.",
            };
        }
        var field = j.Path is { Length: > 2 } path ? path[2..] : "body";
        var syntax = j.Message.Contains("invalid", StringComparison.OrdinalIgnoreCase) || j.Message.Contains("depth", StringComparison.OrdinalIgnoreCase)
            || j.Message.Contains("end of data", StringComparison.OrdinalIgnoreCase);
        var message = syntax ? "The body is not well-formed JSON here." : "has a value of the wrong type or an unknown value.";
        return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [field] = [message] })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request body could not be read.",
            Detail = $"The body is not valid JSON for this request (at {j.Path ?? "$"}, line {j.LineNumber + 1}).",
        };
    }

    /// <summary>
    /// The field a body named that its request type does not have (the HTTP options disallow
    /// unmapped members), as a path from the body's root, e.g. <c>internal</c> or <c>lines[0].colour</c>.
    /// System.Text.Json reports this case only in its message, so the message is the one clue.
    /// </summary>
    private static string? UnknownField(JsonException j)
    {
        var match = UnmappedMember().Match(j.Message);
        if (!match.Success)
        {
            return null;
        }
        var name = match.Groups["name"].Value;
        var parent = j.Path is { Length: > 1 } path ? path[1..].TrimStart('.') : "";
        return parent.Length == 0 || parent.EndsWith(name, StringComparison.Ordinal) ? (parent.Length == 0 ? name : parent) : parent + "." + name;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^The JSON property '(?<name>.*?)' could not be mapped to any \\.NET member")]
    private static partial System.Text.RegularExpressions.Regex UnmappedMember();

    [LoggerMessage(1, LogLevel.Error, "Unhandled failure on {Method} {Path}")]
    private static partial void LogUnhandled(ILogger logger, string method, string path, Exception ex);

    [LoggerMessage(2, LogLevel.Warning, "Storage unavailable")]
    private static partial void LogStorageOutage(ILogger logger, Exception ex);
}

/// <summary>Problem details written outside the exception handler (auth, limits, rate limiting).</summary>
public static class Problems
{
    public const string UnsupportedMediaTypeDetail = "Send the body as application/json with a Content-Type header saying so.";

    /// <summary>Fills in the detail of problems the framework writes itself (unknown route, wrong method, 415).</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        problem.Detail ??= problem.Status switch
        {
            StatusCodes.Status404NotFound => $"There is no resource at {context.HttpContext.Request.Path}. See /api/docs for the routes.",
            StatusCodes.Status405MethodNotAllowed => $"{context.HttpContext.Request.Method} is not allowed on {context.HttpContext.Request.Path}.",
            StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaTypeDetail,
            _ => null,
        };
    }

    public static ProblemDetails Create(int status, string title, string? detail) => new() { Status = status, Title = title, Detail = detail };

    public static Task WriteAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        var problems = context.RequestServices.GetRequiredService<IProblemDetailsService>();
        return problems.WriteAsync(new ProblemDetailsContext { HttpContext = context, ProblemDetails = Create(status, title, detail) }).AsTask();
    }
}
