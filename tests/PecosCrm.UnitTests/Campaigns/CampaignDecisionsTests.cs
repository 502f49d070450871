using PecosCrm.Core.Campaigns;
using PecosCrm.Core.Messaging;

namespace PecosCrm.UnitTests.Campaigns;

/// <summary>The campaign's decisions made without I/O: the A/B draw and slices, the winner, who may be emailed, and which recipients share a provider request.</summary>
public sealed class CampaignDecisionsTests
{
    private static readonly AbTestSummary TwoSubjects = new([new VariantSummary("A", "Fresh boots"), new VariantSummary("B", "Boots for you")], 0.2, CampaignMetric.Open, TimeSpan.FromHours(1));

    private static List<AudienceMember> Audience(int count) =>
        Enumerable.Range(0, count).Select(i => new AudienceMember($"c{i:D4}", true, "Rider", $"Hand{i}", $"c{i:D4}@range.example", ConsentEmail: true)).ToList();

    [Fact]
    public void Plan_WithAbTest_DrawsTheSameShareEveryRun_AndCutsEachPhaseIntoSlices()
    {
        var audience = Audience(1_000);

        var first = CampaignSlicing.Plan("cmp-1", audience, TwoSubjects, 150);
        var again = CampaignSlicing.Plan("cmp-1", audience.AsEnumerable().Reverse().OrderBy(m => m.CustomerId).ToList(), TwoSubjects, 150);
        var other = CampaignSlicing.Plan("cmp-2", audience, TwoSubjects, 150);

        var test = first.Where(s => s.Phase == "test").SelectMany(s => s.Members).ToList();
        Assert.Equal(200, test.Count);
        Assert.Equal(100, test.Count(m => m.Variant == "A"));
        Assert.Equal(100, test.Count(m => m.Variant == "B"));
        Assert.Equal(800, first.Where(s => s.Phase == "main").Sum(s => s.Members.Count));
        Assert.All(first.Where(s => s.Phase == "main").SelectMany(s => s.Members), m => Assert.Null(m.Variant));
        Assert.All(first, s => Assert.InRange(s.Members.Count, 1, 150));
        Assert.Equal([0, 1], first.Where(s => s.Phase == "test").Select(s => s.Index));
        Assert.Equal(test.Select(m => m.CustomerId), again.Where(s => s.Phase == "test").SelectMany(s => s.Members).Select(m => m.CustomerId));
        Assert.NotEqual(test.Select(m => m.CustomerId).Order(), other.Where(s => s.Phase == "test").SelectMany(s => s.Members).Select(m => m.CustomerId).Order());
    }

    [Fact]
    public void Plan_WithoutAbTest_PutsEveryoneInTheMainPhaseInOrder()
    {
        var plan = CampaignSlicing.Plan("cmp-1", Audience(5), null, 2);

        Assert.Equal(["main", "main", "main"], plan.Select(s => s.Phase));
        Assert.Equal(["c0000", "c0001", "c0002", "c0003", "c0004"], plan.SelectMany(s => s.Members).Select(m => m.CustomerId));
    }

    [Fact]
    public void Choose_OpenRates_TieGoesToTheEarlierVariant_AndAClickCountsAsAnOpen()
    {
        var now = DateTimeOffset.UtcNow;
        TestOutcome Sent(string variant, bool opened = false, bool clicked = false) => new(variant, RecipientState.Sent, opened, clicked);

        var tie = AbDecision.Choose(TwoSubjects, [Sent("A", opened: true), Sent("A"), Sent("B", clicked: true), Sent("B")], now);
        var b = AbDecision.Choose(TwoSubjects, [Sent("A"), Sent("A", opened: true), Sent("B", opened: true), new("B", RecipientState.Failed, false, false)], now);
        var clicks = AbDecision.Choose(TwoSubjects with { Metric = CampaignMetric.Click }, [Sent("A", opened: true), Sent("B", clicked: true)], now);

        Assert.Equal("A", tie.Variant);
        Assert.Equal(0.5, tie.Rates[1].Rate);
        Assert.Equal("B", b.Variant);
        Assert.Equal(1, b.Rates[1].Sent);
        Assert.Equal("B", clicks.Variant);
        Assert.Equal("Boots for you", clicks.Subject);
    }

