using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.DurableTask;

namespace PecosCrm.Core.Automation;

/// <summary>
/// The one orchestrator of every automation: it interprets the workflow version an instance was
/// enrolled in. Enrolment puts that version's definition in the orchestration's input, so the definition is in the instance's history and a new
/// version never changes an instance in flight. Each step is one activity call: the activity of a
/// send, condition or action also begins the wait or ends the instance at the node after it
/// (<see cref="StepInput.FoldNext"/>); "begin wait" and "finish" are their own activities only where
/// no step precedes them (a wait right after the trigger or a split, a wait after a wait, a goal or a
/// flow filter ending the instance). Everything that touches the world
/// is an activity; this code only decides, so it replays deterministically: time comes from
/// <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/> (and from activity results), splits hash
/// the instance id and node, and waits are durable timers (split into hops by the SDK's
/// <c>MaximumTimerInterval</c>) raced against the goal and, for "until an event", that event.
/// Changing the sequence of durable calls made here breaks instances in flight: give the changed
/// interpreter a new <see cref="Name"/> and keep this one until its instances are done. (The folding
/// above changed that sequence without a new name: nothing ran in production before it.)
/// </summary>
public sealed class AutomationOrchestrator : TaskOrchestrator<AutomationStart, string>
{
    public const string Name = "AutomationOrchestrator";

    /// <summary>The external event that ends an instance at its goal; its payload is the store event type.</summary>
    public const string GoalEventName = "goal";

    /// <summary>A step that throws is tried again (at-least-once, made safe by idempotency keys); after the last attempt the instance is failed.</summary>
    private static readonly TaskOptions Retry = TaskOptions.FromRetryPolicy(new RetryPolicy(5, TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(30)));

    /// <summary>A guard against a graph that never reaches an end without passing a wait (the validator refuses those).</summary>
    private const int MaxSteps = 10_000;

    public override async Task<string> RunAsync(TaskOrchestrationContext context, AutomationStart input)
    {
        var json = input.Definition ?? throw new InvalidOperationException("An automation instance starts with its workflow version's definition in its input.");
        var definition = JsonSerializer.Deserialize<WorkflowDefinition>(json, CrmJson.Options)!;
        return await new Walk(context, input with { Definition = null }, definition).RunAsync();
    }

    /// <summary>
    /// The wait right after the trigger when it is a plain duration (no time of day, which needs the
    /// customer's clock): enrolment begins it, writing its row and the waiting state, and the
    /// orchestrator computes its delay from the input, so no activity runs for it.
    /// </summary>
    public static WorkflowNode? WaitBegunAtEnrolment(WorkflowDefinition definition)
    {
        var trigger = definition.Nodes!.First(n => n.Type == NodeTypes.Trigger);
        return definition.Nodes!.FirstOrDefault(n => n.Id == trigger.Next) is { Type: NodeTypes.Wait, TimeOfDay: null, Duration: not null } wait ? wait : null;
    }

    /// <summary>A number in [0, 1) fixed by the instance and the node: the same instance always takes the same branch.</summary>
    public static double Roll(string instanceId, string node) => BitConverter.ToUInt32(SHA256.HashData(Encoding.UTF8.GetBytes(instanceId + "|" + node)), 0) / (double)uint.MaxValue;

    /// <summary>One run through the graph, with what the flow carries from step to step.</summary>
    private sealed class Walk(TaskOrchestrationContext context, AutomationStart start, WorkflowDefinition definition)
    {
        private readonly Dictionary<string, WorkflowNode> _nodes = definition.Nodes!.ToDictionary(n => n.Id!, StringComparer.Ordinal);
        private readonly Dictionary<string, int> _visits = new(StringComparer.Ordinal);
        private Dictionary<string, string?> _variables = new(StringComparer.Ordinal);
        private string? _lastEmailId;
        private string? _branch;
        private WaitedStep? _waited;
        private long _sequence = 1;
        private Task<string>? _goal;

        // The node after the last step when its activity already did it (a wait begun, the instance ended), and what it returned.
        private (string Node, StepResult Result)? _folded;

