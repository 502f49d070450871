using System.Net;
using System.Text.Json.Nodes;
using MiniExcelLibs;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Analytics;

[Collection(AzuriteCollection.Name)]
public sealed class ExportsTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task CustomersToCsv_ChosenFields_FormulasNeutralised_DownloadLinkWorks()
    {
        await using var app = fixture.NewApp();
        var admin = app.Admin();
        await (await admin.PostJsonAsync("/api/customers", Customer("c-1", "=HYPERLINK(\"http://evil.example\")", "Plain"))).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/customers", Customer("c-2", "Rosa", "@Vega"))).AssertJsonAsync(HttpStatusCode.Created);

        var job = await StartAndWaitAsync(admin, new { kind = "customers", format = "csv", fields = new[] { "id", "firstName", "lastName", "orderCount" } });
        using var http = new HttpClient();
        var csv = await http.GetStringAsync(job["downloadUrl"]!.GetValue<string>());

        Assert.Equal(2, job["rows"]!.GetValue<long>());
        var lines = csv.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("id,firstName,lastName,orderCount", lines[0]);
        Assert.Contains(lines, l => l.StartsWith("c-1,\"'=HYPERLINK(", StringComparison.Ordinal));
        Assert.Contains("c-2,Rosa,'@Vega,0", lines);
        var history = await (await admin.GetAsync("/api/exports")).AssertJsonAsync();
        Assert.Equal(job["id"]!.GetValue<string>(), history["items"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task OrdersToXlsxAndJson_HoldTheOrders()
    {
        await using var app = fixture.NewApp();
        var admin = app.Admin();
        await (await admin.PostJsonAsync("/api/customers", Customer("c-9"))).AssertJsonAsync(HttpStatusCode.Created);
        for (var i = 0; i < 3; i++)
        {
            await (await admin.PostJsonAsync("/api/orders", Order($"o-{i}", "c-9", DateTimeOffset.UtcNow.AddDays(-i - 1), 10m + i, number: $"50{i}"))).AssertJsonAsync();
        }

        var xlsx = await StartAndWaitAsync(admin, new { kind = "orders", format = "xlsx" });
        var json = await StartAndWaitAsync(admin, new { kind = "orders", format = "json", fields = new[] { "id", "total" } });
        using var http = new HttpClient();
        var sheet = (await http.GetByteArrayAsync(xlsx["downloadUrl"]!.GetValue<string>()));
        var rows = MiniExcel.Query(new MemoryStream(sheet), useHeaderRow: true).Cast<IDictionary<string, object>>().ToList();
        var items = JsonNode.Parse(await http.GetStringAsync(json["downloadUrl"]!.GetValue<string>()))!.AsArray();

        Assert.Equal(3, rows.Count);
        Assert.Equal(["o-0", "o-1", "o-2"], rows.Select(r => r["id"].ToString()).Order());
        Assert.Equal(3, items.Count);
        Assert.Equal(33m, items.Sum(i => i!["total"]!.GetValue<decimal>()));
        Assert.Equal(["id", "total"], items[0]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task BadRequest_NamesTheFields()
    {
        var response = await fixture.App.Admin().PostJsonAsync("/api/exports", new { kind = "customers", fields = new[] { "password" } });

        var errors = (await response.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("format"));
        Assert.Contains("password", errors["fields"]![0]!.GetValue<string>());
    }

    private static async Task<JsonNode> StartAndWaitAsync(HttpClient admin, object request)
    {
        var started = await (await admin.PostJsonAsync("/api/exports", request)).AssertJsonAsync(HttpStatusCode.Accepted);
        var id = started["id"]!.GetValue<string>();
        JsonNode? job = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            job = await (await admin.GetAsync($"/api/exports/{id}")).AssertJsonAsync();
            Assert.NotEqual("failed", job["state"]!.GetValue<string>());
            return job["state"]!.GetValue<string>() == "succeeded";
        }, "export finished");
        return job!;
    }
}
