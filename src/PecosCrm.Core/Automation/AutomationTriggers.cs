using System.Globalization;
using System.Text.Json;
using Azure.Data.Tables;
using Cronos;
using DuckDB.NET.Data;
using Microsoft.Extensions.Logging;
using PecosCrm.Core.Analytics;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Events;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Automation;

/// <summary>What a bulk enrolment did.</summary>
public sealed record EnrolmentResult(int Enrolled, int Skipped, IReadOnlyDictionary<string, int> SkippedBecause);

/// <summary>
/// Starts instances. Event triggers (and goals and event waits) hear every applied store event;
/// threshold triggers compare the customer's metrics after each order event; <c>tier.changed</c>
/// and points thresholds hear the loyalty ledger (<see cref="LoyaltyTriggers"/>). Time, date-field and behaviour triggers are found by a timer over the customer-
/// features file (birthdays and anniversaries in the store's time zone, days without an order), and
/// manual enrolment takes one customer or a whole segment.
/// </summary>
public sealed partial class AutomationTriggers(
    StorageAccount storage, WorkflowStore workflows, AutomationInstances runtime, SegmentService segments, SegmentStore segmentStore, CustomerStore customers,
    AnalyticsEngine engine, AnalyticsCopy copy, StoreTime storeTime, TimeProvider time, ILogger<AutomationTriggers> logger) : IAppliedEventObserver
{
    private TableClient Index => storage.Table(StorageNames.Tables.AutomationIndex);

    /// <summary>
    /// An event is heard when the customer is in an automation (whose goal or wait may be this event)
    /// or when an active workflow is triggered by its type; every other event costs nothing here.
    /// </summary>
    public async ValueTask<bool> WantsAsync(StoreEvent e, AppliedContext context, CancellationToken cancellationToken)
    {
        if (context.InAutomation)
        {
            return true;
        }
        foreach (var workflow in await workflows.ActiveAsync(cancellationToken))
        {
            var trigger = workflow.Definition.Trigger!;
            if ((trigger.Kind == "event" && trigger.Event == e.Type)
                || (trigger.Kind == "threshold" && EventTypes.IsOrderEvent(e.Type)))
            {
                return true;
            }
        }
        return false;
    }

    public async Task OnAppliedAsync(StoreEvent e, CancellationToken cancellationToken)
    {
        await runtime.OnCustomerEventAsync(e.CustomerId, e.Type, cancellationToken);
        foreach (var workflow in await workflows.ActiveAsync(cancellationToken))
        {
            var trigger = workflow.Definition.Trigger!;
            var matches = trigger.Kind switch
            {
                "event" => trigger.Event == e.Type && FiltersHold(trigger.Filters, e.Data),
                "threshold" => EventTypes.IsOrderEvent(e.Type) && trigger.Metric is "lifetime_value" or "order_count" && await ReachedAsync(trigger, e.CustomerId, cancellationToken),
                _ => false,
            };
            if (matches)
            {
                var (_, refused) = await runtime.EnrolAsync(workflow, e.CustomerId, $"{e.Type} {e.Id}", OrderIdOf(e), cancellationToken);
                if (refused is not null)
                {
                    LogNotEnrolled(logger, workflow.Id, refused);
                }
            }
        }
    }

    /// <summary>The order an order event is about (its data is the order), so the flow's emails can show it.</summary>
    private static string? OrderIdOf(StoreEvent e) =>
        EventTypes.IsOrderEvent(e.Type) && e.Data.ValueKind == JsonValueKind.Object && e.Data.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String
            ? id.GetString()
            : null;

    /// <summary>Enrols one customer by hand.</summary>
    public async Task<(WorkflowInstance? Instance, string? Refused)> EnrolAsync(string workflowId, string customerId, string actor, CancellationToken cancellationToken = default)
    {
        var workflow = await ActiveWorkflowAsync(workflowId, cancellationToken);
        return await runtime.EnrolAsync(workflow, customerId, "manual: " + actor, cancellationToken: cancellationToken);
    }

    /// <summary>Enrols every member of a segment (a dynamic one is refreshed first).</summary>
    public async Task<EnrolmentResult> EnrolSegmentAsync(string workflowId, string segmentId, string source, CancellationToken cancellationToken = default)
    {
        var workflow = await ActiveWorkflowAsync(workflowId, cancellationToken);
        if ((await segmentStore.GetAsync(segmentId, cancellationToken)).Kind == SegmentKind.Dynamic)
        {
            await segments.RefreshAsync(segmentId, cancellationToken);
        }
        return await EnrolAllAsync(workflow, segmentStore.MemberIdPagesAsync(segmentId, cancellationToken), source, cancellationToken);
    }

    /// <summary>The timer's pass over time, date-field and behaviour triggers; returns how many were enrolled.</summary>
    public async Task<int> RunSchedulesAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var enrolled = 0;
        var scheduled = (await workflows.ActiveAsync(cancellationToken)).Where(w => w.Definition.Trigger!.Kind is "time" or "date_field" or "behavior").ToList();
        if (scheduled.Count > 0 && scheduled.Any(w => w.Definition.Trigger!.Kind != "time"))
        {
            await copy.RebuildChangedAsync(cancellationToken: cancellationToken);
        }
        foreach (var workflow in scheduled)
        {
            var trigger = workflow.Definition.Trigger!;
            var run = trigger.Kind == "time"
                ? DueOccurrence(trigger.Cron, trigger.At, workflow.UpdatedAt, now, storeTime.Zone)
                : storeTime.Date(now).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (run is null || !await ClaimRunAsync(workflow.Id, run, cancellationToken))
            {
                continue;
            }
            var result = trigger.Kind == "time"
                ? await EnrolSegmentAsync(workflow.Id, trigger.SegmentId!, $"{trigger.Kind} {run}", cancellationToken)
                : await EnrolAllAsync(workflow, Pages(await FindAsync(trigger, now, cancellationToken)), $"{trigger.Kind} {run}", cancellationToken);
            enrolled += result.Enrolled;
        }
        return enrolled;
    }

    private async Task<Workflow> ActiveWorkflowAsync(string workflowId, CancellationToken cancellationToken)
    {
        var workflow = await workflows.GetAsync(workflowId, cancellationToken);
        return workflow.Active ? workflow : throw new ConflictException("The workflow is not active: activate it before enrolling customers.");
    }

    private async Task<EnrolmentResult> EnrolAllAsync(Workflow workflow, IAsyncEnumerable<IReadOnlyList<string>> pages, string source, CancellationToken cancellationToken)
    {
        var enrolled = 0;
        var skipped = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        await foreach (var page in pages.WithCancellation(cancellationToken))
        {
            await Parallel.ForEachAsync(page, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (id, ct) =>
            {
                var (_, refused) = await runtime.EnrolAsync(workflow, id, source, cancellationToken: ct);
                if (refused is null)
                {
                    Interlocked.Increment(ref enrolled);
                }
                else
                {
                    skipped.AddOrUpdate(refused, 1, (_, n) => n + 1);
                }
            });
        }
        return new EnrolmentResult(enrolled, skipped.Values.Sum(), skipped);
    }

    private static async IAsyncEnumerable<IReadOnlyList<string>> Pages(IReadOnlyList<string> ids)
    {
        foreach (var chunk in ids.Chunk(500))
        {
            yield return chunk;
        }
        await Task.CompletedTask;
    }

    /// <summary>Customers a date-field or behaviour trigger finds today, from the customer-features file.</summary>
    private async Task<IReadOnlyList<string>> FindAsync(Trigger trigger, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var today = storeTime.Local(now).DateTime;
        using var db = await engine.OpenAsync(cancellationToken);
        using var command = db.CreateCommand();
        switch (trigger.Kind)
        {
            case "date_field" when trigger.DateField == "birthday":
                command.CommandText = "SELECT customer_id FROM customers WHERE month(birthday) = $m AND day(birthday) = $d";
                break;
            case "date_field":
                command.CommandText = "SELECT customer_id FROM customers WHERE month(customer_since) = $m AND day(customer_since) = $d AND year(customer_since) < $y";
                command.Parameters.Add(new DuckDBParameter("y", today.Year));
                break;
            default:
                command.CommandText = "SELECT customer_id FROM customers WHERE order_count > 0 AND last_order_at < $since";
                command.Parameters.Add(new DuckDBParameter("since", now.AddDays(-trigger.Days!.Value).UtcDateTime));
                break;
        }
        if (trigger.Kind == "date_field")
        {
            command.Parameters.Add(new DuckDBParameter("m", today.Month));
            command.Parameters.Add(new DuckDBParameter("d", today.Day));
        }
        var ids = new List<string>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            ids.Add(reader.GetString(0));
        }
        return ids;
    }

    /// <summary>
    /// For a time trigger: the occurrence that is due now (the moment, or the latest cron occurrence
    /// since <paramref name="since"/>), or null. Cron schedules read in the store's time zone
    /// (<paramref name="zone"/>), so "0 9 * * *" is 9 AM at the store all year round.
    /// </summary>
    internal static string? DueOccurrence(string? cron, DateTimeOffset? at, DateTimeOffset since, DateTimeOffset now, TimeZoneInfo zone)
    {
        if (cron is not null)
        {
            var expression = CronExpression.Parse(cron);
            DateTimeOffset? last = null;
            foreach (var occurrence in expression.GetOccurrences(since, now, zone, fromInclusive: false, toInclusive: true))
            {
                last = occurrence;
            }
            return last?.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);
        }
        return at is { } moment && moment <= now ? moment.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture) : null;
    }

    /// <summary>Records that an occurrence of a scheduled trigger is being run; false when it ran before (or another instance took it).</summary>
    private async Task<bool> ClaimRunAsync(string workflowId, string run, CancellationToken cancellationToken)
    {
        try
        {
            await Index.AddEntityAsync(new TableEntity(AutomationKeys.RanPartition(workflowId), AutomationKeys.Ran(workflowId, run)) { ["At"] = time.GetUtcNow() }, cancellationToken);
            return true;
        }
        catch (Azure.RequestFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    private async Task<bool> ReachedAsync(Trigger trigger, string customerId, CancellationToken cancellationToken)
    {
        var metrics = await customers.MetricsAsync(customerId, cancellationToken);
        var value = trigger.Metric == "lifetime_value" ? metrics.LifetimeValueCents / 100m : metrics.OrderCount;
        return value >= trigger.Value;
    }

    /// <summary>
    /// Whether the triggering event's data passes every filter. Paths go into objects and arrays
    /// (<c>value</c>, <c>items.0.productId</c>); <c>*</c> means any element (<c>lines.*.category</c>).
    /// </summary>
    public static bool FiltersHold(IReadOnlyList<DataFilter>? filters, JsonElement data) =>
        (filters ?? []).All(filter => Values(data, filter.Path!.Split('.')).Any(value => Holds(filter, value)) || (filter.Op == "neq" && !Values(data, filter.Path!.Split('.')).Any()));

    private static IEnumerable<JsonElement> Values(JsonElement value, ReadOnlyMemory<string> path)
    {
        if (path.IsEmpty)
        {
            yield return value;
            yield break;
        }
        var part = path.Span[0];
        var rest = path[1..];
        if (value.ValueKind == JsonValueKind.Object && value.TryGetProperty(part, out var child))
        {
            foreach (var v in Values(child, rest))
            {
                yield return v;
            }
        }
        else if (value.ValueKind == JsonValueKind.Array && part == "*")
        {
            foreach (var element in value.EnumerateArray())
            {
                foreach (var v in Values(element, rest))
                {
                    yield return v;
                }
            }
        }
        else if (value.ValueKind == JsonValueKind.Array && int.TryParse(part, out var i) && i < value.GetArrayLength())
        {
            foreach (var v in Values(value[i], rest))
            {
                yield return v;
            }
        }
    }

    private static bool Holds(DataFilter filter, JsonElement value)
    {
        if (filter.Op == "exists")
        {
            return value.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);
        }
        if (filter.Value is not { } expected || value.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return false;
        }
        if (filter.Op == "in")
        {
            return expected.ValueKind == JsonValueKind.Array && expected.EnumerateArray().Any(x => Same(x, value));
        }
        if (value.ValueKind == JsonValueKind.Number && expected.ValueKind == JsonValueKind.Number)
        {
            var (a, b) = (value.GetDecimal(), expected.GetDecimal());
            return filter.Op switch { "eq" => a == b, "neq" => a != b, "gt" => a > b, "gte" => a >= b, "lt" => a < b, _ => a <= b };
        }
        return filter.Op switch { "eq" => Same(value, expected), "neq" => !Same(value, expected), _ => false };
    }

    private static bool Same(JsonElement a, JsonElement b) =>
        a.ValueKind == JsonValueKind.Number && b.ValueKind == JsonValueKind.Number ? a.GetDecimal() == b.GetDecimal()
        : string.Equals(a.ToString(), b.ToString(), StringComparison.OrdinalIgnoreCase);

    [LoggerMessage(1, LogLevel.Debug, "Workflow {WorkflowId}: customer not enrolled ({Reason})")]
    private static partial void LogNotEnrolled(ILogger logger, string workflowId, string reason);
}
