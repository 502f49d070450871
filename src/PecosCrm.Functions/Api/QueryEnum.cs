using PecosCrm.Core;

namespace PecosCrm.Functions.Api;

/// <summary>
/// Reads an enum from the query string as the API spells it (<c>page_view</c>, <c>gold</c>), which
/// minimal APIs' own binding does not: it wants the C# name and says only "failed to bind".
/// </summary>
public static class QueryEnum
{
    public static T? Parse<T>(string? value, string field) where T : struct, Enum
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }
        var wanted = value.Replace("_", "", StringComparison.Ordinal);
        foreach (var candidate in Enum.GetValues<T>())
        {
            if (string.Equals(candidate.ToString(), wanted, StringComparison.OrdinalIgnoreCase))
            {
                return candidate;
            }
        }
        var allowed = string.Join(", ", Enum.GetValues<T>().Select(v => System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(v.ToString())));
        throw new ValidationFailedException(field, $"'{value}' is not one of: {allowed}.");
    }
}
