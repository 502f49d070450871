using PecosCrm.Core.Messaging.Templates;

namespace PecosCrm.UnitTests.Messaging.Templates;

public sealed class TemplateRulesTests
{
    private static readonly TemplateRenderer Renderer = new();

    private static List<string> Html(string source) => TemplateRules.Problems(Renderer, source, html: true);

    private static List<string> Text(string source) => TemplateRules.Problems(Renderer, source, html: false);

    [Fact]
    public void Problems_UnknownVariable_NamesItWithLineAndColumn()
    {
        var problems = Html("<p>Howdy {{customer.first_name}},</p>\n<p>Your size: {{customer.shoe_size}}</p>");

        Assert.Equal(["unknown variable 'customer.shoe_size' (line 2, column 15)."], problems);
    }

    [Fact]
    public void Problems_HelpersLoopsAndScopes_AcceptsWhatHandlebarsResolves()
    {
        const string source = """
            {{!-- {{not.checked}} inside a comment --}}{{! nor {{here}} }}\{{escaped.literal}}
            {{#if customer.first_name}}Howdy {{customer.first_name}}{{else if customer.last_name}}Mr {{customer.last_name}}{{else}}Howdy{{/if}}
            {{#unless order}}no order{{/unless}}
            {{#each order.items}}{{@index}}. {{name}} x{{quantity}} at {{this.price}} of {{../order.total}} for {{@root.customer.first_name}}{{#if @first}}!{{/if}}{{#if sku}} ({{sku}}){{/if}}{{else}}{{order.number}} is empty{{/each}}
            {{#with store}}{{name}}, {{../customer.city}}{{/with}}
            {{~ loyalty.tier ~}} {{ loyalty.points }} {{customer.[first_name]}}
            """;

        Assert.Empty(Html(source));
    }

    [Fact]
    public void Problems_RootVariableInsideEach_SaysItIsLookedUpOnTheItem()
    {
        var problems = Html("{{#each order.items}}{{name}} for {{customer.first_name}}{{/each}}");

        var problem = Assert.Single(problems);
        Assert.Contains("'customer.first_name' inside {{#each order.items}} is looked up on each item", problem, StringComparison.Ordinal);
        Assert.Contains("@root.customer.first_name", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_UnknownItemField_ListsTheFields()
    {
        var problem = Assert.Single(Html("{{#each order.items}}{{colour}}{{/each}}"));

        Assert.StartsWith("unknown variable 'colour': each item of order.items has name, sku, quantity, price, total", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_UnclosedIf_IsAnInvalidTemplateWithTheLibraryMessageAndWhereTheBlockOpens()
    {
        var problem = Assert.Single(Html("<p>Hi</p>\n  {{#if customer.first_name}}<p>{{customer.first_name}}</p>"));

        Assert.StartsWith("is not a valid template: Reached end of template before block expression 'if' was closed", problem, StringComparison.Ordinal);
        Assert.EndsWith("(line 2, column 3).", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Problems_UnclosedMustache_GivesTheLibraryPosition()
    {
        var problem = Assert.Single(Html("line one\nHello {{customer.first_name}"));

        Assert.StartsWith("is not a valid template:", problem, StringComparison.Ordinal);
        Assert.Contains("(line 2, column", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{#if customer.first_name}}a{{else}}b{{else}}c{{/if}}")]
    [InlineData("{{#if}}x{{/if}}")]
    [InlineData("{{#each}}x{{/each}}")]
    [InlineData("{{#each order.items}}x{{/if}}")]
    public void Problems_SyntaxTheLibraryRejects_IsAValidationProblemNotACrash(string source)
    {
        var problem = Assert.Single(Html(source));

        Assert.StartsWith("is not a valid template", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{{{customer.first_name}}}", "without HTML escaping")]
    [InlineData("{{> footer}}", "partials")]
    [InlineData("{{^order}}none{{/order}}", "{{^…}} is not supported")]
    [InlineData("{{lookup customer 'first_name'}}", "unknown helper 'lookup'")]
    [InlineData("{{#bold customer.first_name}}x{{/bold}}", "unknown block helper 'bold'")]
    [InlineData("{{#order.items}}x{{/order.items}}", "use {{#if order.items}} or {{#each order.items}}")]
    [InlineData("{{#if (eq a b)}}x{{/if}}", "subexpressions")]
    [InlineData("{{#each order.items as |item|}}{{item.name}}{{/each}}", "block parameters")]
    [InlineData("{{order.items}}", "'order.items' is a list")]
    [InlineData("{{customer}}", "'customer' is a group")]
    [InlineData("{{#each order.items}}{{this}}{{/each}}", "each item of order.items has fields")]
    [InlineData("{{@index}}", "@index is only set inside {{#each}}")]
    [InlineData("{{#each customer.first_name}}x{{/each}}", "is not one (the lists are order.items, customer.recommendations)")]
    [InlineData("{{#with customer.first_name}}x{{/with}}", "{{#with}} takes a group")]
    [InlineData("{{../customer.first_name}}", "reaches above the top")]
    [InlineData("{{Customer.First_Name}}", "unknown variable 'Customer.First_Name'")]
    [InlineData("{{customer..first_name}}", "is not a variable path")]
    public void Problems_WhatWouldRenderWrong_IsRefusedWithAReason(string source, string expected)
    {
        var problems = Html(source);

        Assert.Contains(problems, p => p.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Problems_TripleStashInText_IsAllowed()
    {
        Assert.Empty(Text("Hi {{{customer.first_name}}}"));
    }

    [Fact]
    public void Problems_SeveralUnknownVariables_NamesEachOnce()
    {
        var problems = Text("{{customer.shoe_size}} {{customer.hat_size}} {{customer.shoe_size}}");

        Assert.Equal(2, problems.Count);
        Assert.Contains(problems, p => p.StartsWith("unknown variable 'customer.shoe_size' (line 1, column 1)", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("unknown variable 'customer.hat_size'", StringComparison.Ordinal));
    }
}
