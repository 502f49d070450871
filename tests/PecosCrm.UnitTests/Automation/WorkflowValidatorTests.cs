using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Automation;

namespace PecosCrm.UnitTests.Automation;

public sealed class WorkflowValidatorTests
{
    private static readonly WorkflowContext Everything = new(_ => Task.FromResult(true), _ => Task.FromResult(true), _ => Task.FromResult(true));

    private static WorkflowDefinition Flow(params WorkflowNode[] nodes) => new("Flow", null, new Trigger("manual"), nodes);

    [Fact]
    public async Task Check_WaitBreaksALoop_IsValid()
    {
        var flow = Flow(
            new WorkflowNode("start", "trigger", Next: "mail"),
            new WorkflowNode("mail", "send_email", Next: "check", Subject: "Hi", Text: "x"),
            new WorkflowNode("check", "condition", Test: "ordered", Yes: "done", No: "pause"),
            new WorkflowNode("pause", "wait", Next: "mail", Duration: TimeSpan.FromDays(3)),
            new WorkflowNode("done", "end"));

        await WorkflowValidator.CheckAsync(flow, Everything);
    }

    [Fact]
    public async Task Check_TwoTriggersAndAnUnknownTemplate_NamesBoth()
    {
        var noTemplates = Everything with { TemplateExists = _ => Task.FromResult(false) };
        var flow = Flow(
            new WorkflowNode("a", "trigger", Next: "mail"),
            new WorkflowNode("b", "trigger", Next: "mail"),
            new WorkflowNode("mail", "send_email", Next: "done", TemplateId: "ghost"),
            new WorkflowNode("done", "end"));

        var error = await Assert.ThrowsAsync<ValidationFailedException>(() => WorkflowValidator.CheckAsync(flow, noTemplates));

        Assert.Contains("nodes", error.Errors.Keys);
        Assert.Contains("nodes[mail].templateId", error.Errors.Keys);
    }

    [Fact]
    public async Task Check_DurationFromReplenishment_NeedsAFallbackDuration_AndNoOtherSource()
    {
        WorkflowDefinition Waiting(WorkflowNode wait) => Flow(
            new WorkflowNode("start", "trigger", Next: "wait"),
            wait with { Id = "wait", Type = "wait", Next = "done" },
            new WorkflowNode("done", "end"));

        await WorkflowValidator.CheckAsync(Waiting(new WorkflowNode(null, null, Duration: TimeSpan.FromDays(60), DurationFrom: "replenishment")), Everything);
        var noFallback = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            WorkflowValidator.CheckAsync(Waiting(new WorkflowNode(null, null, TimeOfDay: "09:00", DurationFrom: "replenishment")), Everything));
        var unknown = await Assert.ThrowsAsync<ValidationFailedException>(() =>
            WorkflowValidator.CheckAsync(Waiting(new WorkflowNode(null, null, Duration: TimeSpan.FromDays(1), DurationFrom: "moon phase")), Everything));

        Assert.Contains("nodes[wait].durationFrom", noFallback.Errors.Keys);
        Assert.Contains("nodes[wait].durationFrom", unknown.Errors.Keys);
    }

    [Theory]
    [InlineData("""{ "value": 80 }""", "value", "gt", "50", true)]
    [InlineData("""{ "value": 30 }""", "value", "gt", "50", false)]
    [InlineData("""{ "lines": [ { "category": "hats" }, { "category": "boot care" } ] }""", "lines.*.category", "in", """["boot care"]""", true)]
    [InlineData("""{ "lines": [ { "category": "hats" } ] }""", "lines.*.category", "in", """["boot care"]""", false)]
    [InlineData("""{ "tier": "Gold" }""", "tier", "in", """["gold", "platinum"]""", true)]
    [InlineData("""{ }""", "tier", "exists", "null", false)]
    public void FiltersHold_PathsOpsAndWildcards(string data, string path, string op, string value, bool expected)
    {
        var filter = new DataFilter(path, op, JsonDocument.Parse(value).RootElement.Clone());

        Assert.Equal(expected, AutomationTriggers.FiltersHold([filter], JsonDocument.Parse(data).RootElement));
    }
}
