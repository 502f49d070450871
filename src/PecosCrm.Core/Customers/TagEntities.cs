using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Customers;

/// <summary>
/// <c>tags</c> table, one partition: a row per custom tag (RowKey = id) and a <c>~name|{name}</c>
/// row per tag, written in the same transaction, that keeps tag names unique.
/// </summary>
internal sealed class TagEntity : ITableEntity
{
    public const string Partition = "tags";
    public const string NamePrefix = "~name|";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    public string Color { get; set; } = "";
    public string? Description { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public string? TagId { get; set; }

    public static string NameRow(string name) => NamePrefix + Storage.KeyRules.Escape(name.Trim().ToLowerInvariant());

    public Tag ToRecord() => new(RowKey, Name, Color, Description, false, CreatedAt);
}

/// <summary><c>tagmembers</c>: PartitionKey = tag id, RowKey = <c>{tagId}|{customerId}</c> (unique in the table); lists a tag's customers in id order.</summary>
internal sealed class TagMemberEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string CustomerId { get; set; } = "";
    public DateTimeOffset AssignedAt { get; set; }

    public static string Row(string tagId, string customerId) => tagId + "|" + customerId;

    public static TagMemberEntity For(string tagId, string customerId, DateTimeOffset at) =>
        new() { PartitionKey = tagId, RowKey = Row(tagId, customerId), CustomerId = customerId, AssignedAt = at };
}
