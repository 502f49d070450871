using System.Text.Json;
using PecosCrm.Core;

namespace PecosCrm.Functions.Jobs;

/// <summary>
/// Reads a queue message as the payload its function expects, strictly: JSON of the payload's shape,
/// with every required member present and non-null. Anything else is a message that is not ours, and
/// fails the invocation with <see cref="QueueMessageRejectedException"/>, so the queue retries it and
/// then moves it to the poison queue where someone can look at it; it is never dropped unnoticed.
/// </summary>
public static class QueuePayload
{
    private static readonly JsonSerializerOptions Strict = new(CrmJson.Options)
    {
        RespectNullableAnnotations = true,
        RespectRequiredConstructorParameters = true,
    };

    public static T Parse<T>(string function, string body, Func<T, string?>? check = null) where T : class
    {
        T? payload;
        try
        {
            payload = JsonSerializer.Deserialize<T>(body, Strict);
        }
        catch (JsonException ex)
        {
            throw new QueueMessageRejectedException(function, $"not a {typeof(T).Name}: {ex.Message}", ex);
        }
        if (payload is null)
        {
            throw new QueueMessageRejectedException(function, $"not a {typeof(T).Name}: the message is JSON null.");
        }
        if (check?.Invoke(payload) is { } problem)
        {
            throw new QueueMessageRejectedException(function, $"not a valid {typeof(T).Name}: {problem}");
        }
        return payload;
    }

    /// <summary>A check that a kind-like member holds one of the known values.</summary>
    public static string? OneOf(string member, string value, params string[] known) =>
        known.Contains(value, StringComparer.Ordinal) ? null : $"'{member}' is '{value}', not one of {string.Join(", ", known)}.";
}

/// <summary>A queue message a function cannot read: it fails every delivery and ends in the poison queue.</summary>
public sealed class QueueMessageRejectedException(string function, string reason, Exception? inner = null)
    : Exception($"{function} rejected a queue message that is {reason}", inner)
{
    public string Function { get; } = function;
}
