using Microsoft.Extensions.Options;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Products;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Wholesale;

/// <summary>
/// Opening and changing wholesale accounts, and their prices. An account is opened once per customer:
/// the customer's claim row is added first, so a retry, a second won deal or two callers at once all
/// end at the one account.
/// </summary>
public sealed class WholesaleAccountService(
    WholesaleStore store, CustomerStore customers, StaffStore staff, ProductStore products, AuditLog audit,
    IOptions<WholesaleOptions> options, StoreTime storeTime, TimeProvider time)
{
    public WholesaleOptions Options => options.Value;

    /// <summary>
    /// Opens the customer's wholesale account (Bronze, Net 30, no minimum) and answers its id; when the
    /// customer has one already, answers that and changes nothing. Called by the conversion of a won
    /// deal; the opening is written to the audit log as done by <paramref name="actor"/> (a staff id, or <c>system</c>).
    /// </summary>
    public async Task<string> OpenForCustomerAsync(
        string customerId, string companyName, string? accountManagerId, string dealId, string actor, CancellationToken cancellationToken)
    {
        var by = actor == AuditActor.System.Id ? AuditActor.System : new AuditActor("staff", actor, actor);
        var (account, created) = await OpenAsync(customerId, companyName, accountManagerId, dealId, actor, cancellationToken);
        if (created)
        {
            await audit.RecordAsync(by, "wholesale.opened", "wholesale_account", account.Id, null, new { account.CustomerId, account.CompanyName, account.AccountManagerId, dealId },
                cancellationToken: cancellationToken);
        }
        return account.Id;
    }

    /// <summary>Opens the customer's account, or finds the one it has; <c>Created</c> says which (the caller audits).</summary>
    public async Task<(WholesaleAccount Account, bool Created)> OpenAsync(
        string? customerId, string? companyName, string? accountManagerId, string? dealId, string actor, CancellationToken cancellationToken = default)
    {
        var check = new Validation().Required("customerId", customerId, 100).Required("companyName", companyName).MaxLength("dealId", dealId, 100);
        check.ThrowIfInvalid();
        KeyRules.Require(customerId, "customerId");
        if (await customers.FindAsync(customerId!, cancellationToken) is null)
        {
            throw new ValidationFailedException("customerId", $"no customer has the id '{customerId}'.");
        }
        await CheckManagerAsync(accountManagerId, cancellationToken);

        var newId = Ids.New(time);
        var claimedBy = await store.ClaimCustomerAsync(customerId!, newId, cancellationToken);
        var accountId = claimedBy ?? newId;
        if (claimedBy is not null && await store.FindAsync(claimedBy, cancellationToken) is { } existing)
        {
            return (existing, false);
        }

        // Claimed now, or claimed by a call that stopped before writing the account: write it.
        var now = time.GetUtcNow();
        await store.AddAccountAsync(new AccountEntity
        {
            PartitionKey = WholesaleKeys.Account(accountId),
            RowKey = WholesaleKeys.AccountRow(accountId),
            AccountId = accountId,
            CustomerId = customerId!,
            CompanyName = companyName!.Trim(),
            AccountManagerId = string.IsNullOrWhiteSpace(accountManagerId) ? null : accountManagerId,
            DealId = dealId,
            CreatedBy = actor,
            CreatedAt = now,
            UpdatedAt = now,
        }, cancellationToken);
        return (await store.FindAsync(accountId, cancellationToken) ?? throw new NotFoundException("Wholesale account", accountId), true);
    }

    public async Task<WholesaleAccount> GetAsync(string accountId, CancellationToken cancellationToken = default) =>
        await store.FindAsync(accountId, cancellationToken) ?? throw new NotFoundException("Wholesale account", accountId);

    /// <summary>Applies a partial update if <paramref name="ifMatch"/> (when given) is still current.</summary>
    public async Task<(WholesaleAccount Before, WholesaleAccount After)> UpdateAsync(
        string accountId, WholesaleAccountPatch patch, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        if (patch.CompanyName is not null)
        {
            check.Required("companyName", patch.CompanyName);
        }
        var minimum = patch.MinimumOrderValue is { } m ? WholesalePricing.Cents(check, "minimumOrderValue", m) : (long?)null;
        check.ThrowIfInvalid();
        if (!string.IsNullOrEmpty(patch.AccountManagerId))
        {
            await CheckManagerAsync(patch.AccountManagerId, cancellationToken);
        }

        var row = await store.GetAccountRowAsync(accountId, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, row.ETag);
        var before = row.ToRecord();
        row.CompanyName = patch.CompanyName?.Trim() ?? row.CompanyName;
        row.Tier = patch.Tier?.ToString() ?? row.Tier;
        row.PaymentTerms = patch.PaymentTerms?.ToString() ?? row.PaymentTerms;
        row.MinimumOrderCents = minimum ?? row.MinimumOrderCents;
        row.AccountManagerId = patch.AccountManagerId is null ? row.AccountManagerId : patch.AccountManagerId.Length == 0 ? null : patch.AccountManagerId;
        row.UpdatedAt = time.GetUtcNow();
        return (before, await store.ReplaceAccountAsync(row, cancellationToken));
    }

    /// <summary>What the account pays for a product: its custom price, else list price less the tier's discount.</summary>
    public async Task<PriceQuote> QuoteAsync(string accountId, string productId, CancellationToken cancellationToken = default)
    {
        var account = await GetAsync(accountId, cancellationToken);
        var product = await products.FindAsync(productId, cancellationToken) ?? throw new NotFoundException("Product", productId);
        var custom = await store.FindPriceAsync(accountId, productId, cancellationToken);
        var (price, source, discount) = WholesalePricing.Resolve(product.PriceCents, custom?.PriceCents, Options.DiscountFor(account.Tier));
        return new PriceQuote(product.Id, product.Name, product.PriceCents, price, source, discount);
    }

    /// <summary>Sets the account's own price for a product (which must be in the catalogue).</summary>
    public async Task<(CustomPrice? Before, CustomPrice After)> SetPriceAsync(string accountId, string productId, decimal? price, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        if (price is null)
        {
            check.Add("price", "is required.");
        }
        var cents = price is { } p ? WholesalePricing.Cents(check, "price", p) : 0;
        check.ThrowIfInvalid();
        await GetAsync(accountId, cancellationToken);
        if (await products.FindAsync(productId, cancellationToken) is null)
        {
            throw new NotFoundException("Product", productId);
        }
        var before = await store.FindPriceAsync(accountId, productId, cancellationToken);
        return (before, await store.SetPriceAsync(accountId, productId, cents, time.GetUtcNow(), cancellationToken));
    }

    /// <summary>Removes the account's own price for a product; the tier discount applies again.</summary>
    public async Task<CustomPrice> RemovePriceAsync(string accountId, string productId, CancellationToken cancellationToken = default)
    {
        await GetAsync(accountId, cancellationToken);
        var before = await store.FindPriceAsync(accountId, productId, cancellationToken) ?? throw new NotFoundException("Custom price", productId);
        await store.DeletePriceAsync(accountId, productId, cancellationToken);
        return before;
    }

    /// <summary>The store's date now, for "expired" flags.</summary>
    public DateOnly Today => storeTime.Date(time.GetUtcNow());

    public DateTimeOffset Now => time.GetUtcNow();

    private async Task CheckManagerAsync(string? accountManagerId, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrWhiteSpace(accountManagerId)
            && (!KeyRules.IsValidKey(accountManagerId) || await staff.FindAsync(accountManagerId, cancellationToken) is not { Active: true }))
        {
            throw new ValidationFailedException("accountManagerId", $"no active staff member has the id '{accountManagerId}'.");
        }
    }
}
