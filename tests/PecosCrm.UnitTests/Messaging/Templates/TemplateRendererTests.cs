using PecosCrm.Core.Messaging.Templates;

namespace PecosCrm.UnitTests.Messaging.Templates;

public sealed class TemplateRendererTests
{
    private static readonly DateTimeOffset Now = new(2025, 11, 25, 15, 0, 0, TimeSpan.Zero);

    private static EmailTemplate Template(string subject, string html, string text, int version = 1, string id = "t1") =>
        new(id, "Test", TemplateCategory.Order, subject, html, text, false, true, version, false, "test", Now, Now, "W/\"1\"");

    [Fact]
    public void Render_ScriptInFirstName_IsEscapedInHtml_AndLeftAsTypedInSubjectAndText()
    {
        var model = TemplateModel.Empty.With("customer.first_name", "<script>alert('x')</script> & Co");
        var template = Template("Howdy {{customer.first_name}}", "<p>Howdy {{customer.first_name}}</p>", "Howdy {{customer.first_name}}");

        var email = new TemplateRenderer().Render(template, model);

        Assert.Equal("<p>Howdy &lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; Co</p>", email.Html);
        Assert.DoesNotContain("<script>", email.Html, StringComparison.Ordinal);
        Assert.Equal("Howdy <script>alert('x')</script> & Co", email.Subject);
        Assert.Equal("Howdy <script>alert('x')</script> & Co", email.Text);
    }

    [Fact]
    public void Render_OrderItems_LoopWithFieldsAndIndex()
    {
        var model = TemplateModel.Empty
            .With("order.number", "1234")
            .With("order.items", new[] { TemplateModel.Item("Roper <Cognac>", "BT-1", 1, "$189.00", "$189.00"), TemplateModel.Item("Felt Hat", null, 2, "$64.50", "$129.00") });
        var template = Template("#{{order.number}}", "<ul>{{#each order.items}}<li>{{name}} x{{quantity}}</li>{{/each}}</ul>", "{{#each order.items}}{{@index}}: {{name}} x{{quantity}} = {{total}}\n{{/each}}");

        var email = new TemplateRenderer().Render(template, model);

        Assert.Equal("<ul><li>Roper &lt;Cognac&gt; x1</li><li>Felt Hat x2</li></ul>", email.Html);
        Assert.Equal("0: Roper <Cognac> x1 = $189.00\n1: Felt Hat x2 = $129.00", email.Text);
    }

    [Fact]
    public void Render_ValuesNotGiven_RenderEmptyAndAreFalseInIf()
    {
        var template = Template("Order {{order.number}}", "{{#if order.tracking_url}}<a href=\"{{order.tracking_url}}\">Track</a>{{else}}No tracking yet{{/if}}", "x");

        var email = new TemplateRenderer().Render(template, TemplateModel.Empty);

        Assert.Equal("Order", email.Subject);
        Assert.Equal("No tracking yet", email.Html);
    }

    [Fact]
    public void Render_SubjectWithLineBreakInAValue_ComesOutOnOneLine()
    {
        var model = TemplateModel.Empty.With("customer.first_name", "Wyatt\r\nBcc: someone@example.com");

        var email = new TemplateRenderer().Render(Template("Hi {{customer.first_name}}", "x", "x"), model);

        Assert.Equal("Hi Wyatt Bcc: someone@example.com", email.Subject);
    }

    [Fact]
    public void Render_SameIdAndVersion_UsesTheCompiledTemplate_NewVersionRecompiles()
    {
        var renderer = new TemplateRenderer();
        var model = TemplateModel.Empty.With("customer.first_name", "Wyatt");

        var first = renderer.Render(Template("A {{customer.first_name}}", "a", "a", version: 1), model);
        var sameVersion = renderer.Render(Template("B {{customer.first_name}}", "b", "b", version: 1), model);
        var nextVersion = renderer.Render(Template("B {{customer.first_name}}", "b", "b", version: 2), model);

        Assert.Equal("A Wyatt", first.Subject);
        Assert.Equal("A Wyatt", sameVersion.Subject);
        Assert.Equal("B Wyatt", nextVersion.Subject);
    }
}
