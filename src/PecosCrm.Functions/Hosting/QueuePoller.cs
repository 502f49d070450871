using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Standalone mode's queue consumers, with the semantics of the Azure Functions queue trigger:
/// competing consumers, the message hidden while it is handled, deleted on success, made visible
/// again after a failure, and moved to <c>&lt;queue&gt;-poison</c> when its fifth delivery fails.
/// </summary>
public sealed partial class QueuePoller(
    TriggerRegistry registry,
    StorageAccount storage,
    IServiceScopeFactory scopes,
    IOptions<HostingOptions> options,
    IConfiguration configuration,
    ILogger<QueuePoller> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        HostingMode.IsFunctionsHost(configuration) || !options.Value.RunQueues
            ? Task.CompletedTask
            : Task.WhenAll(registry.Functions.Where(f => f.Kind == TriggerKind.Queue).Select(f => PollAsync(f, stoppingToken)));

    private async Task PollAsync(FunctionTrigger function, CancellationToken stoppingToken)
    {
        var o = options.Value;
        var queue = storage.Queue(function.Queue!);
        var delay = o.MinPollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var handled = await PollOnceAsync(function, queue, stoppingToken);
                delay = handled > 0 ? o.MinPollInterval : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, o.MaxPollInterval.Ticks));
                if (handled > 0)
                {
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Storage is down or the queue is missing: keep polling at the slowest rate.
                LogPollFailed(logger, function.Name, ex);
                delay = o.MaxPollInterval;
            }
            try
            {
                // Polling cadence is the host's business, not the domain's: it runs on real time
                // even when a test moves the app's clock.
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Receives one batch and handles it; returns how many messages were received.</summary>
    public async Task<int> PollOnceAsync(FunctionTrigger function, QueueClient queue, CancellationToken cancellationToken)
    {
        var o = options.Value;
        QueueMessage[] messages = await queue.ReceiveMessagesAsync(Math.Clamp(o.QueueBatchSize, 1, 32), o.VisibilityTimeout, cancellationToken);
        await Parallel.ForEachAsync(messages, cancellationToken, (m, ct) => new ValueTask(HandleAsync(function, queue, m, ct)));
        return messages.Length;
    }

    private async Task HandleAsync(FunctionTrigger function, QueueClient queue, QueueMessage message, CancellationToken cancellationToken)
    {
        var o = options.Value;
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var job = (IQueueJob)scope.ServiceProvider.GetRequiredService(function.JobType);
            await job.HandleAsync(new QueueInvocation(message.Body.ToString(), message.MessageId, message.DequeueCount), cancellationToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            LogMessageFailed(logger, function.Name, message.MessageId, message.DequeueCount, ex);
            if (message.DequeueCount >= o.MaxDequeueCount)
            {
                await storage.Queue(StorageNames.Queues.Poison(function.Queue!)).SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, CancellationToken.None);
                LogPoisoned(logger, function.Name, message.MessageId);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: o.RetryDelay, cancellationToken: CancellationToken.None);
            }
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Polling {Function} failed")]
    private static partial void LogPollFailed(ILogger logger, string function, Exception ex);

    [LoggerMessage(2, LogLevel.Warning, "{Function} failed on message {MessageId} (delivery {DequeueCount})")]
    private static partial void LogMessageFailed(ILogger logger, string function, string messageId, long dequeueCount, Exception ex);

    [LoggerMessage(3, LogLevel.Error, "{Function} moved message {MessageId} to the poison queue")]
    private static partial void LogPoisoned(ILogger logger, string function, string messageId);
}
