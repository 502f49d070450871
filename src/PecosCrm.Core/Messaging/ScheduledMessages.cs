using System.Globalization;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// Messages logged to go later: the message row (status <c>scheduled</c>, with its time) is in the
/// customer's communication log, and a due row in <c>scheduledmessages</c> (partition <c>due</c>,
/// RowKey by due time, <see cref="MessagingKeys.Scheduled"/>) lets the timer find what has come due
/// with one range query. When its time comes, a message moves to <c>queued</c> and onto the
/// <c>messages</c> queue; cancelling moves it to <c>cancelled</c>. Each move is an ETag-guarded
/// update from <c>scheduled</c>, so a message cancelled while it comes due is either sent or
/// cancelled, never both. Local-time sends are turned into a moment before they are logged
/// (<see cref="StoreTime.LocalSendTime"/>).
/// </summary>
public sealed class ScheduledMessages(StorageAccount storage, MessageStore log, MessageQueue queue, TimeProvider time) : IPersonalData
{
    private TableClient Table => storage.Table(StorageNames.Tables.ScheduledMessages);

    /// <summary>Logs <paramref name="message"/> (already <c>scheduled</c> at its time) and its due row.</summary>
    internal async Task AddAsync(MessageEntity message, CancellationToken cancellationToken)
    {
        var at = message.ScheduledAt ?? throw new ArgumentException("A scheduled message has a time.", nameof(message));
        await log.AddAsync(message, null, cancellationToken);
        await Table.UpsertEntityAsync(
            new TableEntity(MessagingKeys.ScheduledPartition, MessagingKeys.Scheduled(at, message.PartitionKey, message.Id))
            {
                ["CustomerId"] = message.PartitionKey,
                ["MessageId"] = message.Id,
            },
            TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Queues every scheduled message whose time has come; returns how many.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var due = new List<TableEntity>();
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {MessagingKeys.ScheduledPartition} and RowKey lt {now.UtcTicks.ToString("D19", CultureInfo.InvariantCulture) + "~"}");
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, 1000, cancellationToken: cancellationToken))
        {
            due.Add(row);
        }
        await Parallel.ForEachAsync(due, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (row, ct) =>
        {
            var (customerId, messageId) = (row.GetString("CustomerId"), row.GetString("MessageId"));
            var (_, moved) = await log.UpdateAsync(customerId, messageId, m => m.StatusValue == MessageStatus.Scheduled, m =>
            {
                m.Reach(MessageStatus.Queued, time.GetUtcNow());
                return null;
            }, ct);
            if (moved)
            {
                await queue.EnqueueAsync(customerId, messageId, null, ct);
            }
            await Table.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, ct);
        });
        return due.Count;
    }

    /// <summary>Calls off a scheduled message; false when it is no longer scheduled (already queued or sent).</summary>
    public async Task<bool> CancelAsync(string customerId, string messageId, CancellationToken cancellationToken = default)
    {
        var (message, cancelled) = await log.UpdateAsync(customerId, messageId, m => m.StatusValue == MessageStatus.Scheduled, m =>
        {
            m.Reach(MessageStatus.Cancelled, time.GetUtcNow());
            return null;
        }, cancellationToken);
        if (message is null)
        {
            throw new NotFoundException("Message", messageId);
        }
        if (cancelled && message.ScheduledAt is { } at)
        {
            await Table.DeleteEntityAsync(MessagingKeys.ScheduledPartition, MessagingKeys.Scheduled(at, customerId, messageId), ETag.All, cancellationToken);
        }
        return cancelled;
    }

    /// <summary>The message itself is in the customer's communication log, so the export has no file for the due rows.</summary>
    Task IPersonalData.ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deletes the customer's due rows (GDPR erasure).</summary>
    Task<int> IPersonalData.EraseAsync(ErasureContext context, CancellationToken cancellationToken) =>
        PersonalRows.DeleteWhereAsync(Table, TableClient.CreateQueryFilter($"PartitionKey eq {MessagingKeys.ScheduledPartition} and CustomerId eq {context.CustomerId}"), cancellationToken);
}
