namespace PecosCrm.Core.Messaging;

/// <summary>
/// An email to one customer: a template (rendered for the customer) or content written by hand.
/// <paramref name="SendAt"/> sends at a time; <paramref name="LocalTime"/> (<c>HH:mm</c>) sends at that
/// time of day in the customer's own time zone, on <paramref name="LocalDate"/> or the next such time.
/// <paramref name="ReplyTo"/> is set by the app itself (the support desk's signed ticket address) and is
/// not part of the API's request body.
/// </summary>
public sealed record EmailRequest(
    string? CustomerId,
    string? TemplateId = null,
    string? Subject = null,
    string? Html = null,
    string? Text = null,
    MessagePurpose? Purpose = null,
    string? OrderId = null,
    IReadOnlyDictionary<string, object?>? Variables = null,
    DateTimeOffset? SendAt = null,
    string? LocalTime = null,
    string? LocalDate = null,
    string? CampaignId = null,
    string? ThreadId = null,
    string? MessageId = null,
    [property: System.Text.Json.Serialization.JsonIgnore] string? ReplyTo = null);

/// <summary>Subject and bodies of an email, and the template they came from.</summary>
public sealed record EmailContent(string Subject, string Html, string Text, string? TemplateId, int? TemplateVersion, MessagePurpose Purpose);

/// <summary>A text message to one customer.</summary>
public sealed record SmsRequest(string? CustomerId, string? Text, MessagePurpose? Purpose = null, string? CampaignId = null, string? ThreadId = null, string? MessageId = null);

/// <summary>A message logged by hand (a call, a note, a message sent or received elsewhere).</summary>
public sealed record ManualMessage(Channel? Channel, Direction? Direction, string? Subject, string? Content, string? Address = null, DateTimeOffset? At = null, string? ThreadId = null);

/// <summary>The queue message that sends one message.</summary>
public sealed record MessageWork(string CustomerId, string MessageId);

/// <summary>The custom args every email carries, which SendGrid hands back on each event.</summary>
public static class CustomArgs
{
    public const string MessageId = "pecos_message_id";
    public const string CustomerId = "pecos_customer_id";
    public const string CampaignId = "pecos_campaign_id";
}
