using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Messaging;

[Collection(AzuriteCollection.Name)]
public sealed class TemplatesTests(AzuriteFixture fixture)
{
    private readonly HttpClient _admin = fixture.App.Admin();

    private static readonly string[] Defaults =
    [
        "order-confirmation", "order-shipped", "order-delivered", "order-delayed",
        "ticket-received", "issue-resolved", "support-follow-up",
        "welcome-1", "welcome-2-our-story", "welcome-3-first-order-offer", "win-back", "birthday",
        "abandoned-cart-1", "abandoned-cart-2", "browse-abandonment", "loyalty-milestone", "loyalty-redemption-reminder", "vip-upgrade", "replenishment",
        "password-reset", "account-update", "review-request", "post-purchase-thank-you",
        "thank-you-note", "vip-offer", "apology",
    ];

    private static object Template(string name, string html, string? text = null, string subject = "Howdy {{customer.first_name}}", string category = "order") =>
        new { name, category, subject, html, text };

    private static string[] Errors(JsonObject problem, string field) =>
        problem["errors"]![field]!.AsArray().Select(e => e!.GetValue<string>()).ToArray();

    private static Task<HttpResponseMessage> PatchAsync(HttpClient client, string url, object body, string? ifMatch)
    {
        var request = new HttpRequestMessage(HttpMethod.Patch, url) { Content = JsonContent.Create(body, options: HttpAssertions.Json) };
        if (ifMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-Match", ifMatch);
        }
        return client.SendAsync(request);
    }

