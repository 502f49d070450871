namespace PecosCrm.Core.Pipeline;

/// <summary>Where a lead stands, as the roadmap spells it.</summary>
public enum LeadStatus
{
    New,
    Contacted,
    Qualified,
    Proposal,
    Negotiation,
    Won,
    Lost,
    Dormant,
}

/// <summary>What kind of business a lead is; part of its fit score.</summary>
public enum CompanyType
{
    WesternWearShop,
    RanchSupply,
    FeedStore,
    DepartmentStore,
    OnlineRetailer,
    Other,
}

/// <summary>A wholesale or B2B prospect, worked by staff until it becomes a deal or is dropped.</summary>
public sealed record Lead(
    string Id,
    string Company,
    CompanyType? CompanyType,
    string? ContactName,
    string? Email,
    string? Phone,
    string Source,
    LeadStatus Status,
    long? EstimatedValueCents,
    int? Probability,
    string? OwnerId,
    string? OwnerName,
    string? NextAction,
    DateOnly? NextActionDate,
    string? Notes,
    string? LostReason,
    LeadEngagement Engagement,
    LeadScore Score,
    string? DealId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    string ETag);

/// <summary>What has happened with a lead so far: activities by type, email opens and clicks, and the last touch.</summary>
public sealed record LeadEngagement(int Calls, int Emails, int Meetings, int Notes, int EmailOpens, int EmailClicks, DateTimeOffset? LastTouchAt)
{
    public static readonly LeadEngagement None = new(0, 0, 0, 0, 0, 0, null);
}

/// <summary>
/// The fields of a new lead, or a change to one: null leaves a field as it is; an empty string
/// clears an optional text field.
/// </summary>
public sealed record LeadFields(
    string? Company = null,
    CompanyType? CompanyType = null,
    string? ContactName = null,
    string? Email = null,
    string? Phone = null,
    string? Source = null,
    LeadStatus? Status = null,
    decimal? EstimatedValue = null,
    int? Probability = null,
    string? AssignedTo = null,
    string? NextAction = null,
    DateOnly? NextActionDate = null,
    string? Notes = null,
    string? LostReason = null);

/// <summary>Filters of the lead list; at most one index is walked, the others filter its rows.</summary>
public sealed record LeadQuery(
    LeadStatus? Status = null,
    string? Source = null,
    string? OwnerId = null,
    DateOnly? NextActionFrom = null,
    DateOnly? NextActionTo = null,
    string? Company = null);
