using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Events;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>Something that wants to know when a provider event changed a message (campaign results, send-time statistics).</summary>
public interface IMessageEventObserver
{
    Task OnAppliedAsync(Message message, MessageStatus reached, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>The customer unsubscribed from this message (its signed link, or SendGrid's unsubscribe events).</summary>
    Task OnUnsubscribedAsync(Message message, DateTimeOffset at, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>What applying a batch of SendGrid events did.</summary>
public sealed record WebhookResult(int Applied, int Duplicates, int Unmatched);

/// <summary>
/// SendGrid's event webhook. A request is accepted only with a valid signature over the timestamp
/// and the raw body (ECDSA P-256 with SHA-256, SendGrid's public key from configuration) and a
/// timestamp within the tolerance; the body is then stored as a blob and queued before the 200, so
/// a crash loses no event. The queue applies each event once (the <c>sg_event_id</c> is recorded
/// after it is applied, and every effect is idempotent): processed and delivered, deferrals,
/// bounces, drops, opens, clicks, spam reports and unsubscribes move the message forward, write the
/// timeline, and feed the suppression list. Opens and clicks count as engagement on the customer,
/// through the same deduplicated store-event path as the storefront's events, which writes their one
/// timeline entry per event, attributed to the customer (not to the staff member who sent the email).
/// </summary>
public sealed partial class SendGridEvents(
    StorageAccount storage, MessageStore log, Suppressions suppressions, CustomerStore customers, EventProcessor events, Touches touches,
    IEnumerable<IMessageEventObserver> observers, IOptions<MessagingOptions> options, TimeProvider time, ILogger<SendGridEvents> logger)
{
    public const string SignatureHeader = "X-Twilio-Email-Event-Webhook-Signature";
    public const string TimestampHeader = "X-Twilio-Email-Event-Webhook-Timestamp";
    private const string BlobPrefix = "sendgrid/";

    private TableClient Applied => storage.Table(StorageNames.Tables.MessageEvents);

    /// <summary>Null when the request is signed by SendGrid's key and fresh; otherwise why it is refused.</summary>
    public string? Verify(string? signature, string? timestamp, byte[] body)
    {
        if (options.Value.SendGridWebhookPublicKey is not { Length: > 0 } key)
        {
            return "no webhook verification key is configured (Messaging__SendGridWebhookPublicKey)";
        }
        if (string.IsNullOrEmpty(signature) || string.IsNullOrEmpty(timestamp))
        {
            return "the request is not signed";
        }
        if (!long.TryParse(timestamp, out var seconds) || Math.Abs((time.GetUtcNow() - DateTimeOffset.FromUnixTimeSeconds(seconds)).TotalSeconds) > options.Value.WebhookTolerance.TotalSeconds)
        {
            return "the signature's timestamp is stale or malformed";
        }
        try
        {
            using var ecdsa = ECDsa.Create();
            ecdsa.ImportSubjectPublicKeyInfo(Convert.FromBase64String(key), out _);
            var signed = Encoding.UTF8.GetBytes(timestamp).Concat(body).ToArray();
            return ecdsa.VerifyData(signed, Convert.FromBase64String(signature), HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence)
                ? null
                : "the signature does not match";
        }
        catch (Exception ex) when (ex is FormatException or CryptographicException)
        {
            return "the signature or the configured key is malformed";
        }
    }

    /// <summary>Stores a verified batch and queues it. The body must be a JSON array.</summary>
    public async Task<int> AcceptAsync(byte[] body, CancellationToken cancellationToken = default)
    {
        int count;
        try
        {
            using var document = JsonDocument.Parse(body);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new ValidationFailedException("body", "must be a JSON array of SendGrid events.");
            }
            count = document.RootElement.GetArrayLength();
        }
        catch (JsonException)
        {
            throw new ValidationFailedException("body", "is not JSON.");
        }
        var name = BlobPrefix + KeyRules.InvertedTicks(time.GetUtcNow()) + "-" + Guid.NewGuid().ToString("N")[..8] + ".json";
        await storage.Container(StorageNames.Containers.EventBatches).GetBlobClient(name).UploadAsync(new BinaryData(body), cancellationToken);
        await storage.Queue(StorageNames.Queues.MessageEvents).SendMessageAsync(JsonSerializer.Serialize(new WebhookBatch(name), CrmJson.Options), cancellationToken);
        return count;
    }

    /// <summary>Applies a stored batch; running it again applies nothing twice.</summary>
    public async Task<WebhookResult> ApplyBatchAsync(string blobName, CancellationToken cancellationToken = default)
    {
        var blob = storage.Container(StorageNames.Containers.EventBatches).GetBlobClient(blobName);
        BinaryData content;
        try
        {
            content = (await blob.DownloadContentAsync(cancellationToken)).Value.Content;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return new WebhookResult(0, 0, 0);
        }
        var batch = JsonSerializer.Deserialize<List<JsonElement>>(content.ToMemory().Span) ?? [];
        int applied = 0, duplicates = 0, unmatched = 0;
        await Parallel.ForEachAsync(batch, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (e, ct) =>
        {
            switch (await ApplyAsync(e, ct))
            {
                case Outcome.Applied:
                    Interlocked.Increment(ref applied);
                    break;
                case Outcome.Duplicate:
                    Interlocked.Increment(ref duplicates);
                    break;
                default:
                    Interlocked.Increment(ref unmatched);
                    break;
            }
        });
        return new WebhookResult(applied, duplicates, unmatched);
    }

    private enum Outcome
    {
        Applied,
        Duplicate,
        Unmatched,
    }

    private async Task<Outcome> ApplyAsync(JsonElement e, CancellationToken cancellationToken)
    {
        var eventId = Text(e, "sg_event_id");
        var kind = Text(e, "event");
        var email = Text(e, "email");
        var at = e.TryGetProperty("timestamp", out var ts) && ts.TryGetInt64(out var unix) ? DateTimeOffset.FromUnixTimeSeconds(unix) : time.GetUtcNow();
        if (eventId is null || kind is null || !KeyRules.IsValidKey(eventId))
        {
            return Outcome.Unmatched;
        }
        if (await Applied.FindAsync<TableEntity>(AppliedPartition, eventId, cancellationToken) is not null)
        {
            return Outcome.Duplicate;
        }

        // The address-level effects hold even for mail PecosCrm did not send (no custom args).
        if (email is not null)
        {
            switch (kind)
            {
                case "bounce" when Text(e, "type") != "blocked":
                    await suppressions.AddAsync(Channel.Email, email, SuppressionReason.Bounced, "sendgrid", at, cancellationToken);
                    break;
                case "spamreport":
                    await suppressions.AddAsync(Channel.Email, email, SuppressionReason.SpamReport, "sendgrid", at, cancellationToken);
                    break;
                case "unsubscribe" or "group_unsubscribe":
                    await suppressions.AddAsync(Channel.Email, email, SuppressionReason.Unsubscribed, "sendgrid", at, cancellationToken);
                    break;
            }
        }

        var customerId = Text(e, CustomArgs.CustomerId);
        var messageId = Text(e, CustomArgs.MessageId);
        var matched = customerId is not null && messageId is not null && await log.FindEntityAsync(customerId, messageId, cancellationToken) is not null;
        if (matched)
        {
            await ApplyToMessageAsync(e, eventId, kind, at, customerId!, messageId!, cancellationToken);
        }
        else
        {
            LogUnmatched(logger, eventId, kind);
        }
        try
        {
            await Applied.AddEntityAsync(new TableEntity(AppliedPartition, eventId) { ["Event"] = kind, ["At"] = at }, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            return Outcome.Duplicate;
        }
        return matched ? Outcome.Applied : Outcome.Unmatched;
    }

    private async Task ApplyToMessageAsync(JsonElement e, string eventId, string kind, DateTimeOffset at, string customerId, string messageId, CancellationToken cancellationToken)
    {
        var reason = Text(e, "reason") ?? Text(e, "response");
        var url = Text(e, "url");
        MessageStatus? reached = kind switch
        {
            "processed" => MessageStatus.Sent,
            "delivered" => MessageStatus.Delivered,
            "open" => MessageStatus.Opened,
            "click" => MessageStatus.Clicked,
            "bounce" => MessageStatus.Bounced,
            "dropped" => MessageStatus.Failed,
            _ => null,
        };
        var (message, _) = await log.UpdateAsync(customerId, messageId, m => true, m =>
        {
            var steps = m.StepTimes();
            string? title = null;
            if (reached is { } status)
            {
                var first = !steps.ContainsKey(status);
                var forward = MessageStore.Rank(status) >= MessageStore.Rank(m.StatusValue) || status is MessageStatus.Bounced or MessageStatus.Failed;
                steps.TryAdd(status, at);
                m.Steps = JsonSerializer.Serialize(steps, CrmJson.Options);
                if (forward)
                {
                    m.Status = status.ToString();
                }
                if (status is MessageStatus.Bounced or MessageStatus.Failed)
                {
                    m.Error = $"{kind}: {reason}";
                }
                // Opens and clicks get their timeline entry from the engagement event below, by the
                // customer and once per SendGrid event; a second entry here would be attributed to the sender.
                title = first && status is not (MessageStatus.Sent or MessageStatus.Opened or MessageStatus.Clicked)
                    ? $"Email {Past(status)}: {m.Subject}"
                    : null;
            }
            else if (kind == "deferred")
            {
                m.Error = "deferred: " + reason;
            }
            else if (kind is "spamreport" or "unsubscribe" or "group_unsubscribe")
            {
                title = kind == "spamreport" ? $"Reported as spam: {m.Subject}" : $"Unsubscribed from email: {m.Subject}";
            }
            return title;
        }, cancellationToken);
        if (message is null)
        {
            return;
        }
        if (kind is "unsubscribe" or "group_unsubscribe" or "spamreport")
        {
            await WithdrawConsentAsync(customerId, cancellationToken);
        }
        if (reached is MessageStatus.Bounced or MessageStatus.Failed && message.StepTimes().TryGetValue(MessageStatus.Sent, out var sentAt))
        {
            await touches.WithdrawAsync(customerId, messageId, message.CampaignId, sentAt, cancellationToken);
        }
        if (kind is "open" or "click")
        {
            // Counted on the customer once per SendGrid event, like any store event.
            var data = JsonSerializer.SerializeToElement(new EmailEventData(messageId, message.Subject, url), CrmJson.Options);
            await events.ApplyAsync(new StoreEvent("sg-" + eventId, kind == "open" ? EventTypes.EmailOpened : EventTypes.EmailClicked, at, customerId, data), cancellationToken);
        }
        if (reached is { } r)
        {
            foreach (var observer in observers)
            {
                await observer.OnAppliedAsync(message.ToRecord(), r, at, cancellationToken);
            }
        }
        else if (kind is "unsubscribe" or "group_unsubscribe")
        {
            foreach (var observer in observers)
            {
                await observer.OnUnsubscribedAsync(message.ToRecord(), at, cancellationToken);
            }
        }
    }

    /// <summary>Turns off the customer's marketing email consent (an unsubscribe or a spam report says so).</summary>
    public async Task WithdrawConsentAsync(string customerId, CancellationToken cancellationToken)
    {
        if (await customers.FindAsync(customerId, cancellationToken) is { Consent.Email: true })
        {
            await customers.UpdateAsync(customerId, new CustomerFields(Consent: new MarketingConsentFields(Email: false, At: time.GetUtcNow())), null, "system", cancellationToken);
        }
    }

    private static string Past(MessageStatus status) => status switch
    {
        MessageStatus.Failed => "dropped",
        _ => status.ToString().ToLowerInvariant(),
    };

    private static string? Text(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private const string AppliedPartition = MessagingKeys.AppliedPartition;

    [LoggerMessage(1, LogLevel.Information, "SendGrid event {EventId} ({Kind}) names no message of this app")]
    private static partial void LogUnmatched(ILogger logger, string eventId, string kind);
}

/// <summary>The queue message of a stored webhook batch.</summary>
public sealed record WebhookBatch(string Blob);
