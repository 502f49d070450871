using PecosCrm.Core.Support;

namespace PecosCrm.UnitTests.Support;

public sealed class SlaAndEscalationTests
{
    private static readonly DateTimeOffset Created = new(2026, 3, 2, 16, 0, 0, TimeSpan.Zero);

    private static SlaPolicy Policy(int first = 60) => new("p", "P", null,
        new Dictionary<TicketPriority, SlaTargets> { [TicketPriority.Urgent] = new(first, 60, 240), [TicketPriority.High] = new(120, 120, 480) }, null);

    [Fact]
    public void Compute_PastTheNearBreachShare_IsNearBreach_AndPastTheTarget_Breached()
    {
        var facts = new SlaFacts(TicketPriority.Urgent, Created, null, null, null, []);

        var near = SlaClock.Compute(facts, Policy(), BusinessCalendar.Always, Created.AddMinutes(50));
        var breached = SlaClock.Compute(facts, Policy(), BusinessCalendar.Always, Created.AddMinutes(61));
        var met = SlaClock.Compute(facts with { FirstResponseAt = Created.AddMinutes(30) }, Policy(), BusinessCalendar.Always, Created.AddMinutes(61));

        Assert.Equal(SlaState.NearBreach, near.FirstResponse.State);
        Assert.Equal(SlaState.NearBreach, near.State);
        Assert.Equal(SlaState.Breached, breached.State);
        Assert.Equal(SlaState.Met, met.FirstResponse.State);
        Assert.Equal(SlaState.Ok, met.State);
    }

    [Fact]
    public void Match_TakesTheFirstPolicyWhoseConditionsHold()
    {
        var vip = Policy() with { Id = "vip", Conditions = new SlaConditions(CustomerTiers: ["gold", "platinum"]) };
        var billing = Policy() with { Id = "billing", Conditions = new SlaConditions(Categories: [TicketCategory.Billing]) };
        var rest = Policy() with { Id = "rest" };

        var forGold = SlaPolicies.Match([vip, billing, rest], TicketPriority.High, TicketCategory.Billing, new SlaCustomer("gold", 0));
        var forBronze = SlaPolicies.Match([vip, billing, rest], TicketPriority.High, TicketCategory.Billing, new SlaCustomer("bronze", 0));
        var other = SlaPolicies.Match([vip, billing, rest], TicketPriority.High, TicketCategory.Shipping, new SlaCustomer("bronze", 0));

        Assert.Equal("vip", forGold!.Id);
        Assert.Equal("billing", forBronze!.Id);
        Assert.Equal("rest", other!.Id);
    }

    [Fact]
    public void Fires_OnlyWhileTheClockRuns_AfterItsMinutes()
    {
        var rule = new EscalationRule("r", "Urgent unanswered", true, new EscalationConditions(Priorities: [TicketPriority.Urgent]),
            EscalationClock.FirstResponse, 60, new EscalationActions(RaisePriority: true));
        var facts = new SlaFacts(TicketPriority.Urgent, Created, null, null, null, []);

        var early = Escalations.Fires(rule, TicketPriority.Urgent, TicketCategory.Order, TicketStatus.Open, facts, BusinessCalendar.Always, Created.AddMinutes(59));
        var due = Escalations.Fires(rule, TicketPriority.Urgent, TicketCategory.Order, TicketStatus.Open, facts, BusinessCalendar.Always, Created.AddMinutes(60));
        var answered = Escalations.Fires(rule, TicketPriority.Urgent, TicketCategory.Order, TicketStatus.InProgress,
            facts with { FirstResponseAt = Created.AddMinutes(10) }, BusinessCalendar.Always, Created.AddMinutes(90));
        var otherPriority = Escalations.Fires(rule, TicketPriority.High, TicketCategory.Order, TicketStatus.Open, facts, BusinessCalendar.Always, Created.AddMinutes(90));

        Assert.False(early);
        Assert.True(due);
        Assert.False(answered);
        Assert.False(otherPriority);
        Assert.Equal(TicketPriority.Urgent, Escalations.PriorityAfter(rule.Actions, TicketPriority.High));
    }

    [Fact]
    public void Validate_NamesTheBadFieldsByPath()
    {
        var bad = Policy() with { Targets = new Dictionary<TicketPriority, SlaTargets> { [TicketPriority.Low] = new(0, null, null) },
            Schedule = new BusinessSchedule(new Dictionary<DayOfWeek, IReadOnlyList<OpeningHours>> { [DayOfWeek.Monday] = [new("17:00", "09:00")] }, TimeZone: "Mars/Olympus") };

        var error = Assert.Throws<ValidationFailedException>(() => SlaPolicies.Validate([bad], _ => false));

        Assert.Contains("policies[0].targets.low.firstResponseMinutes", error.Errors.Keys);
        Assert.Contains("policies[0].schedule.week.monday[0].end", error.Errors.Keys);
        Assert.Contains("policies[0].schedule.timeZone", error.Errors.Keys);
    }
}
