using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// The <c>customerindex</c> table: the lookups that do not know the customer id, each a partition
/// read in key order. <c>email|{email}</c> (one row, RowKey the email: the email's single owner,
/// which is what makes emails unique), <c>phone|{digits}</c>, <c>name|{first two letters}</c>
/// (RowKey <c>{name}|{id}</c> for the last name, the first name and the full name, for prefix
/// search), <c>tier|{tier}</c>, <c>all</c>, and <c>addr|{address key}</c> (customers sharing an
/// address). Every RowKey starts with what tells its partition apart, so none is shared between
/// partitions. Every row carries the list summary, so lists need no second read.
/// </summary>
internal sealed class CustomerIndexEntity : ITableEntity
{
    public const string All = "all";

    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string CustomerId { get; set; } = "";
    public string FirstName { get; set; } = "";
    public string LastName { get; set; } = "";
    public string? Email { get; set; }
    public string? Phone { get; set; }
    public string Tier { get; set; } = "";
    public DateTimeOffset CustomerSince { get; set; }

    public CustomerSummary ToSummary() => new(CustomerId, FirstName, LastName, Email, Phone, Enum.Parse<LoyaltyTier>(Tier), CustomerSince);

    public static string EmailPartition(string email) => "email|" + EmailRow(email);

    /// <summary>The RowKey of an email's one row: the email itself, so it is unique in the table.</summary>
    public static string EmailRow(string email) => KeyRules.Escape(CustomerRules.NormalizeEmail(email));

    public static string PhonePartition(string phone) => "phone|" + CustomerRules.NormalizePhone(phone);

    public static string TierPartition(LoyaltyTier tier) => "tier|" + tier.ToString().ToLowerInvariant();

    public static string AddressPartition(string addressKey) => "addr|" + addressKey;

    /// <summary>Names are searched lower-case, letters, digits and single spaces only.</summary>
    public static string NameToken(string text) =>
        string.Join(' ', new string(text.ToLowerInvariant().Select(c => char.IsLetterOrDigit(c) ? c : ' ').ToArray())
            .Split(' ', StringSplitOptions.RemoveEmptyEntries));

    public static string NamePartition(string token) => "name|" + token[..Math.Min(2, token.Length)];

    /// <summary>Every index key a customer should have: (PartitionKey, RowKey).</summary>
    public static IReadOnlySet<(string, string)> KeysFor(Customer c)
    {
        var keys = new HashSet<(string, string)>
        {
            (All, All + "|" + c.Id),
            (TierPartition(c.Tier), TierPartition(c.Tier) + "|" + c.Id),
        };
        if (c.Email is not null)
        {
            keys.Add((EmailPartition(c.Email), EmailRow(c.Email)));
        }
        if (c.Phone is not null && CustomerRules.NormalizePhone(c.Phone).Length > 0)
        {
            keys.Add((PhonePartition(c.Phone), PhonePartition(c.Phone) + "|" + c.Id));
        }
        foreach (var token in new[] { c.LastName, c.FirstName, c.FirstName + " " + c.LastName }.Select(NameToken).Where(t => t.Length > 0).Distinct())
        {
            keys.Add((NamePartition(token), KeyRules.Escape(token) + "|" + c.Id));
        }
        foreach (var address in c.Addresses.Where(a => a.Kind == AddressKind.Shipping))
        {
            keys.Add((AddressPartition(CustomerRules.AddressKey(address)), AddressPartition(CustomerRules.AddressKey(address)) + "|" + c.Id));
        }
        return keys;
    }

    public static CustomerIndexEntity For(Customer c, (string Partition, string Row) key) => new()
    {
        PartitionKey = key.Partition,
        RowKey = key.Row,
        CustomerId = c.Id,
        FirstName = c.FirstName,
        LastName = c.LastName,
        Email = c.Email,
        Phone = c.Phone,
        Tier = c.Tier.ToString(),
        CustomerSince = c.CustomerSince,
    };
}
