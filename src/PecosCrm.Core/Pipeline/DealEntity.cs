using System.Globalization;
using System.Runtime.Serialization;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Pipeline;

/// <summary>A deal's row (<c>deal|{id}</c>), and the same columns as its card in its column (<c>col|…</c>).</summary>
internal sealed class DealEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string DealId { get; set; } = "";
    public string PipelineId { get; set; } = "";
    public string Name { get; set; } = "";
    public string? Company { get; set; }
    public string? ContactName { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string StageId { get; set; } = "";
    public long ValueCents { get; set; }
    public int? Probability { get; set; }
    public string? ExpectedCloseDate { get; set; }
    public string? OwnerId { get; set; }
    public string? OwnerName { get; set; }
    public string? LeadId { get; set; }
    public string? CustomerId { get; set; }
    public string? WholesaleAccountId { get; set; }
    public string? LostReason { get; set; }
    public string FurthestStageId { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset StageChangedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }

    [IgnoreDataMember]
    public string CardKey => PipelineKeys.Card(PipelineId, StageId, ValueCents, DealId);

    public Deal ToRecord() => new(
        DealId, PipelineId, Name, Company, ContactName, Email, Phone, StageId, ValueCents, Probability,
        ExpectedCloseDate is null ? null : DateOnly.Parse(ExpectedCloseDate, CultureInfo.InvariantCulture),
        OwnerId, OwnerName, LeadId, CustomerId, WholesaleAccountId, LostReason, FurthestStageId, CreatedAt, UpdatedAt, StageChangedAt, ClosedAt, ETag.ToString());

    public DealEntity CopyAs(string rowKey)
    {
        var copy = (DealEntity)MemberwiseClone();
        copy.RowKey = rowKey;
        copy.ETag = default;
        return copy;
    }
}
