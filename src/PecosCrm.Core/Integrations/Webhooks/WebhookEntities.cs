using System.Runtime.Serialization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Integrations.Webhooks;

internal sealed class WebhookSubscriptionEntity : ITableEntity
{
    public string PartitionKey { get; set; } = WebhookKeys.SubscriptionPartition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Url { get; set; } = "";
    public string Events { get; set; } = "[]";
    public string? Description { get; set; }

    /// <summary>Kept out of every API answer but the one that creates it.</summary>
    public string Secret { get; set; } = "";
    public bool Active { get; set; }
    public DateTimeOffset? DisabledAt { get; set; }
    public string? DisabledReason { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    [IgnoreDataMember]
    public string Id => WebhookKeys.IdOfSubscription(RowKey);

    [IgnoreDataMember]
    public IReadOnlyList<string> EventList => JsonSerializer.Deserialize<List<string>>(Events, CrmJson.Options) ?? [];

    public WebhookSubscription ToRecord() =>
        new(Id, Url, EventList, Description, Active, DisabledAt, DisabledReason, CreatedBy, CreatedAt, UpdatedAt, ETag.ToString());
}

/// <summary>The events of one customer held behind a failed delivery, oldest first, and when to try again.</summary>
internal sealed class WebhookHeldEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string SubscriptionId { get; set; } = "";
    public string OrderingKey { get; set; } = "";

    /// <summary>The sequences waiting, as a JSON array, oldest first.</summary>
    public string Sequences { get; set; } = "[]";

    /// <summary>Attempts made at the first waiting event.</summary>
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
    public DateTimeOffset FirstFailedAt { get; set; }

    [IgnoreDataMember]
    public List<string> SequenceList
    {
        get => JsonSerializer.Deserialize<List<string>>(Sequences, CrmJson.Options) ?? [];
        set => Sequences = JsonSerializer.Serialize(value, CrmJson.Options);
    }
}

internal sealed class WebhookEventEntity : ITableEntity
{
    /// <summary>What one string property holds (32K UTF-16 characters), a little under; a payload takes at most two.</summary>
    public const int PartLength = 32_000;

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string WebhookId { get; set; } = "";
    public string Type { get; set; } = "";
    public string? CustomerId { get; set; }
    public DateTimeOffset PublishedAt { get; set; }
    public string Data { get; set; } = "";
    public string? DataMore { get; set; }

    public LoggedEvent ToRecord() => new(WebhookKeys.SequenceOf(RowKey), WebhookId, Type, CustomerId, PublishedAt, Data + DataMore);
}

internal sealed class WebhookDeliveryEntity : ITableEntity
{
    public const int MaxRequestBody = 30_000;
    public const int MaxResponseBody = 2_000;

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string EventSequence { get; set; } = "";
    public string WebhookId { get; set; } = "";
    public string EventType { get; set; } = "";
    public string? CustomerId { get; set; }
    public string Trigger { get; set; } = "";
    public int Attempt { get; set; }
    public bool Succeeded { get; set; }
    public int? ResponseStatus { get; set; }
    public string? ResponseBody { get; set; }
    public string? Error { get; set; }
    public long DurationMs { get; set; }
    public DateTimeOffset At { get; set; }
    public string Url { get; set; } = "";
    public string RequestBody { get; set; } = "";
    public string RequestHeaders { get; set; } = "{}";
    public DateTimeOffset? NextAttemptAt { get; set; }

    public WebhookDelivery ToRecord() => new(
        WebhookKeys.DeliveryIdOf(RowKey), PartitionKey, EventSequence, WebhookId, EventType, CustomerId,
        Enum.Parse<DeliveryTrigger>(Trigger, ignoreCase: true), Attempt, Succeeded, ResponseStatus, ResponseBody, Error, DurationMs, At, Url, RequestBody,
        JsonSerializer.Deserialize<Dictionary<string, string>>(RequestHeaders, CrmJson.Options) ?? [], NextAttemptAt);
}