    [Fact]
    public async Task Create_UnknownVariable_Answers400NamingTheFieldAndTheVariable_AndSavesNothing()
    {
        var name = NewId("Boot fit");

        var response = await _admin.PostJsonAsync("/api/templates", Template(name, "<p>Howdy {{customer.first_name}}</p>\n<p>Size {{customer.shoe_size}}</p>", subject: "Fit for {{customer.nickname}}"));

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["unknown variable 'customer.shoe_size' (line 2, column 9)."], Errors(problem, "html"));
        Assert.Equal(["unknown variable 'customer.nickname' (line 1, column 9)."], Errors(problem, "subject"));
        var list = await (await _admin.GetAsync("/api/templates?limit=500")).AssertJsonAsync();
        Assert.DoesNotContain(list["items"]!.AsArray(), t => t!["name"]!.GetValue<string>() == name);
    }

    [Fact]
    public async Task Create_BrokenSyntaxOrMissingFields_Answers400NamingEachField()
    {
        var unclosed = await _admin.PostJsonAsync("/api/templates", Template(NewId("Unclosed"), "<p>{{#if customer.first_name}}Howdy {{customer.first_name}}</p>"));
        var badText = await _admin.PostJsonAsync("/api/templates", Template(NewId("Bad text"), "<p>Hi</p>", text: "Hi {{customer.first_name}"));
        var empty = await _admin.PostJsonAsync("/api/templates", new { name = "", html = "" });

        var unclosedProblem = await unclosed.AssertProblemAsync(HttpStatusCode.BadRequest);
        var html = Assert.Single(Errors(unclosedProblem, "html"));
        Assert.StartsWith("is not a valid template: Reached end of template before block expression 'if' was closed", html, StringComparison.Ordinal);
        Assert.Contains("line 1, column 4", html, StringComparison.Ordinal);
        var textProblem = await badText.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.StartsWith("is not a valid template", Assert.Single(Errors(textProblem, "text")), StringComparison.Ordinal);
        var emptyProblem = await empty.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(["category", "html", "name", "subject"], emptyProblem["errors"]!.AsObject().Select(e => e.Key).Order());
    }

    [Fact]
    public async Task Create_HtmlOf200KB_IsStoredWhole_AndOneCharacterMoreIsRefused()
    {
        const string paragraph = "<p>Full-grain leather, a Goodyear welt and a cushioned insole, {{customer.first_name}}. 🤠</p>\n";
        var body = string.Concat(Enumerable.Repeat(paragraph, 204_800 / paragraph.Length - 1));
        var html = body + "<p>" + new string('x', 204_800 - body.Length - 17) + "</p><p>end</p>";

        var created = await (await _admin.PostJsonAsync("/api/templates", Template(NewId("Long"), html))).AssertJsonAsync(HttpStatusCode.Created);
        var fetched = await (await _admin.GetAsync($"/api/templates/{created["id"]}")).AssertJsonAsync();
        var tooLong = await _admin.PostJsonAsync("/api/templates", Template(NewId("Too long"), html + "x"));

        Assert.Equal(204_800, html.Length);
        Assert.Equal(html, fetched["html"]!.GetValue<string>());
        Assert.EndsWith("end", fetched["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(["must be at most 204800 characters (200 KB)."], Errors(await tooLong.AssertProblemAsync(HttpStatusCode.BadRequest), "html"));
    }

    [Fact]
    public async Task Patch_MakesVersionTwo_StaleIfMatchIs412_AndEveryVersionIsKept()
    {
        var created = await (await _admin.PostJsonAsync("/api/templates",
            Template(NewId("Boot care"), "<h1>Howdy {{customer.first_name}}</h1><p>Condition your boots <a href=\"{{store.url}}\">here</a>.</p>")))
            .AssertJsonAsync(HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();
        var get = await _admin.GetAsync($"/api/templates/{id}");
        var etag = get.Headers.ETag!.ToString();

        var patched = await PatchAsync(_admin, $"/api/templates/{id}", new { subject = "Boot care for {{customer.first_name}}" }, etag);
        var stale = await PatchAsync(_admin, $"/api/templates/{id}", new { subject = "Lost update" }, etag);
        var patchedBody = await patched.AssertJsonAsync();
        var deactivated = await (await PatchAsync(_admin, $"/api/templates/{id}", new { active = false }, patched.Headers.ETag!.ToString())).AssertJsonAsync();
        var versions = await (await _admin.GetAsync($"/api/templates/{id}/versions")).AssertJsonAsync();
        var first = await (await _admin.GetAsync($"/api/templates/{id}/versions/1")).AssertJsonAsync();
        var second = await (await _admin.GetAsync($"/api/templates/{id}/versions/2")).AssertJsonAsync();
        var third = await _admin.GetAsync($"/api/templates/{id}/versions/3");
        var inactive = await (await _admin.GetAsync("/api/templates?category=order&active=false&limit=500")).AssertJsonAsync();

        Assert.Equal(1, created["version"]!.GetValue<int>());
        Assert.True(created["textDerived"]!.GetValue<bool>());
        Assert.Equal("Howdy {{customer.first_name}}\n\nCondition your boots here ({{store.url}}).", created["text"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, get.StatusCode);
        Assert.Equal(2, patchedBody["version"]!.GetValue<int>());
        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal(2, deactivated["version"]!.GetValue<int>());
        Assert.False(deactivated["active"]!.GetValue<bool>());
        Assert.Equal([1, 2], versions["items"]!.AsArray().Select(v => v!["version"]!.GetValue<int>()));
        Assert.Equal("Howdy {{customer.first_name}}", first["subject"]!.GetValue<string>());
        Assert.Equal("Boot care for {{customer.first_name}}", second["subject"]!.GetValue<string>());
        Assert.Equal(created["html"]!.GetValue<string>(), second["html"]!.GetValue<string>());
        await third.AssertProblemAsync(HttpStatusCode.NotFound);
        Assert.Contains(inactive["items"]!.AsArray(), t => t!["id"]!.GetValue<string>() == id);
        Assert.All(inactive["items"]!.AsArray(), t => Assert.Equal("order", t!["category"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Patch_TextGivenThenCleared_StopsAndResumesFollowingTheHtml()
    {
        var created = await (await _admin.PostJsonAsync("/api/templates", Template(NewId("Hat fit"), "<p>Hats sit level.</p>", category: "personal"))).AssertJsonAsync(HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();

        var own = await (await PatchAsync(_admin, $"/api/templates/{id}", new { text = "Hats sit level, {{customer.first_name}}." }, null)).AssertJsonAsync();
        var htmlChanged = await (await PatchAsync(_admin, $"/api/templates/{id}", new { html = "<p>Straw in summer.</p>" }, null)).AssertJsonAsync();
        var derivedAgain = await (await PatchAsync(_admin, $"/api/templates/{id}", new { text = "" }, null)).AssertJsonAsync();

        Assert.False(own["textDerived"]!.GetValue<bool>());
        Assert.Equal("Hats sit level, {{customer.first_name}}.", htmlChanged["text"]!.GetValue<string>());
        Assert.True(derivedAgain["textDerived"]!.GetValue<bool>());
        Assert.Equal("Straw in summer.", derivedAgain["text"]!.GetValue<string>());
        Assert.Equal(4, derivedAgain["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task Delete_OwnTemplateGoesWithItsVersions_APreBuiltOneCanOnlyBeDeactivated()
    {
        var created = await (await _admin.PostJsonAsync("/api/templates", Template(NewId("Short-lived"), "<p>Bye</p>"))).AssertJsonAsync(HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();

        var deleted = await _admin.DeleteAsync($"/api/templates/{id}");
        var gone = await _admin.GetAsync($"/api/templates/{id}");
        var versions = await _admin.GetAsync($"/api/templates/{id}/versions");
        var preBuilt = await _admin.DeleteAsync("/api/templates/birthday");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await gone.AssertProblemAsync(HttpStatusCode.NotFound);
        await versions.AssertProblemAsync(HttpStatusCode.NotFound);
        var problem = await preBuilt.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("deactivate", problem["detail"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Preview_RealCustomerAndOrder_ShowsTheirValuesEscapedInHtml()
    {
        var customerId = NewId("c");
        var orderId = NewId("o");
        await (await _admin.PostJsonAsync("/api/customers", Customer(customerId, "<script>alert('x')</script>", "Rhodes", extra: new { tier = "gold" }))).AssertJsonAsync(HttpStatusCode.Created);
        await _admin.PostEventsAsync(Event(NewId("e"), "order.placed", DateTimeOffset.UtcNow.AddDays(-1), customerId, Order(orderId, customerId, DateTimeOffset.UtcNow.AddDays(-1), 189m, "Boots", number: "4521")));
        await _admin.WaitForMetricsAsync(customerId, m => m["metrics"]!["orderCount"]!.GetValue<int>() == 1, "the order");
        var created = await (await _admin.PostJsonAsync("/api/templates", Template(NewId("Preview"),
            "<p>Howdy {{customer.first_name}}, {{loyalty.tier}} member</p>{{#each order.items}}<p>{{name}} x{{quantity}}: {{total}}</p>{{/each}}<p>Order #{{order.number}}, {{order.total}}</p><a href=\"{{links.unsubscribe}}\">Unsubscribe</a>")))
            .AssertJsonAsync(HttpStatusCode.Created);
        var id = created["id"]!.GetValue<string>();

        var preview = await (await _admin.PostJsonAsync($"/api/templates/{id}/preview", new { customerId, orderId })).AssertJsonAsync();

        var html = preview["html"]!.GetValue<string>();
        // The programme decides the tier from spend: $189 is Bronze, whatever tier the profile was given.
        Assert.Contains("Howdy &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;, Bronze member", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.Ordinal);
        Assert.Contains("<p>Boots item x1: $189.00</p>", html, StringComparison.Ordinal);
        Assert.Contains("Order #4521, $189.00", html, StringComparison.Ordinal);
        Assert.Contains("href=\"https://example.invalid/unsubscribe\"", html, StringComparison.Ordinal);
        Assert.Equal("Howdy <script>alert('x')</script>", preview["subject"]!.GetValue<string>());
        Assert.StartsWith("Howdy <script>alert('x')</script>, Bronze member\n\nBoots item x1: $189.00", preview["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal(1, preview["version"]!.GetValue<int>());
        Assert.Equal("order", preview["category"]!.GetValue<string>());
    }

    [Fact]
    public async Task Preview_UnknownCustomerOrOrder_Answers400NamingTheField()
    {
        var customerId = NewId("c");
        await (await _admin.PostJsonAsync("/api/customers", Customer(customerId))).AssertJsonAsync(HttpStatusCode.Created);

        var noCustomer = await _admin.PostJsonAsync("/api/templates/order-confirmation/preview", new { customerId = "nobody-" + customerId });
        var noOrder = await _admin.PostJsonAsync("/api/templates/order-confirmation/preview", new { customerId, orderId = "no-such-order" });
        var noTemplate = await _admin.PostJsonAsync("/api/templates/no-such-template/preview", new { });

        Assert.Contains("no customer has the id", Errors(await noCustomer.AssertProblemAsync(HttpStatusCode.BadRequest), "customerId")[0], StringComparison.Ordinal);
        Assert.Contains("no order with the id 'no-such-order'", Errors(await noOrder.AssertProblemAsync(HttpStatusCode.BadRequest), "orderId")[0], StringComparison.Ordinal);
        await noTemplate.AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Preview_WithoutCustomer_RendersSampleData()
    {
        var withBody = await (await _admin.PostJsonAsync("/api/templates/order-shipped/preview", new { })).AssertJsonAsync();
        var withoutBody = await (await _admin.PostAsync("/api/templates/welcome-1/preview", null)).AssertJsonAsync();

        Assert.Equal("Order #1234 is on its way", withBody["subject"]!.GetValue<string>());
        Assert.Contains("Saddle up, Wyatt", withBody["html"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("- Square-Toe Roper Boot – Cognac x1", withBody["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains("Unsubscribe (https://example.invalid/unsubscribe)", withoutBody["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("Welcome to Pecos River Traders, Wyatt", withoutBody["subject"]!.GetValue<string>());
    }

    [Fact]
    public async Task Defaults_AreSeededOnePerRoadmapExample_MarketingOnesCarryTheUnsubscribeLink()
    {
        var list = await (await _admin.GetAsync("/api/templates?limit=500")).AssertJsonAsync();
        var marketing = await (await _admin.GetAsync("/api/templates?category=marketing&limit=500")).AssertJsonAsync();

        var seeded = list["items"]!.AsArray().Where(t => t!["preBuilt"]!.GetValue<bool>()).Select(t => t!["id"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(Defaults.Order(), seeded);
        var marketingIds = marketing["items"]!.AsArray().Where(t => t!["preBuilt"]!.GetValue<bool>()).Select(t => t!["id"]!.GetValue<string>()).Order().ToList();
        Assert.Equal(
            ["abandoned-cart-1", "abandoned-cart-2", "birthday", "browse-abandonment", "loyalty-milestone", "loyalty-redemption-reminder", "replenishment", "vip-upgrade",
             "welcome-1", "welcome-2-our-story", "welcome-3-first-order-offer", "win-back"],
            marketingIds.Order(StringComparer.Ordinal));
        foreach (var id in marketingIds)
        {
            var template = await (await _admin.GetAsync($"/api/templates/{id}")).AssertJsonAsync();
            Assert.Contains("{{links.unsubscribe}}", template["html"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains("{{links.preferences}}", template["html"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.Contains("Unsubscribe ({{links.unsubscribe}})", template["text"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.True(template["textDerived"]!.GetValue<bool>());
        }
    }

    [Fact]
    public async Task Defaults_AnEditedOne_StaysAsStaffLeftItAfterARestart()
    {
        var settings = new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false", ["Hosting:RunQueues"] = "false" };
        string prefix, key;
        await using (var app = fixture.NewApp(settings))
        {
            (prefix, key) = (app.Prefix, app.AdminKey);
            await (await PatchAsync(app.Admin(), "/api/templates/win-back", new { subject = "Come on back, {{customer.first_name}}" }, null)).AssertJsonAsync();
        }

        await using var restarted = fixture.NewApp(settings, prefix: prefix);
        var winBack = await (await restarted.ClientWithKey(key).GetAsync("/api/templates/win-back")).AssertJsonAsync();

        Assert.Equal("Come on back, {{customer.first_name}}", winBack["subject"]!.GetValue<string>());
        Assert.Equal(2, winBack["version"]!.GetValue<int>());
    }

    [Fact]
    public async Task Variables_ListTheCatalogue_WithTheFieldsOfOrderItems()
    {
        var variables = (await (await _admin.GetAsync("/api/templates/variables")).AssertJsonAsync())["items"]!;

        var names = variables.AsArray().Select(v => v!["name"]!.GetValue<string>()).ToList();
        Assert.Superset(new HashSet<string> { "customer.first_name", "customer.last_name", "customer.email", "order.number", "order.total", "order.items", "loyalty.points", "loyalty.tier", "store.name", "store.phone", "links.unsubscribe", "links.preferences" }, names.ToHashSet());
        var items = variables.AsArray().Single(v => v!["name"]!.GetValue<string>() == "order.items")!;
        Assert.Equal(["name", "sku", "quantity", "price", "total"], items["fields"]!.AsArray().Select(f => f!["name"]!.GetValue<string>()));
        Assert.False(string.IsNullOrWhiteSpace(variables[0]!["description"]!.GetValue<string>()));
    }

    [Fact]
    public async Task ReadScope_CanListAndPreview_ButNotWrite()
    {
        var key = await (await _admin.PostJsonAsync("/api/keys", new { name = "Template reader", owner = "integration", scopes = new[] { "messages:read" } })).AssertJsonAsync(HttpStatusCode.Created);
        var reader = fixture.App.ClientWithKey(key["secret"]!.GetValue<string>());

        var list = await reader.GetAsync("/api/templates");
        var preview = await reader.PostJsonAsync("/api/templates/birthday/preview", new { });
        var create = await reader.PostJsonAsync("/api/templates", Template(NewId("Nope"), "<p>x</p>"));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.OK, preview.StatusCode);
        await create.AssertProblemAsync(HttpStatusCode.Forbidden);
    }
}
