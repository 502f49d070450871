using System.Globalization;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// Keys of the communication tables. No two rows of a table share a RowKey (Azurite finds a point
/// read by RowKey first, then walks every row sharing it):
/// <list type="bullet">
/// <item><c>outbox</c>: partition <c>email</c> or <c>sms</c>, RowKey <c>{inverted ticks}|{id}</c>.</item>
/// <item><c>suppressions</c>: partition <c>email</c> or <c>phone</c>, RowKey the normalised address
/// (an email has an @, a number is digits: the two never meet).</item>
/// <item><c>scheduledmessages</c>: partition <c>due</c>, RowKey <c>{due ticks}|{customerId}|{messageId}</c>.</item>
/// <item><c>messageevents</c>: partition <c>applied</c>, RowKey the SendGrid event id; partition
/// <c>openhours</c>, RowKey the UTC hour (two digits).</item>
/// <item><c>conversations</c>: partition <c>conversation</c>, RowKey the id; partitions <c>open</c> and
/// <c>archived</c>, RowKey <c>{inverted last message time}|{id}</c>; partition <c>m|{id}</c>, RowKey
/// <c>{ticks}|{messageId}</c>; partition <c>thread</c>, RowKey a hash of sender and subject.</item>
/// <item>In the customer's partition of <c>customers</c>: <c>msg|{messageId}</c> and <c>prefs</c>.</item>
/// </list>
/// </summary>
internal static class MessagingKeys
{
    public const string ScheduledPartition = "due";
    public const string AppliedPartition = "applied";
    public const string OpenHoursPartition = "openhours";
    public const string ConversationPartition = "conversation";
    public const string ThreadPartition = "thread";
    public const string OpenPartition = "open";
    public const string ArchivedPartition = "archived";
    public const string MessagePrefix = "msg|";
    public const string PreferencesPrefix = "prefs|";

    /// <summary>The customer's message preferences, a row in the customer's partition of <c>customers</c>.</summary>
    public static string PreferencesRow(string customerId) => PreferencesPrefix + customerId;

    public static string OutboxPartition(Channel channel) => channel == Channel.Sms ? "sms" : "email";

    public static string Outbox(DateTimeOffset at, string id) => KeyRules.InvertedTicks(at) + "|" + id;

    /// <summary>The id an outbox RowKey holds.</summary>
    public static string OutboxIdOf(string rowKey) => rowKey[(rowKey.IndexOf('|') + 1)..];

    public static string SuppressionPartition(Channel channel) => channel == Channel.Sms ? "phone" : "email";

    public static string Scheduled(DateTimeOffset at, string customerId, string messageId) =>
        at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + customerId + "|" + messageId;

    public static string MessagesPartition(string conversationId) => "m|" + conversationId;

    public static string ConversationMessage(DateTimeOffset at, string messageId) => at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "|" + messageId;

    public static string ByLastMessage(DateTimeOffset at, string conversationId) => KeyRules.InvertedTicks(at) + "|" + conversationId;
}
