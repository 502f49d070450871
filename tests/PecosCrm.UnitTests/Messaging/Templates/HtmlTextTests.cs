using PecosCrm.Core.Messaging.Templates;

namespace PecosCrm.UnitTests.Messaging.Templates;

public sealed class HtmlTextTests
{
    [Fact]
    public void Convert_Document_BlocksBecomeLinesLinksShowTheirAddressEntitiesAreDecoded()
    {
        const string html = """
            <!DOCTYPE html><html><head><title>Ignored</title><style>p { color: red; }</style></head>
            <body><!-- layout -->
              <h1>Boots &amp; Hats</h1>
              <p>Fits   snug
                 across the instep.<br>Breaks in&nbsp;fast.</p>
              <ul><li>Roper</li><li>Packer</li></ul>
              <ol><li>Measure</li><li>Order</li></ol>
              <p><a href="https://shop.example/boots">See boots</a> or write to <a href="mailto:howdy@shop.example">howdy@shop.example</a>.</p>
              <img src="x.png" alt="Cattleman hat">
              <table><tr><td>Roper</td><td>$189.00</td></tr></table>
            </body></html>
            """;

        var text = HtmlText.Convert(html);

        Assert.Equal("""
            Boots & Hats

            Fits snug across the instep.
            Breaks in fast.

            - Roper
            - Packer

            1. Measure
            2. Order

            See boots (https://shop.example/boots) or write to howdy@shop.example.

            Cattleman hat

            Roper $189.00
            """, text);
    }

    [Fact]
    public void FromTemplate_KeepsEveryTag_AndALinkBecomesItsTextAndAddress()
    {
        const string html = """
            <p>Howdy {{customer.first_name}},</p>
            <ul>{{#each order.items}}<li>{{name}} x{{quantity}}</li>{{/each}}</ul>
            {{#if order.tracking_url}}<p><a href="{{order.tracking_url}}">Track your package</a></p>{{/if}}
            <p><a href="mailto:{{store.email}}">{{store.email}}</a> · <a href="{{links.unsubscribe}}">Unsubscribe</a></p>
            """;

        var text = HtmlText.FromTemplate(html);

        Assert.Contains("Howdy {{customer.first_name}},", text, StringComparison.Ordinal);
        Assert.Contains("{{#each order.items}}\n- {{name}} x{{quantity}}\n{{/each}}", text, StringComparison.Ordinal);
        Assert.Contains("Track your package ({{order.tracking_url}})", text, StringComparison.Ordinal);
        Assert.Contains("{{store.email}} · Unsubscribe ({{links.unsubscribe}})", text, StringComparison.Ordinal);
    }

    [Fact]
    public void FromTemplate_BracesFromEntities_StayText_AndBlocksInTheHeadStayBalanced()
    {
        const string html = "<head><title>{{store.name}}</title><!-- {{#if customer.first_name}} --></head><p>Use &#123;&#123;code&#125;&#125; &lt;b&gt;</p><!-- {{/if}} -->";

        var text = HtmlText.FromTemplate(html);

        Assert.Equal("{{#if customer.first_name}}\n\nUse \\{{code}} <b>\n\n{{/if}}", text);
        Assert.Empty(TemplateRules.Problems(new TemplateRenderer(), text, html: false));
    }
}
