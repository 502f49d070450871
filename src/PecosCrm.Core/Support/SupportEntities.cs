using System.Text.Json;
using System.Text.Json.Serialization;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Support;

/// <summary>
/// A ticket row. The same shape is kept in three places (see <see cref="SupportKeys"/>): the ticket's
/// own row, its list row (by status) and its month row, so that a list, the SLA sweep and the
/// analytics each read one kind of row and never join.
/// </summary>
internal sealed class TicketEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";

    // The list heads keep copies as JSON (TicketListHeads): row metadata is not part of a copy.
    [JsonIgnore]
    public DateTimeOffset? Timestamp { get; set; }
    [JsonIgnore]
    public ETag ETag { get; set; }

    public string TicketId { get; set; } = "";
    public long Sequence { get; set; }
    public string CustomerId { get; set; } = "";
    public string? CustomerName { get; set; }
    public string? CustomerEmail { get; set; }

    /// <summary>The customer's tier and lifetime value when the ticket was opened: what a policy's conditions are matched on.</summary>
    public string? CustomerTier { get; set; }
    public long CustomerValueCents { get; set; }
    public string? OrderId { get; set; }
    public string Subject { get; set; } = "";
    public string Category { get; set; } = nameof(TicketCategory.Other);
    public string Priority { get; set; } = nameof(TicketPriority.Medium);
    public string Status { get; set; } = nameof(TicketStatus.Open);
    public string? AssigneeId { get; set; }
    public string? AssigneeName { get; set; }
    public string Tags { get; set; } = "[]";
    public string Channel { get; set; } = nameof(TicketChannel.Email);
    public string? ConversationId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? FirstResponseAt { get; set; }
    public DateTimeOffset? AwaitingReplySince { get; set; }
    public DateTimeOffset? ResolvedAt { get; set; }
    public DateTimeOffset? ClosedAt { get; set; }
    public int ReopenCount { get; set; }
    public int StaffReplies { get; set; }
    public int CustomerMessages { get; set; }

    /// <summary>Next responses given (a staff reply to a waiting customer) and how many of them within target.</summary>
    public int NextResponses { get; set; }
    public int NextResponsesMet { get; set; }

    /// <summary>The pauses of the SLA clocks (<see cref="SlaPause"/> list, JSON).</summary>
    public string Pauses { get; set; } = "[]";

    /// <summary>The policy that applied, as it was then (JSON): later edits of the policies do not move a running ticket's clocks.</summary>
    public string? Policy { get; set; }

    /// <summary>The SLA state at the last write or sweep, for the list filter; the ticket itself shows it worked out at reading.</summary>
    public string BreachState { get; set; } = nameof(SlaState.None);
    public DateTimeOffset? NextDueAt { get; set; }

    /// <summary>Escalation rules that fired on the ticket (ids, JSON): each fires once.</summary>
    public string Escalations { get; set; } = "[]";

    /// <summary>Knowledge-base articles linked to the ticket (ids, JSON).</summary>
    public string Articles { get; set; } = "[]";

    public int? CsatRating { get; set; }
    public string? CsatComment { get; set; }
    public DateTimeOffset? CsatAt { get; set; }

    [JsonIgnore]
    public TicketStatus StatusValue => Enum.Parse<TicketStatus>(Status);
    [JsonIgnore]
    public TicketPriority PriorityValue => Enum.Parse<TicketPriority>(Priority);
    [JsonIgnore]
    public TicketCategory CategoryValue => Enum.Parse<TicketCategory>(Category);

    public List<SlaPause> PauseList() => Read<SlaPause>(Pauses);
    public List<string> TagList() => Read<string>(Tags);
    public List<string> EscalationList() => Read<string>(Escalations);
    public List<string> ArticleList() => Read<string>(Articles);
    public SlaPolicy? PolicyValue() => Policy is null ? null : JsonSerializer.Deserialize<SlaPolicy>(Policy, CrmJson.Options);

    public SlaFacts Facts() => new(PriorityValue, CreatedAt, FirstResponseAt, AwaitingReplySince, ResolvedAt, PauseList());

    public static string Write<T>(T value) => JsonSerializer.Serialize(value, CrmJson.Options);

    /// <summary>A copy of every field under other keys (the list row, the month row).</summary>
    public TicketEntity CopyAs(string partitionKey, string rowKey)
    {
        var copy = (TicketEntity)MemberwiseClone();
        copy.PartitionKey = partitionKey;
        copy.RowKey = rowKey;
        copy.ETag = default;
        copy.Timestamp = null;
        return copy;
    }

    // Most tickets have no tags, pauses or articles: the list works these out for 50 tickets a page.
    private static List<T> Read<T>(string json) => json is "[]" or "" ? [] : JsonSerializer.Deserialize<List<T>>(json, CrmJson.Options) ?? [];
}

