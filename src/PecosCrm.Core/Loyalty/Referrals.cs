using System.Security.Cryptography;
using System.Text;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Loyalty;

public enum ReferralStatus
{
    Pending,
    SignedUp,
    FirstPurchase,
    Credited,
}

/// <summary>A referral: who referred whom with which code, how far it went, and the credits it gave.</summary>
public sealed record Referral(
    string Id, string Code, string ReferrerId, string? RefereeId, string? Email, ReferralStatus Status, DateTimeOffset CreatedAt,
    DateTimeOffset? SignedUpAt, DateTimeOffset? PurchasedAt, DateTimeOffset? CreditedAt, string? OrderId, string? ReferrerCredit, string? RefereeCredit);

/// <summary>A customer's referral code and the link to share.</summary>
public sealed record ReferralLink(string CustomerId, string Code, string Link);

/// <summary>
/// Referrals: each customer has one code (derived from their id) and link. A friend who signs up
/// with it (<c>signed_up</c>, after the fraud checks) is marked on their account; their first order,
/// applied on the store-event path, moves the referral to <c>first_purchase</c>, and then the
/// referrer earns the referral rule's points and both get the credit (a fixed-amount code each):
/// <c>credited</c>. Fraud checks refuse a sign-up by the referrer themself (same id or email), from
/// the same email domain (other than the public mail services) or the same postal address, or with
/// a payment or device fingerprint the referrer or an earlier referee of theirs used.
/// </summary>
public sealed partial class Referrals(
    StorageAccount storage, PointsLedger ledger, CustomerStore customers, CatalogueStore catalogue, DiscountCodes codes, StoreTime storeTime,
    IOptions<LoyaltyOptions> options, TimeProvider time) : ILoyaltyEventSink
{
    public const string CreditPrefix = "REF-";

    /// <summary>Mail services whose domain many unrelated people share: the same domain there says nothing.</summary>
    private static readonly HashSet<string> PublicMailDomains = new(StringComparer.OrdinalIgnoreCase)
    {
        "gmail.com", "googlemail.com", "yahoo.com", "outlook.com", "hotmail.com", "live.com", "msn.com", "icloud.com", "me.com", "aol.com",
        "proton.me", "protonmail.com", "gmx.com", "mail.com", "comcast.net", "att.net", "verizon.net",
    };

    private TableClient Table => storage.Table(StorageNames.Tables.Loyalty);

    public static string CodeFor(string customerId)
    {
        const string alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes("referral\n" + customerId));
        return "PRT" + new string(hash.Take(7).Select(b => alphabet[b % alphabet.Length]).ToArray());
    }

    /// <summary>The customer's code and link, made on first ask; the fingerprints of the referrer's own session, when the store sends them, are kept for the checks.</summary>
    public async Task<ReferralLink> LinkAsync(string customerId, string? paymentFingerprint, string? deviceFingerprint, CancellationToken cancellationToken = default)
    {
        await customers.GetAsync(customerId, cancellationToken);
        var code = CodeFor(customerId);
        var row = await Table.FindAsync<TableEntity>(LoyaltyKeys.ReferralCodePartition, LoyaltyKeys.ReferralCode(code), cancellationToken)
            ?? new TableEntity(LoyaltyKeys.ReferralCodePartition, LoyaltyKeys.ReferralCode(code)) { ["ReferrerId"] = customerId };
        var changed = row.ETag == default;
        changed |= Remember(row, "PaymentFingerprints", paymentFingerprint) | Remember(row, "DeviceFingerprints", deviceFingerprint);
        if (changed)
        {
            await Table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
            await ledger.ApplyAsync(customerId, null, requireProfile: true, (card, d) =>
            {
                if (d.Account.ReferralCode != code)
                {
                    d.Account = d.Account with { ReferralCode = code };
                    d.Touch();
                }
                return Task.FromResult<IReadOnlyList<TableTransactionAction>>([]);
            }, cancellationToken);
        }
        return new ReferralLink(customerId, code, $"{options.Value.ReferralLinkBase}?ref={code}");
    }

    private static bool Remember(TableEntity row, string column, string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }
        var known = (row.GetString(column) ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
        if (known.Contains(value))
        {
            return false;
        }
        known.Add(value);
        row[column] = string.Join('\n', known.TakeLast(20));
        return true;
    }

    /// <summary>
    /// Records a referral by code: <c>pending</c> for an invited email, or <c>signed_up</c> for a
    /// customer who signed up with the code (after the fraud checks, which refuse with the field and reason).
    /// </summary>
    public async Task<Referral> CreateAsync(string code, string? email, string? refereeId, string? paymentFingerprint, string? deviceFingerprint, CancellationToken cancellationToken = default)
    {
        var codeRow = KeyRules.IsValidKey(code) ? await Table.FindAsync<TableEntity>(LoyaltyKeys.ReferralCodePartition, LoyaltyKeys.ReferralCode(code.Trim().ToUpperInvariant()), cancellationToken) : null;
        if (codeRow is null)
        {
            throw new ValidationFailedException("code", $"'{code}' is not a referral code.");
        }
        var referrerId = codeRow.GetString("ReferrerId");
        var now = time.GetUtcNow();
        var referral = new Referral(Ids.New(time), codeRow.RowKey["refcode|".Length..], referrerId, null, email, ReferralStatus.Pending, now, null, null, null, null, null, null);
        if (refereeId is null)
        {
            await Table.AddEntityAsync(Row(referral), cancellationToken);
            return referral;
        }
        return await SignUpAsync(referral, codeRow, refereeId, paymentFingerprint, deviceFingerprint, isNew: true, cancellationToken);
    }

    /// <summary>The invited friend signed up: the fraud checks, then <c>signed_up</c>.</summary>
    public async Task<Referral> SignUpAsync(string referralId, string refereeId, string? paymentFingerprint, string? deviceFingerprint, CancellationToken cancellationToken = default)
    {
        var referral = await GetAsync(referralId, cancellationToken);
        if (referral.Status != ReferralStatus.Pending)
        {
            throw new ConflictException($"The referral is {Name(referral.Status)} already.");
        }
        var codeRow = await Table.GetEntityAsync<TableEntity>(LoyaltyKeys.ReferralCodePartition, LoyaltyKeys.ReferralCode(referral.Code), cancellationToken: cancellationToken);
        return await SignUpAsync(referral, codeRow.Value, refereeId, paymentFingerprint, deviceFingerprint, isNew: false, cancellationToken);
    }

    private async Task<Referral> SignUpAsync(Referral referral, TableEntity codeRow, string refereeId, string? paymentFingerprint, string? deviceFingerprint, bool isNew, CancellationToken cancellationToken)
    {
        var referee = await customers.FindAsync(refereeId, cancellationToken) ?? throw new ValidationFailedException("refereeCustomerId", $"no customer has the id '{refereeId}'.");
        var referrer = await customers.GetAsync(referral.ReferrerId, cancellationToken);
        var earlier = await ForReferrerAsync(referral.ReferrerId, cancellationToken);
        if (FraudReason(referrer, referee, codeRow, earlier, paymentFingerprint, deviceFingerprint) is { } fraud)
        {
            throw new ValidationFailedException(fraud.Field, fraud.Reason);
        }
        if (await ledger.GetAsync(refereeId, cancellationToken) is { Earned: > 0 } || (await customers.FindAsync(refereeId, cancellationToken)) is null)
        {
            throw new ValidationFailedException("refereeCustomerId", "the customer is not new: only a first order can be referred.");
        }
        var signedUp = referral with { RefereeId = refereeId, Status = ReferralStatus.SignedUp, SignedUpAt = time.GetUtcNow() };
        var row = Row(signedUp);
        row["PaymentFingerprint"] = paymentFingerprint;
        row["DeviceFingerprint"] = deviceFingerprint;
        await ledger.ApplyAsync(refereeId, null, requireProfile: true, (card, d) =>
        {
            if (d.Account.ReferredBy is not null || card.OrderCount > 0)
            {
                throw new ValidationFailedException("refereeCustomerId", "the customer was referred already or has ordered.");
            }
            d.Account = d.Account with { ReferredBy = new ReferredBy(signedUp.Id, signedUp.ReferrerId) };
            d.Touch();
            return Task.FromResult<IReadOnlyList<TableTransactionAction>>([]);
        }, cancellationToken);
        await Table.UpsertEntityAsync(row, TableUpdateMode.Replace, cancellationToken);
        return signedUp;
    }

    /// <summary>Why the sign-up looks like fraud (the field it is about and the reason), or null.</summary>
    internal static (string Field, string Reason)? FraudReason(
        Customer referrer, Customer referee, TableEntity codeRow, IReadOnlyList<(Referral Referral, string? Payment, string? Device)> earlier, string? payment, string? device)
    {
        if (referrer.Id == referee.Id)
        {
            return ("refereeCustomerId", "self-referral: the referee is the referrer.");
        }
        if (referrer.Email is { } a && referee.Email is { } b)
        {
            if (CustomerRules.NormalizeEmail(a) == CustomerRules.NormalizeEmail(b))
            {
                return ("refereeCustomerId", "self-referral: the referee has the referrer's email address.");
            }
            var domainA = a[(a.LastIndexOf('@') + 1)..];
            var domainB = b[(b.LastIndexOf('@') + 1)..];
            if (string.Equals(domainA, domainB, StringComparison.OrdinalIgnoreCase) && !PublicMailDomains.Contains(domainA))
            {
                return ("refereeCustomerId", $"the referee's email domain ({domainB}) is the referrer's.");
            }
        }
        if (referrer.Addresses.Any(x => referee.Addresses.Any(y => SameAddress(x, y))))
        {
            return ("refereeCustomerId", "the referee's address is the referrer's.");
        }
        bool Seen(string column, string? value) => value is not null && (codeRow.GetString(column) ?? "").Split('\n').Contains(value);
        if (Seen("PaymentFingerprints", payment) || (payment is not null && earlier.Any(e => e.Payment == payment)))
        {
            return ("paymentFingerprint", "the payment method was used by the referrer or another of their referees.");
        }
        if (Seen("DeviceFingerprints", device) || (device is not null && earlier.Any(e => e.Device == device)))
        {
            return ("deviceFingerprint", "the device was used by the referrer or another of their referees.");
        }
        return null;
    }

    private static bool SameAddress(Address x, Address y) =>
        string.Equals(Normal(x.Line1), Normal(y.Line1), StringComparison.Ordinal) && string.Equals(Normal(x.PostalCode), Normal(y.PostalCode), StringComparison.Ordinal);

    private static string Normal(string s) => new(s.Where(char.IsLetterOrDigit).Select(char.ToLowerInvariant).ToArray());

    /// <summary>The referee's first order was committed: the referrer earns, both get the credit. Each step is once-only, so a repeat finishes what a crash left.</summary>
    public async Task OnLoyaltyEventAsync(LoyaltyNotice notice, CancellationToken cancellationToken)
    {
        if (notice.Type != LoyaltyNotice.ReferralPurchase)
        {
            return;
        }
        var referralId = notice.Data.GetProperty("referralId").GetString()!;
        var orderId = notice.Data.GetProperty("orderId").GetString();
        var row = (await Table.GetEntityAsync<TableEntity>(LoyaltyKeys.ReferralPartition, LoyaltyKeys.Referral(referralId), cancellationToken: cancellationToken)).Value;
        var referral = Read(row);
        if (referral.Status == ReferralStatus.Credited)
        {
            return;
        }
        var now = time.GetUtcNow();
        row["Status"] = nameof(ReferralStatus.FirstPurchase);
        row["PurchasedAt"] = now;
        row["OrderId"] = orderId;
        row = await UpdateAsync(row, cancellationToken);
        var rule = (await catalogue.SnapshotAsync(cancellationToken)).Rule(EarningRules.Referral);
        await ledger.ApplyAsync(referral.ReferrerId, "ref-" + referralId, requireProfile: false, (card, d) =>
        {
            d.Account = d.Account with { ReferralsCredited = d.Account.ReferralsCredited + 1 };
            d.Touch();
            LoyaltyDecisions.Bonus(d, rule, "ref-" + referralId, "Referred a friend who bought", "referral:" + referralId, "system", storeTime.Date(now));
            return Task.FromResult<IReadOnlyList<TableTransactionAction>>([]);
        }, cancellationToken);
        var credit = options.Value.ReferralCredit;
        var expires = now.AddDays(options.Value.ReferralCreditDays);
        var given = await codes.IssueAsync(CreditPrefix, "ref-" + referralId, referral.ReferrerId, DiscountKind.Amount, credit, expires, now, cancellationToken);
        var got = await codes.IssueAsync(CreditPrefix, "ref-" + referralId, referral.RefereeId!, DiscountKind.Amount, credit, expires, now, cancellationToken);
        row["Status"] = nameof(ReferralStatus.Credited);
        row["CreditedAt"] = now;
        row["ReferrerCredit"] = given.Code;
        row["RefereeCredit"] = got.Code;
        await UpdateAsync(row, cancellationToken);
    }

    private async Task<TableEntity> UpdateAsync(TableEntity row, CancellationToken cancellationToken)
    {
        var response = await Table.UpdateEntityAsync(row, row.ETag, TableUpdateMode.Replace, cancellationToken);
        row.ETag = response.Headers.ETag ?? default;
        return row;
    }

    public async Task<Referral> GetAsync(string referralId, CancellationToken cancellationToken = default)
    {
        var row = KeyRules.IsValidKey(referralId) ? await Table.FindAsync<TableEntity>(LoyaltyKeys.ReferralPartition, LoyaltyKeys.Referral(referralId), cancellationToken) : null;
        return row is null ? throw new NotFoundException("Referral", referralId) : Read(row);
    }

    /// <summary>A referrer's referrals, newest first (a filter within the one referrals partition).</summary>
    public async Task<IReadOnlyList<Referral>> ListAsync(string? referrerId, CancellationToken cancellationToken = default) =>
        (await ReadAllAsync(referrerId, cancellationToken)).Select(r => r.Referral).OrderByDescending(r => r.CreatedAt).ToList();

    private Task<IReadOnlyList<(Referral Referral, string? Payment, string? Device)>> ForReferrerAsync(string referrerId, CancellationToken cancellationToken) =>
        ReadAllAsync(referrerId, cancellationToken);

    private async Task<IReadOnlyList<(Referral Referral, string? Payment, string? Device)>> ReadAllAsync(string? referrerId, CancellationToken cancellationToken)
    {
        var filter = referrerId is null
            ? LoyaltyKeys.PartitionFilter(LoyaltyKeys.ReferralPartition)
            : TableClient.CreateQueryFilter($"PartitionKey eq {LoyaltyKeys.ReferralPartition} and ReferrerId eq {referrerId}");
        var list = new List<(Referral, string?, string?)>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
        {
            list.Add((Read(row), row.GetString("PaymentFingerprint"), row.GetString("DeviceFingerprint")));
        }
        return list;
    }

    /// <summary>Referral statuses as the API spells them.</summary>
    public static string Name(ReferralStatus status) => status switch
    {
        ReferralStatus.Pending => "pending",
        ReferralStatus.SignedUp => "signed_up",
        ReferralStatus.FirstPurchase => "first_purchase",
        _ => "credited",
    };

    private static TableEntity Row(Referral r) => new(LoyaltyKeys.ReferralPartition, LoyaltyKeys.Referral(r.Id))
    {
        ["Id"] = r.Id,
        ["Code"] = r.Code,
        ["ReferrerId"] = r.ReferrerId,
        ["RefereeId"] = r.RefereeId,
        ["Email"] = r.Email,
        ["Status"] = r.Status.ToString(),
        ["CreatedAt"] = r.CreatedAt,
        ["SignedUpAt"] = r.SignedUpAt,
    };

    private static Referral Read(TableEntity row) => new(
        row.GetString("Id"), row.GetString("Code"), row.GetString("ReferrerId"), row.GetString("RefereeId"), row.GetString("Email"),
        Enum.Parse<ReferralStatus>(row.GetString("Status")), row.GetDateTimeOffset("CreatedAt")!.Value, row.GetDateTimeOffset("SignedUpAt"),
        row.GetDateTimeOffset("PurchasedAt"), row.GetDateTimeOffset("CreditedAt"), row.GetString("OrderId"), row.GetString("ReferrerCredit"), row.GetString("RefereeCredit"));
}
