namespace PecosCrm.Core.Support;

/// <summary>
/// An SLA policy. Policies are kept in order and the first whose conditions all hold applies to a
/// ticket (an empty condition holds for every ticket). Targets are minutes per priority, counted in
/// business time when <see cref="Schedule"/> is set, else in calendar time.
/// </summary>
public sealed record SlaPolicy(
    string Id,
    string Name,
    SlaConditions? Conditions,
    IReadOnlyDictionary<TicketPriority, SlaTargets> Targets,
    BusinessSchedule? Schedule,
    int NearBreachPercent = 80);

/// <summary>What a ticket must be for a policy to apply; null or empty lists hold for any ticket.</summary>
/// <param name="MinLifetimeValue">The customer's lifetime value at least this much (decimal, the store's currency).</param>
public sealed record SlaConditions(
    IReadOnlyList<TicketPriority>? Priorities = null,
    IReadOnlyList<TicketCategory>? Categories = null,
    IReadOnlyList<string>? CustomerTiers = null,
    decimal? MinLifetimeValue = null);

/// <summary>Minutes to the first staff reply, to each next reply after the customer writes, and to resolution.</summary>
public sealed record SlaTargets(int? FirstResponseMinutes, int? NextResponseMinutes, int? ResolutionMinutes);

/// <summary>
/// Business hours: a weekly schedule of local opening windows (<c>HH:mm</c>), holidays (local dates,
/// <c>yyyy-MM-dd</c>) and the time zone they are read in (the store's when not set).
/// </summary>
public sealed record BusinessSchedule(IReadOnlyDictionary<DayOfWeek, IReadOnlyList<OpeningHours>> Week, IReadOnlyList<DateOnly>? Holidays = null, string? TimeZone = null);

public sealed record OpeningHours(string Start, string End);

/// <summary>What the policy matcher knows about a ticket's customer.</summary>
public sealed record SlaCustomer(string? Tier, long LifetimeValueCents);

/// <summary>Policy choice and checks: pure.</summary>
public static class SlaPolicies
{
    /// <summary>The first policy whose conditions hold, or null.</summary>
    public static SlaPolicy? Match(IReadOnlyList<SlaPolicy> policies, TicketPriority priority, TicketCategory category, SlaCustomer customer) =>
        policies.FirstOrDefault(p => Holds(p.Conditions, priority, category, customer));

    private static bool Holds(SlaConditions? c, TicketPriority priority, TicketCategory category, SlaCustomer customer) =>
        c is null
        || ((c.Priorities is not { Count: > 0 } || c.Priorities.Contains(priority))
            && (c.Categories is not { Count: > 0 } || c.Categories.Contains(category))
            && (c.CustomerTiers is not { Count: > 0 } || (customer.Tier is { } tier && c.CustomerTiers.Contains(tier, StringComparer.OrdinalIgnoreCase)))
            && (c.MinLifetimeValue is not { } min || customer.LifetimeValueCents >= Money.ToCents(min)));

