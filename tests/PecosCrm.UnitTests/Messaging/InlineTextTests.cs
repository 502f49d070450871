using PecosCrm.Core.Messaging.Templates;
using PecosCrm.Core.Storage;

namespace PecosCrm.UnitTests.Messaging;

/// <summary>Text written in place (campaign content, one-off emails, automation steps) goes through the template engine.</summary>
public sealed class InlineTextTests
{
    private static readonly TemplateModel Ada = TemplateModel.Empty.With(new Dictionary<string, object?>
    {
        ["customer.first_name"] = "Ada",
        ["customer.last_name"] = "O'Hara & <Sons>",
        ["customer.email"] = "ada@range.example",
        ["customer.city"] = "Fort Davis",
        ["loyalty.points"] = 1200,
    });

    [Fact]
    public void RenderInline_Html_EscapesTheCustomersValues()
    {
        var html = new TemplateRenderer().RenderInline("<p>Hi {{customer.first_name}} {{ customer.last_name }} ({{customer.email}})</p>", html: true, Ada);

        Assert.StartsWith("<p>Hi Ada O", html);
        Assert.Contains("&amp; &lt;Sons&gt; (ada@range.example)</p>", html);
    }

    [Fact]
    public void RenderInline_Text_FillsEveryCatalogueVariable_AsItIs()
    {
        var text = new TemplateRenderer().RenderInline("Variant A for {{customer.first_name}} of {{customer.city}}: {{loyalty.points}} points, from {{customer.last_name}}", html: false, Ada);

        Assert.Equal("Variant A for Ada of Fort Davis: 1200 points, from O'Hara & <Sons>", text);
    }

    [Fact]
    public void RenderInline_ValueThatLooksLikeATag_IsNotRenderedAgain()
    {
        var sly = Ada.With("customer.first_name", "{{customer.email}}");

        var text = new TemplateRenderer().RenderInline("Hi {{customer.first_name}}", html: false, sly);

        Assert.Equal("Hi {{customer.email}}", text);
    }

    [Theory]
    [InlineData("Hi {{customer.frist_name}}", "customer.frist_name")]
    [InlineData("Hi {{customer.first_name}", "not a valid template")]
    [InlineData("Hi {{}}", "not a valid template")]
    public void Check_UnknownOrBrokenTags_AreErrorsOnTheField_NamingTheProblem(string text, string named)
    {
        var check = InlineText.Check(new Validation(), "content.subject", text);

        Assert.False(check.IsValid);
        var error = Assert.Throws<ValidationFailedException>(check.ThrowIfInvalid);
        Assert.Contains(error.Errors["content.subject"], m => m.Contains(named, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Hi {{ customer.first_name }}, {{customer.city}} and {{offer.code}}")]
    [InlineData("No fields at all")]
    public void Check_CatalogueVariablesAndPlainText_AreAccepted(string text)
    {
        Assert.True(InlineText.Check(new Validation(), "content.subject", text).IsValid);
    }
}
