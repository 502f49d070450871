namespace PecosCrm.Core.Pipeline;

/// <summary>
/// What a pipeline's board row holds: per column the count, value and weighted value of its deals
/// and its top cards (highest value first), and the running figures of the pipeline's analytics
/// (by owner, won and lost, stages reached, lost reasons). It is a fold over the deals: a change
/// of a deal takes the deal's old contribution out and puts its new one in
/// (<see cref="Apply"/>), so every write of a deal keeps the row exact in the same transaction,
/// and <see cref="Apply"/> over every deal from an empty state rebuilds it. Pure; the store reads
/// and writes it.
/// </summary>
public sealed class BoardState
{
    /// <summary>Cards shown per column on the board; the rest of a column is paged from its index.</summary>
    public const int CardsPerColumn = 20;

    public Dictionary<string, BoardColumn> Columns { get; set; } = new(StringComparer.Ordinal);
    public Dictionary<string, OwnerTotals> Owners { get; set; } = new(StringComparer.Ordinal);
    public long WonCount { get; set; }
    public long WonValueCents { get; set; }
    public long WonCycleHours { get; set; }
    public long LostCount { get; set; }
    public long LostValueCents { get; set; }

    /// <summary>By stage id: how many deals ever reached it (a deal further on passed the open stages before it).</summary>
    public Dictionary<string, long> Reached { get; set; } = new(StringComparer.Ordinal);

    /// <summary>By reason (trimmed, lower case): how many lost deals gave it.</summary>
    public Dictionary<string, long> LostReasons { get; set; } = new(StringComparer.Ordinal);

    public BoardColumn Column(string stageId) =>
        Columns.TryGetValue(stageId, out var column) ? column : Columns[stageId] = new BoardColumn();

    /// <summary>Replaces <paramref name="before"/>'s contribution by <paramref name="after"/>'s (either may be null).</summary>
    public void Apply(Deal? before, Deal? after, SalesPipeline pipeline)
    {
        if (before is not null)
        {
            Contribute(before, -1, pipeline);
            Column(before.StageId).Cards.RemoveAll(c => c.DealId == before.Id);
        }
        if (after is not null)
        {
            Contribute(after, +1, pipeline);
            var cards = Column(after.StageId).Cards;
            cards.RemoveAll(c => c.DealId == after.Id);
            cards.Add(BoardCard.From(after));
            cards.Sort(BoardCard.Order);
            if (cards.Count > CardsPerColumn)
            {
                cards.RemoveRange(CardsPerColumn, cards.Count - CardsPerColumn);
            }
        }
    }

    /// <summary>Columns that lost a card they showed while holding more deals than they show: their top cards must be read again from the index.</summary>
    public IEnumerable<string> ColumnsToRefill() =>
        Columns.Where(c => c.Value.Cards.Count < Math.Min(CardsPerColumn, c.Value.Count)).Select(c => c.Key).ToList();

    /// <summary>Sets a column's top cards from index rows (read before the write) and the changed deal as it is now.</summary>
    public void Refill(string stageId, IEnumerable<BoardCard> indexed, Deal? before, Deal? after)
    {
        var candidates = indexed.Where(c => c.DealId != before?.Id && c.DealId != after?.Id).ToList();
        if (after is not null && after.StageId == stageId)
        {
            candidates.Add(BoardCard.From(after));
        }
        candidates.Sort(BoardCard.Order);
        Column(stageId).Cards = candidates.Take(CardsPerColumn).ToList();
    }

    private void Contribute(Deal deal, int sign, SalesPipeline pipeline)
    {
        var column = Column(deal.StageId);
        column.Count += sign;
        column.ValueCents += sign * deal.ValueCents;
        column.WeightedCents += sign * deal.WeightedCents(pipeline);

        var ownerKey = deal.OwnerId ?? "";
        if (!Owners.TryGetValue(ownerKey, out var owner))
        {
            Owners[ownerKey] = owner = new OwnerTotals();
        }
        if (sign > 0)
        {
            owner.Name = deal.OwnerName;
        }
        var outcome = pipeline.FindStage(deal.StageId)?.Outcome ?? StageOutcome.Open;
        switch (outcome)
        {
            case StageOutcome.Won:
                WonCount += sign;
                WonValueCents += sign * deal.ValueCents;
                WonCycleHours += sign * (long)Math.Round(((deal.ClosedAt ?? deal.StageChangedAt) - deal.CreatedAt).TotalHours);
                owner.WonCount += sign;
                owner.WonValueCents += sign * deal.ValueCents;
                break;
            case StageOutcome.Lost:
                LostCount += sign;
                LostValueCents += sign * deal.ValueCents;
                owner.LostCount += sign;
                var reason = (deal.LostReason ?? "").Trim().ToLowerInvariant();
                LostReasons[reason] = LostReasons.GetValueOrDefault(reason) + sign;
                if (LostReasons[reason] == 0)
                {
                    LostReasons.Remove(reason);
                }
                break;
            default:
                owner.OpenCount += sign;
                owner.OpenValueCents += sign * deal.ValueCents;
                owner.WeightedCents += sign * deal.WeightedCents(pipeline);
                break;
        }
        if (owner is { OpenCount: 0, WonCount: 0, LostCount: 0 })
        {
            Owners.Remove(ownerKey);
        }
        foreach (var stage in ReachedStages(deal, pipeline, outcome))
        {
            Reached[stage] = Reached.GetValueOrDefault(stage) + sign;
        }
    }

    /// <summary>The open stages up to the furthest the deal reached (all of them for a won deal), and its closing stage.</summary>
    private static IEnumerable<string> ReachedStages(Deal deal, SalesPipeline pipeline, StageOutcome outcome)
    {
        var open = pipeline.OpenStages.Select(s => s.Id).ToList();
        var furthest = outcome == StageOutcome.Won ? open.Count - 1 : open.IndexOf(deal.FurthestStageId);
        var reached = open.Take(furthest + 1).ToList();
        if (outcome != StageOutcome.Open || !reached.Contains(deal.StageId))
        {
            reached.Add(deal.StageId);
        }
        return reached.Distinct();
    }
}

/// <summary>One column's totals and its top cards.</summary>
public sealed class BoardColumn
{
    public long Count { get; set; }
    public long ValueCents { get; set; }
    public long WeightedCents { get; set; }
    public List<BoardCard> Cards { get; set; } = [];
}

/// <summary>One owner's deals: open (with value and weighted value), won and lost.</summary>
public sealed class OwnerTotals
{
    public string? Name { get; set; }
    public long OpenCount { get; set; }
    public long OpenValueCents { get; set; }
    public long WeightedCents { get; set; }
    public long WonCount { get; set; }
    public long WonValueCents { get; set; }
    public long LostCount { get; set; }
}

/// <summary>A deal as its card shows it.</summary>
public sealed record BoardCard(
    string DealId, string Name, string? Company, long ValueCents, int? Probability, string? OwnerId, string? OwnerName, DateOnly? ExpectedCloseDate, DateTimeOffset StageChangedAt)
{
    /// <summary>Highest value first, then by id: the order of the column's index rows.</summary>
    public static readonly Comparison<BoardCard> Order = (a, b) =>
        a.ValueCents != b.ValueCents ? b.ValueCents.CompareTo(a.ValueCents) : string.CompareOrdinal(a.DealId, b.DealId);

    public static BoardCard From(Deal d) => new(d.Id, d.Name, d.Company, d.ValueCents, d.Probability, d.OwnerId, d.OwnerName, d.ExpectedCloseDate, d.StageChangedAt);
}
