using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Integrations.Usage;

internal sealed class ApiUsageEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Day { get; set; } = "";
    public string Endpoint { get; set; } = "";
    public long Requests { get; set; }
    public long ClientErrors { get; set; }
    public long ServerErrors { get; set; }
    public long RateLimited { get; set; }
    public long TotalLatencyMs { get; set; }
    public long MaxLatencyMs { get; set; }

    public ApiUsageRow ToRecord() => new(
        DateOnly.ParseExact(Day, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture), Endpoint, Requests, ClientErrors + ServerErrors,
        ClientErrors, ServerErrors, RateLimited, Requests == 0 ? 0 : Math.Round((double)TotalLatencyMs / Requests, 1), MaxLatencyMs);
}
