using Cronos;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// The one declaration of every timer and queue function. Standalone runners, the custom-handler
/// invocation endpoint and the generated function.json files all read it, so they cannot disagree.
/// </summary>
public sealed class TriggerRegistry
{
    private readonly List<FunctionTrigger> _functions = [];

    public IReadOnlyList<FunctionTrigger> Functions => _functions;

    public TriggerRegistry Timer<TJob>(string name, string schedule) where TJob : class, ITimerJob
    {
        // Fails at start-up, not at the first tick, when a schedule is not valid 6-field NCRONTAB.
        CronExpression.Parse(schedule, CronFormat.IncludeSeconds);
        return Add(new FunctionTrigger(name, TriggerKind.Timer, schedule, null, typeof(TJob)));
    }

    public TriggerRegistry Queue<TJob>(string name, string queue) where TJob : class, IQueueJob =>
        Add(new FunctionTrigger(name, TriggerKind.Queue, null, queue, typeof(TJob)));

    public FunctionTrigger? Find(string name) =>
        _functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    private TriggerRegistry Add(FunctionTrigger trigger)
    {
        if (Find(trigger.Name) is not null)
        {
            throw new InvalidOperationException($"Function '{trigger.Name}' is declared twice.");
        }
        _functions.Add(trigger);
        return this;
    }
}
