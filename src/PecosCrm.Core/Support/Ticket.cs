namespace PecosCrm.Core.Support;

public enum TicketStatus
{
    Open,
    InProgress,
    PendingCustomer,
    Resolved,
    Closed,
}

public enum TicketPriority
{
    Low,
    Medium,
    High,
    Urgent,
}

public enum TicketCategory
{
    Order,
    Return,
    Product,
    Shipping,
    Billing,
    Other,
}

/// <summary>Where a ticket came from.</summary>
public enum TicketChannel
{
    Email,
    Form,
    Chat,
    Phone,
    Inbox,
}

/// <summary>Who wrote a message of a ticket's conversation.</summary>
public enum MessageAuthor
{
    Customer,
    Staff,
    System,
}

/// <summary>How a ticket stands against one SLA target, or all of them.</summary>
public enum SlaState
{
    /// <summary>No target applies (no policy, or the target is not set for the priority).</summary>
    None,
    Ok,
    NearBreach,
    Breached,
    /// <summary>The target was reached in time.</summary>
    Met,
}

/// <summary>A support ticket as the API shows it, with its SLA clocks worked out at the moment of reading.</summary>
public sealed record Ticket(
    string Id,
    string Number,
    string CustomerId,
    string? CustomerName,
    string? OrderId,
    string Subject,
    TicketCategory Category,
    TicketPriority Priority,
    TicketStatus Status,
    string? AssigneeId,
    string? AssigneeName,
    IReadOnlyList<string> Tags,
    TicketChannel Channel,
    string? ConversationId,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? FirstResponseAt,
    DateTimeOffset? ResolvedAt,
    DateTimeOffset? ClosedAt,
    int ReopenCount,
    SlaView Sla,
    TicketCsat? Csat,
    IReadOnlyList<string> ArticleIds,
    string ETag);

/// <summary>The SLA of a ticket: the policy that applied, and each clock.</summary>
public sealed record SlaView(string? PolicyId, string? PolicyName, bool BusinessHours, bool Paused, SlaState State, SlaClockView FirstResponse, SlaClockView NextResponse, SlaClockView Resolution);

/// <summary>
/// One SLA clock: its target, the time counted so far (business time when the policy keeps business
/// hours, pauses while pending left out), when it falls due (null while paused or achieved) and its state.
/// </summary>
public sealed record SlaClockView(int? TargetMinutes, double ElapsedMinutes, DateTimeOffset? DueAt, DateTimeOffset? AchievedAt, SlaState State);

/// <summary>The customer's satisfaction rating of a ticket (1 to 5), with their comment.</summary>
public sealed record TicketCsat(int Rating, string? Comment, DateTimeOffset At);

/// <summary>One message of a ticket's conversation. Internal notes are for staff only.</summary>
public sealed record TicketMessage(
    string Id, MessageAuthor Author, string? AuthorId, string? AuthorName, string Text, bool Internal, IReadOnlyList<string> AttachmentIds, DateTimeOffset At, string? EmailMessageId);

/// <summary>A file on a ticket; the content is in blob storage and served by a short-lived link.</summary>
public sealed record TicketAttachment(string Id, string FileName, string ContentType, long Size, string? UploadedBy, DateTimeOffset At);

/// <summary>Something that happened to a ticket: created, status or priority changed, escalated, rated.</summary>
public sealed record TicketLogEntry(string Id, string Kind, string Text, string Actor, DateTimeOffset At);

/// <summary>A ticket with its conversation, attachments and log: the ticket screen, one partition read.</summary>
public sealed record TicketDetail(Ticket Ticket, IReadOnlyList<TicketMessage> Messages, IReadOnlyList<TicketAttachment> Attachments, IReadOnlyList<TicketLogEntry> Log);

/// <summary>One line of a customer's ticket history.</summary>
public sealed record CustomerTicket(string Id, string Subject, TicketCategory Category, TicketPriority Priority, TicketStatus Status, DateTimeOffset CreatedAt, DateTimeOffset? ResolvedAt, int? CsatRating);

/// <summary>A page of a customer's ticket history, with their open count and satisfaction over the newest 150 tickets.</summary>
public sealed record CustomerTickets(string CustomerId, int Open, double? AverageCsat, int Rated, IReadOnlyList<CustomerTicket> Items, string? NextCursor);
