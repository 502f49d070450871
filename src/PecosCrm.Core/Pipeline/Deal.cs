namespace PecosCrm.Core.Pipeline;

/// <summary>An opportunity on a pipeline's board: its value, stage, owner, and where it came from and led to.</summary>
public sealed record Deal(
    string Id,
    string PipelineId,
    string Name,
    string? Company,
    string? ContactName,
    string? Email,
    string? Phone,
    string StageId,
    long ValueCents,
    int? Probability,
    DateOnly? ExpectedCloseDate,
    string? OwnerId,
    string? OwnerName,
    string? LeadId,
    string? CustomerId,
    string? WholesaleAccountId,
    string? LostReason,
    string FurthestStageId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset StageChangedAt,
    DateTimeOffset? ClosedAt,
    string ETag)
{
    /// <summary>The deal's own probability when it has one, else its stage's.</summary>
    public int EffectiveProbability(SalesPipeline pipeline) => Probability ?? pipeline.FindStage(StageId)?.Probability ?? 0;

    /// <summary>Value × probability, in whole cents.</summary>
    public long WeightedCents(SalesPipeline pipeline) => Money.Divide(ValueCents * EffectiveProbability(pipeline), 100);
}

/// <summary>The fields of a new deal, or a change to one (null: unchanged; an empty string clears optional text).</summary>
public sealed record DealFields(
    string? Name = null,
    string? Company = null,
    string? ContactName = null,
    string? Email = null,
    string? Phone = null,
    decimal? Value = null,
    int? Probability = null,
    DateOnly? ExpectedCloseDate = null,
    string? AssignedTo = null);
