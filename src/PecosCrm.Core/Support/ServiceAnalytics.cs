namespace PecosCrm.Core.Support;

/// <summary>Average and median of a set of durations, in minutes; null when there are none.</summary>
public sealed record DurationFigures(int Count, double? AverageMinutes, double? MedianMinutes);

/// <summary>A duration measured two ways: business time (as the SLA counts it, pauses left out) and calendar time (wall clock).</summary>
public sealed record TimeFigures(DurationFigures Business, DurationFigures Calendar);

public sealed record AgentFigures(string? AssigneeId, string? AssigneeName, int Tickets, int Resolved, TimeFigures FirstResponse, double? AverageCsat, double? FirstContactResolutionRate);

/// <summary>Share of tickets whose SLA target was met, of those with the target and reached (or breached while running).</summary>
public sealed record SlaAttainment(double? FirstResponse, double? NextResponse, double? Resolution);

/// <summary>The service figures of the tickets created in a period.</summary>
public sealed record ServiceReport(
    DateTimeOffset From, DateTimeOffset To, int Tickets, int Backlog,
    IReadOnlyDictionary<string, int> ByCategory, IReadOnlyDictionary<string, int> ByChannel, IReadOnlyDictionary<string, int> ByStatus,
    TimeFigures FirstResponse, TimeFigures Resolution,
    double? CsatAverage, double? CsatScore, int CsatResponses,
    double? FirstContactResolutionRate, double? ReopenRate, SlaAttainment SlaAttainment,
    IReadOnlyList<AgentFigures> Agents);

/// <summary>
/// Service analytics over the tickets created in a period, read from their month copies (one
/// partition per month): first response and resolution times (average and median, business and
/// calendar), tickets by category, channel and status, CSAT (average, and the share of 4 and 5
/// ratings), first-contact resolution (resolved with at most one staff reply and never reopened),
/// reopen rate, backlog (still open), per-agent figures and SLA attainment.
/// </summary>
public sealed class ServiceAnalytics(TicketStore store, TicketSla sla, TimeProvider time)
{
    public async Task<ServiceReport> ReportAsync(DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken = default)
    {
        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddDays(-30);
        if (start >= end)
        {
            throw new ValidationFailedException("from", "must be before to.");
        }
        if (end - start > TimeSpan.FromDays(366))
        {
            throw new ValidationFailedException("from", "the period may be at most a year.");
        }
        var rows = await store.CreatedBetweenAsync(start, end, cancellationToken);
        return Compute(start, end, rows, time.GetUtcNow());
    }

    internal ServiceReport Compute(DateTimeOffset from, DateTimeOffset to, IReadOnlyList<TicketEntity> rows, DateTimeOffset now)
    {
        var resolved = rows.Where(r => r.ResolvedAt is not null).ToList();
        var rated = rows.Where(r => r.CsatRating is not null).ToList();
        var views = rows.ToDictionary(r => r.TicketId, r => sla.View(r, now));
        var agents = rows.GroupBy(r => r.AssigneeId).Select(g =>
        {
            var done = g.Where(r => r.ResolvedAt is not null).ToList();
            var ratings = g.Where(r => r.CsatRating is not null).ToList();
            return new AgentFigures(g.Key, g.First().AssigneeName, g.Count(), done.Count, FirstResponse(g),
                ratings.Count == 0 ? null : Math.Round(ratings.Average(r => r.CsatRating!.Value), 2), Rate(done.Count(FirstContact), done.Count));
        }).OrderByDescending(a => a.Tickets).ToList();
        return new ServiceReport(
            from, to, rows.Count, rows.Count(r => TicketService.IsOpen(r.StatusValue)),
            Count(rows, r => TicketService.Name(r.CategoryValue)), Count(rows, r => TicketService.Name(Enum.Parse<TicketChannel>(r.Channel))), Count(rows, r => TicketService.Name(r.StatusValue)),
            FirstResponse(rows), Times(resolved, r => r.ResolvedAt!.Value),
            rated.Count == 0 ? null : Math.Round(rated.Average(r => r.CsatRating!.Value), 2), Rate(rated.Count(r => r.CsatRating >= 4), rated.Count), rated.Count,
            Rate(resolved.Count(FirstContact), resolved.Count), Rate(rows.Count(r => r.ReopenCount > 0), rows.Count(r => r.ResolvedAt is not null || r.ReopenCount > 0)),
            new SlaAttainment(
                Attainment(views.Values.Select(v => v.FirstResponse.State)),
                Rate(rows.Sum(r => r.NextResponsesMet), rows.Sum(r => r.NextResponses)),
                Attainment(views.Values.Select(v => v.Resolution.State))),
            agents);
    }

    private TimeFigures FirstResponse(IEnumerable<TicketEntity> rows) => Times(rows.Where(r => r.FirstResponseAt is not null).ToList(), r => r.FirstResponseAt!.Value);

    private TimeFigures Times(IReadOnlyList<TicketEntity> rows, Func<TicketEntity, DateTimeOffset> end) => new(
        Figures(rows.Select(r => sla.CalendarOf(r).Elapsed(r.CreatedAt, end(r), r.PauseList()).TotalMinutes)),
        Figures(rows.Select(r => (end(r) - r.CreatedAt).TotalMinutes)));

    private static DurationFigures Figures(IEnumerable<double> minutes)
    {
        var sorted = minutes.Order().ToList();
        if (sorted.Count == 0)
        {
            return new DurationFigures(0, null, null);
        }
        var mid = sorted.Count / 2;
        var median = sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        return new DurationFigures(sorted.Count, Math.Round(sorted.Average(), 2), Math.Round(median, 2));
    }

    private static bool FirstContact(TicketEntity r) => r.StaffReplies <= 1 && r.ReopenCount == 0;

    /// <summary>Met among the clocks that were reached or are past due; clocks still running in time are not counted yet.</summary>
    private static double? Attainment(IEnumerable<SlaState> states)
    {
        var decided = states.Where(s => s is SlaState.Met or SlaState.Breached).ToList();
        return Rate(decided.Count(s => s == SlaState.Met), decided.Count);
    }

    private static double? Rate(int part, int whole) => whole == 0 ? null : Math.Round((double)part / whole, 4);

    private static Dictionary<string, int> Count(IEnumerable<TicketEntity> rows, Func<TicketEntity, string> key) =>
        rows.GroupBy(key).OrderByDescending(g => g.Count()).ToDictionary(g => g.Key, g => g.Count());
}
