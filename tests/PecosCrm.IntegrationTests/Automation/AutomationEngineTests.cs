using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using PecosCrm.Core.Automation;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using PecosCrm.Functions.Automation;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.IntegrationTests.Automation;

public sealed class AutomationEngineTests
{
    [Fact]
    public void FunctionsMode_DeclaresTheOrchestratorAndEveryActivity_UnderTheNamesStandaloneRegisters()
    {
        var functions = typeof(AutomationFunctions).GetMethods().Select(m => m.GetCustomAttribute<FunctionAttribute>()).OfType<FunctionAttribute>().Select(f => f.Name).ToList();

        Assert.Equal(AutomationActivities.All.Keys.Append(AutomationOrchestrator.Name).Order(StringComparer.Ordinal), functions.Order(StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("", "PecosCrm")]
    [InlineData("t0a1b2c3d4e", "PecosCrmt0a1b2c3d4e")]
    [InlineData("dev-store_2", "PecosCrmdevstore2")]
    public void TaskHub_FromTheStoragePrefix_OnlyLettersAndDigits(string prefix, string hub) =>
        Assert.Equal(hub, AutomationEngine.TaskHubFor(prefix));

    [Fact]
    public void Split_TheSameInstanceAndNode_AlwaysRollTheSame_AndDifferentInstancesSpread()
    {
        var rolls = Enumerable.Range(0, 1000).Select(i => AutomationOrchestrator.Roll($"instance-{i}", "split")).ToList();

        Assert.Equal(AutomationOrchestrator.Roll("instance-7", "split"), rolls[7]);
        Assert.InRange(rolls.Count(r => r < 0.5), 400, 600);
    }

    [Fact]
    public async Task FunctionsMode_AppCodesClient_ForwardsToTheClientTheInvocationPutInItsAccessor()
    {
        var forwarding = new InvocationDurableClient();
        var bound = new RecordingClient();
        var unbound = await Task.Run(async () => await Record.ExceptionAsync(() => forwarding.RaiseEventAsync("i-1", "goal", "order.placed")));

        new DurableClientAccessor(Microsoft.Extensions.DependencyInjection.ServiceCollectionContainerBuilderExtensions.BuildServiceProvider(new Microsoft.Extensions.DependencyInjection.ServiceCollection())).Client = bound;
        await forwarding.RaiseEventAsync("i-2", "goal", "order.placed");

        Assert.IsType<InvalidOperationException>(unbound);
        Assert.Equal(["i-2 goal"], bound.Raised);
    }

    /// <summary>A client that only records the events raised through it.</summary>
    private sealed class RecordingClient() : DurableTaskClient("recording")
    {
        public List<string> Raised { get; } = [];

        public override Task RaiseEventAsync(string instanceId, string eventName, object? eventPayload = null, CancellationToken cancellation = default)
        {
            Raised.Add($"{instanceId} {eventName}");
            return Task.CompletedTask;
        }

        public override Task<string> ScheduleNewOrchestrationInstanceAsync(TaskName orchestratorName, object? input = null, StartOrchestrationOptions? options = null, CancellationToken cancellation = default) => throw new NotSupportedException();
        public override Task<OrchestrationMetadata> WaitForInstanceStartAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();
        public override Task<OrchestrationMetadata> WaitForInstanceCompletionAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();
        public override Task SuspendInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();
        public override Task ResumeInstanceAsync(string instanceId, string? reason = null, CancellationToken cancellation = default) => throw new NotSupportedException();
        public override Task<OrchestrationMetadata?> GetInstancesAsync(string instanceId, bool getInputsAndOutputs = false, CancellationToken cancellation = default) => throw new NotSupportedException();
        public override AsyncPageable<OrchestrationMetadata> GetAllInstancesAsync(OrchestrationQuery? filter = null) => throw new NotSupportedException();
        public override ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
