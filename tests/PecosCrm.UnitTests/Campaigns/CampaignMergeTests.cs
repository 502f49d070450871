using PecosCrm.Core.Campaigns;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.UnitTests.Campaigns;

public sealed class CampaignMergeTests
{
    private static readonly Customer Ada = new(
        "c-1", "Ada", "O'Hara & <Sons>", "ada@range.example", null, [], null, null, MarketingConsent.None, LoyaltyTier.Gold,
        DateTimeOffset.UnixEpoch, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "");

    [Fact]
    public void Apply_Html_EscapesTheCustomersValues()
    {
        var html = CampaignMerge.Apply("<p>Hi {{customer.first_name}} {{ customer.last_name }} ({{customer.email}})</p>", Ada, html: true);

        Assert.Equal("<p>Hi Ada O&#39;Hara &amp; &lt;Sons&gt; (ada@range.example)</p>", html);
    }

    [Fact]
    public void Apply_Text_KeepsTheValuesAsTheyAre()
    {
        var text = CampaignMerge.Apply("{{customer.first_name}}, boots from {{customer.last_name}}", Ada, html: false);

        Assert.Equal("Ada, boots from O'Hara & <Sons>", text);
    }

    [Fact]
    public void Apply_ValueThatLooksLikeATag_IsNotMergedAgain()
    {
        var sly = Ada with { FirstName = "{{customer.email}}" };

        var text = CampaignMerge.Apply("Hi {{customer.first_name}}", sly, html: false);

        Assert.Equal("Hi {{customer.email}}", text);
    }

    [Theory]
    [InlineData("Hi {{customer.city}}", true)]
    [InlineData("Hi {{customer.first_name}", true)]
    [InlineData("Hi {{}}", true)]
    [InlineData("Hi {{ customer.first_name }} and {{customer.email}}", false)]
    [InlineData("No fields at all", false)]
    public void Check_UnknownOrBrokenFields_AreErrorsOnTheField(string text, bool error)
    {
        var check = new Validation();

        CampaignMerge.Check(check, "content.html", text);

        Assert.Equal(!error, check.IsValid);
    }
}
