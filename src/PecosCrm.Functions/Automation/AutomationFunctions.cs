using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Automation;

namespace PecosCrm.Functions.Automation;

/// <summary>
/// Functions mode's orchestration and activity functions: the Durable Functions host runs them by
/// these names, which are the names standalone mode's engine registers the same classes under. Each
/// delegates to the class both modes share, so nothing here decides anything. Activities take the
/// invocation's durable client, as every function does, so a step that enrols the customer elsewhere
/// (a points threshold crossed) reaches the engine; the orchestrator does no I/O and takes none.
/// </summary>
public sealed class AutomationFunctions(AutomationSteps steps)
{
    [Function(AutomationOrchestrator.Name)]
    public static Task<string> RunOrchestratorAsync([OrchestrationTrigger] TaskOrchestrationContext context) =>
        new AutomationOrchestrator().RunAsync(context, context.GetInput<AutomationStart>()!);

    [Function(AutomationActivities.BeginWait)]
    public Task<StepResult> BeginWaitAsync([ActivityTrigger] StepInput input, [DurableClient] DurableTaskClient? client)
    {
        InvocationDurableClient.Use(client);
        return steps.BeginWaitAsync(input);
    }

    [Function(AutomationActivities.Send)]
    public Task<StepResult> SendAsync([ActivityTrigger] StepInput input, [DurableClient] DurableTaskClient? client)
    {
        InvocationDurableClient.Use(client);
        return steps.SendAsync(input);
    }

    [Function(AutomationActivities.Condition)]
    public Task<StepResult> ConditionAsync([ActivityTrigger] StepInput input, [DurableClient] DurableTaskClient? client)
    {
        InvocationDurableClient.Use(client);
        return steps.ConditionAsync(input);
    }

    [Function(AutomationActivities.Act)]
    public Task<StepResult> ActAsync([ActivityTrigger] StepInput input, [DurableClient] DurableTaskClient? client)
    {
        InvocationDurableClient.Use(client);
        return steps.ActAsync(input);
    }

    [Function(AutomationActivities.Record)]
    public Task<StepResult> RecordAsync([ActivityTrigger] StepInput input, [DurableClient] DurableTaskClient? client)
    {
        InvocationDurableClient.Use(client);
        return steps.RecordAsync(input);
    }

    [Function(AutomationActivities.Finish)]
    public Task<string> FinishAsync([ActivityTrigger] FinishInput input, [DurableClient] DurableTaskClient? client)
    {
        InvocationDurableClient.Use(client);
        return steps.FinishAsync(input);
    }
}
