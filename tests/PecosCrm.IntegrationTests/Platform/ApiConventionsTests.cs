using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Platform;

[Collection(AzuriteCollection.Name)]
public sealed class ApiConventionsTests(AzuriteFixture fixture)
{
    private readonly HttpClient _admin = fixture.App.Admin();

    private static object NewStaff(string role = "agent") =>
        new { name = "Wade Brand", email = $"wade.{Guid.NewGuid():N}@pecos.example", role };

    [Fact]
    public async Task Health_StorageUp_Answers200WithoutKey()
    {
        var response = await fixture.App.ClientWithKey(null).GetAsync("/api/health");

        var body = await response.AssertJsonAsync();
        Assert.Equal("healthy", body["status"]!.GetValue<string>());
        Assert.Equal("ok", body["storage"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenApi_Document_ListsRoutesAndBearerScheme()
    {
        var response = await fixture.App.ClientWithKey(null).GetAsync("/api/openapi.json");

        var document = await response.AssertJsonAsync();
        Assert.NotNull(document["paths"]!["/api/staff"]);
        Assert.NotNull(document["paths"]!["/api/keys"]);
        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["apiKey"]!["scheme"]!.GetValue<string>());
    }

    [Fact]
    public async Task Docs_ReferencePage_ServesHtmlAndItsScript()
    {
        var client = fixture.App.ClientWithKey(null);

        var page = await client.GetAsync("/api/docs/");
        var script = await client.GetAsync("/api/docs/scalar.js");

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.Contains("openapi.json", await page.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_Answers404Problem()
    {
        var response = await _admin.GetAsync("/api/no-such-thing");

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains("/api/no-such-thing", problem["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task WrongMethod_Answers405Problem()
    {
        var response = await _admin.DeleteAsync("/api/staff");

        await response.AssertProblemAsync(HttpStatusCode.MethodNotAllowed);
    }

    [Fact]
    public async Task MalformedJson_Answers400NamingTheProblem_AndWritesNothing()
    {
        var before = await CountStaffAsync();

        var response = await _admin.PostAsync("/api/staff", new StringContent("{\"name\": \"Half", Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains("not valid JSON", problem["detail"]!.GetValue<string>());
        Assert.Equal(before, await CountStaffAsync());
    }

    [Fact]
    public async Task UnknownEnumValue_Answers400NamingTheField()
    {
        var response = await _admin.PostAsync("/api/staff",
            new StringContent("{\"name\":\"A\",\"email\":\"a@b.example\",\"role\":\"sheriff\"}", Encoding.UTF8, "application/json"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]!["role"]);
    }

    [Fact]
    public async Task WrongContentType_Answers415Problem()
    {
        var response = await _admin.PostAsync("/api/staff", new StringContent("name=Wade", Encoding.UTF8, "text/plain"));

        await response.AssertProblemAsync(HttpStatusCode.UnsupportedMediaType);
    }

    [Fact]
    public async Task OversizedBody_Answers413Problem_AndWritesNothing()
    {
        var before = await CountStaffAsync();
        var huge = "{\"name\":\"" + new string('x', 5 * 1024 * 1024) + "\",\"email\":\"big@pecos.example\",\"role\":\"agent\"}";

        var response = await _admin.PostAsync("/api/staff", new StringContent(huge, Encoding.UTF8, "application/json"));

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal(before, await CountStaffAsync());
    }

    [Fact]
    public async Task InvalidFields_Answer400NamingEachField_AndWriteNothing()
    {
        var before = await CountStaffAsync();

        var response = await _admin.PostJsonAsync("/api/staff", new { name = "", email = "not-an-email" });

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("name"));
        Assert.True(errors.ContainsKey("email"));
        Assert.True(errors.ContainsKey("role"));
        Assert.Equal(before, await CountStaffAsync());
    }

    [Fact]
    public async Task DuplicateEmail_Answers409()
    {
        var staff = NewStaff();
        (await _admin.PostJsonAsync("/api/staff", staff)).EnsureSuccessStatusCode();

        var response = await _admin.PostJsonAsync("/api/staff", staff);

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Update_WithStaleIfMatch_Answers412_AndKeepsTheNewerChange()
    {
        var created = await _admin.PostJsonAsync("/api/staff", NewStaff());
        var id = (await created.AssertJsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();
        var staleETag = created.Headers.ETag!.ToString();
        var first = new HttpRequestMessage(HttpMethod.Patch, $"/api/staff/{id}") { Content = JsonContent.Create(new { name = "First Edit" }) };
        first.Headers.TryAddWithoutValidation("If-Match", staleETag);
        var firstResponse = await _admin.SendAsync(first);
        await firstResponse.AssertJsonAsync();

        var second = new HttpRequestMessage(HttpMethod.Patch, $"/api/staff/{id}") { Content = JsonContent.Create(new { name = "Second Edit" }) };
        second.Headers.TryAddWithoutValidation("If-Match", staleETag);
        var secondResponse = await _admin.SendAsync(second);

        await secondResponse.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var current = await (await _admin.GetAsync($"/api/staff/{id}")).AssertJsonAsync();
        Assert.Equal("First Edit", current["name"]!.GetValue<string>());
        Assert.NotEqual(staleETag, firstResponse.Headers.ETag!.ToString());
    }

    [Fact]
    public async Task List_PagesWithCursor_EveryItemOnce()
    {
        var app = fixture.NewApp();
        var admin = app.Admin();
        var ids = new HashSet<string>();
        for (var i = 0; i < 7; i++)
        {
            var body = await (await admin.PostJsonAsync("/api/staff", NewStaff())).AssertJsonAsync(HttpStatusCode.Created);
            ids.Add(body["id"]!.GetValue<string>());
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await (await admin.GetAsync("/api/staff?limit=3" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor)))).AssertJsonAsync();
            var items = page["items"]!.AsArray();
            Assert.True(items.Count <= 3);
            seen.AddRange(items.Select(i => i!["id"]!.GetValue<string>()));
            cursor = page["nextCursor"]?.GetValue<string>();
            pages++;
        }
        while (cursor is not null);

        // 7 created plus the bootstrap administrator.
        Assert.Equal(8, seen.Count);
        Assert.Equal(seen.Count, seen.Distinct().Count());
        Assert.Subset(seen.ToHashSet(), ids);
        Assert.True(pages >= 3);
        await app.DisposeAsync();
    }

    [Theory]
    [InlineData("/api/staff?limit=0", "limit")]
    [InlineData("/api/staff?limit=501", "limit")]
    [InlineData("/api/staff?cursor=%%%not-a-cursor", "cursor")]
    public async Task List_BadPagingParameters_Answer400NamingTheParameter(string url, string field)
    {
        var response = await _admin.GetAsync(url);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.NotNull(problem["errors"]![field]);
    }

    [Fact]
    public async Task Json_IsCamelCase_WithSnakeCaseEnums()
    {
        var body = await (await _admin.PostJsonAsync("/api/staff", NewStaff("marketer"))).AssertJsonAsync(HttpStatusCode.Created);

        Assert.Equal("marketer", body["role"]!.GetValue<string>());
        Assert.NotNull(body["createdAt"]);
    }

    private async Task<int> CountStaffAsync()
    {
        var page = await (await _admin.GetAsync("/api/staff?limit=500")).AssertJsonAsync();
        return page["items"]!.AsArray().Count;
    }
}
