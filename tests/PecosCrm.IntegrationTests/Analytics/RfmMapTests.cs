using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Analytics;

[Collection(AzuriteCollection.Name)]
public sealed class RfmMapTests(AzuriteFixture fixture)
{
    private static readonly string[] DefaultNames =
        ["Champions", "Loyal", "Big Spenders", "New", "Promising", "Potential", "At Risk", "Hibernating", "Lost", "Developing"];

    private static readonly List<string> AllCodes =
        (from r in "12345" from f in "12345" from m in "12345" select $"{r}{f}{m}").ToList();

    /// <summary>Three segments by recency alone: Recent (R 4-5), Steady (R 3), Lapsed (R 1-2).</summary>
    private static List<(string Name, List<string> Codes)> ByRecency() =>
    [
        ("Recent", AllCodes.Where(c => c[0] >= '4').ToList()),
        ("Steady", AllCodes.Where(c => c[0] == '3').ToList()),
        ("Lapsed", AllCodes.Where(c => c[0] <= '2').ToList()),
    ];

    private static JsonObject Body(IEnumerable<(string Name, List<string> Codes)> segments, string? note = null) => new()
    {
        ["segments"] = new JsonArray(segments.Select(s => (JsonNode)new JsonObject
        {
            ["name"] = s.Name,
            ["codes"] = new JsonArray(s.Codes.Select(c => (JsonNode)JsonValue.Create(c)).ToArray()),
        }).ToArray()),
        ["note"] = note,
    };

