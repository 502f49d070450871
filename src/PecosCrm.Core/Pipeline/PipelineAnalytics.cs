namespace PecosCrm.Core.Pipeline;

/// <summary>
/// A pipeline's figures, read off its board row (kept exact by every change of a deal): value by
/// stage and by owner, win rate, average deal size and sales cycle, conversion from each stage to
/// the next, and why deals were lost. No deal is read to answer it.
/// </summary>
public sealed record PipelineAnalytics(
    string PipelineId,
    IReadOnlyList<StageFigures> ByStage,
    IReadOnlyList<OwnerFigures> ByOwner,
    long OpenValueCents,
    long WeightedValueCents,
    long WonCount,
    long LostCount,
    long WonValueCents,
    double? WinRate,
    long? AverageDealSizeCents,
    double? AverageSalesCycleDays,
    IReadOnlyList<StageConversion> Conversion,
    IReadOnlyList<LostReasonCount> LostReasons)
{
    public static PipelineAnalytics From(SalesPipeline pipeline, BoardState state)
    {
        var byStage = pipeline.Stages.Select(s =>
        {
            var c = state.Columns.GetValueOrDefault(s.Id) ?? new BoardColumn();
            return new StageFigures(s.Id, s.Name, s.Outcome, c.Count, c.ValueCents, c.WeightedCents);
        }).ToList();
        var byOwner = state.Owners
            .Select(o => new OwnerFigures(o.Key.Length == 0 ? null : o.Key, o.Value.Name, o.Value.OpenCount, o.Value.OpenValueCents, o.Value.WeightedCents,
                o.Value.WonCount, o.Value.WonValueCents, o.Value.LostCount))
            .OrderByDescending(o => o.OpenValueCents).ThenBy(o => o.OwnerId, StringComparer.Ordinal).ToList();
        var open = byStage.Where(s => s.Outcome == StageOutcome.Open).ToList();
        var closed = state.WonCount + state.LostCount;

        var steps = pipeline.OpenStages.Select(s => s.Id).Append(pipeline.Stages.First(s => s.Outcome == StageOutcome.Won).Id).ToList();
        var conversion = steps.Zip(steps.Skip(1), (from, to) =>
        {
            var reached = state.Reached.GetValueOrDefault(from);
            var advanced = state.Reached.GetValueOrDefault(to);
            return new StageConversion(from, to, reached, advanced, reached == 0 ? null : Math.Round((double)advanced / reached, 4));
        }).ToList();

        return new PipelineAnalytics(
            pipeline.Id, byStage, byOwner,
            open.Sum(s => s.ValueCents), open.Sum(s => s.WeightedValueCents),
            state.WonCount, state.LostCount, state.WonValueCents,
            closed == 0 ? null : Math.Round((double)state.WonCount / closed, 4),
            state.WonCount == 0 ? null : Money.Divide(state.WonValueCents, state.WonCount),
            state.WonCount == 0 ? null : Math.Round(state.WonCycleHours / 24.0 / state.WonCount, 1),
            conversion,
            state.LostReasons.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => new LostReasonCount(r.Key, r.Value)).ToList());
    }
}

public sealed record StageFigures(string StageId, string Name, StageOutcome Outcome, long Count, long ValueCents, long WeightedValueCents);

public sealed record OwnerFigures(string? OwnerId, string? OwnerName, long OpenCount, long OpenValueCents, long WeightedValueCents, long WonCount, long WonValueCents, long LostCount);

/// <summary>Of the deals that reached <see cref="From"/>, how many went on to reach <see cref="To"/>.</summary>
public sealed record StageConversion(string From, string To, long Reached, long Advanced, double? Rate);

public sealed record LostReasonCount(string Reason, long Count);
