using System.Collections.Concurrent;

namespace PecosCrm.Core.Support;

/// <summary>
/// Turns ticket rows into what the API shows, with the SLA clocks worked out at this moment in the
/// calendar of the ticket's policy (its schedule's time zone, else the store's). Policies and their
/// calendars are cached by the policy text each ticket keeps, since the list and the sweep work out
/// thousands of tickets under a few policies.
/// </summary>
public sealed class TicketSla(StoreTime storeTime, TimeProvider time)
{
    /// <summary>Distinct policy texts kept: every edit of a policy makes a new one.</summary>
    private const int MaxPolicies = 200;

    private readonly ConcurrentDictionary<string, (SlaPolicy? Policy, BusinessCalendar Calendar)> _policies = new(StringComparer.Ordinal);
    private volatile LastPolicy? _last;

    internal BusinessCalendar CalendarOf(TicketEntity ticket) => PolicyOf(ticket).Calendar;

    internal BusinessCalendar CalendarOf(SlaPolicy? policy) => policy is null ? BusinessCalendar.Always : Parsed(TicketEntity.Write(policy), () => policy).Calendar;

    /// <summary>The ticket's policy and its calendar, read from the policy text once per text.</summary>
    private (SlaPolicy? Policy, BusinessCalendar Calendar) PolicyOf(TicketEntity ticket) =>
        ticket.Policy is null ? (null, BusinessCalendar.Always) : Parsed(ticket.Policy, ticket.PolicyValue);

    private (SlaPolicy? Policy, BusinessCalendar Calendar) Parsed(string text, Func<SlaPolicy?> policy)
    {
        // The tickets of a list head share one policy text: the same string is not hashed again.
        if (_last is { } last && ReferenceEquals(last.Text, text))
        {
            return last.Parsed;
        }
        var parsed = ParsedText(text, policy);
        _last = new LastPolicy(text, parsed);
        return parsed;
    }

    private (SlaPolicy? Policy, BusinessCalendar Calendar) ParsedText(string text, Func<SlaPolicy?> policy)
    {
        if (_policies.Count > MaxPolicies)
        {
            _policies.Clear(); // Texts of policies since edited; tickets still under them are parsed again.
        }
        return _policies.GetOrAdd(text, _ =>
        {
            var parsed = policy();
            var calendar = parsed?.Schedule is { } schedule ? BusinessCalendar.For(schedule, storeTime.For(schedule.TimeZone)) : BusinessCalendar.Always;
            return (parsed, calendar);
        });
    }

    internal SlaView View(TicketEntity t, DateTimeOffset? now = null)
    {
        var (policy, calendar) = PolicyOf(t);
        return SlaClock.Compute(t.Facts(), policy, calendar, now ?? time.GetUtcNow());
    }

    /// <summary>Stores the state the list filters on; true when it changed.</summary>
    internal bool Refresh(TicketEntity t, DateTimeOffset now)
    {
        var view = View(t, now);
        var state = view.State.ToString();
        var due = SlaClock.NextDue(view);
        if (t.BreachState == state && t.NextDueAt == due)
        {
            return false;
        }
        t.BreachState = state;
        t.NextDueAt = due;
        return true;
    }

    internal Ticket ToRecord(TicketEntity t) => new(
        t.TicketId, t.TicketId, t.CustomerId, t.CustomerName, t.OrderId, t.Subject, t.CategoryValue, t.PriorityValue, t.StatusValue,
        t.AssigneeId, t.AssigneeName, t.TagList(), Enum.Parse<TicketChannel>(t.Channel), t.ConversationId, t.CreatedAt, t.UpdatedAt,
        t.FirstResponseAt, t.ResolvedAt, t.ClosedAt, t.ReopenCount, View(t),
        t.CsatRating is { } rating ? new TicketCsat(rating, t.CsatComment, t.CsatAt ?? t.UpdatedAt) : null,
        t.ArticleList(), t.ETag.ToString());

    private sealed record LastPolicy(string Text, (SlaPolicy? Policy, BusinessCalendar Calendar) Parsed);
}
