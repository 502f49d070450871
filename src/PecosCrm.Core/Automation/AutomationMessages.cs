namespace PecosCrm.Core.Automation;

/// <summary>The input of an automation orchestration: who was enrolled in which version, when and why.</summary>
/// <param name="EnrolledAt">On the app's clock, which is what activities compare with (orders since enrolment, say).</param>
/// <param name="OrderId">The order an order event enrolled the customer for; the flow's emails show it as <c>order.*</c>.</param>
/// <param name="Definition">The enrolled version's definition (JSON), given at enrolment so the orchestration needs no activity to load it;
/// it is in the instance's history, so the version stays pinned. The orchestrator drops it from what it hands its activities.</param>
/// <param name="FirstWait">The duration of the wait begun at enrolment when it was decided then (a replenishment interval); null: the node's own duration.</param>
public sealed record AutomationStart(string InstanceId, string WorkflowId, int Version, string CustomerId, string Source, DateTimeOffset EnrolledAt, string? OrderId,
    string? Definition = null, TimeSpan? FirstWait = null);

/// <summary>What a step activity is given: the instance, the node and its visit, and what the flow has made so far.</summary>
/// <param name="Sequence">The history position of the step: the activity writes rows <paramref name="Sequence"/> (the wait that ended, if any) and one after it.</param>
/// <param name="EffectAt">The moment a side effect is made for (a message id's time): fixed by the orchestration, so a retried step makes the same id.</param>
/// <param name="Waited">The wait that ended just before this step, recorded with it.</param>
/// <param name="FoldNext">When the node after this step is a wait or an end (or goal) node, the activity begins that wait or
/// ends the instance too, in the same write, and returns it as <see cref="StepResult.Then"/>: one activity call per step.</param>
public sealed record StepInput(
    AutomationStart Instance, string Node, int Visit, long Sequence, DateTimeOffset EffectAt, string? LastEmailId,
    IReadOnlyDictionary<string, string?> Variables, string? Branch, WaitedStep? Waited = null, bool FoldNext = false);

/// <summary>A wait that has ended: its node, how it ended, and when it was due on the app's clock.</summary>
public sealed record WaitedStep(string Node, string Outcome, DateTimeOffset WakeAt);

/// <summary>
/// What a step activity decided. <paramref name="DelayMs"/> with <paramref name="WakeAt"/> asks the
/// orchestration to wait (a wait node, quiet hours, the frequency cap) and try the step again or move on;
/// <paramref name="Exit"/> ends the instance because a flow filter stopped holding.
/// </summary>
/// <param name="At">The app's clock when the activity ran.</param>
/// <param name="Then">The node after the step, done in the same activity (<see cref="StepInput.FoldNext"/>): a wait begun
/// (its <paramref name="DelayMs"/> and <paramref name="WakeAt"/>) or the instance ended (<paramref name="Ended"/>).</param>
/// <param name="Ended">The status the instance ended with, for a folded end or goal node.</param>
public sealed record StepResult(
    string Text, DateTimeOffset At, bool Yes = false, double DelayMs = 0, DateTimeOffset? WakeAt = null, string? MessageId = null, bool Exit = false,
    IReadOnlyDictionary<string, string?>? Variables = null, StepResult? Then = null, InstanceStatus? Ended = null);

/// <summary>How an instance ends: its status and why, recorded at the node it ended on.</summary>
public sealed record FinishInput(StepInput Step, InstanceStatus Status, string Reason);

