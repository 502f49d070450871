using System.Net;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Analytics;

/// <summary>RFM scores and category affinity on <see cref="RfmDataSet"/>, every expected number worked out by hand.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class RfmScoresTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task Scores_HandMadeCustomers_FollowTheQuintileFormulaWithTies()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        await RfmDataSet.PostAsync(app, admin);
        // n = 7 scored customers; score = 1 + floor(5 × (rank − 1) / 7), rank = SQL rank() ascending:
        //   rank 1 → 1 + floor(0/7) = 1, rank 2 → 1 + floor(5/7) = 1, rank 3 → 1 + floor(10/7) = 2,
        //   rank 4 → 1 + floor(15/7) = 3, rank 5 → 1 + floor(20/7) = 3, rank 6 → 1 + floor(25/7) = 4,
        //   rank 7 → 1 + floor(30/7) = 5.
        // R by last order: G (Jan 1) rank 1 → 1; F (Feb 1) rank 2 → 1; E (Mar 1) rank 3 → 2; D (Apr 1) rank 4 → 3;
        //   C (May 1) rank 5 → 3; A and B tie on Jun 1 at rank 6 → 4 both, so nobody scores R = 5.
        // F by orders: C, F (1) rank 1 → 1; D, G (2) rank 3 → 2; B, E (3) rank 5 → 3; A (6) rank 7 → 5.
        // M by spend: C, G ($40) rank 1 → 1; E ($150) rank 3 → 2; D ($200) rank 4 → 3; A ($600) rank 5 → 3;
        //   B ($900) rank 6 → 4; F ($1,000) rank 7 → 5.
        // Default map: 453 Loyal (F ≥ 4 but M < 4), 434 Big Spenders (M ≥ 4, F < 4), 311 and 323 Potential,
        //   232 At Risk (R ≤ 2, F ≥ 3), 115 At Risk (R ≤ 2, M ≥ 4), 121 Lost (R = 1, F ≤ 2, M < 4).
        (char Customer, int R, int F, int M, string Code, string Segment)[] expected =
        [
            ('A', 4, 5, 3, "453", "Loyal"),
            ('B', 4, 3, 4, "434", "Big Spenders"),
            ('C', 3, 1, 1, "311", "Potential"),
            ('D', 3, 2, 3, "323", "Potential"),
            ('E', 2, 3, 2, "232", "At Risk"),
            ('F', 1, 1, 5, "115", "At Risk"),
            ('G', 1, 2, 1, "121", "Lost"),
        ];

        await RfmDataSet.ScoreAsync(admin);
        var scores = new Dictionary<char, JsonNode>();
        foreach (var e in expected)
        {
            scores[e.Customer] = await (await admin.GetAsync($"/api/customers/{RfmDataSet.Id(app, e.Customer)}/rfm")).AssertJsonAsync();
        }
        var grid = await (await admin.GetAsync("/api/analytics/rfm")).AssertJsonAsync();

        foreach (var e in expected)
        {
            var score = scores[e.Customer];
            Assert.Equal((e.Customer, e.R, e.F, e.M, e.Code, e.Segment), (e.Customer,
                score["r"]!.GetValue<int>(), score["f"]!.GetValue<int>(), score["m"]!.GetValue<int>(), score["code"]!.GetValue<string>(),
                score["segment"]!.GetValue<string>()));
            // The 360 view shows the same score, with the same date.
            var view = await (await admin.GetAsync($"/api/customers/{RfmDataSet.Id(app, e.Customer)}/360")).AssertJsonAsync();
            Assert.Equal(score.ToJsonString(), view["rfm"]!.ToJsonString());
            Assert.NotNull(score["scoredAt"]);
        }
        Assert.Equal(7, grid["customers"]!.GetValue<int>());
        Assert.Equal(1, grid["mapVersion"]!.GetValue<int>());
        // One customer per (R, F) cell, R then F highest first: A(4,5) B(4,3) D(3,2) C(3,1) E(2,3) G(1,2) F(1,1).
        Assert.Equal(
            [(4, 5, 1, 600m, 3.0), (4, 3, 1, 900m, 4.0), (3, 2, 1, 200m, 3.0), (3, 1, 1, 40m, 1.0), (2, 3, 1, 150m, 2.0), (1, 2, 1, 40m, 1.0), (1, 1, 1, 1000m, 5.0)],
            grid["cells"]!.AsArray().Select(c => (c!["r"]!.GetValue<int>(), c["f"]!.GetValue<int>(), c["customers"]!.GetValue<int>(),
                c["revenue"]!.GetValue<decimal>(), c["averageM"]!.GetValue<double>())));
        // Segments by revenue: At Risk E + F = 150 + 1000, R (2 + 1) / 2, F (3 + 1) / 2, M (2 + 5) / 2;
        // Potential C + D = 40 + 200, R 3, F (1 + 2) / 2, M (1 + 3) / 2.
        Assert.Equal(
            [("At Risk", 2, 1150m, 1.5, 2.0, 3.5), ("Big Spenders", 1, 900m, 4.0, 3.0, 4.0), ("Loyal", 1, 600m, 4.0, 5.0, 3.0),
                ("Potential", 2, 240m, 3.0, 1.5, 2.0), ("Lost", 1, 40m, 1.0, 2.0, 1.0)],
            grid["segments"]!.AsArray().Select(s => (s!["name"]!.GetValue<string>(), s["customers"]!.GetValue<int>(), s["revenue"]!.GetValue<decimal>(),
                s["averageR"]!.GetValue<double>(), s["averageF"]!.GetValue<double>(), s["averageM"]!.GetValue<double>())));
    }

    [Fact]
    public async Task Affinity_HandMadeCustomers_SharesAndIndexWorkedByHand()
    {
        await using var app = fixture.NewApp(new Dictionary<string, string?> { ["Hosting:RunTimers"] = "false" });
        var admin = app.Admin();
        await RfmDataSet.PostAsync(app, admin);

        var report = await (await admin.GetAsync("/api/analytics/rfm/affinity?from=2025-01-01T00:00:00Z&to=2025-07-01T00:00:00Z")).AssertJsonAsync();
        var backwards = await admin.GetAsync("/api/analytics/rfm/affinity?from=2025-07-01T00:00:00Z&to=2025-01-01T00:00:00Z");

        // Segments as scored over all orders (see the scores test): Loyal {A}, Big Spenders {B}, Potential {C, D},
        // At Risk {E, F}, Lost {G}. The range leaves out A's belts and G's first hats (both December 2024).
        // Buyers among all 7 scored customers: boots A, B, D, F = 4; hats A, C, G = 3; denim D, E = 2.
        // affinity = (buyers / segment size) / (all buyers / 7) = buyers × 7 / (size × all buyers).
        Assert.Equal(7, report["customers"]!.GetValue<int>());
        Assert.Equal(1, report["mapVersion"]!.GetValue<int>());
        Assert.Equal("USD", report["currency"]!.GetValue<string>());
        var segments = report["segments"]!.AsArray();
        Assert.Equal(["Champions", "Loyal", "Big Spenders", "New", "Promising", "Potential", "At Risk", "Hibernating", "Lost", "Developing"],
            segments.Select(s => s!["segment"]!.GetValue<string>()));
        Assert.Equal([0, 1, 1, 0, 0, 2, 2, 0, 1, 0], segments.Select(s => s!["customers"]!.GetValue<int>()));
        Assert.Empty(Segment(segments, "Champions")["categories"]!.AsArray());
        // Loyal (A, $500 in range): hats 1 × 7 / (1 × 3) = 2.33, $200 of 500 = 0.4; boots 1 × 7 / (1 × 4) = 1.75, $300 of 500 = 0.6.
        AssertSegment(segments, "Loyal", 500m, ("hats", 1, 1.0, 200m, 0.4, 2.33), ("boots", 1, 1.0, 300m, 0.6, 1.75));
        // Big Spenders (B, three orders of 2 × $150): boots 7 / 4 = 1.75.
        AssertSegment(segments, "Big Spenders", 900m, ("boots", 1, 1.0, 900m, 1.0, 1.75));
        // Potential (C, D, $240): denim 1 × 7 / (2 × 2) = 1.75, $100 of 240 = 0.4167; hats 7 / (2 × 3) = 1.1667 → 1.17,
        // $40 of 240 = 0.1667; boots 7 / (2 × 4) = 0.875 → 0.88, $100 of 240 = 0.4167.
        AssertSegment(segments, "Potential", 240m, ("denim", 1, 0.5, 100m, 0.4167, 1.75), ("hats", 1, 0.5, 40m, 0.1667, 1.17), ("boots", 1, 0.5, 100m, 0.4167, 0.88));
        // At Risk (E, F, $1,150): denim 7 / 4 = 1.75, $150 of 1150 = 0.1304; boots 7 / 8 = 0.88, $1000 of 1150 = 0.8696.
        AssertSegment(segments, "At Risk", 1150m, ("denim", 1, 0.5, 150m, 0.1304, 1.75), ("boots", 1, 0.5, 1000m, 0.8696, 0.88));
        // Lost (G, only the January order in range): hats 7 / 3 = 2.33.
        AssertSegment(segments, "Lost", 20m, ("hats", 1, 1.0, 20m, 1.0, 2.33));
        await backwards.AssertProblemAsync(HttpStatusCode.BadRequest);
    }

    private static JsonNode Segment(JsonArray segments, string name) => segments.Single(s => s!["segment"]!.GetValue<string>() == name)!;

    private static void AssertSegment(JsonArray segments, string name, decimal revenue, params (string Category, int Customers, double CustomerShare, decimal Revenue, double RevenueShare, double Affinity)[] categories)
    {
        var segment = Segment(segments, name);
        Assert.Equal(revenue, segment["revenue"]!.GetValue<decimal>());
        Assert.Equal(categories, segment["categories"]!.AsArray().Select(c => (c!["category"]!.GetValue<string>(), c["customers"]!.GetValue<int>(),
            c["customerShare"]!.GetValue<double>(), c["revenue"]!.GetValue<decimal>(), c["revenueShare"]!.GetValue<double>(), c["affinity"]!.GetValue<double>())));
    }
}
