using System.Globalization;
using System.Runtime.Serialization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Messaging;

namespace PecosCrm.Core.Campaigns;

/// <summary>A campaign in the <c>campaigns</c> table: PartitionKey <c>campaign</c>, RowKey the id (inverted ticks first, so lists read newest first).</summary>
internal sealed class CampaignEntity : ITableEntity
{
    public const string Partition = CampaignKeys.CampaignPartition;
    public const string TestPhase = CampaignKeys.TestPhase;
    public const string MainPhase = CampaignKeys.MainPhase;

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    public string State { get; set; } = nameof(CampaignState.Draft);
    public string Purpose { get; set; } = nameof(MessagePurpose.Marketing);
    public string? SegmentId { get; set; }
    public string? SegmentName { get; set; }
    public int? ListSize { get; set; }
    public string? Subject { get; set; }
    public string? Html { get; set; }
    public string? Text { get; set; }
    public string? TemplateId { get; set; }

    /// <summary>The A/B test as JSON (<see cref="AbTestSummary"/>), or null.</summary>
    public string? AbTest { get; set; }
    public int? ThrottlePerMinute { get; set; }
    public int AttributionDays { get; set; }
    public DateTimeOffset? SendAt { get; set; }

    /// <summary>True once the audience is snapshotted and every recipient row and slice is written.</summary>
    public bool Frozen { get; set; }
    public int Recipients { get; set; }
    public int SliceSize { get; set; }
    public string? Phase { get; set; }

    /// <summary>Bumped whenever the remaining work is queued again (start, resume, the winner, a stall); batches of an older generation stop.</summary>
    public int Generation { get; set; }
    public DateTimeOffset? PlannedAt { get; set; }

    /// <summary>When the last batch of the current plan may start: past this (and a grace period) with work left, the plan is re-queued.</summary>
    public DateTimeOffset? PlannedEndAt { get; set; }
    public DateTimeOffset? TestCompletedAt { get; set; }
    public DateTimeOffset? DecideAt { get; set; }

    /// <summary>The A/B winner as JSON (<see cref="AbWinner"/>), or null.</summary>
    public string? Winner { get; set; }
    public string? Error { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? StartedAt { get; set; }
    public DateTimeOffset? PausedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset? CancelledAt { get; set; }

    [IgnoreDataMember]
    public CampaignState StateValue
    {
        get => Enum.Parse<CampaignState>(State);
        set => State = value.ToString();
    }

    [IgnoreDataMember]
    public MessagePurpose PurposeValue => Enum.Parse<MessagePurpose>(Purpose);

    public AbTestSummary? AbTestValue() => AbTest is null ? null : JsonSerializer.Deserialize<AbTestSummary>(AbTest, CrmJson.Options);

    public AbWinner? WinnerValue() => Winner is null ? null : JsonSerializer.Deserialize<AbWinner>(Winner, CrmJson.Options);

    public Campaign ToRecord(CampaignProgress? progress) => new(
        RowKey, Name, StateValue, PurposeValue, new CampaignAudienceSummary(SegmentId, SegmentName, ListSize),
        new CampaignContent(Subject, Html, Text, TemplateId), AbTestValue(), ThrottlePerMinute, AttributionDays, SendAt, Phase, progress,
        DecideAt, WinnerValue(), Error, CreatedBy, CreatedAt, UpdatedAt, StartedAt, PausedAt, CompletedAt, CancelledAt, ETag.ToString());
}

/// <summary>
/// A slice of a campaign's recipients (at most 500, one batch's work) in the <c>campaigns</c> table:
/// PartitionKey the campaign id, RowKey <c>{campaignId}|{phase}|{index}</c>. Its customer ids are a blob; the row
/// keeps the tally of its recipients' states, rewritten by whoever changed them (see <see cref="CampaignRunner"/>).
/// </summary>
internal sealed class CampaignSliceEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Phase { get; set; } = "";
    public int Index { get; set; }
    public int Count { get; set; }
    public int Pending { get; set; }
    public int Sending { get; set; }
    public int Sent { get; set; }
    public int Retrying { get; set; }
    public int Skipped { get; set; }
    public int Failed { get; set; }
    public int Cancelled { get; set; }
    public DateTimeOffset? TalliedAt { get; set; }

    [IgnoreDataMember]
    public int Remaining => Pending + Sending;

    public static string Key(string campaignId, string phase, int index) => CampaignKeys.Slice(campaignId, phase, index);

    public CampaignProgress ToProgress() => new(Count, Pending, Sending, Sent, Retrying, Skipped, Failed, Cancelled);

    public void Tally(IEnumerable<CampaignRecipientEntity> rows, DateTimeOffset at)
    {
        (Pending, Sending, Sent, Retrying, Skipped, Failed, Cancelled) = (0, 0, 0, 0, 0, 0, 0);
        foreach (var row in rows)
        {
            switch (row.StateValue)
            {
                case RecipientState.Pending:
                    Pending++;
                    break;
                case RecipientState.Sending:
                    Sending++;
                    break;
                case RecipientState.Sent:
                    Sent++;
                    break;
                case RecipientState.Retrying:
                    Retrying++;
                    break;
                case RecipientState.Skipped:
                    Skipped++;
                    break;
                case RecipientState.Failed:
                    Failed++;
                    break;
                default:
                    Cancelled++;
                    break;
            }
        }
        TalliedAt = at;
    }
}

/// <summary>
/// One recipient in <c>campaignrecipients</c>: PartitionKey its slice (<c>{campaignId}|{phase}|{index}</c>),
/// RowKey <c>{campaignId}|{customerId}</c>. <see cref="MessageId"/> is chosen when the recipient is
/// claimed, just before the provider is called, and names the slice (see <see cref="CampaignKeys"/>
/// and <see cref="CampaignBatch"/>).
/// </summary>
internal sealed class CampaignRecipientEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Phase { get; set; } = CampaignEntity.MainPhase;
    public string? Variant { get; set; }
    public int Slice { get; set; }
    public string State { get; set; } = nameof(RecipientState.Pending);
    public string? MessageId { get; set; }
    public DateTimeOffset? ClaimedAt { get; set; }
    public DateTimeOffset? SentAt { get; set; }
    public string? Status { get; set; }
    public DateTimeOffset? DeliveredAt { get; set; }
    public DateTimeOffset? OpenedAt { get; set; }
    public DateTimeOffset? ClickedAt { get; set; }
    public DateTimeOffset? BouncedAt { get; set; }
    public DateTimeOffset? UnsubscribedAt { get; set; }
    public string? SkipReason { get; set; }
    public string? Error { get; set; }

    [IgnoreDataMember]
    public RecipientState StateValue
    {
        get => Enum.Parse<RecipientState>(State);
        set => State = value.ToString();
    }

    [IgnoreDataMember]
    public string CustomerId => RowKey[(RowKey.IndexOf('|', StringComparison.Ordinal) + 1)..];

    [IgnoreDataMember]
    public MessageStatus? StatusValue => Status is null ? null : Enum.Parse<MessageStatus>(Status);

    /// <summary>The first open or click: where the attribution window starts.</summary>
    [IgnoreDataMember]
    public DateTimeOffset? EngagedAt => OpenedAt is { } o && ClickedAt is { } c ? (o < c ? o : c) : OpenedAt ?? ClickedAt;

    public CampaignRecipient ToRecord() => new(
        CustomerId, StateValue, Phase, Variant, MessageId, StatusValue, SkipReason, Error, SentAt, DeliveredAt, OpenedAt, ClickedAt, BouncedAt, UnsubscribedAt);
}
