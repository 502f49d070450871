using System.Runtime.Serialization;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// A message in the customer's own partition of <c>customers</c>: RowKey <c>msg|{messageId}</c>.
/// Message ids start with inverted ticks, so the log reads newest first and an id alone (with the
/// customer id that SendGrid's events carry back) finds the row with one point read.
/// </summary>
internal sealed class MessageEntity : ITableEntity
{
    public const string Prefix = MessagingKeys.MessagePrefix;

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Channel { get; set; } = "";
    public string Direction { get; set; } = "";
    public string Purpose { get; set; } = "";
    public string? To { get; set; }
    public string? From { get; set; }
    public string? Subject { get; set; }
    public string? Html { get; set; }
    public string? Text { get; set; }
    public string? TemplateId { get; set; }
    public int? TemplateVersion { get; set; }
    public string Status { get; set; } = "";
    public string Steps { get; set; } = "{}";
    public string SentBy { get; set; } = "";
    public string? CampaignId { get; set; }
    public DateTimeOffset? ScheduledAt { get; set; }
    public int Attempts { get; set; }
    public string? Error { get; set; }
    public string? ProviderMessageId { get; set; }
    public string? ThreadId { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>The unsubscribe link of a marketing email, kept so a retry sends the same headers.</summary>
    public string? UnsubscribeUrl { get; set; }

    /// <summary>Where a reply should go when not to the sender (a support ticket's signed address).</summary>
    public string? ReplyTo { get; set; }

    [IgnoreDataMember]
    public string Id => RowKey[Prefix.Length..];

    [IgnoreDataMember]
    public MessageStatus StatusValue => Enum.Parse<MessageStatus>(Status);

    public Dictionary<MessageStatus, DateTimeOffset> StepTimes() =>
        JsonSerializer.Deserialize<Dictionary<MessageStatus, DateTimeOffset>>(Steps, CrmJson.Options) ?? [];

    /// <summary>Moves to <paramref name="status"/>, keeping the time each step was first reached.</summary>
    public void Reach(MessageStatus status, DateTimeOffset at)
    {
        var steps = StepTimes();
        steps.TryAdd(status, at);
        Steps = JsonSerializer.Serialize(steps, CrmJson.Options);
        Status = status.ToString();
    }

    public Message ToRecord() => new(
        Id, PartitionKey, Enum.Parse<Channel>(Channel), Enum.Parse<Direction>(Direction), Enum.Parse<MessagePurpose>(Purpose),
        To, From, Subject, Html, Text, TemplateId, TemplateVersion, StatusValue, StepTimes(), SentBy, CampaignId, ScheduledAt,
        Attempts, Error, ProviderMessageId, ThreadId, CreatedAt, ETag.ToString());
}
