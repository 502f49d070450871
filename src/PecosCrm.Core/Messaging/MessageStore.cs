using Azure.Data.Tables;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// The communication log: every message to or from a customer, in the customer's partition, each
/// written together with its timeline entry in one transaction. Status changes are ETag-guarded and
/// only move forward (an open reported after a click does not turn a click back into an open).
/// </summary>
public sealed class MessageStore(StorageAccount storage, CustomerCards cards, TimeProvider time) : IPersonalData
{
    private const int MaxAttempts = 8;


    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    /// <summary>A new message id: inverted ticks (newest first) and 8 random hex digits.</summary>
    public string NewId() => KeyRules.InvertedTicks(time.GetUtcNow()) + Guid.NewGuid().ToString("N")[..8];

    internal async Task AddAsync(MessageEntity message, string? timelineTitle, CancellationToken cancellationToken)
    {
        if (timelineTitle is null)
        {
            await Customers.AddEntityAsync(message, cancellationToken);
            return;
        }
        await cards.AppendAsync(message.PartitionKey, [Timeline(message, timelineTitle, message.CreatedAt)], [new(TableTransactionActionType.Add, message)], cancellationToken);
    }

    /// <summary>
    /// Logs a message written once with its final status (a bulk send's): the message row and its
    /// timeline entry in one transaction of the customer's partition, without reading the card (the
    /// customer's timeline lists it; the card's recent activity does not). False when the message was
    /// logged already (a retry after a crash): the insert's 409.
    /// </summary>
    internal async Task<bool> AddFinalAsync(MessageEntity message, string timelineTitle, DateTimeOffset at, CancellationToken cancellationToken)
    {
        var actions = new List<TableTransactionAction> { new(TableTransactionActionType.Add, message) };
        actions.AddRange(TimelineEntity.RowsFor(Timeline(message, timelineTitle, at)).Select(r => new TableTransactionAction(TableTransactionActionType.UpsertReplace, r)));
        try
        {
            await Customers.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            return false;
        }
    }

    internal async Task<MessageEntity?> FindEntityAsync(string customerId, string messageId, CancellationToken cancellationToken) =>
        KeyRules.IsValidKey(customerId) && KeyRules.IsValidKey(messageId)
            ? await Customers.FindAsync<MessageEntity>(customerId, MessageEntity.Prefix + messageId, cancellationToken)
            : null;

    public async Task<Message> GetAsync(string customerId, string messageId, CancellationToken cancellationToken = default) =>
        (await FindEntityAsync(customerId, messageId, cancellationToken))?.ToRecord() ?? throw new NotFoundException("Message", messageId);

    /// <summary>A customer's messages, newest first, optionally of one channel.</summary>
    public async Task<Storage.Page<Message>> ListAsync(string customerId, Channel? channel, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var filter = CustomerKeys.PrefixFilter(customerId, MessageEntity.Prefix);
        if (channel is { } c)
        {
            filter += " and " + TableClient.CreateQueryFilter($"Channel eq {c.ToString()}");
        }
        var page = await Customers.QueryPageAsync<MessageEntity>(filter, limit, cursor, cancellationToken);
        return page.Select(m => m.ToRecord());
    }

    /// <summary>
    /// Changes a message under its ETag, re-reading and re-applying on a lost race. <paramref name="change"/>
    /// returns the timeline title to add, or null for none; returning false from <paramref name="applies"/> leaves it as it is.
    /// <c>Changed</c> says whether this call's change was the one written.
    /// </summary>
    internal async Task<(MessageEntity? Message, bool Changed)> UpdateAsync(
        string customerId, string messageId, Func<MessageEntity, bool> applies, Func<MessageEntity, string?> change, CancellationToken cancellationToken)
    {
        // Someone else may move the message meanwhile (a webhook event, say): then it is read again.
        return await OptimisticRetry.RunAsync<(MessageEntity?, bool)>(async _ =>
        {
            var message = await FindEntityAsync(customerId, messageId, cancellationToken);
            if (message is null || !applies(message))
            {
                return (message, false);
            }
            var title = change(message);
            if (title is null)
            {
                await Customers.ReplaceIfMatchAsync(message, cancellationToken);
            }
            else
            {
                await cards.AppendAsync(customerId, [Timeline(message, title, time.GetUtcNow())], [new(TableTransactionActionType.UpdateReplace, message, message.ETag)], cancellationToken);
            }
            return (message, true);
        }, MaxAttempts, cancellationToken);
    }

    /// <summary>The customer's communication log, as stored (GDPR export).</summary>
    public async Task ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken) =>
        archive.AddRows("messages.json", await PersonalRows.ReadAsync(Customers, CustomerKeys.PrefixFilter(customerId, MessageEntity.Prefix), cancellationToken));

    /// <summary>Deletes the customer's communication log (GDPR erasure).</summary>
    public Task<int> EraseAsync(ErasureContext context, CancellationToken cancellationToken) =>
        PersonalRows.DeleteWhereAsync(Customers, CustomerKeys.PrefixFilter(context.CustomerId, MessageEntity.Prefix), cancellationToken);

    /// <summary>The order of outbound progress: a later report of an earlier step does not move a message back.</summary>
    public static int Rank(MessageStatus status) => status switch
    {
        MessageStatus.Draft or MessageStatus.Scheduled => 0,
        MessageStatus.Queued => 1,
        MessageStatus.Sending => 2,
        MessageStatus.Sent => 3,
        MessageStatus.Delivered => 4,
        MessageStatus.Opened => 5,
        MessageStatus.Clicked => 6,
        _ => 7,
    };

    private static TimelineEntry Timeline(MessageEntity message, string title, DateTimeOffset at)
    {
        var type = message.Channel == nameof(Channel.Email) ? TimelineType.Email : TimelineType.Account;
        return new TimelineEntry(Guid.CreateVersion7(at).ToString("N"), message.PartitionKey, type, title, at, message.SentBy,
            $"/api/customers/{message.PartitionKey}/messages/{message.Id}", message.Error);
    }
}
