using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using MiniExcelLibs;
using PecosCrm.Core.Segments;
using PecosCrm.Core.Storage;
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

    [Fact]
    public async Task SegmentToCsv_ExactlyTheMembersInIdOrder_FormulasNeutralised_NamedAfterSegment()
    {
        var app = fixture.App;
        var admin = app.Admin();
        var prefix = NewId("seg");
        await (await admin.PostJsonAsync("/api/customers", Customer($"{prefix}-b", "+Rosa", "-Dee"))).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/customers", Customer($"{prefix}-a", "=1+2", "@Vega"))).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync("/api/customers", Customer($"{prefix}-c", "Not", "Member"))).AssertJsonAsync(HttpStatusCode.Created);
        var segmentId = await WriteSegmentAsync(app, "Rodeo Fans — Büyük!", $"{prefix}-b", $"{prefix}-gone", $"{prefix}-a");

        var job = await StartAndWaitAsync(admin, new { kind = "segment", segmentId, format = "csv" });
        using var http = new HttpClient();
        var url = new Uri(job["downloadUrl"]!.GetValue<string>());
        var csv = await http.GetStringAsync(url);

        var lines = csv.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal(3, lines.Count);
        Assert.Equal(string.Join(',', PecosCrm.Core.Exports.ExportFields.Customers), lines[0]);
        Assert.StartsWith($"{prefix}-a,'=1+2,'@Vega,{prefix}-a@riders.example,,bronze,", lines[1], StringComparison.Ordinal);
        Assert.StartsWith($"{prefix}-b,'+Rosa,'-Dee,{prefix}-b@riders.example,,bronze,", lines[2], StringComparison.Ordinal);
        Assert.Equal(2, job["rows"]!.GetValue<long>());
        Assert.Equal("segment", job["kind"]!.GetValue<string>());
        Assert.Equal(segmentId, job["segmentId"]!.GetValue<string>());
        Assert.Equal("Rodeo Fans — Büyük!", job["segmentName"]!.GetValue<string>());
        Assert.Contains("/segment-rodeo-fans-buyuk-", url.AbsolutePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SegmentId_MissingForSegment_UnknownOrGivenForAnotherKind_NamesSegmentId_StartsNothing()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var other = await WriteSegmentAsync(app, "Boot Lovers");

        var missing = await admin.PostJsonAsync("/api/exports", new { kind = "segment", format = "csv" });
        var unknown = await admin.PostJsonAsync("/api/exports", new { kind = "segment", format = "csv", segmentId = "no-such-segment" });
        var wrongKind = await admin.PostJsonAsync("/api/exports", new { kind = "customers", format = "csv", segmentId = other });

        Assert.Contains("required", (await missing.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["segmentId"]![0]!.GetValue<string>());
        Assert.Contains("no such segment", (await unknown.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["segmentId"]![0]!.GetValue<string>());
        Assert.Contains("only for a segment", (await wrongKind.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!["segmentId"]![0]!.GetValue<string>());
        var history = await (await admin.GetAsync("/api/exports")).AssertJsonAsync();
        Assert.Empty(history["items"]!.AsArray());
    }

    /// <summary>Writes a segment as the segments feature lays it out: a definition row and one row per member.</summary>
    internal static async Task<string> WriteSegmentAsync(CrmApp app, string name, params string[] memberIds)
    {
        var id = NewId("segment");
        await app.Storage.Table(StorageNames.Tables.Segments).AddEntityAsync(new TableEntity(SegmentKeys.SegmentPartition, id) { ["Name"] = name });
        var members = app.Storage.Table(StorageNames.Tables.SegmentMembers);
        foreach (var member in memberIds)
        {
            await members.AddEntityAsync(new TableEntity(id, SegmentKeys.Member(id, member)));
        }
        return id;
    }

    internal static async Task<JsonNode> WaitForExportAsync(HttpClient admin, string id)
    {
        JsonNode? job = null;
        await HttpAssertions.EventuallyAsync(async () =>
        {
            job = await (await admin.GetAsync($"/api/exports/{id}")).AssertJsonAsync();
            Assert.NotEqual("failed", job["state"]!.GetValue<string>());
            return job["state"]!.GetValue<string>() == "succeeded";
        }, "export finished");
        return job!;
    }

    private static async Task<JsonNode> StartAndWaitAsync(HttpClient admin, object request)
    {
        var started = await (await admin.PostJsonAsync("/api/exports", request)).AssertJsonAsync(HttpStatusCode.Accepted);
        return await WaitForExportAsync(admin, started["id"]!.GetValue<string>());
    }
}