        // The app's clock as last reported by an activity, and the orchestration's clock at that moment:
        // together they estimate the app's time deterministically (the moment a message id is made for).
        private DateTimeOffset _appAt = start.EnrolledAt;
        private DateTime _wallAt;

        public async Task<string> RunAsync()
        {
            _wallAt = context.CurrentUtcDateTime;
            if ((definition.GoalEvent ?? definition.Nodes!.FirstOrDefault(n => n.Type == "goal")?.Event) is not null)
            {
                _goal = context.WaitForExternalEvent<string>(GoalEventName);
            }
            var node = _nodes.Values.First(n => n.Type == "trigger");
            if (WaitBegunAtEnrolment(definition) is { } first)
            {
                // Enrolment wrote the wait's row (history position 2) and the waiting state; its timer starts now.
                // Instances enrolled before FirstWait existed carry none: the node's duration, as before.
                var duration = start.FirstWait ?? first.Duration!.Value;
                var wake = start.EnrolledAt + duration;
                _folded = (first.Id!, new StepResult(AutomationSteps.WaitText(first, wake), start.EnrolledAt, DelayMs: duration.TotalMilliseconds, WakeAt: wake));
                _sequence += 2;
            }
            try
            {
                for (var step = 0; step < MaxSteps; step++)
                {
                    if (_goal is { IsCompleted: true })
                    {
                        return await FinishAsync(node, InstanceStatus.Goal, "goal reached: " + _goal.Result);
                    }
                    var next = await StepAsync(node);
                    if (next is null)
                    {
                        return "ended";
                    }
                    if (_folded is { Result.Ended: { } ended } && _folded.Value.Node == next)
                    {
                        // The step's activity ended the instance at the end or goal node after it.
                        return ended.ToString();
                    }
                    _visits[node.Id!] = Visit(node);
                    node = _nodes[next];
                }
                throw new InvalidOperationException($"The workflow ran {MaxSteps} steps without ending.");
            }
            catch (TaskFailedException ex)
            {
                return await FinishAsync(node, InstanceStatus.Failed, $"{ex.FailureDetails.ErrorType}: {ex.FailureDetails.ErrorMessage}");
            }
        }

        /// <summary>Runs one node; returns the next node's id, or null when the instance ended.</summary>
        private async Task<string?> StepAsync(WorkflowNode node)
        {
            switch (node.Type)
            {
                case NodeTypes.Trigger:
                    return node.Next;
                case NodeTypes.Wait:
                    var plan = _folded is { } folded && folded.Node == node.Id ? folded.Result : await CallAsync(AutomationActivities.BeginWait, node);
                    _folded = null;
                    var ended = await WaitAsync(plan, node.UntilEvent);
                    if (ended is WaitEnd.Goal)
                    {
                        await FinishAsync(node, InstanceStatus.Goal, "goal reached: " + _goal!.Result);
                        return null;
                    }
                    _waited = new WaitedStep(node.Id!, ended is WaitEnd.Event ? $"{node.UntilEvent} happened" : "waited", plan.WakeAt!.Value);
                    return node.Next;
                case NodeTypes.SendEmail or NodeTypes.SendSms:
                    while (true)
                    {
                        var sent = await CallAsync(AutomationActivities.Send, node, node.Next);
                        if (sent.Exit)
                        {
                            await FinishAsync(node, InstanceStatus.Exited, sent.Text);
                            return null;
                        }
                        if (sent.WakeAt is null)
                        {
                            _lastEmailId = node.Type == NodeTypes.SendEmail && sent.MessageId is not null ? sent.MessageId : _lastEmailId;
                            return node.Next;
                        }
                        // Postponed (quiet hours, frequency cap): wait, then check everything again.
                        if (await WaitAsync(sent, null) is WaitEnd.Goal)
                        {
                            await FinishAsync(node, InstanceStatus.Goal, "goal reached: " + _goal!.Result);
                            return null;
                        }
                    }
                case NodeTypes.Condition:
                    var test = await CallAsync(AutomationActivities.Condition, node, "");
                    return test.Yes ? node.Yes : node.No;
                case NodeTypes.Split:
                    var roll = Roll(start.InstanceId, node.Id!);
                    var cumulative = 0.0;
                    var branch = node.Branches!.Last();
                    foreach (var b in node.Branches!)
                    {
                        cumulative += b.Share!.Value;
                        if (roll < cumulative)
                        {
                            branch = b;
                            break;
                        }
                    }
                    _branch = branch.Name ?? branch.Next!;
                    await CallAsync(AutomationActivities.Record, node);
                    return branch.Next;
                case NodeTypes.Action:
                    var done = await CallAsync(AutomationActivities.Act, node, node.Next);
                    if (done.Variables is { } made)
                    {
                        _variables = new Dictionary<string, string?>(_variables, StringComparer.Ordinal);
                        foreach (var (name, value) in made)
                        {
                            _variables[name] = value;
                        }
                    }
                    return node.Next;
                case NodeTypes.Goal:
                    await FinishAsync(node, InstanceStatus.Goal, "goal reached");
                    return null;
                case NodeTypes.End:
                    await FinishAsync(node, InstanceStatus.Completed, "completed");
                    return null;
                default:
                    throw new InvalidOperationException($"Unknown node type {node.Type}.");
            }
        }

