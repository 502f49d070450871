using System.Runtime.Serialization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Pipeline;

/// <summary>
/// A lead's row, and the index copies of it (same columns, other RowKeys) that the list walks:
/// each copy carries the whole summary, so a filtered page needs no second read.
/// </summary>
internal sealed class LeadEntity : ITableEntity
{
    public string PartitionKey { get; set; } = PipelineKeys.LeadsPartition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string LeadId { get; set; } = "";
    public string Company { get; set; } = "";
    public string? CompanyType { get; set; }
    public string? ContactName { get; set; }
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string Source { get; set; } = "";
    public string Status { get; set; } = "";
    public long? EstimatedValueCents { get; set; }
    public int? Probability { get; set; }
    public string? OwnerId { get; set; }
    public string? OwnerName { get; set; }
    public string? NextAction { get; set; }
    public string? NextActionDate { get; set; }
    public string? Notes { get; set; }
    public string? LostReason { get; set; }
    public string EngagementJson { get; set; } = "{}";
    public int Score { get; set; }
    public string ScoreJson { get; set; } = "{}";
    public string? DealId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    [IgnoreDataMember]
    public LeadEngagement Engagement
    {
        get => JsonSerializer.Deserialize<LeadEngagement>(EngagementJson, CrmJson.Options) ?? LeadEngagement.None;
        set => EngagementJson = JsonSerializer.Serialize(value, CrmJson.Options);
    }

    [IgnoreDataMember]
    public LeadScore ScoreDetail
    {
        get => JsonSerializer.Deserialize<LeadScore>(ScoreJson, CrmJson.Options) ?? LeadScore.Zero;
        set
        {
            Score = value.Total;
            ScoreJson = JsonSerializer.Serialize(value, CrmJson.Options);
        }
    }

    [IgnoreDataMember]
    public LeadStatus StatusValue => Enum.Parse<LeadStatus>(Status);

    public Lead ToRecord() => new(
        LeadId, Company, CompanyType is null ? null : Enum.Parse<CompanyType>(CompanyType), ContactName, Email, Phone, Source, StatusValue,
        EstimatedValueCents, Probability, OwnerId, OwnerName, NextAction, NextActionDate is null ? null : DateOnly.Parse(NextActionDate, System.Globalization.CultureInfo.InvariantCulture),
        Notes, LostReason, Engagement, ScoreDetail, DealId, CreatedAt, UpdatedAt, ETag.ToString());

    /// <summary>The RowKeys of the index copies this lead has now.</summary>
    public IEnumerable<string> IndexKeys()
    {
        yield return PipelineKeys.LeadStatus(Status.ToLowerInvariant()) + LeadId;
        yield return PipelineKeys.LeadSource(Source) + LeadId;
        if (OwnerId is not null)
        {
            yield return PipelineKeys.LeadOwner(OwnerId) + LeadId;
        }
        if (NextActionDate is not null)
        {
            yield return PipelineKeys.LeadNextPrefix + NextActionDate + "|" + LeadId;
        }
        yield return PipelineKeys.LeadCompany(Company) + "|" + LeadId;
    }

    public LeadEntity CopyAs(string rowKey)
    {
        var copy = (LeadEntity)MemberwiseClone();
        copy.RowKey = rowKey;
        copy.ETag = default;
        return copy;
    }
}
