using System.Globalization;
using PecosCrm.Core.Events;
using PecosCrm.Core.Integrations.Webhooks;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>What changed after a cursor: the customers and orders named by the logged events, and the cursor after them.</summary>
public sealed record ChangeSet(IReadOnlyList<string> CustomerIds, IReadOnlyList<string> OrderIds, string Cursor, bool More);

/// <summary>
/// The connectors' incremental feed. It reads the webhook event log (<see cref="WebhookEventLog"/>):
/// every applied store event about a customer or an order is logged there, in publication order,
/// whenever a subscription or an enabled connector wants it (<see cref="IEventLogReader"/>), so a
/// sync reads what changed since its cursor (an event's sequence) by hour partition, never by
/// scanning customers or orders. Hearing the log costs nothing while no connector is enabled.
/// </summary>
public sealed class ConnectorChanges(WebhookEventLog log, ConnectorStore store) : IEventLogReader
{
    /// <summary>The store event types whose customer or order a connector sends again.</summary>
    public static readonly IReadOnlySet<string> Types = new HashSet<string>(StringComparer.Ordinal)
    {
        EventTypes.CustomerCreated, EventTypes.CustomerUpdated, EventTypes.OrderPlaced, EventTypes.OrderPaid, EventTypes.OrderShipped,
        EventTypes.OrderDelivered, EventTypes.OrderCancelled, EventTypes.OrderRefunded,
    };

    private static readonly Func<string, bool> Wanted = Types.Contains;

    public async ValueTask<Func<string, bool>?> WantedTypesAsync(CancellationToken cancellationToken) =>
        (await store.EnabledAsync(cancellationToken)).Count > 0 ? Wanted : null;

    /// <summary>The cursor of a connector turned on at <paramref name="at"/>: before every event published from then on.</summary>
    public static string StartCursor(DateTimeOffset at) =>
        at.ToUnixTimeMilliseconds().ToString("x12", CultureInfo.InvariantCulture) + new string('0', WebhookSequence.Length - 12);

    /// <summary>
    /// Up to <paramref name="limit"/> logged events after <paramref name="cursor"/> and published by
    /// <paramref name="settled"/>, as the customers and orders they name. Events published later are
    /// left for the next run: an event's sequence is taken a moment before its row is written, so a
    /// reader reaching the newest rows could pass one still being written. With nothing more to
    /// read, the cursor moves up to <paramref name="settled"/>, so a quiet connector's next run
    /// starts at the present hour instead of walking every hour since its last change.
    /// </summary>
    public async Task<ChangeSet> ReadAsync(string cursor, DateTimeOffset settled, int limit, CancellationToken cancellationToken = default)
    {
        var read = await log.ReadAfterAsync(cursor, settled, limit, cancellationToken);
        var events = read.TakeWhile(e => WebhookSequence.TimeOf(e.Sequence) <= settled).ToList();
        var more = read.Count >= limit && events.Count == read.Count;
        var customers = new List<string>();
        var orders = new List<string>();
        foreach (var e in events.Where(e => Types.Contains(e.Type)))
        {
            if (e.CustomerId is { } customerId && !customers.Contains(customerId))
            {
                customers.Add(customerId);
            }
            if (e.Type.StartsWith("order.", StringComparison.Ordinal) && OrderIdOf(e.Data) is { } orderId && !orders.Contains(orderId))
            {
                orders.Add(orderId);
            }
        }
        var next = events.Count > 0 ? events[^1].Sequence : cursor;
        if (!more && string.CompareOrdinal(StartCursor(settled), next) > 0)
        {
            next = StartCursor(settled);
        }
        return new ChangeSet(customers, orders, next, more);
    }

    private static string? OrderIdOf(string data)
    {
        try
        {
            using var json = System.Text.Json.JsonDocument.Parse(data);
            return json.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object && json.RootElement.TryGetProperty("id", out var id)
                && id.ValueKind == System.Text.Json.JsonValueKind.String ? id.GetString() : null;
        }
        catch (System.Text.Json.JsonException)
        {
            return null;
        }
    }
}
