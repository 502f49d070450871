namespace PecosCrm.Core.Support;

/// <summary>A new ticket. <c>Description</c> is the customer's first message, when there is one.</summary>
public sealed record NewTicket(
    string? CustomerId,
    string? Subject,
    TicketCategory? Category = null,
    TicketPriority? Priority = null,
    TicketChannel? Channel = null,
    string? OrderId = null,
    string? AssigneeId = null,
    IReadOnlyList<string>? Tags = null,
    string? Description = null);

/// <summary>A partial change of a ticket; null fields stay. <c>AssigneeId</c> "" unassigns.</summary>
public sealed record TicketPatch(
    string? Subject = null,
    TicketCategory? Category = null,
    TicketPriority? Priority = null,
    TicketStatus? Status = null,
    string? AssigneeId = null,
    IReadOnlyList<string>? Tags = null,
    string? OrderId = null);

/// <summary>A staff reply (emailed to the customer): text, or a canned response rendered for the ticket; optionally a new status.</summary>
public sealed record TicketReply(string? Text = null, string? CannedResponseId = null, IReadOnlyList<string>? AttachmentIds = null, TicketStatus? Status = null);

/// <summary>Who does something to a ticket: a staff member (id and name), the customer, or the system.</summary>
public sealed record TicketActor(string? Id, string Name)
{
    public static readonly TicketActor System = new(null, "system");
}
