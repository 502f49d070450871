using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Support.SupportTestKit;

namespace PecosCrm.IntegrationTests.Support;

[Collection(AzuriteCollection.Name)]
public sealed class KnowledgeBaseTests(AzuriteFixture fixture)
{
    private static async Task<string> ArticleAsync(HttpClient admin, string title, string body, string category, string state = "published") =>
        (await (await admin.PostJsonAsync("/api/kb/articles", new { title, body, category, state })).AssertJsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();

    [Fact]
    public async Task Suggestions_RankTheRightArticleFirst_LinkedArticleCountsTheResolution_AndTheAnalyticsAddUp()
    {
        await using var app = fixture.NewApp(Settings());
        var admin = app.Admin();
        var customer = await CustomerAsync(admin, "kb-" + app.Prefix);
        var returns = await ArticleAsync(admin, "How to return boots", "Returns are free within 30 days. Print the label, pack the boots in their box and drop them off.", "returns");
        var sizing = await ArticleAsync(admin, "Boot sizing guide", "Our roper boots run true to size. Between sizes? Order half a size up. Wide feet: choose EE width.", "sizing");
        await ArticleAsync(admin, "Tracking your shipment", "Every order ships with tracking. The carrier's link is in your shipping email.", "shipping");
        var draft = await ArticleAsync(admin, "Sizing sizing sizing (draft)", "Roper boots size large feet between sizes wide roper roper.", "sizing", "draft");

        var ticket = await TicketAsync(admin, customer, "Which size should I order?", "low", "product", "My feet are between sizes. Do the roper boots run large, and do you have wide ones?");
        var id = ticket["id"]!.GetValue<string>();
        var suggestions = await (await admin.GetAsync($"/api/tickets/{id}/suggestions")).AssertJsonAsync();
        var search = await (await admin.GetAsync("/api/kb/search?q=returning%20my%20boots")).AssertJsonAsync();
        var noQuery = await (await admin.GetAsync("/api/kb/search")).AssertProblemAsync(HttpStatusCode.BadRequest);
        await (await admin.PostJsonAsync($"/api/tickets/{id}/articles", new { articleId = sizing })).AssertJsonAsync();
        await (await admin.PostJsonAsync($"/api/tickets/{id}/replies", new { text = "They run true to size; go half a size up.", status = "resolved" })).AssertJsonAsync(HttpStatusCode.Created);
        var counted = await (await admin.GetAsync($"/api/kb/articles/{sizing}")).AssertJsonAsync();
        var afterLink = await (await admin.GetAsync($"/api/tickets/{id}/suggestions")).AssertJsonAsync();
        var other = await TicketAsync(admin, customer, "Refund please", "medium", "billing");
        var report = await (await admin.GetAsync("/api/support/analytics")).AssertJsonAsync();

        var ranked = suggestions["items"]!.AsArray().Select(h => h!["id"]!.GetValue<string>()).ToList();
        Assert.Equal(sizing, ranked[0]);
        Assert.DoesNotContain(draft, ranked);
        Assert.Equal(returns, search["items"]![0]!["id"]!.GetValue<string>());
        Assert.Contains("q", noQuery["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(1, counted["linkedTickets"]!.GetValue<int>());
        Assert.Equal(1, counted["resolvedTickets"]!.GetValue<int>());
        Assert.DoesNotContain(sizing, afterLink["items"]!.AsArray().Select(h => h!["id"]!.GetValue<string>()));
        Assert.Equal(2, report["tickets"]!.GetValue<int>());
        Assert.Equal(1, report["backlog"]!.GetValue<int>());
        Assert.Equal(1, report["byCategory"]!["product"]!.GetValue<int>());
        Assert.Equal(2, report["byChannel"]!["email"]!.GetValue<int>());
        Assert.Equal(1, report["firstResponse"]!["calendar"]!["count"]!.GetValue<int>());
        Assert.Equal(1.0, report["firstContactResolutionRate"]!.GetValue<double>());
        Assert.Equal(0.0, report["reopenRate"]!.GetValue<double>());
        Assert.NotNull(other["id"]);
    }
}
