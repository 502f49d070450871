using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Staff;

/// <summary>
/// One row per staff member, and one email index row per member in the same partition so that
/// creating a member and claiming its email is a single transaction (a duplicate email fails it).
/// The whole team lives in one partition: it is small, and listing it is one query.
/// </summary>
internal sealed class StaffEntity : ITableEntity
{
    public const string Partition = "staff";

    /// <summary>Index rows start with '~', after every hex id, so a list query can skip them.</summary>
    public const string EmailIndexPrefix = "~email|";

    public string PartitionKey { get; set; } = Partition;
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Name { get; set; } = "";
    public string Email { get; set; } = "";
    public string Role { get; set; } = "";
    public bool Active { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>On an email index row: the member the email belongs to.</summary>
    public string? StaffId { get; set; }

    public static string EmailRowKey(string email) => EmailIndexPrefix + email.Trim().ToLowerInvariant();

    public StaffMember ToRecord() => new(
        RowKey, Name, Email, Enum.Parse<StaffRole>(Role, ignoreCase: true), Active, CreatedAt, UpdatedAt, ETag.ToString());

    public static StaffEntity EmailIndex(string email, string staffId) => new()
    {
        RowKey = EmailRowKey(email),
        Email = email,
        StaffId = staffId,
    };
}
