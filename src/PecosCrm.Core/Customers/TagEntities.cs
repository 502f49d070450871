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

/// <summary>A <c>tag|{tagId}</c> row in the customer's partition.</summary>
internal sealed class CustomerTagEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string TagId { get; set; } = "";
    public bool IsAuto { get; set; }
    public string AssignedBy { get; set; } = "";
    public DateTimeOffset AssignedAt { get; set; }
}

/// <summary><c>tagmembers</c>: PartitionKey = tag id, RowKey = customer id; lists a tag's customers.</summary>
internal sealed class TagMemberEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public DateTimeOffset AssignedAt { get; set; }
}
