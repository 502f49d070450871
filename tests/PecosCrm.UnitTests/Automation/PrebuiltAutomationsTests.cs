using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Automation;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Messaging.Templates;
using PecosCrm.Core.Segments;

namespace PecosCrm.UnitTests.Automation;

public sealed class PrebuiltAutomationsTests
{
    /// <summary>The default templates, active as seeded; no custom tags or segments.</summary>
    private static readonly WorkflowContext Defaults = new(
        id => Task.FromResult(DefaultTemplates.All.Any(t => t.Id == id)), _ => Task.FromResult(false), _ => Task.FromResult(false));

    public static TheoryData<string> Ids() => [.. PrebuiltAutomations.All.Select(a => a.Id)];

    private static WorkflowDefinition Definition(string id) => PrebuiltAutomations.All.Single(a => a.Id == id).Definition;

    [Fact]
    public void Prebuilt_AreTheTenOfTheRoadmapTable_WithStableIds()
    {
        Assert.Equal(
            ["welcome-series", "abandoned-cart", "post-purchase", "win-back", "birthday", "browse-abandonment", "review-follow-up", "loyalty-milestone", "vip-upgrade", "replenishment"],
            PrebuiltAutomations.All.Select(a => a.Id));
        Assert.Equal(
            ["Welcome Series", "Abandoned Cart", "Post-Purchase", "Win-Back", "Birthday", "Browse Abandonment", "Review Follow-Up", "Loyalty Milestone", "VIP Upgrade", "Replenishment"],
            PrebuiltAutomations.All.Select(a => a.Definition.Name));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public async Task Prebuilt_PassesTheValidatorAgainstTheDefaultTemplates_AfterAJsonRoundTrip(string id)
    {
        var definition = Definition(id);
        var stored = JsonSerializer.Deserialize<WorkflowDefinition>(JsonSerializer.Serialize(definition, CrmJson.Options), CrmJson.Options)!;

        await WorkflowValidator.CheckAsync(definition, Defaults);
        await WorkflowValidator.CheckAsync(stored, Defaults);
        Assert.Equal(JsonSerializer.Serialize(definition, CrmJson.Options), JsonSerializer.Serialize(stored, CrmJson.Options));
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Prebuilt_EveryNodeIsPlacedForTheAdminPanel_NoTwoOnOneSpot(string id)
    {
        var nodes = Definition(id).Nodes!;

        Assert.All(nodes, n => Assert.NotNull(n.Position));
        Assert.Equal(nodes.Count, nodes.Select(n => n.Position).Distinct().Count());
    }

    [Theory]
    [MemberData(nameof(Ids))]
    public void Prebuilt_MarketingFlowsSendMarketingTemplates_OthersNone(string id)
    {
        var definition = Definition(id);
        var categories = definition.Nodes!.Where(n => n.Type == "send_email").Select(n => DefaultTemplates.All.Single(t => t.Id == n.TemplateId).Category).ToList();

        Assert.NotEmpty(categories);
        if (definition.Purpose == MessagePurpose.Marketing)
        {
            Assert.All(categories, c => Assert.Equal(TemplateCategory.Marketing, c));
        }
        else
        {
            Assert.DoesNotContain(TemplateCategory.Marketing, categories);
        }
    }

    [Fact]
    public void AbandonedCart_FollowsTheRoadmapDiagramStepForStep()
    {
        var definition = Definition("abandoned-cart");
        var byId = definition.Nodes!.ToDictionary(n => n.Id!);
        WorkflowNode After(WorkflowNode node) => byId[node.Next!];

        var trigger = byId.Values.Single(n => n.Type == "trigger");
        var wait1h = After(trigger);
        var forgot = After(wait1h);
        var purchased = After(forgot);
        var yes = byId[purchased.Yes!];
        var wait24h = byId[purchased.No!];
        var code = After(wait24h);
        var tenOff = After(code);
        var end = After(tenOff);

        Assert.Equal(("event", "cart.abandoned"), (definition.Trigger!.Kind, definition.Trigger.Event));
        Assert.Equal(("wait", TimeSpan.FromHours(1)), (wait1h.Type, wait1h.Duration));
        Assert.Equal(("send_email", "abandoned-cart-1"), (forgot.Type, forgot.TemplateId));
        Assert.Equal(("condition", "ordered"), (purchased.Type, purchased.Test));
        Assert.Equal("end", yes.Type);
        Assert.Equal(("wait", TimeSpan.FromHours(24)), (wait24h.Type, wait24h.Duration));
        Assert.Equal(("action", "discount_code", DiscountKind.Percent, 10m), (code.Type, code.Action, code.DiscountKind, code.DiscountValue));
        Assert.Equal(("send_email", "abandoned-cart-2"), (tenOff.Type, tenOff.TemplateId));
        Assert.Equal("end", end.Type);
        Assert.Equal(9, byId.Count);
        Assert.Equal("order.placed", definition.GoalEvent);
    }

    [Fact]
    public void Prebuilt_TriggersAndReentry_AsTheTableDescribesThem()
    {
        string Describe(string id)
        {
            var t = Definition(id).Trigger!;
            var what = t.Kind switch
            {
                "event" => t.Event,
                "behavior" => $"{t.Behavior} {t.Days}",
                "date_field" => t.DateField,
                _ => $"{t.Metric} {t.Value}",
            };
            var filters = string.Join(";", (t.Filters ?? []).Select(f => $"{f.Path} {f.Op} {f.Value}"));
            return $"{t.Kind} {what} [{filters}] {t.Reentry} {t.ReentryDays}".Trim();
        }

        Assert.Equal("event customer.created [] once", Describe("welcome-series"));
        Assert.Equal("event cart.abandoned [] after_days 30", Describe("abandoned-cart"));
        Assert.Equal("event order.delivered [] after_days 1", Describe("post-purchase"));
        Assert.Equal("behavior no_order 60 [] after_days 60", Describe("win-back"));
        Assert.Equal("date_field birthday [] after_days 300", Describe("birthday"));
        Assert.Equal("event product.viewed [] after_days 7", Describe("browse-abandonment"));
        Assert.Equal("event order.delivered [] after_days 1", Describe("review-follow-up"));
        Assert.Equal("threshold points 1000 [] after_days 180", Describe("loyalty-milestone"));
        Assert.Equal("event tier.changed [tier in [\"gold\",\"platinum\"]] after_days 30", Describe("vip-upgrade"));
        Assert.Equal("event order.delivered [lines.*.category in [\"boot care\"]] after_days 30", Describe("replenishment"));
        Assert.Equal("not_ordered_since_enrolment", Assert.Single(Definition("browse-abandonment").Trigger!.FlowFilters!).Kind);
    }
}
