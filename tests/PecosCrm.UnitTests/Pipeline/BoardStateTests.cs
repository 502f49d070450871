using PecosCrm.Core.Pipeline;

namespace PecosCrm.UnitTests.Pipeline;

public sealed class BoardStateTests
{
    private static readonly SalesPipeline Pipeline = SalesPipeline.Defaults[0];
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Apply_ChangesFoldedOneByOneWithRefills_EqualARebuildFromTheDealsAsTheyEnd()
    {
        var folded = new BoardState();
        var deals = Enumerable.Range(0, 30).Select(i => Deal($"d{i:D2}", "prospect", 1000_00 + i * 100, owner: i % 3 == 0 ? "s1" : null)).ToList();
        foreach (var d in deals)
        {
            folded.Apply(null, d, Pipeline);
        }
        var final = deals.ToList();
        for (var i = 0; i < 30; i += 4)
        {
            var moved = Move(final[i], i % 8 == 0 ? "closed_won" : "closed_lost", reason: "Price");
            folded.Apply(final[i], moved, Pipeline);
            foreach (var stage in folded.ColumnsToRefill())
            {
                folded.Refill(stage, final.Where(d => d.StageId == stage).Select(BoardCard.From), final[i], moved);
            }
            final[i] = moved;
        }

        var rebuilt = new BoardState();
        foreach (var d in final)
        {
            rebuilt.Apply(null, d, Pipeline);
        }

        Assert.Equal(Summary(rebuilt), Summary(folded));
        Assert.Equal(22, folded.Columns["prospect"].Count);
        Assert.Equal(4, folded.WonCount);
        Assert.Equal(4, folded.LostCount);
        Assert.Equal(4, folded.LostReasons["price"]);
    }

    [Fact]
    public void Apply_TopCardLeavesAFullColumn_AsksForARefill()
    {
        var state = new BoardState();
        var deals = Enumerable.Range(0, BoardState.CardsPerColumn + 1).Select(i => Deal($"d{i:D2}", "prospect", 100 + i)).ToList();
        foreach (var d in deals)
        {
            state.Apply(null, d, Pipeline);
        }

        var top = deals[^1];
        state.Apply(top, Move(top, "qualified"), Pipeline);

        Assert.Equal(["prospect"], state.ColumnsToRefill());
        state.Refill("prospect", deals.OrderByDescending(d => d.ValueCents).Select(BoardCard.From), top, Move(top, "qualified"));
        Assert.Empty(state.ColumnsToRefill());
        Assert.Equal("d19", state.Columns["prospect"].Cards[0].DealId);
        Assert.Equal("d00", state.Columns["prospect"].Cards[^1].DealId);
    }

    [Fact]
    public void Analytics_ConversionCountsStagesPassed_WinRateAndCycle()
    {
        var state = new BoardState();
        var won = Move(Deal("a", "prospect", 500_00), "closed_won") with { ClosedAt = Start.AddDays(10) };
        var lost = Move(Move(Deal("b", "prospect", 300_00), "proposal"), "closed_lost", reason: "Went with a competitor");
        var open = Deal("c", "qualified", 200_00) with { FurthestStageId = "qualified" };
        foreach (var d in new[] { won, lost, open })
        {
            state.Apply(null, d, Pipeline);
        }

        var analytics = PipelineAnalytics.From(Pipeline, state);

        Assert.Equal(0.5, analytics.WinRate);
        Assert.Equal(500_00, analytics.AverageDealSizeCents);
        Assert.Equal(10.0, analytics.AverageSalesCycleDays);
        Assert.Equal(200_00, analytics.OpenValueCents);
        Assert.Equal(50_00, analytics.WeightedValueCents);
        Assert.Equal(
            [("prospect", 3L, 3L), ("qualified", 3L, 2L), ("proposal", 2L, 1L), ("negotiation", 1L, 1L)],
            analytics.Conversion.Select(c => (c.From, c.Reached, c.Advanced)));
        Assert.Equal("went with a competitor", analytics.LostReasons.Single().Reason);
    }

    private static Deal Deal(string id, string stage, long cents, string? owner = null) => new(
        id, Pipeline.Id, "Deal " + id, "Co " + id, null, null, null, stage, cents, null, null, owner, owner is null ? null : "Owner " + owner,
        null, null, null, null, stage, Start, Start, Start, null, "etag");

    private static Deal Move(Deal d, string stage, string? reason = null)
    {
        var target = Pipeline.GetStage(stage);
        var furthest = target.Outcome == StageOutcome.Open && Pipeline.IndexOf(stage) > Pipeline.IndexOf(d.FurthestStageId) ? stage : d.FurthestStageId;
        return d with
        {
            StageId = stage,
            FurthestStageId = furthest,
            ClosedAt = target.Outcome == StageOutcome.Open ? null : Start.AddDays(1),
            LostReason = target.Outcome == StageOutcome.Lost ? reason : null,
        };
    }

    private static string Summary(BoardState s) => System.Text.Json.JsonSerializer.Serialize(new
    {
        Columns = s.Columns.OrderBy(c => c.Key).Select(c => new { c.Key, c.Value.Count, c.Value.ValueCents, c.Value.WeightedCents, Cards = c.Value.Cards.Select(x => x.DealId) }),
        Owners = s.Owners.OrderBy(o => o.Key).Select(o => new { o.Key, o.Value.OpenCount, o.Value.OpenValueCents, o.Value.WonCount, o.Value.LostCount }),
        s.WonCount, s.LostCount, s.WonValueCents, s.WonCycleHours,
        Reached = s.Reached.Where(r => r.Value != 0).OrderBy(r => r.Key),
        LostReasons = s.LostReasons.OrderBy(r => r.Key),
    });
}
