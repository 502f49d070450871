using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Segments;

namespace PecosCrm.UnitTests.Segments;

public sealed class SegmentCompilerTests
{
    private static readonly DateTimeOffset Now = new(2026, 6, 15, 12, 0, 0, TimeSpan.Zero);

    private static readonly SegmentContext Context = new(
        Now,
        new Dictionary<string, string> { ["t-vip"] = "t-vip", ["vip"] = "t-vip" },
        ["Champions", "Loyal", "Lost"]);

    private static SegmentRule Parse(string json) => JsonSerializer.Deserialize<SegmentRule>(json, CrmJson.Options)!;

    [Fact]
    public void Compile_UserText_TravelsOnlyAsParameters()
    {
        var rule = SegmentRule.All(SegmentRule.When("email", "contains", "x'); DROP TABLE customers; --"), SegmentRule.When("city", "in", new[] { "El Paso" }));

        var compiled = SegmentCompiler.Compile(rule, Context);

        Assert.DoesNotContain("DROP", compiled.Where, StringComparison.Ordinal);
        Assert.DoesNotContain("El Paso", compiled.Where, StringComparison.OrdinalIgnoreCase);
        Assert.Contains(compiled.Parameters, p => (string?)p.Value == "x'); drop table customers; --");
        Assert.Contains(compiled.Parameters, p => (string?)p.Value == "el paso");
    }

    [Fact]
    public void Compile_TagNamesAndCategories_AreNormalisedInTheStoredTree()
    {
        var rule = SegmentRule.All(SegmentRule.When("tags", "has_any", new[] { "VIP" }), SegmentRule.When("purchased_category", "in", new[] { " Boots " }, withinDays: 90));

        var compiled = SegmentCompiler.Compile(rule, Context);

        Assert.Equal("[\"t-vip\"]", compiled.Normalized.Rules![0].Value!.Value.GetRawText());
        Assert.Equal("[\"boots\"]", compiled.Normalized.Rules![1].Value!.Value.GetRawText());
        Assert.Contains(compiled.Parameters, p => p.Value is DateTime since && since == Now.AddDays(-90).UtcDateTime);
    }

    [Fact]
    public void Compile_MoneyComparesCents_AndDateRangesIncludeTheirLastDay()
    {
        var rule = SegmentRule.All(
            SegmentRule.When("lifetime_value", "between", new[] { 99.99m, 500m }),
            SegmentRule.When("customer_since", "between", new[] { "2026-01-01", "2026-01-31" }));

        var compiled = SegmentCompiler.Compile(rule, Context);

        Assert.Contains(compiled.Parameters, p => p.Value is long cents && cents == 9999);
        Assert.Contains(compiled.Parameters, p => p.Value is long cents && cents == 50000);
        Assert.Contains(compiled.Parameters, p => p.Value is DateTime d && d == new DateTime(2026, 2, 1, 0, 0, 0, DateTimeKind.Utc));
    }

    [Theory]
    [InlineData("""{ "match": "all", "rules": [ { "field": "rfm_segment", "op": "eq", "value": "Whales" } ] }""", "rules.rules[0].value")]
    [InlineData("""{ "match": "all", "rules": [ { "field": "lifetime_value", "op": "between", "value": [500, 100] } ] }""", "rules.rules[0].value")]
    [InlineData("""{ "match": "all", "rules": [ { "field": "email", "op": "is_set", "value": "x" } ] }""", "rules.rules[0].value")]
    [InlineData("""{ "match": "all", "rules": [ { "field": "consent_email", "op": "eq", "value": "yes" } ] }""", "rules.rules[0].value")]
    [InlineData("""{ "match": "all", "rules": [ { "field": "orders_in_window", "op": "gte", "value": 2, "withinDays": 0 } ] }""", "rules.rules[0].withinDays")]
    [InlineData("""{ "match": "all", "field": "email", "rules": [ { "field": "email", "op": "is_set" } ] }""", "rules")]
    [InlineData("""{ "match": "all", "rules": [ { "match": "any", "rules": [ { "field": "tags", "op": "has_all", "value": ["gold-club"] } ] } ] }""", "rules.rules[0].rules[0].value")]
    public void Compile_BadNode_IsNamedByItsPath(string json, string path)
    {
        var error = Assert.Throws<ValidationFailedException>(() => SegmentCompiler.Compile(Parse(json), Context));

        Assert.Contains(path, error.Errors.Keys);
    }

    [Fact]
    public void Compile_TooDeep_IsRefused()
    {
        var rule = SegmentRule.When("email", "is_set");
        for (var i = 0; i < SegmentCompiler.MaxDepth + 1; i++)
        {
            rule = SegmentRule.All(rule);
        }

        var error = Assert.Throws<ValidationFailedException>(() => SegmentCompiler.Compile(rule, Context));

        Assert.Contains(error.Errors, e => e.Value.Any(m => m.Contains("deeper", StringComparison.Ordinal)));
    }
}
