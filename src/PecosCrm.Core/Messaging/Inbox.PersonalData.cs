using Azure.Data.Tables;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>The inbox's answer for a customer's conversations: each with its messages (their attachments' names, types and sizes), its inbox row, its thread pointer and its attachment files.</summary>
public sealed partial class Inbox : IPersonalData
{
    async Task IPersonalData.ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken)
    {
        var conversations = await ConversationRowsAsync(customerId, cancellationToken);
        var messages = new List<TableEntity>();
        foreach (var conversation in conversations)
        {
            messages.AddRange(await PersonalRows.ReadAsync(Table, TableClient.CreateQueryFilter($"PartitionKey eq {MessagingKeys.MessagesPartition(conversation.RowKey)}"), cancellationToken));
        }
        archive.AddRows("conversations.json", conversations);
        archive.AddRows("conversation-messages.json", messages);
    }

    async Task<int> IPersonalData.EraseAsync(ErasureContext context, CancellationToken cancellationToken)
    {
        var deleted = 0;
        foreach (var conversation in await ConversationRowsAsync(context.CustomerId, cancellationToken))
        {
            var id = conversation.RowKey;
            await blobs.DeleteOlderThanAsync(StorageNames.Containers.InboxAttachments, id + "/", DateTimeOffset.MaxValue, cancellationToken);
            deleted += await PersonalRows.DeleteWhereAsync(Table, TableClient.CreateQueryFilter($"PartitionKey eq {MessagingKeys.MessagesPartition(id)}"), cancellationToken);
            deleted += await PersonalRows.DeleteWhereAsync(Table, TableClient.CreateQueryFilter($"(PartitionKey eq {MessagingKeys.OpenPartition} or PartitionKey eq {MessagingKeys.ArchivedPartition}) and ConversationId eq {id}"), cancellationToken);
            deleted += await PersonalRows.DeleteWhereAsync(Table, TableClient.CreateQueryFilter($"PartitionKey eq {ThreadPartition} and ConversationId eq {id}"), cancellationToken);
            deleted += await PersonalRows.DeleteWhereAsync(Table, TableClient.CreateQueryFilter($"PartitionKey eq {ConversationPartition} and RowKey eq {id}"), cancellationToken);
        }
        return deleted;
    }

    private Task<List<TableEntity>> ConversationRowsAsync(string customerId, CancellationToken cancellationToken) =>
        PersonalRows.ReadAsync(Table, TableClient.CreateQueryFilter($"PartitionKey eq {ConversationPartition} and CustomerId eq {customerId}"), cancellationToken);
}
