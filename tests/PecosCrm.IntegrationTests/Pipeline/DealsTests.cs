using System.Net;
using PecosCrm.Core.Pipeline;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Pipeline;

[Collection(AzuriteCollection.Name)]
public sealed class DealsTests(AzuriteFixture fixture)
{
    private readonly HttpClient _admin = fixture.App.Admin();

    [Fact]
    public async Task Board_ShowsColumnsWithCountsTotalsAndCards_AndAMoveCarriesTheCard()
    {
        var pipeline = await _admin.NewPipelineAsync();
        var big = await _admin.CreateDealAsync(pipeline, "Big Sky Boots", 40000m);
        await _admin.CreateDealAsync(pipeline, "Small Town Tack", 1000.50m);
        await _admin.CreateDealAsync(pipeline, "Mesa Feed", 8000m, stage: "proposal");
        var bigId = big["id"]!.GetValue<string>();

        var before = await _admin.BoardAsync(pipeline);
        await (await _admin.MoveAsync(bigId, "negotiation")).AssertJsonAsync();
        var after = await _admin.BoardAsync(pipeline);
        var timeline = await (await _admin.GetAsync($"/api/deals/{bigId}/activities")).AssertJsonAsync();

        var prospect = PipelineTestKit.Column(before, "prospect");
        Assert.Equal(6, before["columns"]!.AsArray().Count);
        Assert.Equal(2, prospect["count"]!.GetValue<long>());
        Assert.Equal(41000.50m, prospect["value"]!.GetValue<decimal>());
        Assert.Equal(4100.05m, prospect["weightedValue"]!.GetValue<decimal>());
        Assert.Equal(["Big Sky Boots", "Small Town Tack"], prospect["cards"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal(1, PipelineTestKit.Column(after, "prospect")["count"]!.GetValue<long>());
        var negotiation = PipelineTestKit.Column(after, "negotiation");
        Assert.Equal(30000m, negotiation["weightedValue"]!.GetValue<decimal>());
        Assert.Equal(bigId, negotiation["cards"]![0]!["id"]!.GetValue<string>());
        Assert.Equal(30000m + 4000m + 100.05m, after["weightedValue"]!.GetValue<decimal>());
        var move = timeline["items"]!.AsArray().First()!;
        Assert.Equal("stage_change", move["type"]!.GetValue<string>());
        Assert.Equal("prospect", move["fromStage"]!.GetValue<string>());
        Assert.Equal("negotiation", move["toStage"]!.GetValue<string>());
    }

    [Fact]
    public async Task Move_WithStaleETag_Answers412_AndTheBoardKeepsTheNewerMove()
    {
        var pipeline = await _admin.NewPipelineAsync();
        var deal = await _admin.CreateDealAsync(pipeline, "Saddle Up Supply", 5000m);
        var id = deal["id"]!.GetValue<string>();
        var etag = (await _admin.GetAsync($"/api/deals/{id}")).Headers.ETag!.ToString();
        await (await _admin.MoveAsync(id, "qualified", etag)).AssertJsonAsync();

        var stale = await _admin.MoveAsync(id, "proposal", etag);

        await stale.AssertProblemAsync(HttpStatusCode.PreconditionFailed);
        var board = await _admin.BoardAsync(pipeline);
        Assert.Equal(1, PipelineTestKit.Column(board, "qualified")["count"]!.GetValue<long>());
        Assert.Equal(0, PipelineTestKit.Column(board, "proposal")["count"]!.GetValue<long>());
        Assert.Equal("qualified", (await (await _admin.GetAsync($"/api/deals/{id}")).AssertJsonAsync())["stage"]!.GetValue<string>());
    }

    [Fact]
    public async Task Board_WhenATopCardLeaves_TheNextDealFillsTheColumn()
    {
        var pipeline = await _admin.NewPipelineAsync();
        var count = BoardState.CardsPerColumn + 2;
        var ids = new List<string>();
        for (var i = 0; i < count; i++)
        {
            ids.Add((await _admin.CreateDealAsync(pipeline, $"Deal {i:D2}", 1000m + i))["id"]!.GetValue<string>());
        }

        await (await _admin.MoveAsync(ids[^1], "qualified")).AssertJsonAsync();
        var board = await _admin.BoardAsync(pipeline);
        var page = await (await _admin.GetAsync($"/api/deals?pipelineId={pipeline}&stage=prospect&limit=500")).AssertJsonAsync();

        var prospect = PipelineTestKit.Column(board, "prospect");
        Assert.Equal(count - 1, prospect["count"]!.GetValue<long>());
        Assert.True(prospect["hasMore"]!.GetValue<bool>());
        var expected = Enumerable.Range(0, count - 1).Reverse().Take(BoardState.CardsPerColumn).Select(i => $"Deal {i:D2}");
        Assert.Equal(expected, prospect["cards"]!.AsArray().Select(c => c!["name"]!.GetValue<string>()));
        Assert.Equal(count - 1, page["items"]!.AsArray().Count);
    }

    [Fact]
    public async Task Convert_Retried_MakesOneDeal_AndTheWinMakesOneCustomer()
    {
        var email = $"buyer.{Guid.NewGuid():N}@highplains.example";
        var lead = await _admin.CreateLeadAsync(new
        {
            company = PipelineTestKit.Unique("High Plains Ranch Supply "), contactName = "Wade Holt", email, phone = "(505) 555-0142",
            source = "Trade Show", status = "qualified", estimatedValue = 18000m,
        });
        var leadId = lead["id"]!.GetValue<string>();

        var both = await Task.WhenAll(
            _admin.PostJsonAsync($"/api/leads/{leadId}/convert", new { expectedCloseDate = "2031-06-30" }),
            _admin.PostJsonAsync($"/api/leads/{leadId}/convert", new { expectedCloseDate = "2031-06-30" }));
        var retry = await _admin.PostJsonAsync($"/api/leads/{leadId}/convert", new { });
        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Created], both.Select(r => r.StatusCode).Order());
        var converted = await both.Single(r => r.StatusCode == HttpStatusCode.Created).AssertJsonAsync(HttpStatusCode.Created);
        var again = await retry.AssertJsonAsync(HttpStatusCode.OK);
        var dealId = converted["dealId"]!.GetValue<string>();
        var won = await (await _admin.MoveAsync(dealId, "closed_won")).AssertJsonAsync();
        var wonAgain = await (await _admin.MoveAsync(dealId, "closed_won")).AssertJsonAsync();
        var afterWin = await (await _admin.PostJsonAsync($"/api/leads/{leadId}/convert", new { })).AssertJsonAsync(HttpStatusCode.OK);

        Assert.Equal(dealId, again["dealId"]!.GetValue<string>());
        Assert.Equal("qualified", converted["deal"]!["stage"]!.GetValue<string>());
        Assert.Equal(18000m, converted["deal"]!["value"]!.GetValue<decimal>());
        Assert.Null(converted["customerId"]);
        Assert.True(converted.AsObject().ContainsKey("wholesaleAccountId"));
        var deals = await (await _admin.GetAsync($"/api/deals?stage=closed_won&limit=500")).AssertJsonAsync();
        Assert.Single(deals["items"]!.AsArray(), d => d!["leadId"]?.GetValue<string>() == leadId);
        var customerId = won["customerId"]!.GetValue<string>();
        Assert.Equal(customerId, wonAgain["customerId"]!.GetValue<string>());
        Assert.Equal(customerId, afterWin["customerId"]!.GetValue<string>());
        var customer = await (await _admin.GetAsync($"/api/customers/{customerId}")).AssertJsonAsync();
        Assert.Equal("Wade", customer["firstName"]!.GetValue<string>());
        var byEmail = await (await _admin.GetAsync($"/api/customers?email={email}")).AssertJsonAsync();
        Assert.Single(byEmail["items"]!.AsArray());
        Assert.Equal("won", (await (await _admin.GetAsync($"/api/leads/{leadId}")).AssertJsonAsync())["status"]!.GetValue<string>());
        // The win opened the customer's wholesale account, once.
        var accountId = won["wholesaleAccountId"]!.GetValue<string>();
        Assert.Equal(accountId, wonAgain["wholesaleAccountId"]!.GetValue<string>());
        Assert.Equal(accountId, afterWin["wholesaleAccountId"]!.GetValue<string>());
        var account = await (await _admin.GetAsync($"/api/wholesale/{accountId}")).AssertJsonAsync();
        Assert.Equal(customerId, account["customerId"]!.GetValue<string>());
        Assert.StartsWith("High Plains Ranch Supply", account["companyName"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Win_WithTheEmailOfAnExistingCustomer_LinksThatCustomer()
    {
        var email = $"owner.{Guid.NewGuid():N}@lonestar.example";
        var customerId = PipelineTestKit.Unique("c-");
        await (await _admin.PostJsonAsync("/api/customers", new { id = customerId, firstName = "Lupe", lastName = "Garza", email })).AssertJsonAsync(HttpStatusCode.Created);
        var lead = await _admin.CreateLeadAsync(new { company = PipelineTestKit.Unique("Lone Star Boots "), email = email.ToUpperInvariant(), source = "Referral", status = "negotiation" });

        var converted = await (await _admin.PostJsonAsync($"/api/leads/{lead["id"]}/convert", new { })).AssertJsonAsync(HttpStatusCode.Created);
        var won = await (await _admin.MoveAsync(converted["dealId"]!.GetValue<string>(), "closed_won")).AssertJsonAsync();

        Assert.Equal("negotiation", converted["deal"]!["stage"]!.GetValue<string>());
        Assert.Equal(customerId, won["customerId"]!.GetValue<string>());
    }

    [Fact]
    public async Task Convert_LeadNotQualified_Answers409_AndMakesNoDeal()
    {
        var lead = await _admin.CreateLeadAsync(new { company = PipelineTestKit.Unique("Too Early "), source = "Website" });

        var response = await _admin.PostJsonAsync($"/api/leads/{lead["id"]}/convert", new { });

        await response.AssertProblemAsync(HttpStatusCode.Conflict);
        await (await _admin.GetAsync($"/api/deals/{PipelineKeys.DealOfLead(lead["id"]!.GetValue<string>())}")).AssertProblemAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Analytics_ShowValueByStageAndOwner_WinRate_Cycle_Conversion_AndLostReasons()
    {
        var pipeline = await _admin.NewPipelineAsync();
        var (ownerId, _) = await PipelineTestKit.StaffAsync(fixture.App, _admin, "manager");
        var a = (await _admin.CreateDealAsync(pipeline, "A", 1000m, assignedTo: ownerId))["id"]!.GetValue<string>();
        var b = (await _admin.CreateDealAsync(pipeline, "B", 3000m, assignedTo: ownerId))["id"]!.GetValue<string>();
        var c = (await _admin.CreateDealAsync(pipeline, "C", 500m))["id"]!.GetValue<string>();
        await _admin.CreateDealAsync(pipeline, "D", 200m, stage: "proposal");
        await (await _admin.MoveAsync(a, "proposal")).AssertJsonAsync();
        await (await _admin.MoveAsync(a, "closed_won")).AssertJsonAsync();
        await (await _admin.MoveAsync(b, "closed_won")).AssertJsonAsync();
        await (await _admin.MoveAsync(c, "closed_lost", lostReason: " Price ")).AssertJsonAsync();
        var missingReason = await _admin.MoveAsync((await _admin.CreateDealAsync(pipeline, "E", 10m))["id"]!.GetValue<string>(), "closed_lost");

        var analytics = await (await _admin.GetAsync($"/api/deals/analytics?pipelineId={pipeline}")).AssertJsonAsync();

        Assert.True((await missingReason.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("lostReason"));
        Assert.Equal(2, analytics["wonCount"]!.GetValue<long>());
        Assert.Equal(1, analytics["lostCount"]!.GetValue<long>());
        Assert.Equal(0.6667, analytics["winRate"]!.GetValue<double>());
        Assert.Equal(2000m, analytics["averageDealSize"]!.GetValue<decimal>());
        Assert.Equal(0, analytics["averageSalesCycleDays"]!.GetValue<double>());
        Assert.Equal(210m, analytics["openValue"]!.GetValue<decimal>());
        var owner = analytics["byOwner"]!.AsArray().Single(o => o!["assignedTo"]?.GetValue<string>() == ownerId)!;
        Assert.Equal(2, owner["wonCount"]!.GetValue<long>());
        Assert.Equal(4000m, owner["wonValue"]!.GetValue<decimal>());
        var lost = analytics["lostReasons"]!.AsArray().Single()!;
        Assert.Equal("price", lost["reason"]!.GetValue<string>());
        var conversion = analytics["conversion"]!.AsArray();
        var prospectToQualified = conversion.Single(s => s!["from"]!.GetValue<string>() == "prospect")!;
        Assert.Equal(5, prospectToQualified["reached"]!.GetValue<long>());
        Assert.Equal(3, prospectToQualified["advanced"]!.GetValue<long>());
        var negotiationToWon = conversion.Single(s => s!["from"]!.GetValue<string>() == "negotiation")!;
        Assert.Equal(1.0, negotiationToWon["rate"]!.GetValue<double>());
    }

    [Fact]
    public async Task Pipeline_StagesAreConfigurable_AndAStageWithDealsCannotBeDropped()
    {
        var pipeline = await _admin.NewPipelineAsync();
        await _admin.CreateDealAsync(pipeline, "Keeps Prospect", 100m);
        var stages = new object[]
        {
            new { id = "qualified", name = "Qualified", probability = 30, outcome = "open" },
            new { id = "closed_won", name = "Won", probability = 100, outcome = "won" },
            new { id = "closed_lost", name = "Lost", probability = 0, outcome = "lost" },
        };

        var dropped = await _admin.PutAsync($"/api/deals/pipelines/{pipeline}", PipelineTestKit.Json(new { name = "Fewer", stages }));
        var invalid = await _admin.PutAsync($"/api/deals/pipelines/{pipeline}", PipelineTestKit.Json(new { name = "No won", stages = new object[] { new { id = "prospect", name = "Prospect", probability = 10, outcome = "open" }, stages[0], stages[2] } }));
        var reweighted = await _admin.PutAsync($"/api/deals/pipelines/{pipeline}", PipelineTestKit.Json(new
        {
            name = "Reweighted",
            stages = new object[] { new { id = "prospect", name = "Prospect", probability = 40, outcome = "open" }, stages[0], stages[1], stages[2] },
        }));

        await dropped.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.True((await invalid.AssertProblemAsync(HttpStatusCode.BadRequest))["errors"]!.AsObject().ContainsKey("stages"));
        await reweighted.AssertJsonAsync();
        var board = await _admin.BoardAsync(pipeline);
        Assert.Equal(4, board["columns"]!.AsArray().Count);
        Assert.Equal(40m, PipelineTestKit.Column(board, "prospect")["weightedValue"]!.GetValue<decimal>());
    }
}
