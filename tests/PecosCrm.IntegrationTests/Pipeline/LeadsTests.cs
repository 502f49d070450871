using System.Net;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Pipeline;

[Collection(AzuriteCollection.Name)]
public sealed class LeadsTests(AzuriteFixture fixture)
{
    private readonly HttpClient _admin = fixture.App.Admin();

    [Fact]
    public async Task Create_ShowsTheScoreWithItsParts_AndAnActivityRaisesIt()
    {
        var lead = await _admin.CreateLeadAsync(new
        {
            company = PipelineTestKit.Unique("Dusty Trail Western Wear "), companyType = "western_wear_shop", contactName = "June Carter",
            email = "june@dustytrail.example", source = "referral", estimatedValue = 25000m,
        });
        var id = lead["id"]!.GetValue<string>();

        await (await _admin.PostJsonAsync($"/api/leads/{id}/activities", new { type = "meeting", subject = "Showroom visit" })).AssertJsonAsync(HttpStatusCode.Created);
        await (await _admin.PostJsonAsync($"/api/leads/{id}/email-engagement", new { @event = "click" })).AssertJsonAsync();
        var after = await (await _admin.GetAsync($"/api/leads/{id}")).AssertJsonAsync();

        Assert.Equal("Referral", lead["source"]!.GetValue<string>());
        Assert.Equal("new", lead["status"]!.GetValue<string>());
        Assert.Equal(45, lead["score"]!.GetValue<int>());
        Assert.Equal(20, lead["scoreDetail"]!["fit"]!["companyType"]!.GetValue<int>());
        Assert.Equal(15, lead["scoreDetail"]!["fit"]!["estimatedValue"]!.GetValue<int>());
        Assert.Equal(10, lead["scoreDetail"]!["fit"]!["source"]!.GetValue<int>());
        Assert.Equal(5, after["scoreDetail"]!["engagement"]!["activities"]!.GetValue<int>());
        Assert.Equal(3, after["scoreDetail"]!["engagement"]!["emailClicks"]!.GetValue<int>());
        Assert.Equal(10, after["scoreDetail"]!["engagement"]!["recency"]!.GetValue<int>());
        Assert.Equal(45 + 18, after["score"]!.GetValue<int>());
    }

    [Fact]
    public async Task List_FiltersByStatusSourceOwnerAndNextAction_AndSearchesByCompany()
    {
        var (ownerId, _) = await PipelineTestKit.StaffAsync(fixture.App, _admin, "manager");
        var tag = PipelineTestKit.Unique("Zq");
        await _admin.CreateLeadAsync(new { company = tag + " Feed and Tack", source = "Trade Show", status = "contacted", assignedTo = ownerId, nextActionDate = "2031-04-02" });
        await _admin.CreateLeadAsync(new { company = tag + " Boot Barn", source = "Website", status = "qualified", nextActionDate = "2031-04-20" });
        await _admin.CreateLeadAsync(new { company = "Other " + tag, source = "Trade Show", status = "contacted" });

        async Task<string[]> Companies(string query) =>
            (await (await _admin.GetAsync("/api/leads?" + query)).AssertJsonAsync())["items"]!.AsArray().Select(i => i!["company"]!.GetValue<string>()).Order().ToArray();

        Assert.Equal([tag + " Boot Barn", tag + " Feed and Tack"], await Companies($"company={tag.ToLowerInvariant()}"));
        Assert.Equal([tag + " Feed and Tack"], await Companies($"company={tag}&status=contacted"));
        Assert.Equal([tag + " Feed and Tack"], await Companies($"assignedTo={ownerId}"));
        Assert.Equal([tag + " Boot Barn"], await Companies($"company={tag}&source=website"));
        Assert.Contains(tag + " Feed and Tack", await Companies("nextActionFrom=2031-04-01&nextActionTo=2031-04-10&limit=500"));
        Assert.DoesNotContain(tag + " Boot Barn", await Companies("nextActionFrom=2031-04-01&nextActionTo=2031-04-10&limit=500"));
        Assert.Contains("Other " + tag, await Companies("status=contacted&source=trade show&limit=500"));
    }

