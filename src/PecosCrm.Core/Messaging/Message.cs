namespace PecosCrm.Core.Messaging;

public enum Channel
{
    Email,
    Sms,
    Chat,
    Phone,
    Note,
    Social,
}

public enum Direction
{
    Inbound,
    Outbound,
}

/// <summary>
/// Where a message stands. Outbound email moves draft/scheduled → queued → sending → sent →
/// delivered → opened → clicked, or ends bounced, failed, skipped (consent or suppression; the
/// reason is on the message) or cancelled (a scheduled message called off).
/// </summary>
public enum MessageStatus
{
    Draft,
    Scheduled,
    Queued,
    Sending,
    Sent,
    Delivered,
    Opened,
    Clicked,
    Bounced,
    Failed,
    Skipped,
    Cancelled,
    Received,
}

/// <summary>What a message is for, which decides whose consent it needs: marketing needs the customer's opt-in; the rest only an address that is not suppressed.</summary>
public enum MessagePurpose
{
    Transactional,
    Marketing,
}

/// <summary>One message to or from a customer, as the communication log keeps it.</summary>
/// <param name="SentBy">The staff member, or <c>automation:{id}</c>, <c>campaign:{id}</c>, <c>system</c>.</param>
/// <param name="Steps">When each status was reached.</param>
public sealed record Message(
    string Id,
    string CustomerId,
    Channel Channel,
    Direction Direction,
    MessagePurpose Purpose,
    string? To,
    string? From,
    string? Subject,
    string? Html,
    string? Text,
    string? TemplateId,
    int? TemplateVersion,
    MessageStatus Status,
    IReadOnlyDictionary<MessageStatus, DateTimeOffset> Steps,
    string SentBy,
    string? CampaignId,
    DateTimeOffset? ScheduledAt,
    int Attempts,
    string? Error,
    string? ProviderMessageId,
    string? ThreadId,
    DateTimeOffset CreatedAt,
    string ETag);
