namespace PecosCrm.Core.Messaging;

/// <summary>What a send attempt leads to.</summary>
public enum SendStep
{
    /// <summary>The provider took it: sent.</summary>
    Sent,

    /// <summary>A transient failure with attempts left: back to queued, and queued again after <see cref="DispatchRules.RetryDelay"/>.</summary>
    Retry,

    /// <summary>A permanent failure, or a transient one with no attempts left: failed with the provider's reason.</summary>
    Failed,
}

/// <summary>The decisions of <see cref="MessageDispatch"/>, without I/O.</summary>
public static class DispatchRules
{
    /// <summary>
    /// Whether a message claimed for sending at <paramref name="claimedAt"/> was left half-sent by a
    /// crash: only a claim older than any send could take is. A younger one may be sending right now.
    /// </summary>
    public static bool ClaimAbandoned(DateTimeOffset claimedAt, DateTimeOffset now, TimeSpan sendingTimeout) => claimedAt <= now - sendingTimeout;

    /// <summary>What the provider's answer to attempt number <paramref name="attempts"/> leads to.</summary>
    public static SendStep After(SendResult result, int attempts, int maxAttempts) => result switch
    {
        SendResult.Accepted => SendStep.Sent,
        SendResult.Transient when attempts < maxAttempts => SendStep.Retry,
        _ => SendStep.Failed,
    };

    /// <summary>The wait before the next attempt: <paramref name="first"/>, doubling with each attempt made.</summary>
    public static TimeSpan RetryDelay(TimeSpan first, int attempts) => first * Math.Pow(2, Math.Max(0, attempts - 1));

    /// <summary>
    /// The email as the provider gets it: the custom args SendGrid hands back on each event, and for
    /// marketing the RFC 8058 one-click unsubscribe headers (mail clients POST to the link without a visit).
    /// </summary>
    internal static OutgoingEmail Email(MessageEntity m, string? toName, MessagingOptions options)
    {
        var headers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (m.UnsubscribeUrl is { } unsubscribe)
        {
            headers["List-Unsubscribe"] = $"<{unsubscribe}>";
            headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
        }
        var args = new Dictionary<string, string>(StringComparer.Ordinal) { [CustomArgs.MessageId] = m.Id, [CustomArgs.CustomerId] = m.PartitionKey };
        if (m.CampaignId is { } campaign)
        {
            args[CustomArgs.CampaignId] = campaign;
        }
        return new OutgoingEmail(m.To!, toName, m.From ?? options.FromEmail, options.FromName, m.Subject ?? "", m.Html ?? "", m.Text ?? "",
            headers, args, m.Purpose == nameof(MessagePurpose.Marketing) ? "marketing" : "transactional", m.ReplyTo);
    }

    /// <summary>The text message as the provider gets it.</summary>
    internal static OutgoingSms Sms(MessageEntity m, MessagingOptions options) =>
        new(m.To!, m.From ?? options.SmsFrom ?? "", m.Text ?? "",
            new Dictionary<string, string> { [CustomArgs.MessageId] = m.Id, [CustomArgs.CustomerId] = m.PartitionKey });
}
