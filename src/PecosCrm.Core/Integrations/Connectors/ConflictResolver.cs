using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>A mapped field whose values differ, and which side's value both end up with.</summary>
public sealed record FieldConflict(string Field, string Property, string? CrmValue, string? RemoteValue, bool RemoteWins);

/// <summary>
/// The conflict rule of a two-way sync, applied field by field without I/O: for each mapped field
/// whose pulled value differs from the customer's, the field's own rule (else the connector's)
/// decides. <see cref="ConflictRule.Newest"/> compares the contact's last modification with the
/// customer's last update (the CRM wins a tie). An empty outside value never erases a CRM value.
/// </summary>
public static class ConflictResolver
{
    public static IReadOnlyList<FieldConflict> Decide(
        Customer customer, IReadOnlyDictionary<string, string?> remote, DateTimeOffset remoteModifiedAt, IReadOnlyList<FieldMap> mapping, ConflictRule rule)
    {
        var conflicts = new List<FieldConflict>();
        foreach (var map in mapping)
        {
            var crm = FieldMapping.Read(customer, map.Field);
            var theirs = remote.TryGetValue(map.Property, out var value) && !string.IsNullOrWhiteSpace(value) ? value.Trim() : null;
            if (string.Equals(crm, theirs, StringComparison.Ordinal) || theirs is null)
            {
                continue;
            }
            var remoteWins = (map.Rule ?? rule) switch
            {
                ConflictRule.RemoteWins => true,
                ConflictRule.CrmWins => false,
                ConflictRule.Newest => remoteModifiedAt > customer.UpdatedAt,
                _ => throw new ArgumentOutOfRangeException(nameof(rule)),
            };
            conflicts.Add(new FieldConflict(map.Field, map.Property, crm, theirs, remoteWins));
        }
        return conflicts;
    }
}