    [Fact]
    public async Task StatusChange_RecordsWhoAndWhen_OnTheTimeline()
    {
        var (_, manager) = await PipelineTestKit.StaffAsync(fixture.App, _admin, "manager");
        var lead = await manager.CreateLeadAsync(new { company = PipelineTestKit.Unique("Rio Grande Ranch "), source = "Cold Call" });
        var id = lead["id"]!.GetValue<string>();

        await (await manager.PatchAsync($"/api/leads/{id}", PipelineTestKit.Json(new { status = "contacted", nextAction = "Send catalogue" }))).AssertJsonAsync();
        var timeline = await (await _admin.GetAsync($"/api/leads/{id}/activities")).AssertJsonAsync();

        var change = timeline["items"]!.AsArray().Single()!;
        Assert.Equal("stage_change", change["type"]!.GetValue<string>());
        Assert.Equal("new", change["fromStage"]!.GetValue<string>());
        Assert.Equal("contacted", change["toStage"]!.GetValue<string>());
        Assert.Equal("Pat manager", change["actorName"]!.GetValue<string>());
        Assert.True(DateTimeOffset.UtcNow - change["occurredAt"]!.GetValue<DateTimeOffset>() < TimeSpan.FromMinutes(5));
    }

    [Fact]
    public async Task BadInput_Answers400NamingEachField_AndWritesNothing()
    {
        var company = PipelineTestKit.Unique("Bad Input ");

        var create = await _admin.PostJsonAsync("/api/leads", new { company, source = "Carrier Pigeon", estimatedValue = -5m, email = "not-an-email" });
        var lost = await _admin.PostJsonAsync("/api/leads", new { company, source = "Website", status = "lost" });
        var unknown = await _admin.PostJsonAsync("/api/leads", new { company, source = "Website", budget = 10 });
        var stageByHand = await _admin.PostJsonAsync("/api/leads/nope/activities", new { type = "stage_change", subject = "x" });
        var list = await (await _admin.GetAsync($"/api/leads?company={company}")).AssertJsonAsync();

        var errors = (await create.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject();
        Assert.True(errors.ContainsKey("source") && errors.ContainsKey("estimatedValue") && errors.ContainsKey("email"), errors.ToJsonString());
        Assert.True((await lost.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("lostReason"));
        Assert.True((await unknown.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("budget"));
        Assert.True((await stageByHand.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("type"));
        Assert.Empty(list["items"]!.AsArray());
    }

    [Fact]
    public async Task Update_WithStaleIfMatch_Answers412_AndKeepsTheNewerChange()
    {
        var lead = await _admin.CreateLeadAsync(new { company = PipelineTestKit.Unique("Stale "), source = "Partner" });
        var id = lead["id"]!.GetValue<string>();
        var etag = (await _admin.GetAsync($"/api/leads/{id}")).Headers.ETag!.ToString();
        await (await _admin.PatchAsync($"/api/leads/{id}", PipelineTestKit.Json(new { notes = "first" }))).AssertJsonAsync();

        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/api/leads/{id}") { Content = PipelineTestKit.Json(new { notes = "second" }) };
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        var stale = await _admin.SendAsync(request);

        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        Assert.Equal("first", (await (await _admin.GetAsync($"/api/leads/{id}")).AssertJsonAsync())["notes"]!.GetValue<string>());
    }

    [Fact]
    public async Task Sources_AreConfigurable_SeededWithTheRoadmapsEight()
    {
        var app = fixture.NewApp();
        var admin = app.Admin();

        var seeded = await (await admin.GetAsync("/api/leads/sources")).AssertJsonAsync();
        await (await admin.PutAsync("/api/leads/sources", PipelineTestKit.Json(new { sources = new[] { "Website", "Rodeo Sponsorship" } }))).AssertJsonAsync();
        var created = await admin.CreateLeadAsync(new { company = "Cowtown Outfitters", source = "rodeo sponsorship" });
        var refused = await admin.PostJsonAsync("/api/leads", new { company = "Cowtown Outfitters", source = "Referral" });

        Assert.Equal(["Website", "Trade Show", "Referral", "Cold Call", "Social Media", "Email Campaign", "Partner", "Advertisement"],
            seeded["items"]!.AsArray().Select(s => s!.GetValue<string>()));
        Assert.Equal("Rodeo Sponsorship", created["source"]!.GetValue<string>());
        await refused.AssertProblemAsync(HttpStatusCode.BadRequest);
        await app.DisposeAsync();
    }
}
