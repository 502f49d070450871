using System.Text.Json;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Products;
using PecosCrm.Core.Shared;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Wholesale;

/// <summary>
/// Wholesale orders and their payments. An order is priced with the account's prices when it is
/// placed, refused below the account's minimum, and falls due by the account's terms; each order and
/// each payment changes the account's open balance in the same transaction.
/// </summary>
public sealed class WholesaleOrders(WholesaleStore store, ProductStore products, IOptions<WholesaleOptions> options, TimeProvider time)
{
    /// <summary>Places an order for the account (the order date defaults to now).</summary>
    public async Task<(WholesaleOrder Order, WholesaleAccount Account)> PlaceAsync(
        string accountId, IReadOnlyList<OrderLineInput?>? lines, string? reference, DateTimeOffset? orderedAt, string actor, CancellationToken cancellationToken = default)
    {
        var wanted = WholesalePricing.CheckLines(lines);
        new Validation().MaxLength("reference", reference, 100).ThrowIfInvalid();
        var account = await store.GetAccountRowAsync(accountId, cancellationToken);

        var found = await Task.WhenAll(wanted.Select(l => products.FindAsync(l.ProductId, cancellationToken)));
        var missing = wanted.Select((l, i) => (l, i)).Where(x => found[x.i] is null).ToList();
        if (missing.Count > 0)
        {
            throw new ValidationFailedException(missing.ToDictionary(
                x => $"lines[{lines!.ToList().FindIndex(l => l!.ProductId == x.l.ProductId)}].productId", x => new[] { $"no product has the id '{x.l.ProductId}'." }));
        }
        var custom = await store.PricesForAsync(accountId, wanted.Select(w => w.ProductId).ToList(), cancellationToken);
        var discount = options.Value.DiscountFor(Enum.Parse<WholesaleTier>(account.Tier));
        var priced = wanted.Select((w, i) =>
        {
            var product = found[i]!;
            var (price, source, _) = WholesalePricing.Resolve(product.PriceCents, custom.TryGetValue(w.ProductId, out var c) ? c : null, discount);
            return new WholesaleOrderLine(product.Id, product.Name, w.Quantity, product.PriceCents, price, source);
        }).ToList();
        var subtotal = priced.Sum(l => l.ListPriceCents * l.Quantity);
        var total = priced.Sum(l => l.TotalCents);
        WholesalePricing.CheckMinimum(total, account.MinimumOrderCents);

        var now = time.GetUtcNow();
        var terms = Enum.Parse<PaymentTerms>(account.PaymentTerms);
        var at = orderedAt ?? now;
        var order = new WholesaleOrderEntity
        {
            PartitionKey = WholesaleKeys.Account(accountId),
            RowKey = WholesaleKeys.OrderRow(Ids.New(time)),
            AccountId = accountId,
            Reference = reference,
            OrderedAt = at,
            DueAt = WholesalePricing.DueAt(at, terms),
            PaymentTerms = terms.ToString(),
            Lines = JsonSerializer.Serialize(priced, CrmJson.Options),
            SubtotalCents = subtotal,
            DiscountCents = subtotal - total,
            TotalCents = total,
            PaymentStatus = WholesalePricing.StatusOf(total, 0).ToString(),
            CreatedAt = now,
            CreatedBy = actor,
        };
        order.OrderId = order.RowKey[WholesaleKeys.OrderPrefix.Length..];

        var after = await OptimisticRetry.RunAsync(async attempt =>
        {
            var row = attempt == 1 ? account : await store.GetAccountRowAsync(accountId, cancellationToken);
            var open = row.ReadOpenOrders();
            if (total > 0)
            {
                open[order.OrderId] = order.DueAt;
            }
            row.WriteOpenOrders(open, row.OpenBalanceCents + total);
            row.UpdatedAt = now;
            return await store.AddOrderAsync(row, order, cancellationToken);
        }, cancellationToken: cancellationToken);
        return ((await store.FindOrderRowAsync(accountId, order.OrderId, cancellationToken))!.ToRecord(), after);
    }

    public async Task<WholesaleOrder> GetAsync(string accountId, string orderId, CancellationToken cancellationToken = default) =>
        (await store.FindOrderRowAsync(accountId, orderId, cancellationToken))?.ToRecord() ?? throw new NotFoundException("Wholesale order", orderId);

    /// <summary>Records a payment (at most the order's balance); the order's status and the account's balance follow.</summary>
    public async Task<(WholesaleOrder Before, WholesaleOrder After, WholesalePayment Payment)> PayAsync(
        string accountId, string orderId, decimal? amount, DateTimeOffset? paidAt, string? method, string? reference, string actor, CancellationToken cancellationToken = default)
    {
        var check = new Validation().MaxLength("method", method, 50).MaxLength("reference", reference, 100);
        if (amount is null)
        {
            check.Add("amount", "is required.");
        }
        var cents = amount is { } a ? WholesalePricing.Cents(check, "amount", a) : 0;
        check.ThrowIfInvalid();
        await store.GetAccountRowAsync(accountId, cancellationToken);
        var before = await GetAsync(accountId, orderId, cancellationToken);
        var now = time.GetUtcNow();
        var paymentId = Ids.New(time);

        await OptimisticRetry.RunAsync(async _ =>
        {
            var account = await store.GetAccountRowAsync(accountId, cancellationToken);
            var order = (await store.FindOrderRowAsync(accountId, orderId, cancellationToken))!;
            WholesalePricing.CheckPayment(cents, order.TotalCents - order.PaidCents);
            order.PaidCents += cents;
            order.PaymentStatus = WholesalePricing.StatusOf(order.TotalCents, order.PaidCents).ToString();
            var open = account.ReadOpenOrders();
            if (order.PaidCents >= order.TotalCents)
            {
                open.Remove(orderId);
            }
            account.WriteOpenOrders(open, account.OpenBalanceCents - cents);
            account.UpdatedAt = now;
            await store.AddPaymentAsync(account, order, new WholesalePaymentEntity
            {
                PartitionKey = WholesaleKeys.Account(accountId), RowKey = WholesaleKeys.PaymentRow(paymentId), PaymentId = paymentId, OrderId = orderId,
                AmountCents = cents, PaidAt = paidAt ?? now, Method = method, Reference = reference, RecordedBy = actor,
            }, cancellationToken);
        }, cancellationToken: cancellationToken);
        var payments = await store.PaymentsAsync(accountId, orderId, cancellationToken);
        return (before, await GetAsync(accountId, orderId, cancellationToken), payments.First(p => p.Id == paymentId));
    }
}
