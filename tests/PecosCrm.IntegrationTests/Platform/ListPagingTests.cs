using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary>Every list of the API is a page: <c>{ items, nextCursor }</c>, with <c>limit</c> and <c>cursor</c>.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class ListPagingTests(AzuriteFixture fixture)
{
    /// <summary>
    /// Walks the API document: no GET answers a bare array, and every GET answering a page takes
    /// limit and cursor. The document is generated from the endpoints' declared results, so a new
    /// list returning an array fails here without anyone listing it.
    /// </summary>
    [Fact]
    public async Task EveryGetRoute_AnswersAPageNotABareArray_AndPagesTakeLimitAndCursor()
    {
        var document = (await (await fixture.App.ClientWithKey(null).GetAsync("/api/openapi.json")).AssertJsonAsync()).AsObject();
        var schemas = document["components"]?["schemas"]?.AsObject();
        var bare = new List<string>();
        var withoutParameters = new List<string>();
        var pages = new List<string>();

        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            if (item?["get"] is not { } get || get["responses"]?["200"]?["content"]?["application/json"]?["schema"] is not { } schema)
            {
                continue;
            }
            var resolved = Resolve(schema, schemas);
            if (IsArray(resolved))
            {
                bare.Add(path);
                continue;
            }
            var properties = resolved["properties"]?.AsObject();
            if (properties is null || !properties.ContainsKey("items") || !properties.ContainsKey("nextCursor"))
            {
                continue;
            }
            pages.Add(path);
            var query = (get["parameters"]?.AsArray() ?? []).Where(p => p!["in"]?.GetValue<string>() == "query").Select(p => p!["name"]!.GetValue<string>()).ToHashSet();
            if (!query.Contains("limit") || !query.Contains("cursor"))
            {
                withoutParameters.Add(path);
            }
        }

        Assert.True(bare.Count == 0, "GET routes answering a bare array: " + string.Join(", ", bare));
        Assert.True(withoutParameters.Count == 0, "pages without limit and cursor: " + string.Join(", ", withoutParameters));
        Assert.Contains("/api/tags", pages);
        Assert.Contains("/api/automations", pages);
        Assert.Contains("/api/customers/{id}/notes", pages);
        Assert.True(pages.Count >= 40, $"only {pages.Count} pages found in the document");
    }

    /// <summary>Calls each list that needs no id, or only a customer's id, page by page with limit=1.</summary>
    [Fact]
    public async Task Lists_WalkedWithLimitOne_AnswerOneItemPagesAndFollowTheirCursors()
    {
        var app = fixture.App;
        var admin = app.Admin();
        var customer = NewId("paging");
        await (await admin.PostJsonAsync("/api/customers", Customer(customer))).AssertJsonAsync(HttpStatusCode.Created);
        foreach (var body in new[] { "Wide fit.", "Call first.", "Ships to ranch." })
        {
            await (await admin.PostJsonAsync($"/api/customers/{customer}/notes", new { body })).AssertJsonAsync(HttpStatusCode.Created);
        }
        foreach (var name in new[] { "Rodeo " + customer, "Ranch " + customer })
        {
            var tag = await (await admin.PostJsonAsync("/api/tags", new { name })).AssertJsonAsync(HttpStatusCode.Created);
            await (await admin.PutAsync($"/api/customers/{customer}/tags/{tag["id"]!.GetValue<string>()}", null)).AssertJsonAsync();
        }

        var routes = new[]
        {
            "/api/tags", "/api/automations", "/api/events/types", "/api/keys/scopes", "/api/segments/fields", "/api/templates/variables",
            $"/api/customers/{customer}/notes", $"/api/customers/{customer}/tags", $"/api/customers/{customer}/related",
            $"/api/customers/{customer}/related/suggestions", $"/api/customers/{customer}/discount-codes", $"/api/customers/{customer}/automations",
        };
        foreach (var route in routes)
        {
            var first = await PageAsync(admin, route, null);
            var seen = first.Items.Count;
            var cursor = first.NextCursor;
            for (var pages = 1; cursor is not null && pages < 3; pages++)
            {
                var next = await PageAsync(admin, route, cursor);
                seen += next.Items.Count;
                cursor = next.NextCursor;
            }
            if (route.EndsWith("/notes", StringComparison.Ordinal) || route.EndsWith("/tags", StringComparison.Ordinal) || route.EndsWith("/types", StringComparison.Ordinal))
            {
                Assert.True(seen >= 2, $"{route}: expected to walk several pages, saw {seen} items");
            }
        }
        var badLimit = await admin.GetAsync("/api/tags?limit=501");
        var badCursor = await admin.GetAsync("/api/tags?cursor=not-a-cursor");
        var hugeOffset = await admin.GetAsync("/api/analytics/pairs?cursor=" + Convert.ToBase64String("offset:2147483647"u8.ToArray()).TrimEnd('='));

        await badLimit.AssertProblemAsync(HttpStatusCode.BadRequest);
        await badCursor.AssertProblemAsync(HttpStatusCode.BadRequest);
        await hugeOffset.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    private static async Task<(JsonArray Items, string? NextCursor)> PageAsync(HttpClient admin, string route, string? cursor)
    {
        var url = route + "?limit=1" + (cursor is null ? "" : "&cursor=" + Uri.EscapeDataString(cursor));
        var body = (await (await admin.GetAsync(url)).AssertJsonAsync()).AsObject();
        Assert.True(body.ContainsKey("items") && body.ContainsKey("nextCursor"), $"{route} answered {body.ToJsonString()[..Math.Min(200, body.ToJsonString().Length)]}");
        var items = body["items"]!.AsArray();
        Assert.True(items.Count <= 1, $"{route}?limit=1 answered {items.Count} items");
        return (items, body["nextCursor"]?.GetValue<string>());
    }

    private static JsonNode Resolve(JsonNode schema, JsonObject? schemas)
    {
        for (var depth = 0; depth < 10 && schema["$ref"]?.GetValue<string>() is { } reference; depth++)
        {
            schema = schemas?[reference[(reference.LastIndexOf('/') + 1)..]] ?? schema;
        }
        return schema;
    }

    private static bool IsArray(JsonNode schema) => schema["type"] switch
    {
        JsonValue v => v.GetValue<string>() == "array",
        JsonArray a => a.Any(t => t?.GetValue<string>() == "array"),
        _ => false,
    };
}