    /// <summary>Checks a list of policies, naming fields by path (<c>policies[1].schedule.week.monday[0].end</c>).</summary>
    public static void Validate(IReadOnlyList<SlaPolicy>? policies, Func<string?, bool> isTimeZone)
    {
        var check = new Validation();
        if (policies is null)
        {
            check.Add("policies", "is required.");
            check.ThrowIfInvalid();
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < policies!.Count; i++)
        {
            var p = policies[i];
            var at = $"policies[{i}]";
            if (p is null)
            {
                check.Add(at, "is required.");
                continue;
            }
            if (!Storage.KeyRules.IsValidKey(p.Id) || p.Id.Length > 64)
            {
                check.Add(at + ".id", "must be 1-64 characters without / \\ # ?.");
            }
            else if (!ids.Add(p.Id))
            {
                check.Add(at + ".id", $"'{p.Id}' is used twice.");
            }
            check.Required(at + ".name", p.Name, 100);
            if (p.NearBreachPercent is < 1 or > 99)
            {
                check.Add(at + ".nearBreachPercent", "must be between 1 and 99.");
            }
            if (p.Targets is null || p.Targets.Count == 0)
            {
                check.Add(at + ".targets", "must give targets for at least one priority.");
            }
            else
            {
                foreach (var (priority, t) in p.Targets)
                {
                    var tp = $"{at}.targets.{Name(priority)}";
                    if (t is null)
                    {
                        check.Add(tp, "is required.");
                        continue;
                    }
                    Minutes(check, tp + ".firstResponseMinutes", t.FirstResponseMinutes);
                    Minutes(check, tp + ".nextResponseMinutes", t.NextResponseMinutes);
                    Minutes(check, tp + ".resolutionMinutes", t.ResolutionMinutes);
                }
            }
            if (p.Conditions?.MinLifetimeValue is < 0)
            {
                check.Add(at + ".conditions.minLifetimeValue", "must not be negative.");
            }
            if (p.Schedule is { } s)
            {
                ValidateSchedule(check, at + ".schedule", s, isTimeZone);
            }
        }
        check.ThrowIfInvalid();
    }

    private static void ValidateSchedule(Validation check, string at, BusinessSchedule s, Func<string?, bool> isTimeZone)
    {
        if (s.TimeZone is not null && !isTimeZone(s.TimeZone))
        {
            check.Add(at + ".timeZone", $"'{s.TimeZone}' is not an IANA time zone such as America/Denver.");
        }
        if (s.Week is null || s.Week.Values.All(v => v is not { Count: > 0 }))
        {
            check.Add(at + ".week", "must open on at least one day.");
            return;
        }
        foreach (var (day, hours) in s.Week)
        {
            var dp = $"{at}.week.{day.ToString().ToLowerInvariant()}";
            for (var j = 0; j < (hours?.Count ?? 0); j++)
            {
                var h = hours![j];
                if (!LocalClock.IsTime(h?.Start))
                {
                    check.Add($"{dp}[{j}].start", "must be a time HH:mm.");
                }
                else if (!LocalClock.IsTime(h!.End) && h.End != "24:00")
                {
                    check.Add($"{dp}[{j}].end", "must be a time HH:mm (24:00 for midnight).");
                }
                else if (BusinessCalendar.EndOf(h.End) <= LocalClock.Time(h.Start).ToTimeSpan())
                {
                    check.Add($"{dp}[{j}].end", "must be after start.");
                }
            }
        }
    }

    private static void Minutes(Validation check, string field, int? minutes)
    {
        if (minutes is < 1 or > 525_600)
        {
            check.Add(field, "must be between 1 and 525600 minutes.");
        }
    }

    private static string Name(TicketPriority p) => p.ToString().ToLowerInvariant();

    /// <summary>The policy the store starts with: business hours Monday to Friday, 09:00-17:00 in the store's zone.</summary>
    public static SlaPolicy Default { get; } = new(
        "standard", "Standard", null,
        new Dictionary<TicketPriority, SlaTargets>
        {
            [TicketPriority.Urgent] = new(60, 120, 8 * 60),
            [TicketPriority.High] = new(4 * 60, 4 * 60, 16 * 60),
            [TicketPriority.Medium] = new(8 * 60, 8 * 60, 40 * 60),
            [TicketPriority.Low] = new(16 * 60, 16 * 60, 80 * 60),
        },
        new BusinessSchedule(new Dictionary<DayOfWeek, IReadOnlyList<OpeningHours>>
        {
            [DayOfWeek.Monday] = [new("09:00", "17:00")],
            [DayOfWeek.Tuesday] = [new("09:00", "17:00")],
            [DayOfWeek.Wednesday] = [new("09:00", "17:00")],
            [DayOfWeek.Thursday] = [new("09:00", "17:00")],
            [DayOfWeek.Friday] = [new("09:00", "17:00")],
        }));
}
