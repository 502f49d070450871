using Azure.Data.Tables;
using PecosCrm.Core.Privacy;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Loyalty;

/// <summary>
/// What referrals keep about a customer, for the GDPR export and erasure: the referrals they made
/// (their code's row with the fingerprints of their sessions, the referrals under it) and the one
/// that referred them. An erasure deletes their code and the referrals they made, and keeps a
/// referral that brought them in for the referrer's history, under the erasure's pseudonym, without
/// their email or fingerprints; a pending invitation to their email is deleted.
/// </summary>
public sealed partial class Referrals : IPersonalData
{
    async Task IPersonalData.ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken)
    {
        var rows = await ReferralRowsAsync(customerId, null, cancellationToken);
        if (await Table.FindAsync<TableEntity>(LoyaltyKeys.ReferralCodePartition, LoyaltyKeys.ReferralCode(CodeFor(customerId)), cancellationToken) is { } code)
        {
            rows.Insert(0, code);
        }
        archive.AddRows("loyalty-referrals.json", rows);
    }

    async Task<int> IPersonalData.EraseAsync(ErasureContext context, CancellationToken cancellationToken)
    {
        var changed = 0;
        var code = LoyaltyKeys.ReferralCode(CodeFor(context.CustomerId));
        if (await Table.FindAsync<TableEntity>(LoyaltyKeys.ReferralCodePartition, code, cancellationToken) is not null)
        {
            await Table.DeleteEntityAsync(LoyaltyKeys.ReferralCodePartition, code, cancellationToken: cancellationToken);
            changed++;
        }
        foreach (var row in await ReferralRowsAsync(context.CustomerId, context.Email, cancellationToken))
        {
            if (row.GetString("ReferrerId") == context.CustomerId || row.GetString("RefereeId") is null)
            {
                await Table.DeleteEntityAsync(row.PartitionKey, row.RowKey, cancellationToken: cancellationToken);
            }
            else
            {
                row["RefereeId"] = context.Pseudonym;
                row["Email"] = null;
                row["PaymentFingerprint"] = null;
                row["DeviceFingerprint"] = null;
                await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
            }
            changed++;
        }
        return changed;
    }

    /// <summary>The referrals the customer made or was referred by (and, with <paramref name="email"/>, invitations to it): a filter within the one referrals partition.</summary>
    private async Task<List<TableEntity>> ReferralRowsAsync(string customerId, string? email, CancellationToken cancellationToken)
    {
        var filter = email is null
            ? TableClient.CreateQueryFilter($"PartitionKey eq {LoyaltyKeys.ReferralPartition} and (ReferrerId eq {customerId} or RefereeId eq {customerId})")
            : TableClient.CreateQueryFilter($"PartitionKey eq {LoyaltyKeys.ReferralPartition} and (ReferrerId eq {customerId} or RefereeId eq {customerId} or Email eq {email})");
        var rows = new List<TableEntity>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        return rows;
    }
}
