using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Integrations.Webhooks;

/// <summary>Each delivery attempt of each subscription, newest first; written 100 to a transaction.</summary>
public sealed class WebhookDeliveryLog(StorageAccount storage)
{
    private TableClient Table => storage.Table(StorageNames.Tables.WebhookDeliveries);

    internal Task WriteAsync(IEnumerable<WebhookDeliveryEntity> deliveries, CancellationToken cancellationToken) =>
        Table.SubmitChunkedAsync(deliveries.Select(d => new TableTransactionAction(TableTransactionActionType.Add, d)), cancellationToken);

    public async Task<Storage.Page<WebhookDelivery>> ListAsync(string subscriptionId, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var page = await Table.QueryPageAsync<WebhookDeliveryEntity>(TableClient.CreateQueryFilter($"PartitionKey eq {subscriptionId}"), limit, cursor, cancellationToken);
        return page.Select(d => d.ToRecord());
    }

    public async Task<WebhookDelivery?> FindAsync(string subscriptionId, string deliveryId, CancellationToken cancellationToken = default) =>
        deliveryId.Length == 32 && deliveryId.All(char.IsAsciiHexDigitLower)
            ? (await Table.FindAsync<WebhookDeliveryEntity>(subscriptionId, WebhookKeys.Delivery(subscriptionId, deliveryId), cancellationToken))?.ToRecord()
            : null;
}
