using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Products;
using PecosCrm.Core.Shared;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;
using PecosCrm.Core.Wholesale;

namespace PecosCrm.Functions.Api;

/// <summary>
/// Wholesale accounts: opening one for a customer (once per customer), tier, terms, minimum order and
/// manager, the tax-exemption certificate (upload and a short-lived link), custom prices and what the
/// account pays, orders and their payments. Reads need <c>pipeline:read</c>, changes <c>pipeline:write</c>.
/// </summary>
public static class WholesaleEndpoints
{
    private const string FileField = "file";
    private const string ExpiresOnField = "expiresOn";
    private static readonly string[] UnknownField = ["is not a known field"];

    public static IEndpointRouteBuilder MapWholesaleEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/wholesale").WithTags("Wholesale").RequireAuthorization(Permissions.PipelineRead);
        var write = app.MapGroup("/api/wholesale").WithTags("Wholesale").RequireAuthorization(Permissions.PipelineWrite);

        write.MapPost("/", OpenAsync).WithName("OpenWholesaleAccount")
            .WithSummary("Open the customer's wholesale account (Bronze, net_30, no minimum): 201, or 200 with the account the customer has already.")
            .ProducesValidationProblem();
        read.MapGet("/", ListAsync).WithName("ListWholesaleAccounts")
            .WithSummary("Accounts, filtered by tier, accountManagerId, overdue=true (an order unpaid past its due date) or certificateExpired=true.")
            .ProducesValidationProblem();
        read.MapGet("/tiers", Tiers).WithName("ListWholesaleTiers").WithSummary("Each tier's discount off list price (settings Wholesale__TierDiscounts__*).");
        read.MapGet("/{id}", GetAsync).WithName("GetWholesaleAccount").ProducesProblem(StatusCodes.Status404NotFound);
        write.MapPatch("/{id}", UpdateAsync).WithName("UpdateWholesaleAccount")
            .WithSummary("Change companyName, tier, paymentTerms, minimumOrderValue or accountManagerId (empty removes). If-Match honoured.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        write.MapPut("/{id}/certificate", UploadCertificateAsync).WithName("UploadTaxCertificate").Accepts<CertificateUploadForm>("multipart/form-data")
            .WithSummary("Upload the tax-exemption certificate (multipart: file, expiresOn as yyyy-MM-dd). PDF, JPEG or PNG judged by content. Replaces the one before.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType);
        read.MapGet("/{id}/certificate", CertificateAsync).WithName("GetTaxCertificate")
            .WithSummary("The certificate's details and a read link that works for a few minutes.").ProducesProblem(StatusCodes.Status404NotFound);
        read.MapGet("/{id}/prices", PricesAsync).WithName("ListWholesalePrices").WithSummary("The account's custom prices, with product names.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        read.MapGet("/{id}/prices/{productId}", QuoteAsync).WithName("GetWholesalePrice")
            .WithSummary("What the account pays for a product: its custom price, else list price less the tier discount.").ProducesProblem(StatusCodes.Status404NotFound);
        write.MapPut("/{id}/prices/{productId}", SetPriceAsync).WithName("SetWholesalePrice")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        write.MapDelete("/{id}/prices/{productId}", RemovePriceAsync).WithName("RemoveWholesalePrice").ProducesProblem(StatusCodes.Status404NotFound);
        write.MapPost("/{id}/orders", PlaceOrderAsync).WithName("PlaceWholesaleOrder")
            .WithSummary("Place an order at the account's prices; refused (400 naming lines) below the account's minimum order value.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        read.MapGet("/{id}/orders", OrdersAsync).WithName("ListWholesaleOrders")
            .WithSummary("The account's orders, filtered by paymentStatus or overdue=true.").ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        read.MapGet("/{id}/orders/{orderId}", OrderAsync).WithName("GetWholesaleOrder").ProducesProblem(StatusCodes.Status404NotFound);
        write.MapPost("/{id}/orders/{orderId}/payments", PayAsync).WithName("RecordWholesalePayment")
            .WithSummary("Record a payment of at most the order's balance; the order's paymentStatus and the account's balance follow.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    public static async Task<Results<Created<WholesaleAccountResponse>, Ok<WholesaleAccountResponse>>> OpenAsync(
        OpenWholesaleAccountRequest request, WholesaleAccountService accounts, StaffStore staff, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (account, created) = await accounts.OpenAsync(request.CustomerId, request.CompanyName, request.AccountManagerId, request.DealId, http.Actor().Id, cancellationToken);
        var response = await WholesaleAccountResponse.FromAsync(account, accounts, staff, cancellationToken);
        http.SetETag(account.ETag);
        if (!created)
        {
            return TypedResults.Ok(response);
        }
        await audit.RecordAsync(http, "wholesale.opened", "wholesale_account", account.Id, null, response);
        return TypedResults.Created($"/api/wholesale/{account.Id}", response);
    }

    public static async Task<Ok<ListResponse<WholesaleAccountResponse>>> ListAsync(
        WholesaleStore store, WholesaleAccountService accounts, StaffStore staff, string? tier, string? accountManagerId, bool? overdue, bool? certificateExpired,
        int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var size = Page<WholesaleAccount>.CheckLimit(limit);
        if (overdue == false || certificateExpired == false)
        {
            throw new ValidationFailedException(overdue == false ? "overdue" : "certificateExpired", "filters only for true; leave it out for every account.");
        }
        var page = await store.ListAsync(QueryEnum.Parse<WholesaleTier>(tier, "tier"), accountManagerId, overdue == true ? accounts.Now : null,
            certificateExpired == true ? accounts.Today : null, size, cursor, cancellationToken);
        var names = await WholesaleAccountResponse.ManagerNamesAsync(page.Items.Select(a => a.AccountManagerId), staff, cancellationToken);
        return TypedResults.Ok(ListResponse<WholesaleAccountResponse>.From(page, a => WholesaleAccountResponse.From(a, accounts, names)));
    }

    public static Ok<ListResponse<WholesaleTierResponse>> Tiers(WholesaleAccountService accounts, int? limit, string? cursor) =>
        TypedResults.Ok(ListResponse<WholesaleTierResponse>.Slice(
            Enum.GetValues<WholesaleTier>().Select(t => new WholesaleTierResponse(t, accounts.Options.DiscountFor(t))).ToList(), limit, cursor));

    public static async Task<Ok<WholesaleAccountResponse>> GetAsync(
        string id, WholesaleAccountService accounts, StaffStore staff, HttpContext http, CancellationToken cancellationToken)
    {
        var account = await accounts.GetAsync(id, cancellationToken);
        http.SetETag(account.ETag);
        return TypedResults.Ok(await WholesaleAccountResponse.FromAsync(account, accounts, staff, cancellationToken));
    }

    public static async Task<Ok<WholesaleAccountResponse>> UpdateAsync(
        string id, UpdateWholesaleAccountRequest request, WholesaleAccountService accounts, StaffStore staff, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await accounts.UpdateAsync(id,
            new WholesaleAccountPatch(request.CompanyName, request.Tier, request.PaymentTerms, request.MinimumOrderValue, request.AccountManagerId), http.IfMatch(), cancellationToken);
        var response = await WholesaleAccountResponse.FromAsync(after, accounts, staff, cancellationToken);
        await audit.RecordAsync(http, "wholesale.updated", "wholesale_account", id, await WholesaleAccountResponse.FromAsync(before, accounts, staff, cancellationToken), response);
        http.SetETag(after.ETag);
        return TypedResults.Ok(response);
    }

    public static async Task<Results<Ok<WholesaleAccountResponse>, ProblemHttpResult>> UploadCertificateAsync(
        string id, HttpRequest request, TaxCertificates certificates, WholesaleAccountService accounts, StaffStore staff, AuditLog audit, HttpContext http,
        CancellationToken cancellationToken)
    {
        if (!request.HasFormContentType || !request.ContentType!.StartsWith("multipart/form-data", StringComparison.OrdinalIgnoreCase))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type.",
                detail: "Send the certificate as multipart/form-data with a 'file' part and an 'expiresOn' field (yyyy-MM-dd).");
        }
        var form = await request.ReadFormAsync(cancellationToken);
        var unknown = form.Keys.Where(k => k != ExpiresOnField).Concat(form.Files.Select(f => f.Name).Where(n => n != FileField)).Distinct().ToList();
        if (unknown.Count > 0)
        {
            throw new ValidationFailedException(unknown.ToDictionary(u => u, _ => UnknownField));
        }
        var files = form.Files.GetFiles(FileField);
        if (files.Count != 1)
        {
            throw new ValidationFailedException(FileField, files.Count == 0 ? "is required: the certificate as a PDF, JPEG or PNG." : "one file per request.");
        }
        var max = accounts.Options.CertificateMaxBytes;
        if (files[0].Length > max)
        {
            throw new ValidationFailedException(FileField, $"is {files[0].Length:N0} bytes; a certificate may be at most {max:N0} bytes.");
        }
        DateOnly? expiresOn = null;
        if (form.TryGetValue(ExpiresOnField, out var text))
        {
            expiresOn = DateOnly.TryParseExact(text.ToString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                ? day : throw new ValidationFailedException(ExpiresOnField, "must be a date as yyyy-MM-dd.");
        }
        var content = new byte[files[0].Length];
        await using (var stream = files[0].OpenReadStream())
        {
            await stream.ReadExactlyAsync(content, cancellationToken);
        }
        var (before, after) = await certificates.UploadAsync(id, content, files[0].FileName, expiresOn, http.IfMatch(), cancellationToken);
        var response = await WholesaleAccountResponse.FromAsync(after, accounts, staff, cancellationToken);
        await audit.RecordAsync(http, "wholesale.certificate_uploaded", "wholesale_account", id,
            before.Certificate is null ? null : CertificateResponse.From(before.Certificate, accounts.Today), response.Certificate);
        http.SetETag(after.ETag);
        return TypedResults.Ok(response);
    }

    public static async Task<Ok<CertificateLinkResponse>> CertificateAsync(
        string id, TaxCertificates certificates, WholesaleAccountService accounts, CancellationToken cancellationToken)
    {
        var (link, expiresAt, certificate) = await certificates.LinkAsync(id, cancellationToken);
        return TypedResults.Ok(new CertificateLinkResponse(CertificateResponse.From(certificate, accounts.Today), link.ToString(), expiresAt));
    }

    public static async Task<Ok<ListResponse<CustomPriceResponse>>> PricesAsync(
        string id, WholesaleAccountService accounts, WholesaleStore store, ProductStore products, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        await accounts.GetAsync(id, cancellationToken);
        var page = await store.ListPricesAsync(id, Page<CustomPrice>.CheckLimit(limit), cursor, cancellationToken);
        var found = await Task.WhenAll(page.Items.Select(p => products.FindAsync(p.ProductId, cancellationToken)));
        var names = found.Where(p => p is not null).ToDictionary(p => p!.Id, p => p!);
        return TypedResults.Ok(ListResponse<CustomPriceResponse>.From(page, p => new CustomPriceResponse(
            p.ProductId, names.GetValueOrDefault(p.ProductId)?.Name, Money.ToDecimal(p.PriceCents),
            names.GetValueOrDefault(p.ProductId) is { } product ? Money.ToDecimal(product.PriceCents) : null, Money.DefaultCurrency, p.UpdatedAt)));
    }

    public static async Task<Ok<PriceQuoteResponse>> QuoteAsync(string id, string productId, WholesaleAccountService accounts, CancellationToken cancellationToken) =>
        TypedResults.Ok(PriceQuoteResponse.From(await accounts.QuoteAsync(id, productId, cancellationToken)));

    public static async Task<Ok<PriceQuoteResponse>> SetPriceAsync(
        string id, string productId, SetPriceRequest request, WholesaleAccountService accounts, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await accounts.SetPriceAsync(id, productId, request.Price, cancellationToken);
        await audit.RecordAsync(http, "wholesale.price_set", "wholesale_account", id,
            before is null ? null : new { productId, price = Money.ToDecimal(before.PriceCents) }, new { productId, price = Money.ToDecimal(after.PriceCents) });
        return TypedResults.Ok(PriceQuoteResponse.From(await accounts.QuoteAsync(id, productId, cancellationToken)));
    }

    public static async Task<Ok<PriceQuoteResponse>> RemovePriceAsync(
        string id, string productId, WholesaleAccountService accounts, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var before = await accounts.RemovePriceAsync(id, productId, cancellationToken);
        await audit.RecordAsync(http, "wholesale.price_removed", "wholesale_account", id, new { productId, price = Money.ToDecimal(before.PriceCents) }, null);
        return TypedResults.Ok(PriceQuoteResponse.From(await accounts.QuoteAsync(id, productId, cancellationToken)));
    }

    public static async Task<Created<WholesaleOrderResponse>> PlaceOrderAsync(
        string id, PlaceWholesaleOrderRequest request, WholesaleOrders orders, WholesaleAccountService accounts, AuditLog audit, HttpContext http,
        CancellationToken cancellationToken)
    {
        var (order, _) = await orders.PlaceAsync(id, request.Lines, request.Reference, request.OrderedAt, http.Actor().Id, cancellationToken);
        var response = WholesaleOrderResponse.From(order, accounts.Now, []);
        await audit.RecordAsync(http, "wholesale.order_placed", "wholesale_account", id, null, response);
        return TypedResults.Created($"/api/wholesale/{id}/orders/{order.Id}", response);
    }

    public static async Task<Ok<ListResponse<WholesaleOrderResponse>>> OrdersAsync(
        string id, WholesaleAccountService accounts, WholesaleStore store, string? paymentStatus, bool? overdue, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var size = Page<WholesaleOrder>.CheckLimit(limit);
        var status = QueryEnum.Parse<PaymentStatus>(paymentStatus, "paymentStatus");
        await accounts.GetAsync(id, cancellationToken);
        var now = accounts.Now;
        var page = await store.ListOrdersAsync(id, status, overdue == true ? now : null, size, cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<WholesaleOrderResponse>.From(page, o => WholesaleOrderResponse.From(o, now, null)));
    }

    public static async Task<Ok<WholesaleOrderResponse>> OrderAsync(
        string id, string orderId, WholesaleOrders orders, WholesaleStore store, WholesaleAccountService accounts, CancellationToken cancellationToken)
    {
        var order = await orders.GetAsync(id, orderId, cancellationToken);
        return TypedResults.Ok(WholesaleOrderResponse.From(order, accounts.Now, await store.PaymentsAsync(id, orderId, cancellationToken)));
    }

    public static async Task<Created<WholesaleOrderResponse>> PayAsync(
        string id, string orderId, RecordPaymentRequest request, WholesaleOrders orders, WholesaleStore store, WholesaleAccountService accounts, AuditLog audit,
        HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after, payment) = await orders.PayAsync(id, orderId, request.Amount, request.PaidAt, request.Method, request.Reference, http.Actor().Id, cancellationToken);
        var response = WholesaleOrderResponse.From(after, accounts.Now, await store.PaymentsAsync(id, orderId, cancellationToken));
        await audit.RecordAsync(http, "wholesale.payment_recorded", "wholesale_order", orderId,
            new { paid = Money.ToDecimal(before.PaidCents), paymentStatus = before.PaymentStatus },
            new { paymentId = payment.Id, amount = Money.ToDecimal(payment.AmountCents), paid = Money.ToDecimal(after.PaidCents), paymentStatus = after.PaymentStatus });
        return TypedResults.Created($"/api/wholesale/{id}/orders/{orderId}", response);
    }
}

public sealed record OpenWholesaleAccountRequest(string? CustomerId, string? CompanyName, string? AccountManagerId, string? DealId);

public sealed record UpdateWholesaleAccountRequest(string? CompanyName, WholesaleTier? Tier, PaymentTerms? PaymentTerms, decimal? MinimumOrderValue, string? AccountManagerId);

public sealed record SetPriceRequest(decimal? Price);

public sealed record PlaceWholesaleOrderRequest(IReadOnlyList<OrderLineInput?>? Lines, string? Reference, DateTimeOffset? OrderedAt);

public sealed record RecordPaymentRequest(decimal? Amount, DateTimeOffset? PaidAt, string? Method, string? Reference);

/// <summary>The multipart form of a certificate upload, for the API document.</summary>
public sealed record CertificateUploadForm(IFormFile File, string ExpiresOn);

public sealed record WholesaleTierResponse(WholesaleTier Tier, decimal DiscountPercent);

public sealed record CertificateResponse(string Id, string FileName, string ContentType, long Bytes, DateOnly ExpiresOn, bool Expired, DateTimeOffset UploadedAt, DateTimeOffset? ReminderSentAt)
{
    public static CertificateResponse From(TaxCertificate c, DateOnly today) =>
        new(c.Id, c.FileName, c.ContentType, c.Bytes, c.ExpiresOn, c.IsExpired(today), c.UploadedAt, c.ReminderSentAt);
}

public sealed record CertificateLinkResponse(CertificateResponse Certificate, string Url, DateTimeOffset UrlExpiresAt);

public sealed record WholesaleAccountResponse(
    string Id, string CustomerId, string CompanyName, WholesaleTier Tier, decimal DiscountPercent, PaymentTerms PaymentTerms,
    decimal MinimumOrderValue, string? AccountManagerId, string? AccountManagerName, string? DealId,
    CertificateResponse? Certificate, bool CertificateExpired, decimal OpenBalance, bool Overdue, DateTimeOffset? EarliestOpenDueAt, string Currency,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WholesaleAccountResponse From(WholesaleAccount a, WholesaleAccountService accounts, IReadOnlyDictionary<string, string> managerNames)
    {
        var today = accounts.Today;
        return new(a.Id, a.CustomerId, a.CompanyName, a.Tier, accounts.Options.DiscountFor(a.Tier), a.PaymentTerms, Money.ToDecimal(a.MinimumOrderCents),
            a.AccountManagerId, a.AccountManagerId is null ? null : managerNames.GetValueOrDefault(a.AccountManagerId), a.DealId,
            a.Certificate is null ? null : CertificateResponse.From(a.Certificate, today), a.Certificate?.IsExpired(today) ?? false,
            Money.ToDecimal(a.OpenBalanceCents), a.IsOverdue(accounts.Now), a.EarliestOpenDueAt, Money.DefaultCurrency, a.CreatedAt, a.UpdatedAt);
    }

    public static async Task<WholesaleAccountResponse> FromAsync(WholesaleAccount a, WholesaleAccountService accounts, StaffStore staff, CancellationToken cancellationToken) =>
        From(a, accounts, await ManagerNamesAsync([a.AccountManagerId], staff, cancellationToken));

    public static async Task<IReadOnlyDictionary<string, string>> ManagerNamesAsync(IEnumerable<string?> ids, StaffStore staff, CancellationToken cancellationToken)
    {
        var found = await Task.WhenAll(ids.OfType<string>().Distinct().Select(id => staff.FindAsync(id, cancellationToken)));
        return found.OfType<StaffMember>().ToDictionary(m => m.Id, m => m.Name);
    }
}

public sealed record CustomPriceResponse(string ProductId, string? ProductName, decimal Price, decimal? ListPrice, string Currency, DateTimeOffset UpdatedAt);

public sealed record PriceQuoteResponse(string ProductId, string ProductName, decimal ListPrice, decimal Price, string Source, decimal? DiscountPercent, string Currency)
{
    public static PriceQuoteResponse From(PriceQuote q) =>
        new(q.ProductId, q.ProductName, Money.ToDecimal(q.ListPriceCents), Money.ToDecimal(q.PriceCents), q.Source, q.DiscountPercent, Money.DefaultCurrency);
}

public sealed record WholesaleOrderLineResponse(string ProductId, string ProductName, int Quantity, decimal ListPrice, decimal UnitPrice, string PriceSource, decimal LineTotal);

public sealed record WholesalePaymentResponse(string Id, decimal Amount, DateTimeOffset PaidAt, string? Method, string? Reference, string RecordedBy);

public sealed record WholesaleOrderResponse(
    string Id, string AccountId, string? Reference, DateTimeOffset OrderedAt, PaymentTerms PaymentTerms, DateTimeOffset DueAt,
    IReadOnlyList<WholesaleOrderLineResponse> Lines, decimal Subtotal, decimal Discount, decimal Total, decimal Paid, decimal Balance,
    PaymentStatus PaymentStatus, bool Overdue, string Currency, IReadOnlyList<WholesalePaymentResponse>? Payments, DateTimeOffset CreatedAt)
{
    public static WholesaleOrderResponse From(WholesaleOrder o, DateTimeOffset now, IReadOnlyList<WholesalePayment>? payments) => new(
        o.Id, o.AccountId, o.Reference, o.OrderedAt, o.PaymentTerms, o.DueAt,
        o.Lines.Select(l => new WholesaleOrderLineResponse(l.ProductId, l.ProductName, l.Quantity, Money.ToDecimal(l.ListPriceCents), Money.ToDecimal(l.UnitPriceCents), l.PriceSource, Money.ToDecimal(l.TotalCents))).ToList(),
        Money.ToDecimal(o.SubtotalCents), Money.ToDecimal(o.DiscountCents), Money.ToDecimal(o.TotalCents), Money.ToDecimal(o.PaidCents), Money.ToDecimal(o.BalanceCents),
        o.PaymentStatus, o.IsOverdue(now), Money.DefaultCurrency,
        payments?.Select(p => new WholesalePaymentResponse(p.Id, Money.ToDecimal(p.AmountCents), p.PaidAt, p.Method, p.Reference, p.RecordedBy)).ToList(), o.CreatedAt);
}
