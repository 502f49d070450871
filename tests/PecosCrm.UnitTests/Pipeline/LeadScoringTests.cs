using PecosCrm.Core.Pipeline;

namespace PecosCrm.UnitTests.Pipeline;

public sealed class LeadScoringTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Compute_GoodFitNoEngagement_ScoresFitOnly()
    {
        var score = LeadScoring.Compute(CompanyType.RanchSupply, 60_000_00, "Referral", LeadEngagement.None, Now, Now);

        Assert.Equal(new LeadFit(20, 20, 10, 50), score.Fit);
        Assert.Equal(0, score.Engagement.Total);
        Assert.Equal(50, score.Total);
    }

    [Fact]
    public void Compute_EngagedLastWeek_CountsActivitiesOpensClicksAndRecency_Capped()
    {
        var engagement = new LeadEngagement(Calls: 3, Emails: 4, Meetings: 2, Notes: 1, EmailOpens: 9, EmailClicks: 2, LastTouchAt: Now.AddDays(-3));

        var score = LeadScoring.Compute(CompanyType.Other, null, "Cold Call", engagement, Now.AddDays(-60), Now);

        Assert.Equal(new LeadEngagementScore(25, 5, 6, 10, 46, 1, 46), score.Engagement);
        Assert.Equal(5 + 0 + 3 + 46, score.Total);
    }

    [Fact]
    public void Compute_InactiveFor44Days_EngagementHalves()
    {
        var engagement = new LeadEngagement(Calls: 2, Emails: 0, Meetings: 0, Notes: 0, EmailOpens: 0, EmailClicks: 0, LastTouchAt: Now.AddDays(-44));

        var score = LeadScoring.Compute(null, null, "Website", engagement, Now.AddDays(-90), Now);

        Assert.Equal(0.5, score.Engagement.Decay);
        Assert.Equal(10, score.Engagement.BeforeDecay);
        Assert.Equal(5, score.Engagement.Total);
        Assert.Equal(6 + 5, score.Total);
    }

    [Theory]
    [InlineData("Referral", 10)]
    [InlineData("trade show", 8)]
    [InlineData("Website", 6)]
    [InlineData("Rodeo Sponsorship", 3)]
    public void SourcePoints_WarmSourcesFirst_UnknownAsCold(string source, int points) =>
        Assert.Equal(points, LeadScoring.SourcePoints(source));
}