        private enum WaitEnd
        {
            Timer,
            Event,
            Goal,
        }

        /// <summary>Waits the delay an activity asked for, unless the goal (or the awaited event) comes first.</summary>
        private async Task<WaitEnd> WaitAsync(StepResult plan, string? untilEvent)
        {
            using var cancel = new CancellationTokenSource();
            var delay = TimeSpan.FromMilliseconds(Math.Max(0, plan.DelayMs));
            var timer = context.CreateTimer(delay, cancel.Token);
            var awaited = untilEvent is null ? null : context.WaitForExternalEvent<string>(untilEvent, cancel.Token);
            List<Task> racing = [timer];
            if (awaited is not null)
            {
                racing.Add(awaited);
            }
            if (_goal is not null)
            {
                racing.Add(_goal);
            }
            var first = await Task.WhenAny(racing);
            if (first != timer)
            {
                // Synchronously: awaiting CancelAsync would continue on another thread, outside the orchestration's replay.
                cancel.Cancel();
            }
            // Past the wait, the app's clock is at least its wake-up time (tests move it there in one go).
            if (plan.WakeAt is { } wake && wake > _appAt && first == timer)
            {
                _appAt = wake;
                _wallAt = context.CurrentUtcDateTime;
            }
            return first == _goal ? WaitEnd.Goal : first == timer ? WaitEnd.Timer : WaitEnd.Event;
        }

        /// <summary>
        /// Calls a step's activity. With <paramref name="next"/> (the node after the step; empty when the
        /// activity picks it, as a condition does) the activity may do that node too: see <see cref="StepInput.FoldNext"/>.
        /// </summary>
        private async Task<StepResult> CallAsync(string activity, WorkflowNode node, string? next = null)
        {
            var input = Input(node) with { FoldNext = next is not null };
            var result = await context.CallActivityAsync<StepResult>(activity, input, Retry);
            _sequence += 2;
            _waited = null;
            _folded = null;
            _appAt = result.At;
            _wallAt = context.CurrentUtcDateTime;
            if (result.Then is { } then)
            {
                // The folded node took the history position after the step's.
                _sequence += 2;
                _folded = (node.Type == NodeTypes.Condition ? (result.Yes ? node.Yes : node.No)! : next!, then);
            }
            return result;
        }

        private async Task<string> FinishAsync(WorkflowNode node, InstanceStatus status, string reason)
        {
            await context.CallActivityAsync(AutomationActivities.Finish, new FinishInput(Input(node), status, reason), Retry);
            return status.ToString();
        }

        private int Visit(WorkflowNode node) => _visits.GetValueOrDefault(node.Id!) + 1;

        private StepInput Input(WorkflowNode node) => new(
            start, node.Id!, Visit(node), _sequence, _appAt + (context.CurrentUtcDateTime - _wallAt), _lastEmailId, _variables, _branch, _waited);
    }
}
