using System.Text.Json;
using PecosCrm.Core.Orders;

namespace PecosCrm.Core.Customers;

/// <summary>
/// The rules that keep a customer card's lists: which orders and timeline entries are the newest,
/// which notes are pinned, the tags, related contacts and automations, each list kept within one
/// table property (64 KiB). Decisions only; the stores read and write the card.
/// </summary>
internal static class CustomerCard
{
    public const int RecentOrders = 5;
    public const int RecentActivity = 10;

    /// <summary>Characters one list may take, below the 32,768 of a table string property.</summary>
    public const int ListBudget = 30_000;

    /// <summary>Puts an order (new or changed) among the newest ones if it is one of them.</summary>
    public static void PutOrder(CardEntity card, CardOrder order)
    {
        var list = Read<CardOrder>(card.RecentOrders);
        list.RemoveAll(o => o.Order.Id == order.Order.Id);
        list.Add(order);
        var newest = list
            .OrderByDescending(o => o.Order.PlacedAt).ThenBy(o => o.Order.Id, StringComparer.Ordinal)
            .Take(RecentOrders)
            .Select(o => Fits(o, ListBudget / RecentOrders) ? o : o with { Order = o.Order with { Lines = [] }, LinesLeftOut = true });
        card.RecentOrders = Write(newest);
    }

    public static void AddActivity(CardEntity card, IEnumerable<TimelineEntry> entries)
    {
        var list = Read<TimelineEntry>(card.RecentActivity);
        foreach (var entry in entries)
        {
            list.RemoveAll(e => e.Id == entry.Id && e.Type == entry.Type);
            list.Add(entry with { Detail = entry.Detail is { Length: > 1000 } d ? d[..1000] : entry.Detail });
        }
        card.RecentActivity = Write(list.OrderByDescending(e => e.At).ThenBy(e => e.Id, StringComparer.Ordinal).Take(RecentActivity));
    }

    /// <summary>Puts a note among the pinned ones, or takes it off when it is no longer pinned or was deleted.</summary>
    public static void PutNote(CardEntity card, Note note, bool deleted = false)
    {
        var list = Read<Note>(card.PinnedNotes);
        list.RemoveAll(n => n.Id == note.Id);
        if (note.Pinned && !deleted)
        {
            list.Add(note);
        }
        card.PinnedNotes = WriteWithin(list.OrderByDescending(n => n.CreatedAt).ThenBy(n => n.Id, StringComparer.Ordinal));
    }

    public static void SetTag(CardEntity card, CardTag tag)
    {
        var list = card.TagList();
        list.RemoveAll(t => t.TagId == tag.TagId);
        list.Add(tag);
        card.Tags = Write(list.OrderBy(t => t.AssignedAt).ThenBy(t => t.TagId, StringComparer.Ordinal));
    }

    public static bool RemoveTag(CardEntity card, string tagId)
    {
        var list = card.TagList();
        var removed = list.RemoveAll(t => t.TagId == tagId) > 0;
        card.Tags = Write(list);
        return removed;
    }

    public static void PutRelated(CardEntity card, RelatedContact contact)
    {
        var list = card.RelatedList();
        list.RemoveAll(r => r.CustomerId == contact.CustomerId);
        list.Add(contact);
        card.Related = WriteWithin(list.OrderBy(r => r.LinkedAt).ThenBy(r => r.CustomerId, StringComparer.Ordinal));
    }

    public static bool RemoveRelated(CardEntity card, string otherId)
    {
        var list = card.RelatedList();
        var removed = list.RemoveAll(r => r.CustomerId == otherId) > 0;
        card.Related = Write(list);
        return removed;
    }

    /// <summary>Records where an automation instance stands; a finished one leaves the card.</summary>
    public static void PutAutomation(CardEntity card, CustomerAutomation automation, bool finished)
    {
        var list = card.AutomationList();
        list.RemoveAll(a => a.InstanceId == automation.InstanceId);
        if (!finished)
        {
            list.Add(automation);
        }
        card.Automations = WriteWithin(list.OrderByDescending(a => a.EnrolledAt).ThenBy(a => a.InstanceId, StringComparer.Ordinal));
    }

    /// <summary>
    /// Works out what moves with time and metrics: the health score, the churn risk and the
    /// automatic tags. Returns the auto-tags added and removed, for the timeline and the tag members.
    /// </summary>
    public static (IReadOnlySet<string> Added, IReadOnlySet<string> Removed) Refresh(CardEntity card, DateTimeOffset now)
    {
        var metrics = card.ToMetrics();
        var health = HealthScore.Compute(metrics, card.ToEngagement(), now);
        card.SetHealth(health);
        var since = card.HasProfile ? card.CustomerSince : metrics.FirstOrderAt ?? card.LastEngagedAt ?? now;
        var wanted = AutoTags.For(since, metrics, health, now);
        var current = card.AutoTagSet();
        var added = wanted.Except(current).ToHashSet(StringComparer.Ordinal);
        var removed = current.Except(wanted).ToHashSet(StringComparer.Ordinal);
        foreach (var id in added)
        {
            SetTag(card, new CardTag(id, true, "system", now));
        }
        foreach (var id in removed)
        {
            RemoveTag(card, id);
        }
        return (added, removed);
    }

    /// <summary>The timeline entries that record auto-tag changes.</summary>
    public static IEnumerable<TimelineEntry> TagEntries(string customerId, IEnumerable<string> added, IEnumerable<string> removed, DateTimeOffset at) =>
        added.Select(id => TagEntry(customerId, id, AutoTags.NameOf(id), added: true, "system", at))
            .Concat(removed.Select(id => TagEntry(customerId, id, AutoTags.NameOf(id), added: false, "system", at)));

    public static TimelineEntry TagEntry(string customerId, string tagId, string name, bool added, string actor, DateTimeOffset at) =>
        new(Guid.CreateVersion7(at).ToString("N"), customerId, TimelineType.Tag, added ? $"Tagged {name}" : $"Tag {name} removed", at, actor, $"/api/tags/{tagId}", null);

    private static bool Fits<T>(T item, int budget) => JsonSerializer.Serialize(item, CrmJson.Options).Length <= budget;

    private static List<T> Read<T>(string json) => JsonSerializer.Deserialize<List<T>>(json, CrmJson.Options) ?? [];

    private static string Write<T>(IEnumerable<T> items) => JsonSerializer.Serialize(items.ToList(), CrmJson.Options);

    /// <summary>Serializes the list, leaving out its last items while it is over the budget.</summary>
    private static string WriteWithin<T>(IEnumerable<T> items)
    {
        var list = items.ToList();
        var json = Write(list);
        while (json.Length > ListBudget && list.Count > 0)
        {
            list.RemoveAt(list.Count - 1);
            json = Write(list);
        }
        return json;
    }
}

/// <summary>An order as the card keeps it: the order, the event its data came from, and whether its lines were left out for size.</summary>
internal sealed record CardOrder(Order Order, DateTimeOffset DataAt, string DataEventId, bool LinesLeftOut = false);
