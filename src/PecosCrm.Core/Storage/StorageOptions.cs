namespace PecosCrm.Core.Storage;

/// <summary>Where PecosCrm keeps its tables, queues and blobs.</summary>
public sealed class StorageOptions
{
    /// <summary>The configuration key Azure Functions uses for the app's own storage account.</summary>
    public const string ConnectionStringKey = "AzureWebJobsStorage";

    public const string SectionName = "Storage";

    public string ConnectionString { get; set; } = "UseDevelopmentStorage=true";

    /// <summary>
    /// Prepended to every table, queue and container name. Empty in production; tests give each
    /// app instance its own prefix so several instances share one Azurite without seeing each other.
    /// </summary>
    public string Prefix { get; set; } = "";

    /// <summary>Per-attempt network timeout. Azurite pauses for seconds while it collects garbage.</summary>
    public TimeSpan NetworkTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public int MaxRetries { get; set; } = 3;
}
