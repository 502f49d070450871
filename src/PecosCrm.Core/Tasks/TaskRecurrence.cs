using Ical.Net.CalendarComponents;
using Ical.Net.DataTypes;

namespace PecosCrm.Core.Tasks;

/// <summary>
/// Recurring tasks by an iCalendar RRULE (RFC 5545, read by Ical.Net), evaluated on the store's wall
/// clock: "every Monday at 9" stays at 9 across daylight-saving changes. The series starts at the
/// first occurrence's due time, so <c>COUNT</c> and <c>UNTIL</c> count from there. No I/O.
/// </summary>
public static class TaskRecurrence
{
    public const int MaxLength = 500;

    private static readonly Ical.Net.FrequencyType[] TooFrequent = [Ical.Net.FrequencyType.Secondly, Ical.Net.FrequencyType.Minutely];

    /// <summary>The rule as stored (without a leading <c>RRULE:</c>), or a validation error naming <paramref name="field"/>.</summary>
    public static string Check(string rule, string field = "recurrence")
    {
        var text = rule.Trim();
        if (text.StartsWith("RRULE:", StringComparison.OrdinalIgnoreCase))
        {
            text = text[6..];
        }
        if (text.Length == 0 || text.Length > MaxLength)
        {
            throw new ValidationFailedException(field, $"must be an iCalendar RRULE of at most {MaxLength} characters, e.g. FREQ=WEEKLY;BYDAY=MO.");
        }
        RecurrencePattern pattern;
        try
        {
            pattern = new RecurrencePattern(text);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException)
        {
            throw new ValidationFailedException(field, $"is not an iCalendar RRULE ({ex.Message.Split(" (Parameter")[0]}), e.g. FREQ=WEEKLY;BYDAY=MO.");
        }
        if (TooFrequent.Contains(pattern.Frequency))
        {
            throw new ValidationFailedException(field, "may repeat at most hourly.");
        }
        return pattern.ToString() ?? text;
    }

    /// <summary>The first occurrence of the series after <paramref name="after"/>, or null when the rule has ended.</summary>
    public static DateTimeOffset? Next(string rule, DateTimeOffset seriesStart, DateTimeOffset after, TimeZoneInfo zone)
    {
        var localStart = TimeZoneInfo.ConvertTime(seriesStart, zone).DateTime;
        var calendarEvent = new CalendarEvent
        {
            DtStart = new CalDateTime(DateTime.SpecifyKind(localStart, DateTimeKind.Unspecified), zone.Id),
            RecurrenceRule = new RecurrencePattern(rule),
        };
        var from = TimeZoneInfo.ConvertTime(after, zone).DateTime;
        foreach (var occurrence in calendarEvent.GetOccurrences(new CalDateTime(DateTime.SpecifyKind(from, DateTimeKind.Unspecified), zone.Id)).Take(4))
        {
            var at = new DateTimeOffset(DateTime.SpecifyKind(occurrence.Period.StartTime.AsUtc, DateTimeKind.Utc));
            if (at > after)
            {
                return at;
            }
        }
        return null;
    }
}
