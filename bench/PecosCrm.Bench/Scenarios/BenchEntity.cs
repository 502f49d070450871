using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Bench.Scenarios;

/// <summary>A row about the size of a staff or customer row, so the rates resemble the app's.</summary>
public sealed class BenchEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public string Role { get; set; } = "";
    public bool Active { get; set; }
    public int Score { get; set; }
    public DateTimeOffset CreatedAt { get; set; }

    /// <summary>Zero-padded, so that row order is numeric order.</summary>
    public static string Key(long n) => n.ToString("D12", System.Globalization.CultureInfo.InvariantCulture);

    public static BenchEntity Make(string partitionKey, long n) => new()
    {
        PartitionKey = partitionKey,
        RowKey = Key(n),
        Name = $"Customer {n}",
        Email = $"customer{n}@example.com",
        Role = "agent",
        Active = true,
        Score = (int)(n % 1000),
        CreatedAt = DateTimeOffset.UtcNow,
    };
}
