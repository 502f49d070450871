using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using PecosCrm.Core.Automation;
using PecosCrm.Functions.Automation;

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
}
