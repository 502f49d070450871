using System.Runtime.Serialization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Segments;

/// <summary>A segment in the <c>segments</c> table: PartitionKey <c>segment</c>, RowKey the segment id.</summary>
internal sealed class SegmentEntity : ITableEntity
{
    public const string Partition = SegmentKeys.SegmentPartition;

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    public string? Description { get; set; }
    public string Kind { get; set; } = nameof(SegmentKind.Dynamic);
    public string? Rules { get; set; }
    public bool PreBuilt { get; set; }
    public int? MemberCount { get; set; }
    public DateTimeOffset? RefreshedAt { get; set; }
    public string? Error { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    [IgnoreDataMember]
    public SegmentKind KindValue => Enum.Parse<SegmentKind>(Kind);

    [IgnoreDataMember]
    public SegmentRule? RuleTree => Rules is null ? null : JsonSerializer.Deserialize<SegmentRule>(Rules, CrmJson.Options);

    public Segment ToRecord() => new(RowKey, Name, Description, KindValue, RuleTree, PreBuilt, MemberCount, RefreshedAt, Error, CreatedBy, CreatedAt, UpdatedAt, ETag.ToString());
}

/// <summary>A member in <c>segmentmembers</c>: PartitionKey the segment id, RowKey <c>{segmentId}|{customerId}</c>.</summary>
internal sealed class SegmentMemberEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset JoinedAt { get; set; }

    [IgnoreDataMember]
    public string CustomerId => SegmentKeys.MemberOf(PartitionKey, RowKey);
}

/// <summary>
/// A membership change in <c>segmenthistory</c>, written twice: under <c>s|{segmentId}</c> and under
/// <c>c|{customerId}</c>, each RowKey the partition, inverted ticks and the other id, so both read
/// newest first (<see cref="SegmentKeys"/>).
/// </summary>
internal sealed class SegmentHistoryEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string SegmentId { get; set; } = "";
    public string SegmentName { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string Change { get; set; } = "";
    public DateTimeOffset At { get; set; }

    public static string SegmentPartition(string segmentId) => SegmentKeys.HistoryBySegmentPartition(segmentId);

    public static string CustomerPartition(string customerId) => SegmentKeys.HistoryByCustomerPartition(customerId);

    public MembershipChange ToRecord() => new(SegmentId, SegmentName, CustomerId, Change, At);
}
