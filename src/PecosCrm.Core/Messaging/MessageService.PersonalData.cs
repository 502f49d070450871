using Azure.Data.Tables;
using PecosCrm.Core.Privacy;

namespace PecosCrm.Core.Messaging;

/// <summary>Scheduled sends of a customer: the message itself is in their communication log, so the export has no file for them.</summary>
public sealed partial class MessageService : IPersonalData
{
    Task IPersonalData.ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken) => Task.CompletedTask;

    Task<int> IPersonalData.EraseAsync(ErasureContext context, CancellationToken cancellationToken) =>
        PersonalRows.DeleteWhereAsync(Scheduled, TableClient.CreateQueryFilter($"PartitionKey eq {ScheduledPartition} and CustomerId eq {context.CustomerId}"), cancellationToken);
}
