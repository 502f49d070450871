using System.Reflection;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Standalone mode's stand-in for the worker's function executor: creates the function's class in
/// the invocation's scope (constructor injection, as the worker does) and binds its parameters —
/// the trigger value, <c>[DurableClient]</c> from the container (null while no durable engine is
/// registered), and the cancellation token.
/// </summary>
public static class FunctionInvoker
{
    /// <summary>Runs a timer function for one occurrence.</summary>
    public static Task InvokeTimerAsync(FunctionTrigger function, IServiceProvider scope, bool isPastDue, CancellationToken cancellationToken) =>
        InvokeAsync(function, scope, parameter => parameter.ParameterType == typeof(TimerInfo)
            ? new TimerInfo { IsPastDue = isPastDue }
            : throw Unsupported(function, parameter), cancellationToken);

    /// <summary>Runs a queue function for one message whose body is already decoded (the queue clients use Base64, as the trigger does).</summary>
    public static Task InvokeQueueAsync(FunctionTrigger function, IServiceProvider scope, QueueMessage message, CancellationToken cancellationToken) =>
        InvokeAsync(function, scope, parameter => parameter.ParameterType switch
        {
            var t when t == typeof(string) => message.Body.ToString(),
            var t when t == typeof(BinaryData) => message.Body,
            var t when t == typeof(QueueMessage) => message,
            _ => throw Unsupported(function, parameter),
        }, cancellationToken);

    /// <summary>Fails at start-up when a function has a parameter standalone mode could not bind.</summary>
    public static void Validate(FunctionTrigger function)
    {
        foreach (var parameter in function.Method.GetParameters())
        {
            var type = parameter.ParameterType;
            var ok = IsTrigger(parameter)
                ? function.Kind switch
                {
                    TriggerKind.Timer => type == typeof(TimerInfo),
                    TriggerKind.Queue => type == typeof(string) || type == typeof(BinaryData) || type == typeof(QueueMessage),
                    _ => false,
                }
                : type == typeof(CancellationToken) || IsDurableClient(parameter);
            if (!ok)
            {
                throw Unsupported(function, parameter);
            }
        }
        if (function.Method.ReturnType != typeof(Task) && function.Method.ReturnType != typeof(void) && function.Method.ReturnType != typeof(ValueTask))
        {
            throw new InvalidOperationException($"Function '{function.Name}' returns {function.Method.ReturnType.Name}; standalone mode runs functions that return Task, ValueTask or nothing.");
        }
    }

    private static async Task InvokeAsync(FunctionTrigger function, IServiceProvider scope, Func<ParameterInfo, object?> trigger, CancellationToken cancellationToken)
    {
        var method = function.Method;
        var target = method.IsStatic ? null : ActivatorUtilities.CreateInstance(scope, method.DeclaringType!);
        var arguments = method.GetParameters().Select(p =>
            IsTrigger(p) ? trigger(p)
            : p.ParameterType == typeof(CancellationToken) ? cancellationToken
            : IsDurableClient(p) ? scope.GetService<DurableTaskClient>()
            : throw Unsupported(function, p)).ToArray();
        object? result;
        try
        {
            result = method.Invoke(target, arguments);
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
        switch (result)
        {
            case Task task:
                await task;
                break;
            case ValueTask valueTask:
                await valueTask;
                break;
        }
    }

    private static bool IsTrigger(ParameterInfo parameter) =>
        parameter.GetCustomAttributes().Any(a => a is TimerTriggerAttribute or QueueTriggerAttribute);

    private static bool IsDurableClient(ParameterInfo parameter) =>
        parameter.GetCustomAttribute<DurableClientAttribute>() is not null && parameter.ParameterType == typeof(DurableTaskClient);

    private static InvalidOperationException Unsupported(FunctionTrigger function, ParameterInfo parameter) =>
        new($"Function '{function.Name}' has parameter '{parameter.Name}' of type {parameter.ParameterType.Name}, which standalone mode cannot bind.");
}
