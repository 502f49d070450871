using System.Globalization;

namespace PecosCrm.Core.Customers;

public enum ChurnRisk
{
    Low,
    Medium,
    High,
}

/// <summary>One part of the health score, with the facts behind it.</summary>
public sealed record ScoreComponent(string Name, int Points, int Max, string Reason)
{
    public override string ToString() => $"{Name} {Points}/{Max}: {Reason}";
}

public sealed record CustomerHealth(int Score, ChurnRisk ChurnRisk, IReadOnlyList<ScoreComponent> Components, string ChurnReason);

/// <summary>
/// The 1-100 health score and the churn risk. The score is the sum of five parts:
/// <list type="bullet">
/// <item>recency, 0-40: days since the last order against the customer's own rhythm (average days
/// between orders; 90 days for customers with fewer than two orders, never under 14). 40 while the
/// ratio is at most 1, falling in a straight line to 0 at 4 times the usual gap; 0 without orders;</item>
/// <item>frequency, 0-20: 4 points per counted order, full at 5 orders;</item>
/// <item>monetary, 0-20: in proportion to lifetime value, full at $1,000;</item>
/// <item>engagement, 0-15: 15 when the customer was active (login, page or product view, review,
/// cart, email open or click) in the last 30 days, 8 in the last 90, else 0;</item>
/// <item>support, 0-5: 5 with no open support issue, 2 with one, 0 with more.</item>
/// </list>
/// Churn risk: for a customer with orders, high when the gap since the last order is at least 2.5
/// times the usual gap, medium from 1.5 times, low below; two or more open support issues raise it
/// one level. A customer without orders is low when active in the last 30 days, else medium.
/// </summary>
public static class HealthScore
{
    public const int DefaultRhythmDays = 90;
    public const long MonetaryFullCents = 100_000;

    public static CustomerHealth Compute(CustomerMetrics metrics, Engagement engagement, DateTimeOffset now)
    {
        var days = metrics.DaysSinceLastOrder(now);
        var rhythm = Math.Max(14, metrics.AverageDaysBetweenOrders is { } avg && metrics.OrderCount >= 2 ? avg : DefaultRhythmDays);
        var rhythmText = metrics.OrderCount >= 2 ? $"usually {Fmt(rhythm)}" : $"store rhythm {DefaultRhythmDays}";

        ScoreComponent recency;
        double? ratio = null;
        if (days is null)
        {
            recency = new("recency", 0, 40, "no orders yet");
        }
        else
        {
            ratio = days.Value / rhythm;
            var points = ratio <= 1 ? 40 : ratio >= 4 ? 0 : (int)Math.Round(40 * (4 - ratio.Value) / 3);
            recency = new("recency", points, 40, $"{days} days since last order, {rhythmText}");
        }

        var frequency = new ScoreComponent("frequency", Math.Min(20, metrics.OrderCount * 4), 20,
            $"{metrics.OrderCount} order{(metrics.OrderCount == 1 ? "" : "s")} (full at 5)");
        var monetary = new ScoreComponent("monetary", (int)Math.Round(20.0 * Math.Min(1, (double)metrics.LifetimeValueCents / MonetaryFullCents)), 20,
            $"{Money(metrics.LifetimeValueCents)} lifetime value (full at {Money(MonetaryFullCents)})");

        var idle = engagement.LastEngagedAt is { } lastSeen ? (int)Math.Max(0, (now - lastSeen).TotalDays) : (int?)null;
        var engagementPoints = idle is null ? 0 : idle <= 30 ? 15 : idle <= 90 ? 8 : 0;
        var engaged = new ScoreComponent("engagement", engagementPoints, 15,
            idle is null ? "no activity recorded" : $"last active {idle} day{(idle == 1 ? "" : "s")} ago");

        var open = engagement.OpenSupportIssues;
        var support = new ScoreComponent("support", open == 0 ? 5 : open == 1 ? 2 : 0, 5,
            open == 0 ? "no open support issues" : $"{open} open support issue{(open == 1 ? "" : "s")}");

        ScoreComponent[] components = [recency, frequency, monetary, engaged, support];
        var score = Math.Clamp(components.Sum(c => c.Points), 1, 100);

        ChurnRisk risk;
        string reason;
        if (ratio is { } r)
        {
            risk = r >= 2.5 ? ChurnRisk.High : r >= 1.5 ? ChurnRisk.Medium : ChurnRisk.Low;
            reason = $"{days} days since last order is {Fmt(r)}x the usual gap of {Fmt(rhythm)} days";
        }
        else
        {
            risk = idle is <= 30 ? ChurnRisk.Low : ChurnRisk.Medium;
            reason = idle is null ? "no orders and no recorded activity" : $"no orders; last active {idle} days ago";
        }
        if (open >= 2 && risk != ChurnRisk.High)
        {
            risk++;
            reason += $"; raised for {open} open support issues";
        }
        return new CustomerHealth(score, risk, components, reason);
    }

    private static string Fmt(double value) => value.ToString(value % 1 == 0 ? "0" : "0.#", CultureInfo.InvariantCulture);

    private static string Money(long cents) => (cents / 100m).ToString("$#,##0.00", CultureInfo.InvariantCulture);
}
