using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Integrations.Usage;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class ApiUsageEndpoints
{
    /// <summary>The longest range one request may cover.</summary>
    private const int MaxDays = 366;

    public static IEndpointRouteBuilder MapApiUsageEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/keys/{id}/usage", UsageAsync).WithTags("API keys").RequireAuthorization(Permissions.KeysManage).WithName("GetApiKeyUsage")
            .WithSummary("Requests, errors and latency of one key by UTC day and endpoint (from and to as yyyy-MM-dd, both included; the last 30 days by default).");
        return app;
    }

    public static async Task<Ok<ListResponse<ApiUsageRow>>> UsageAsync(
        string id, string? from, string? to, int? limit, string? cursor, ApiKeyStore keys, ApiUsage usage, TimeProvider time, CancellationToken cancellationToken)
    {
        var size = Page<ApiUsageRow>.CheckLimit(limit);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var check = new Validation();
        var last = Day(check, "to", to) ?? today;
        var first = Day(check, "from", from) ?? last.AddDays(-29);
        if (check.IsValid && (first > last || last.DayNumber - first.DayNumber >= MaxDays))
        {
            check.Add("from", $"must be on or before to, at most {MaxDays} days before it.");
        }
        check.ThrowIfInvalid();
        await keys.GetAsync(id, cancellationToken);
        // This instance's latest counts first, so what the caller just did is in the answer.
        await usage.FlushAsync(cancellationToken);
        var page = await usage.ListAsync(id, first, last, size, cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<ApiUsageRow>.From(page, r => r));
    }

    private static DateOnly? Day(Validation check, string field, string? value)
    {
        if (value is null)
        {
            return null;
        }
        if (DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            return day;
        }
        check.Add(field, "must be a date as yyyy-MM-dd.");
        return null;
    }
}