    private static Task<HttpResponseMessage> PutMapAsync(HttpClient client, JsonObject body, string? ifMatch = null) =>
        SendAsync(client, HttpMethod.Put, "/api/analytics/rfm/map", body, ifMatch);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, JsonObject? body, string? ifMatch)
    {
        using var request = new HttpRequestMessage(method, url);
        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
        }
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return await client.SendAsync(request);
    }

    private static async Task<List<int>> VersionsAsync(HttpClient client) =>
        (await (await client.GetAsync("/api/analytics/rfm/map/versions")).AssertJsonAsync())["items"]!.AsArray().Select(v => v!["version"]!.GetValue<int>()).ToList();

    [Fact]
    public async Task SavedMap_BecomesVersion2_AndNamesTheGridScoresAnd360()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        await RfmDataSet.PostAsync(app, admin);
        var first = await admin.GetAsync("/api/analytics/rfm/map");
        var initial = await first.AssertJsonAsync();

        var saved = await PutMapAsync(admin, Body(ByRecency(), "Recency only, for the winter campaign"), first.Headers.ETag!.ToString());
        var savedBody = await saved.AssertJsonAsync();
        var current = await admin.GetAsync("/api/analytics/rfm/map");
        var currentBody = await current.AssertJsonAsync();
        var grid = await (await admin.GetAsync("/api/analytics/rfm")).AssertJsonAsync();
        await RfmDataSet.ScoreAsync(admin);
        var a = await (await admin.GetAsync($"/api/customers/{RfmDataSet.Id(app, 'A')}/rfm")).AssertJsonAsync();
        var versions = await VersionsAsync(admin);
        var one = await (await admin.GetAsync("/api/analytics/rfm/map/versions/1")).AssertJsonAsync();
        var missing = await admin.GetAsync("/api/analytics/rfm/map/versions/9");
        var audit = await (await admin.GetAsync("/api/audit?entityType=rfm_map&entityId=map")).AssertJsonAsync();

        Assert.Equal(1, initial["version"]!.GetValue<int>());
        Assert.Equal("\"v1\"", first.Headers.ETag!.ToString());
        Assert.Equal(DefaultNames, initial["segments"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal(2, savedBody["version"]!.GetValue<int>());
        Assert.Equal("\"v2\"", saved.Headers.ETag!.ToString());
        Assert.Equal("\"v2\"", current.Headers.ETag!.ToString());
        Assert.Equal(["Recent", "Steady", "Lapsed"], currentBody["segments"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal("Recency only, for the winter campaign", currentBody["note"]!.GetValue<string>());
        Assert.Equal(50, currentBody["segments"]![0]!["codes"]!.AsArray().Count);
        Assert.Equal(2, grid["mapVersion"]!.GetValue<int>());
        // Recent: A ($600) and B ($900), R 4; Lapsed: E ($150), F ($1,000), G ($40), R 2, 1, 1; Steady: C ($40) and D ($200), R 3.
        Assert.Equal([("Recent", 2, 1500m), ("Lapsed", 3, 1190m), ("Steady", 2, 240m)],
            grid["segments"]!.AsArray().Select(s => (s!["name"]!.GetValue<string>(), s["customers"]!.GetValue<int>(), s["revenue"]!.GetValue<decimal>())));
        Assert.Equal("453", a["code"]!.GetValue<string>());
        Assert.Equal("Recent", a["segment"]!.GetValue<string>());
        Assert.Equal([2, 1], versions);
        Assert.Equal(DefaultNames, one["segments"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
        Assert.Contains("555", one["segments"]![0]!["codes"]!.AsArray().Select(c => c!.GetValue<string>()));
        await missing.AssertProblemAsync(HttpStatusCode.NotFound);
        var entry = Assert.Single(audit["items"]!.AsArray())!;
        Assert.Equal("rfm_map.saved", entry["action"]!.GetValue<string>());

        // The 360 view names the code the recompute stored by the current map.
        var job = await (await admin.PostAsync("/api/jobs/recompute", null)).AssertJsonAsync(HttpStatusCode.Accepted);
        await HttpAssertions.EventuallyAsync(async () =>
            (await (await admin.GetAsync($"/api/jobs/{job["id"]}")).AssertJsonAsync())["endedAt"] is not null, "recompute finished");
        var view = await (await admin.GetAsync($"/api/customers/{RfmDataSet.Id(app, 'G')}/360")).AssertJsonAsync();
        Assert.Equal("121", view["rfm"]!["code"]!.GetValue<string>());
        Assert.Equal("Lapsed", view["rfm"]!["segment"]!.GetValue<string>());
    }

    [Fact]
    public async Task InvalidMaps_Answer400NamingTheProblem_AndWriteNothing()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        var withoutOneEleven = ByRecency();
        withoutOneEleven[2].Codes.Remove("111");
        var twice = ByRecency();
        twice[1].Codes.Add("555");
        var malformed = ByRecency();
        malformed[0].Codes.Add("605");
        var unnamed = ByRecency();
        unnamed[1] = ("  ", unnamed[1].Codes);
        var key = await (await admin.PostJsonAsync("/api/keys", new { name = "Reports", owner = "integration", scopes = new[] { "analytics:read" } }))
            .AssertJsonAsync(HttpStatusCode.Created);
        var reader = app.ClientWithKey(key["secret"]!.GetValue<string>());

        var missingCode = await (await PutMapAsync(admin, Body(withoutOneEleven))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var doubled = await (await PutMapAsync(admin, Body(twice))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var badCode = await (await PutMapAsync(admin, Body(malformed))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var noName = await (await PutMapAsync(admin, Body(unnamed))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var forbidden = await PutMapAsync(reader, Body(ByRecency()));
        var read = await reader.GetAsync("/api/analytics/rfm/map");
        var map = await (await admin.GetAsync("/api/analytics/rfm/map")).AssertJsonAsync();

        Assert.Contains(Errors(missingCode, "segments"), m => m.Contains("missing: 111.", StringComparison.Ordinal));
        Assert.Contains(Errors(doubled, "segments"), m => m.Contains("555", StringComparison.Ordinal) && m.Contains("'Recent'", StringComparison.Ordinal) && m.Contains("'Steady'", StringComparison.Ordinal));
        Assert.Contains("'605'", Assert.Single(Errors(badCode, "segments[0].codes")), StringComparison.Ordinal);
        Assert.Equal(["is required."], Errors(noName, "segments[1].name"));
        await forbidden.AssertProblemAsync(HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(1, map["version"]!.GetValue<int>());
        Assert.Equal([1], await VersionsAsync(admin));
    }

    [Fact]
    public async Task StaleIfMatch_Answers412_RacingSavesMakeOneVersion_ResetRestoresTheDefault()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();

        var second = await PutMapAsync(admin, Body(ByRecency()), "\"v1\"");
        var stale = await PutMapAsync(admin, Body(ByRecency()), "\"v1\"");
        var racing = await Task.WhenAll(PutMapAsync(admin, Body(ByRecency(), "one"), "\"v2\""), PutMapAsync(admin, Body(ByRecency(), "two"), "\"v2\""));
        var reset = await SendAsync(admin, HttpMethod.Post, "/api/analytics/rfm/map/reset", null, "\"v3\"");
        var resetBody = await reset.AssertJsonAsync();

        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.PreconditionFailed], racing.Select(r => r.StatusCode).Order());
        Assert.Equal(4, resetBody["version"]!.GetValue<int>());
        Assert.Equal("\"v4\"", reset.Headers.ETag!.ToString());
        Assert.Equal(DefaultNames, resetBody["segments"]!.AsArray().Select(s => s!["name"]!.GetValue<string>()));
        Assert.Equal([4, 3, 2, 1], await VersionsAsync(admin));
    }

    private static string[] Errors(JsonObject problem, string field) =>
        problem["errors"]![field]!.AsArray().Select(m => m!.GetValue<string>()).ToArray();
}
