using PecosCrm.Core.Exports;

namespace PecosCrm.UnitTests.Exports;

public sealed class ExportScheduleTimingTests
{
    private static readonly TimeZoneInfo Denver = TimeZoneInfo.FindSystemTimeZoneById("America/Denver");

    [Fact]
    public void Next_Daily_KeepsLocalTimeAcrossDaylightSaving()
    {
        var beforeChange = ExportScheduleTiming.Next(ExportFrequency.Daily, null, new TimeOnly(6, 0), Denver, Utc(2025, 3, 8, 12, 0));
        var afterChange = ExportScheduleTiming.Next(ExportFrequency.Daily, null, new TimeOnly(6, 0), Denver, beforeChange);

        Assert.Equal(Utc(2025, 3, 8, 13, 0), beforeChange);
        Assert.Equal(Utc(2025, 3, 9, 12, 0), afterChange);
    }

    [Fact]
    public void Next_TimeSkippedWhenClocksGoForward_RunsAtTheEndOfTheGap()
    {
        var next = ExportScheduleTiming.Next(ExportFrequency.Daily, null, new TimeOnly(2, 30), Denver, Utc(2025, 3, 9, 0, 0));

        Assert.Equal(Utc(2025, 3, 9, 9, 0), next);
    }

    [Fact]
    public void Next_TimeRepeatedWhenClocksGoBack_RunsOnce()
    {
        var first = ExportScheduleTiming.Next(ExportFrequency.Daily, null, new TimeOnly(1, 30), Denver, Utc(2025, 11, 2, 0, 0));
        var second = ExportScheduleTiming.Next(ExportFrequency.Daily, null, new TimeOnly(1, 30), Denver, first);

        Assert.Equal(Utc(2025, 11, 2, 7, 30), first);
        Assert.Equal(Utc(2025, 11, 3, 8, 30), second);
    }

    [Fact]
    public void Next_Weekly_IsTheNamedDay_StrictlyAfterTheGivenTime()
    {
        var monday = Utc(2025, 6, 2, 6, 0);

        Assert.Equal(monday, ExportScheduleTiming.Next(ExportFrequency.Weekly, DayOfWeek.Monday, new TimeOnly(6, 0), TimeZoneInfo.Utc, monday.AddMinutes(-1)));
        Assert.Equal(monday.AddDays(7), ExportScheduleTiming.Next(ExportFrequency.Weekly, DayOfWeek.Monday, new TimeOnly(6, 0), TimeZoneInfo.Utc, monday));
    }

    [Theory]
    [InlineData("Rodeo Fans — Büyük!", "rodeo-fans-buyuk")]
    [InlineData("  VIP / Wholesale  ", "vip-wholesale")]
    [InlineData("***", "segment")]
    public void Slug_LowerCaseWordsWithHyphens(string name, string slug) => Assert.Equal(slug, ExportFileName.Slug(name));

    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);
}
