using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Messaging;

/// <summary>The decisions of sending one email, without I/O: is the request whole, what row it logs, and what becomes of it.</summary>
public static class OutboundEmail
{
    /// <summary>Throws <see cref="ValidationFailedException"/> naming each bad field of <paramref name="request"/>.</summary>
    public static void Check(EmailRequest request)
    {
        var check = new Validation();
        check.Required("customerId", request.CustomerId, 100);
        if (request.TemplateId is null && (string.IsNullOrWhiteSpace(request.Subject) || (string.IsNullOrWhiteSpace(request.Html) && string.IsNullOrWhiteSpace(request.Text))))
        {
            check.Add("templateId", "give a templateId, or a subject with html or text.");
        }
        if (request.SendAt is not null && request.LocalTime is not null)
        {
            check.Add("localTime", "give either sendAt or localTime, not both.");
        }
        if (request.LocalTime is not null && !LocalClock.IsTime(request.LocalTime))
        {
            check.Add("localTime", "must be a time of day as HH:mm.");
        }
        if (request.LocalDate is not null && (request.LocalTime is null || !LocalClock.IsDate(request.LocalDate)))
        {
            check.Add("localDate", "must be a date as yyyy-MM-dd, with localTime.");
        }
        check.ThrowIfInvalid();
    }

    /// <summary>
    /// What a new message becomes: <c>skipped</c> when consent or suppression blocks it (with the
    /// reason), <c>scheduled</c> when its time is still to come, else <c>queued</c> to go now.
    /// </summary>
    public static MessageStatus Decide(string? blocked, DateTimeOffset? sendAt, DateTimeOffset now) =>
        blocked is not null ? MessageStatus.Skipped
        : sendAt is { } at && at > now ? MessageStatus.Scheduled
        : MessageStatus.Queued;

    /// <summary>The log row of an email to <paramref name="customer"/>, before its status is decided.</summary>
    internal static MessageEntity Row(
        EmailRequest request, Customer customer, string messageId, EmailContent content, string sentBy, string fromEmail, string? unsubscribeUrl, DateTimeOffset now) => new()
    {
        PartitionKey = customer.Id,
        RowKey = MessageEntity.Prefix + messageId,
        Channel = nameof(Channel.Email),
        Direction = nameof(Direction.Outbound),
        Purpose = content.Purpose.ToString(),
        To = customer.Email,
        From = fromEmail,
        Subject = content.Subject,
        Html = content.Html,
        Text = content.Text,
        TemplateId = content.TemplateId,
        TemplateVersion = content.TemplateVersion,
        SentBy = sentBy,
        CampaignId = request.CampaignId,
        ThreadId = request.ThreadId,
        CreatedAt = now,
        UnsubscribeUrl = content.Purpose == MessagePurpose.Marketing ? unsubscribeUrl : null,
        ReplyTo = request.ReplyTo,
    };
}
