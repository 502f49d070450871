using System.Reflection;
using Cronos;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Extensions.Abstractions;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Every <c>[Function]</c> method of the app, found by reflection over the same attributes the
/// Functions SDK turns into <c>functions.metadata</c>, so a function is declared once, on its method.
/// Standalone mode runs the timers and queues from here; HTTP goes through the one API pipeline, and
/// orchestrations and activities belong to the durable engine.
/// </summary>
public sealed class FunctionCatalog
{
    private FunctionCatalog(IReadOnlyList<FunctionTrigger> functions) => Functions = functions;

    public IReadOnlyList<FunctionTrigger> Functions { get; }

    public IEnumerable<FunctionTrigger> Timers => Functions.Where(f => f.Kind == TriggerKind.Timer);

    public IEnumerable<FunctionTrigger> Queues => Functions.Where(f => f.Kind == TriggerKind.Queue);

    /// <summary>The functions of the app's own assembly.</summary>
    public static FunctionCatalog ForApp() => FromTypes(typeof(FunctionCatalog).Assembly.GetTypes());

    /// <summary>
    /// The functions declared on these types. Fails at start-up, not at the first tick, when a name is
    /// used twice, a schedule is not 6-field NCRONTAB, or a function has no trigger.
    /// </summary>
    public static FunctionCatalog FromTypes(IEnumerable<Type> types)
    {
        var functions = new List<FunctionTrigger>();
        var methods = types.Where(t => t is { IsClass: true, IsAbstract: false })
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly));
        foreach (var method in methods)
        {
            if (method.GetCustomAttribute<FunctionAttribute>() is not { } function)
            {
                continue;
            }
            var trigger = Describe(function.Name, method);
            if (functions.Any(f => string.Equals(f.Name, trigger.Name, StringComparison.OrdinalIgnoreCase)))
            {
                throw new InvalidOperationException($"Function '{trigger.Name}' is declared twice.");
            }
            functions.Add(trigger);
        }
        return new FunctionCatalog(functions.OrderBy(f => f.Name, StringComparer.Ordinal).ToList());
    }

    public FunctionTrigger? Find(string name) =>
        Functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    private static FunctionTrigger Describe(string name, MethodInfo method)
    {
        foreach (var parameter in method.GetParameters())
        {
            foreach (var attribute in parameter.GetCustomAttributes())
            {
                switch (attribute)
                {
                    case TimerTriggerAttribute timer:
                        // Throws on a schedule the standalone runner could not follow.
                        CronExpression.Parse(timer.Schedule, CronFormat.IncludeSeconds);
                        return new FunctionTrigger(name, TriggerKind.Timer, timer.Schedule, null, method);
                    case QueueTriggerAttribute queue:
                        return new FunctionTrigger(name, TriggerKind.Queue, null, queue.QueueName, method);
                    case HttpTriggerAttribute:
                        return new FunctionTrigger(name, TriggerKind.Http, null, null, method);
                    case OrchestrationTriggerAttribute:
                        return new FunctionTrigger(name, TriggerKind.Orchestration, null, null, method);
                    case ActivityTriggerAttribute:
                        return new FunctionTrigger(name, TriggerKind.Activity, null, null, method);
                    case EntityTriggerAttribute:
                        return new FunctionTrigger(name, TriggerKind.Entity, null, null, method);
                    case TriggerBindingAttribute:
                        return new FunctionTrigger(name, TriggerKind.Other, null, null, method);
                }
            }
        }
        throw new InvalidOperationException($"Function '{name}' ({method.DeclaringType?.Name}.{method.Name}) has no trigger.");
    }
}
