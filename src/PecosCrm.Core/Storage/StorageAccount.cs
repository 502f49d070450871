using Azure.Core;
using Azure.Data.Tables;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Options;

namespace PecosCrm.Core.Storage;

/// <summary>
/// The three storage service clients (singletons) and access to the app's tables, queues and
/// containers by their logical name, with the configured prefix applied.
/// </summary>
public sealed class StorageAccount
{
    public StorageAccount(IOptions<StorageOptions> options)
    {
        var o = options.Value;
        Prefix = o.Prefix;
        var connection = o.ConnectionString;

        Tables = new TableServiceClient(connection, Configure(new TableClientOptions(), o));
        Blobs = new BlobServiceClient(connection, Configure(new BlobClientOptions(), o));
        // Base64 so that the same queues are readable by the Azure Functions queue trigger.
        Queues = new QueueServiceClient(connection, Configure(new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 }, o));

        // A second set of clients that fails fast: the health check must answer within seconds
        // when storage is down instead of waiting out the retry policy.
        var probe = new TableClientOptions();
        probe.Retry.MaxRetries = 0;
        probe.Retry.NetworkTimeout = TimeSpan.FromSeconds(3);
        ProbeTables = new TableServiceClient(connection, probe);
    }

    public string Prefix { get; }

    public TableServiceClient Tables { get; }

    public BlobServiceClient Blobs { get; }

    public QueueServiceClient Queues { get; }

    internal TableServiceClient ProbeTables { get; }

    public TableClient Table(string name) => Tables.GetTableClient(TableName(name));

    public QueueClient Queue(string name) => Queues.GetQueueClient(QueueName(name));

    public BlobContainerClient Container(string name) => Blobs.GetBlobContainerClient(QueueName(name));

    /// <summary>Table names allow letters and digits only.</summary>
    public string TableName(string name) => Prefix.Replace("-", "") + name;

    /// <summary>Queue and container names allow lower-case letters, digits and hyphens.</summary>
    public string QueueName(string name) => Prefix.Length == 0 ? name : Prefix.ToLowerInvariant() + "-" + name;

    private static T Configure<T>(T clientOptions, StorageOptions o) where T : ClientOptions
    {
        clientOptions.Retry.MaxRetries = o.MaxRetries;
        clientOptions.Retry.Mode = RetryMode.Exponential;
        clientOptions.Retry.Delay = TimeSpan.FromMilliseconds(200);
        clientOptions.Retry.NetworkTimeout = o.NetworkTimeout;
        return clientOptions;
    }
}
