using PecosCrm.Core.Shared;
using PecosCrm.Core.Tasks;

namespace PecosCrm.UnitTests.Tasks;

public sealed class TaskRecurrenceTests
{
    private static readonly TimeZoneInfo Denver = TimeZoneInfo.FindSystemTimeZoneById("America/Denver");

    [Fact]
    public void Next_KeepsTheLocalTimeAcrossTheSpringChange()
    {
        // Tuesday 3 March 2026, 09:00 MST (16:00 UTC); clocks go forward on Sunday 8 March.
        var first = new DateTimeOffset(2026, 3, 3, 16, 0, 0, TimeSpan.Zero);

        var next = TaskRecurrence.Next("FREQ=WEEKLY;BYDAY=TU", first, first, Denver);

        Assert.Equal(new DateTimeOffset(2026, 3, 10, 15, 0, 0, TimeSpan.Zero), next);    // 09:00 MDT
    }

    [Fact]
    public void Next_CountsFromTheSeriesStart_AndEnds()
    {
        var start = new DateTimeOffset(2026, 3, 3, 16, 0, 0, TimeSpan.Zero);

        var second = TaskRecurrence.Next("FREQ=DAILY;COUNT=2", start, start, Denver);
        var none = TaskRecurrence.Next("FREQ=DAILY;COUNT=2", start, second!.Value, Denver);

        Assert.Equal(start.AddDays(1), second);
        Assert.Null(none);
    }

    [Theory]
    [InlineData("FREQ=SOMETIMES")]
    [InlineData("every monday")]
    [InlineData("FREQ=MINUTELY")]
    [InlineData("")]
    public void Check_RefusesWhatIsNoUsableRule_NamingRecurrence(string rule)
    {
        var refused = Assert.Throws<ValidationFailedException>(() => TaskRecurrence.Check(rule));

        Assert.Contains("recurrence", refused.Errors.Keys);
    }

    [Fact]
    public void Check_AcceptsAnRRulePrefix()
    {
        Assert.Equal("FREQ=WEEKLY;BYDAY=MO", TaskRecurrence.Check("RRULE:FREQ=WEEKLY;BYDAY=MO"));
    }
}
