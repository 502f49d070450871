using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Access;

/// <summary>
/// Keys live in one partition as two rows each: <c>k|{id}</c>, the record staff list and revoke,
/// and <c>h|{sha256}</c>, a copy found by hashing the presented secret, so authenticating a request
/// is one point read. Revoking deletes the hash row in the same transaction that stamps the record.
/// </summary>
internal sealed class ApiKeyEntity : ITableEntity
{
    public const string Partition = "keys";
    public const string RecordPrefix = "k|";
    public const string HashPrefix = "h|";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string KeyId { get; set; } = "";
    public string Name { get; set; } = "";
    public string Owner { get; set; } = "";
    public string? StaffId { get; set; }
    public string Scopes { get; set; } = "";
    public int? RateLimitPerMinute { get; set; }
    public string Hint { get; set; } = "";
    public string Hash { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset? RevokedAt { get; set; }

    public ApiKey ToRecord() => new(
        KeyId, Name, Enum.Parse<ApiKeyOwner>(Owner), StaffId,
        Scopes.Length == 0 ? [] : Scopes.Split(' '), RateLimitPerMinute, Hint, CreatedAt, CreatedBy, RevokedAt);

    public ApiKeyEntity CopyAs(string rowKey)
    {
        var copy = (ApiKeyEntity)MemberwiseClone();
        copy.RowKey = rowKey;
        copy.ETag = default;
        return copy;
    }
}