    [Theory]
    [InlineData(MessagePurpose.Marketing, true, null, null)]
    [InlineData(MessagePurpose.Marketing, false, null, "the customer has not consented to marketing email")]
    [InlineData(MessagePurpose.Marketing, true, SuppressionReason.Unsubscribed, "the address is suppressed (unsubscribed, 2026-01-02)")]
    [InlineData(MessagePurpose.Transactional, false, SuppressionReason.Unsubscribed, null)]
    [InlineData(MessagePurpose.Transactional, false, SuppressionReason.Bounced, "the address is suppressed (bounced, 2026-01-02)")]
    public void Decide_ConsentAndSuppression_BlockOnlyWhatTheRuleSays(MessagePurpose purpose, bool consent, SuppressionReason? reason, string? expected)
    {
        var suppression = reason is { } r ? new Suppression("a@range.example", r, r == SuppressionReason.Unsubscribed, "test", new DateTimeOffset(2026, 1, 2, 0, 0, 0, TimeSpan.Zero)) : null;

        var decision = Suppressions.Decide(Channel.Email, "a@range.example", true, consent, purpose, suppression);

        Assert.Equal(expected, decision);
    }

    [Fact]
    public void Decide_NoAddress_IsBlockedWhateverTheConsent()
    {
        Assert.Equal("the customer has no email address", Suppressions.Decide(Channel.Email, " ", true, true, MessagePurpose.Transactional, null));
        Assert.Equal("the customer's phone number 'abc' is not one SMS can reach", Suppressions.Decide(Channel.Sms, "abc", false, true, MessagePurpose.Marketing, null));
    }

    [Fact]
    public void Group_SameContentOnceLinksAreTokens_SharesARequest_EachAddressOnceAndAtMostTheLimit()
    {
        PersonalEmail Email(string customer, string address, string name)
        {
            var unsubscribe = $"https://crm.example/api/unsubscribe/{customer}-token";
            var (html, text, subs) = PersonalizationGroups.Tokenize($"<p>Howdy {name}</p><a href=\"{unsubscribe}\">stop</a>", $"Howdy {name}\nStop: {unsubscribe}", unsubscribe, $"https://crm.example/api/preferences/{customer}-token");
            return new PersonalEmail(html, text, new OutgoingRecipient(address, name, "Subject for " + name, subs, new Dictionary<string, string>(), new Dictionary<string, string> { ["c"] = customer }));
        }
        var emails = new[]
        {
            Email("c1", "one@range.example", "Rider"), Email("c2", "two@range.example", "Rider"), Email("c3", "ONE@range.example", "Rider"),
            Email("c4", "four@range.example", "Ada"), Email("c5", "five@range.example", "Rider"),
        };

        var batches = PersonalizationGroups.Group(emails, "from@example", "From", "marketing", max: 2);

        Assert.Equal(["c1,c2", "c3,c5", "c4"], batches.Select(b => string.Join(',', b.Recipients.Select(r => r.CustomArgs["c"]))));
        Assert.DoesNotContain("unsubscribe/c1", batches[0].Html);
        Assert.Contains(PersonalizationGroups.UnsubscribeTag, batches[0].Html);
        Assert.Contains(PersonalizationGroups.UnsubscribeTag, batches[0].Text);
        var forTwo = batches[0].For(batches[0].Recipients[1]);
        Assert.Equal("<p>Howdy Rider</p><a href=\"https://crm.example/api/unsubscribe/c2-token\">stop</a>", forTwo.Html);
        Assert.Equal("Subject for Rider", forTwo.Subject);
        Assert.False(batches[0].Recipients[0].Substitutions.ContainsKey(PersonalizationGroups.PreferencesTag));
    }

    [Theory]
    [InlineData("test", 3)]
    [InlineData("main", 12345)]
    public void MessageId_NamesItsSlice(string phase, int index)
    {
        var id = CampaignKeys.MessageId("0638712345678901234ab12cd34", phase, index);

        Assert.Equal((phase, index), CampaignKeys.SliceOfMessage(id));
        Assert.Null(CampaignKeys.SliceOfMessage("0638712345678901234ab12cd34"));
    }
}
