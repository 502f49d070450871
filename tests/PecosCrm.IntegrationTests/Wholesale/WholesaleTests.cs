using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Wholesale;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Wholesale;

/// <summary>
/// Wholesale accounts through the API and the service the deal conversion calls, on one app whose
/// email goes to a local endpoint standing in for SendGrid.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class WholesaleTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private RecordingEndpoint _sendGrid = null!;
    private CrmApp _app = null!;
    private HttpClient _admin = null!;

    public async Task InitializeAsync()
    {
        _sendGrid = await RecordingEndpoint.StartAsync();
        _app = fixture.NewApp(new Dictionary<string, string?>
        {
            ["Hosting:RunTimers"] = "false",
            ["Messaging:SendGridApiKey"] = "SG.test-key",
            ["Messaging:SendGridApiHost"] = _sendGrid.Url,
            ["Wholesale:TierDiscounts:Gold"] = "12.5",
            ["Wholesale:CertificateReminderDays"] = "21",
        });
        _admin = _app.Admin();
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _sendGrid.DisposeAsync();
    }

    [Fact]
    public async Task OpenForCustomer_RetriedAndSecondWonDeal_ReturnsTheOneAccountUnchanged()
    {
        var customer = await CustomerAsync();
        var service = _app.Services.GetRequiredService<WholesaleAccountService>();

        var first = await service.OpenForCustomerAsync(customer, "Rodeo Supply Co", null, "deal-1", "system", CancellationToken.None);
        var retried = await service.OpenForCustomerAsync(customer, "Rodeo Supply Co", null, "deal-1", "system", CancellationToken.None);
        var secondDeal = await service.OpenForCustomerAsync(customer, "Rodeo Supply Company", null, "deal-2", "system", CancellationToken.None);
        var byHand = await _admin.PostJsonAsync("/api/wholesale", new { customerId = customer, companyName = "Another name" });
        var account = await (await _admin.GetAsync($"/api/wholesale/{first}")).AssertJsonAsync();
        var audit = await (await _admin.GetAsync($"/api/audit?entityType=wholesale_account&entityId={first}")).AssertJsonAsync();

        Assert.Equal(first, retried);
        Assert.Equal(first, secondDeal);
        Assert.Equal(first, (await byHand.AssertJsonAsync(HttpStatusCode.OK))["id"]!.GetValue<string>());
        Assert.Equal("Rodeo Supply Co", account["companyName"]!.GetValue<string>());
        Assert.Equal("deal-1", account["dealId"]!.GetValue<string>());
        Assert.Equal(["bronze", "net_30"], new[] { account["tier"]!.GetValue<string>(), account["paymentTerms"]!.GetValue<string>() });
        Assert.Single(audit["items"]!.AsArray(), e => e!["action"]!.GetValue<string>() == "wholesale.opened");
    }

    [Fact]
    public async Task Open_BadInput_NamesTheFieldAndWritesNothing()
    {
        var unknownCustomer = await _admin.PostJsonAsync("/api/wholesale", new { customerId = NewId("nobody"), companyName = "Ghost Ranch" });
        var unknownField = await _admin.PostJsonAsync("/api/wholesale", new { customerId = await CustomerAsync(), companyName = "X", discount = 50 });
        var noName = await _admin.PostJsonAsync("/api/wholesale", new { customerId = await CustomerAsync() });

        Assert.Contains("customerId", (await unknownCustomer.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("discount", (await unknownField.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("companyName", (await noName.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
    }

    [Fact]
    public async Task Price_CustomPriceWins_ElseListPriceLessTheTierDiscount()
    {
        var (account, etag) = await AccountAsync();
        var product = await ProductAsync(100.00m);
        await PatchAsync(account, etag, new { tier = "gold" });

        var tier = await (await _admin.GetAsync($"/api/wholesale/{account}/prices/{product}")).AssertJsonAsync();
        var custom = await (await _admin.PutAsync($"/api/wholesale/{account}/prices/{product}", Json(new { price = 79.99m }))).AssertJsonAsync();
        var prices = await (await _admin.GetAsync($"/api/wholesale/{account}/prices")).AssertJsonAsync();
        var removed = await (await _admin.DeleteAsync($"/api/wholesale/{account}/prices/{product}")).AssertJsonAsync();

        Assert.Equal((87.50m, "tier", 12.5m), (tier["price"]!.GetValue<decimal>(), tier["source"]!.GetValue<string>(), tier["discountPercent"]!.GetValue<decimal>()));
        Assert.Equal((79.99m, "custom"), (custom["price"]!.GetValue<decimal>(), custom["source"]!.GetValue<string>()));
        Assert.Equal("Drover boot", prices["items"]![0]!["productName"]!.GetValue<string>());
        Assert.Equal(87.50m, removed["price"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Order_PricedWithTheAccountsPrices_PaymentsMoveItsStatus()
    {
        var (account, etag) = await AccountAsync();
        var boots = await ProductAsync(100.00m);
        var hats = await ProductAsync(40.00m);
        await PatchAsync(account, etag, new { tier = "silver" });
        await _admin.PutAsync($"/api/wholesale/{account}/prices/{hats}", Json(new { price = 30.00m }));

        var order = await (await _admin.PostJsonAsync($"/api/wholesale/{account}/orders", new
        {
            reference = "PO-7", lines = new[] { new { productId = boots, quantity = 3 }, new { productId = hats, quantity = 2 } },
        })).AssertJsonAsync(HttpStatusCode.Created);
        var url = $"/api/wholesale/{account}/orders/{order["id"]}";
        var part = await (await _admin.PostJsonAsync(url + "/payments", new { amount = 100.00m, method = "ach" })).AssertJsonAsync(HttpStatusCode.Created);
        var tooMuch = await _admin.PostJsonAsync(url + "/payments", new { amount = 500.00m });
        var rest = await (await _admin.PostJsonAsync(url + "/payments", new { amount = 230.00m })).AssertJsonAsync(HttpStatusCode.Created);
        var after = await (await _admin.GetAsync($"/api/wholesale/{account}")).AssertJsonAsync();

        // Silver is 10% off: 3 × 90.00 + 2 × 30.00 (custom) = 330.00, against 380.00 at list.
        Assert.Equal((380.00m, 50.00m, 330.00m, "unpaid"), (order["subtotal"]!.GetValue<decimal>(), order["discount"]!.GetValue<decimal>(),
            order["total"]!.GetValue<decimal>(), order["paymentStatus"]!.GetValue<string>()));
        Assert.Equal((100.00m, 230.00m, "partially_paid"), (part["paid"]!.GetValue<decimal>(), part["balance"]!.GetValue<decimal>(), part["paymentStatus"]!.GetValue<string>()));
        Assert.Contains("amount", (await tooMuch.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(("paid", 2), (rest["paymentStatus"]!.GetValue<string>(), rest["payments"]!.AsArray().Count));
        Assert.Equal(0m, after["openBalance"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Order_BelowTheMinimum_RefusedNamingLines_NothingWritten()
    {
        var (account, etag) = await AccountAsync();
        var product = await ProductAsync(25.00m);
        await PatchAsync(account, etag, new { minimumOrderValue = 250.00m });

        var small = await _admin.PostJsonAsync($"/api/wholesale/{account}/orders", new { lines = new[] { new { productId = product, quantity = 4 } } });
        var unknownProduct = await _admin.PostJsonAsync($"/api/wholesale/{account}/orders", new { lines = new[] { new { productId = "no-such-upc", quantity = 40 } } });
        var orders = await (await _admin.GetAsync($"/api/wholesale/{account}/orders")).AssertJsonAsync();

        var problem = await small.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("minimum order value of $250.00", problem["errors"]!["lines"]![0]!.GetValue<string>());
        Assert.Contains("lines[0].productId", (await unknownProduct.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Empty(orders["items"]!.AsArray());
    }

    [Fact]
    public async Task Overdue_UnpaidPastItsTerms_ShownOnOrderAccountAndFilters()
    {
        var (account, etag) = await AccountAsync();
        var (onTime, _) = await AccountAsync();
        var product = await ProductAsync(60.00m);
        await PatchAsync(account, etag, new { paymentTerms = "net_30" });
        var late = await (await _admin.PostJsonAsync($"/api/wholesale/{account}/orders", new
        {
            orderedAt = DateTimeOffset.UtcNow.AddDays(-31), lines = new[] { new { productId = product, quantity = 2 } },
        })).AssertJsonAsync(HttpStatusCode.Created);
        await (await _admin.PostJsonAsync($"/api/wholesale/{onTime}/orders", new { lines = new[] { new { productId = product, quantity = 2 } } })).AssertJsonAsync(HttpStatusCode.Created);

        var accountView = await (await _admin.GetAsync($"/api/wholesale/{account}")).AssertJsonAsync();
        var overdueAccounts = await (await _admin.GetAsync("/api/wholesale?overdue=true&limit=500")).AssertJsonAsync();
        var overdueOrders = await (await _admin.GetAsync($"/api/wholesale/{account}/orders?overdue=true")).AssertJsonAsync();
        await (await _admin.PostJsonAsync($"/api/wholesale/{account}/orders/{late["id"]}/payments", new { amount = late["total"]!.GetValue<decimal>() })).AssertJsonAsync(HttpStatusCode.Created);
        var paidUp = await (await _admin.GetAsync("/api/wholesale?overdue=true&limit=500")).AssertJsonAsync();

        Assert.True(late["overdue"]!.GetValue<bool>());
        Assert.True(accountView["overdue"]!.GetValue<bool>());
        var ids = overdueAccounts["items"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()).ToList();
        Assert.Contains(account, ids);
        Assert.DoesNotContain(onTime, ids);
        Assert.Equal(late["id"]!.GetValue<string>(), Assert.Single(overdueOrders["items"]!.AsArray())!["id"]!.GetValue<string>());
        Assert.DoesNotContain(account, paidUp["items"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Certificate_CheckedByContent_ExpiredOneFlagged_LinkServesTheFile()
    {
        var (account, _) = await AccountAsync();
        var pdf = Pdf();

        var notPdf = await UploadAsync(account, "just text, named like a PDF"u8.ToArray(), "cert.pdf", "2030-01-01");
        var noExpiry = await UploadAsync(account, pdf, "cert.pdf", null);
        var expiredDay = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(-3)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var uploaded = await (await UploadAsync(account, pdf, "resale-cert.pdf", expiredDay)).AssertJsonAsync();
        var flagged = await (await _admin.GetAsync("/api/wholesale?certificateExpired=true&limit=500")).AssertJsonAsync();
        var link = await (await _admin.GetAsync($"/api/wholesale/{account}/certificate")).AssertJsonAsync();
        using var download = new HttpClient();
        var served = await download.GetByteArrayAsync(link["url"]!.GetValue<string>());

        Assert.Contains("file", (await notPdf.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.Contains("expiresOn", (await noExpiry.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().Select(e => e.Key));
        Assert.True(uploaded["certificateExpired"]!.GetValue<bool>());
        Assert.Equal("application/pdf", uploaded["certificate"]!["contentType"]!.GetValue<string>());
        var listed = Assert.Single(flagged["items"]!.AsArray(), a => a!["id"]!.GetValue<string>() == account)!;
        Assert.True(listed["certificateExpired"]!.GetValue<bool>());
        Assert.Equal(pdf, served);
    }

    [Fact]
    public async Task CertificateReminder_EmailsTheManagerOncePerCertificate()
    {
        var manager = await (await _admin.PostJsonAsync("/api/staff", new { name = "Lupe Ortiz", email = $"lupe.{Guid.NewGuid():N}@pecos.example", role = "manager" }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var managerEmail = manager["email"]!.GetValue<string>();
        var (account, etag) = await AccountAsync();
        etag = await PatchAsync(account, etag, new { accountManagerId = manager["id"]!.GetValue<string>() });
        var lapses = DateOnly.FromDateTime(DateTime.UtcNow.AddDays(10)).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        await (await UploadAsync(account, Pdf(), "cert.pdf", lapses)).AssertJsonAsync();
        var certificates = _app.Services.GetRequiredService<TaxCertificates>();

        await certificates.SendRemindersAsync();
        await certificates.SendRemindersAsync();
        var view = await (await _admin.GetAsync($"/api/wholesale/{account}")).AssertJsonAsync();

        var reminders = _sendGrid.Requests.Where(r => r.Body.Contains(managerEmail, StringComparison.Ordinal)).ToList();
        Assert.Single(reminders);
        Assert.Contains("lapses on", reminders[0].Body);
        Assert.NotNull(view["certificate"]!["reminderSentAt"]);
    }

    private async Task<string> CustomerAsync()
    {
        var id = NewId("ws");
        await (await _admin.PostJsonAsync("/api/customers", Customer(id))).AssertJsonAsync(HttpStatusCode.Created);
        return id;
    }

    private async Task<(string Id, string ETag)> AccountAsync()
    {
        var response = await _admin.PostJsonAsync("/api/wholesale", new { customerId = await CustomerAsync(), companyName = "Western Wear " + Guid.NewGuid().ToString("N")[..6] });
        var account = await response.AssertJsonAsync(HttpStatusCode.Created);
        return (account["id"]!.GetValue<string>(), response.Headers.ETag!.ToString());
    }

    private async Task<string> PatchAsync(string account, string etag, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/wholesale/{account}") { Content = Json(body) };
        request.Headers.IfMatch.Add(EntityTagHeaderValue.Parse(etag));
        var response = await _admin.SendAsync(request);
        await response.AssertJsonAsync();
        return response.Headers.ETag!.ToString();
    }

    private async Task<string> ProductAsync(decimal price)
    {
        var id = "0" + Random.Shared.NextInt64(10_000_000_000, 99_999_999_999).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await (await _admin.PostJsonAsync("/api/products", new { id, sku = "DR-" + id[^4..], name = "Drover boot", category = "Boots", price })).AssertJsonAsync();
        return id;
    }

    private Task<HttpResponseMessage> UploadAsync(string account, byte[] content, string fileName, string? expiresOn)
    {
        var form = new MultipartFormDataContent { { new ByteArrayContent(content), "file", fileName } };
        if (expiresOn is not null)
        {
            form.Add(new StringContent(expiresOn), "expiresOn");
        }
        return _admin.PutAsync($"/api/wholesale/{account}/certificate", form);
    }

    private static StringContent Json(object body) =>
        new(System.Text.Json.JsonSerializer.Serialize(body, HttpAssertions.Json), System.Text.Encoding.UTF8, "application/json");

    /// <summary>A small but whole PDF: header, one empty page, trailer and end marker.</summary>
    public static byte[] Pdf() => System.Text.Encoding.ASCII.GetBytes(
        "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        + "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n");
}
