using Microsoft.DurableTask;

namespace PecosCrm.Core.Automation;

/// <summary>
/// The activities of <see cref="AutomationOrchestrator"/>, registered under these stable names in
/// both hosting modes. Each is a thin call into <see cref="AutomationSteps"/>, which does the I/O;
/// they are small enough to live together.
/// </summary>
public static class AutomationActivities
{
    public const string BeginWait = "AutomationBeginWait";
    public const string Send = "AutomationSend";
    public const string Condition = "AutomationCondition";
    public const string Act = "AutomationAct";
    public const string Record = "AutomationRecord";
    public const string Finish = "AutomationFinish";

    /// <summary>Every activity by name, for the standalone engine's registration.</summary>
    public static readonly IReadOnlyDictionary<string, Type> All = new Dictionary<string, Type>(StringComparer.Ordinal)
    {
        [BeginWait] = typeof(BeginWaitActivity),
        [Send] = typeof(SendActivity),
        [Condition] = typeof(ConditionActivity),
        [Act] = typeof(ActActivity),
        [Record] = typeof(RecordActivity),
        [Finish] = typeof(FinishActivity),
    };
}

public sealed class BeginWaitActivity(AutomationSteps steps) : TaskActivity<StepInput, StepResult>
{
    public override Task<StepResult> RunAsync(TaskActivityContext context, StepInput input) => steps.BeginWaitAsync(input);
}

public sealed class SendActivity(AutomationSteps steps) : TaskActivity<StepInput, StepResult>
{
    public override Task<StepResult> RunAsync(TaskActivityContext context, StepInput input) => steps.SendAsync(input);
}

public sealed class ConditionActivity(AutomationSteps steps) : TaskActivity<StepInput, StepResult>
{
    public override Task<StepResult> RunAsync(TaskActivityContext context, StepInput input) => steps.ConditionAsync(input);
}

public sealed class ActActivity(AutomationSteps steps) : TaskActivity<StepInput, StepResult>
{
    public override Task<StepResult> RunAsync(TaskActivityContext context, StepInput input) => steps.ActAsync(input);
}

public sealed class RecordActivity(AutomationSteps steps) : TaskActivity<StepInput, StepResult>
{
    public override Task<StepResult> RunAsync(TaskActivityContext context, StepInput input) => steps.RecordAsync(input);
}

public sealed class FinishActivity(AutomationSteps steps) : TaskActivity<FinishInput, string>
{
    public override Task<string> RunAsync(TaskActivityContext context, FinishInput input) => steps.FinishAsync(input);
}
