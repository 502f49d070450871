using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Orders;

namespace PecosCrm.Core.Customers;

/// <summary>A <c>tl|...</c> or <c>tt|...</c> timeline row.</summary>
internal sealed class TimelineEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string EntryId { get; set; } = "";
    public string Type { get; set; } = "";
    public string Title { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";
    public string? Link { get; set; }
    public string? Detail { get; set; }

    public TimelineEntry ToRecord() => new(EntryId, PartitionKey, Enum.Parse<TimelineType>(Type), Title, At, Actor, Link, Detail);

    /// <summary>The two rows of one entry: in time order, and in time order within its type.</summary>
    public static IEnumerable<TimelineEntity> RowsFor(TimelineEntry e)
    {
        var type = e.Type.ToString();
        foreach (var rowKey in new[] { CustomerKeys.Timeline(e.At, e.Id), CustomerKeys.TimelineByType(type, e.At, e.Id) })
        {
            yield return new TimelineEntity
            {
                PartitionKey = e.CustomerId,
                RowKey = rowKey,
                EntryId = e.Id,
                Type = type,
                Title = e.Title.Length > 500 ? e.Title[..500] : e.Title,
                At = e.At,
                Actor = e.Actor,
                Link = e.Link,
                Detail = e.Detail is { Length: > 4000 } d ? d[..4000] : e.Detail,
            };
        }
    }
}

/// <summary>An <c>evt|{eventId}</c> row: this event has been applied to the customer.</summary>
internal sealed class EventMarkerEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Type { get; set; } = "";
    public DateTimeOffset OccurredAt { get; set; }
}