/// <summary>A message of a ticket's conversation (<c>msg|…</c>).</summary>
internal sealed class TicketMessageEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string MessageId { get; set; } = "";
    public string Author { get; set; } = nameof(MessageAuthor.Customer);
    public string? AuthorId { get; set; }
    public string? AuthorName { get; set; }
    public string Text { get; set; } = "";
    public bool Internal { get; set; }
    public string AttachmentIds { get; set; } = "[]";
    public DateTimeOffset At { get; set; }
    public string? EmailMessageId { get; set; }

    public static TicketMessageEntity From(string ticketId, TicketMessage m) => new()
    {
        PartitionKey = ticketId,
        RowKey = SupportKeys.Message(ticketId, m.At, m.Id),
        MessageId = m.Id,
        Author = m.Author.ToString(),
        AuthorId = m.AuthorId,
        AuthorName = m.AuthorName,
        Text = m.Text.Length > 30_000 ? m.Text[..30_000] : m.Text,
        Internal = m.Internal,
        AttachmentIds = TicketEntity.Write(m.AttachmentIds),
        At = m.At,
        EmailMessageId = m.EmailMessageId,
    };

    public TicketMessage ToRecord() => new(
        MessageId, Enum.Parse<MessageAuthor>(Author), AuthorId, AuthorName, Text, Internal,
        JsonSerializer.Deserialize<List<string>>(AttachmentIds, CrmJson.Options) ?? [], At, EmailMessageId);
}

/// <summary>An attachment of a ticket (<c>att|…</c>); the bytes are in the <c>ticket-attachments</c> container.</summary>
internal sealed class TicketAttachmentEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string AttachmentId { get; set; } = "";
    public string FileName { get; set; } = "";
    public string ContentType { get; set; } = "";
    public long Size { get; set; }
    public string? UploadedBy { get; set; }
    public DateTimeOffset At { get; set; }

    public string BlobName => PartitionKey + "/" + AttachmentId;

    public TicketAttachment ToRecord() => new(AttachmentId, FileName, ContentType, Size, UploadedBy, At);
}

/// <summary>An entry of a ticket's log (<c>log|…</c>).</summary>
internal sealed class TicketLogEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string EntryId { get; set; } = "";
    public string Kind { get; set; } = "";
    public string Text { get; set; } = "";
    public string Actor { get; set; } = "";
    public DateTimeOffset At { get; set; }

    public static TicketLogEntity From(string ticketId, TicketLogEntry e) => new()
    {
        PartitionKey = ticketId,
        RowKey = SupportKeys.Log(ticketId, e.At, e.Id),
        EntryId = e.Id,
        Kind = e.Kind,
        Text = e.Text,
        Actor = e.Actor,
        At = e.At,
    };

    public TicketLogEntry ToRecord() => new(EntryId, Kind, Text, Actor, At);
}

/// <summary>A customer's ticket history in one row (<c>cust|{customerId}</c>).</summary>
internal sealed class CustomerTicketsEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>The <see cref="CustomerTicket"/> list, newest first (JSON).</summary>
    public string Tickets { get; set; } = "[]";

    public List<CustomerTicket> TicketList() => JsonSerializer.Deserialize<List<CustomerTicket>>(Tickets, CrmJson.Options) ?? [];
}

/// <summary>One ticket of a customer's history (<c>ct|…</c>), for the pages past the history row.</summary>
internal sealed class CustomerTicketLineEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    /// <summary>The <see cref="CustomerTicket"/> (JSON).</summary>
    public string Ticket { get; set; } = "{}";

    public CustomerTicket Line() => JsonSerializer.Deserialize<CustomerTicket>(Ticket, CrmJson.Options)!;
}

/// <summary>A settings row holding a whole ordered list as JSON (policies, escalation rules).</summary>
internal sealed class SettingsEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Json { get; set; } = "[]";
}

/// <summary>The ticket number counter (<c>counter|ticket</c>).</summary>
internal sealed class CounterEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public long Value { get; set; }
}
