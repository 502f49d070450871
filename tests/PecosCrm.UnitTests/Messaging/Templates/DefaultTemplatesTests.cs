using PecosCrm.Core.Messaging.Templates;

namespace PecosCrm.UnitTests.Messaging.Templates;

public sealed class DefaultTemplatesTests
{
    private static readonly TemplateRenderer Renderer = new();

    public static TheoryData<string> Ids() => [.. DefaultTemplates.All.Select(t => t.Id)];

    [Theory]
    [MemberData(nameof(Ids))]
    public void Default_PassesTheRulesItsTextDerivesCleanly_AndRendersTheSample(string id)
    {
        var t = DefaultTemplates.All.Single(d => d.Id == id);
        var text = HtmlText.FromTemplate(t.Html);

        Assert.Empty(TemplateRules.Problems(Renderer, t.Subject, html: false));
        Assert.Empty(TemplateRules.Problems(Renderer, t.Html, html: true));
        Assert.Empty(TemplateRules.Problems(Renderer, text, html: false));
        var email = Renderer.Render(new EmailTemplate(t.Id, t.Name, t.Category, t.Subject, t.Html, text, true, true, 1, true, "system", default, default, ""), TemplateModel.Sample(TemplateLinks.Placeholder));
        Assert.DoesNotContain("{{", email.Subject + email.Html + email.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("<", email.Text, StringComparison.Ordinal);
        Assert.Contains("Wyatt", email.Subject + email.Text, StringComparison.Ordinal);
        Assert.Contains("Pecos River Traders", email.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Defaults_CoverEveryExampleOfTheRoadmapTable()
    {
        var byCategory = DefaultTemplates.All.GroupBy(t => t.Category).ToDictionary(g => g.Key, g => g.Select(t => t.Id).ToList());

        Assert.Equal(["order-confirmation", "order-shipped", "order-delivered", "order-delayed"], byCategory[TemplateCategory.Order]);
        Assert.Equal(["ticket-received", "issue-resolved", "support-follow-up"], byCategory[TemplateCategory.Service]);
        Assert.Equal(["welcome-1", "welcome-2-our-story", "welcome-3-first-order-offer", "win-back", "birthday"], byCategory[TemplateCategory.Marketing]);
        Assert.Equal(["password-reset", "account-update", "review-request"], byCategory[TemplateCategory.Transactional]);
        Assert.Equal(["thank-you-note", "vip-offer", "apology"], byCategory[TemplateCategory.Personal]);
    }

    [Fact]
    public void Defaults_MarketingOnes_CarryUnsubscribeAndPreferenceLinksInHtmlAndText()
    {
        var marketing = DefaultTemplates.All.Where(t => t.Category == TemplateCategory.Marketing || t.Id == "vip-offer").ToList();

        Assert.All(marketing, t =>
        {
            var text = HtmlText.FromTemplate(t.Html);
            Assert.Contains("href=\"{{links.unsubscribe}}\"", t.Html, StringComparison.Ordinal);
            Assert.Contains("href=\"{{links.preferences}}\"", t.Html, StringComparison.Ordinal);
            Assert.Contains("Unsubscribe ({{links.unsubscribe}})", text, StringComparison.Ordinal);
            Assert.Contains("Email preferences ({{links.preferences}})", text, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void OrderConfirmation_DerivedText_ReadsAsPlainText()
    {
        var t = DefaultTemplates.All.Single(d => d.Id == "order-confirmation");
        var email = Renderer.Render(new EmailTemplate(t.Id, t.Name, t.Category, t.Subject, t.Html, HtmlText.FromTemplate(t.Html), true, true, 1, true, "system", default, default, ""),
            TemplateModel.Sample(TemplateLinks.Placeholder));

        Assert.StartsWith("Pecos River Traders (https://pecosrivertraders.example)\n\nThanks for your order, Wyatt!", email.Text, StringComparison.Ordinal);
        Assert.Contains("Square-Toe Roper Boot – Cognac x1 $189.00\nCattleman Felt Hat", email.Text, StringComparison.Ordinal);
        Assert.Contains("Discount (GIDDYUP10): -$20.00\nShipping: $0.00", email.Text, StringComparison.Ordinal);
        Assert.Contains("Total: $429.75", email.Text, StringComparison.Ordinal);
    }
}
