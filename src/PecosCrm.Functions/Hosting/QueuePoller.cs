using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.Options;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Standalone mode's queue consumers for the app's <c>[QueueTrigger]</c> functions, with the
/// semantics of the Azure Functions queue trigger: competing consumers, the message hidden while it
/// is handled (a short visibility timeout, renewed while the work runs; see <see cref="MessageLease"/>),
/// deleted on success, made visible again after a failure, and moved to <c>&lt;queue&gt;-poison</c>
/// when its fifth delivery fails.
/// </summary>
public sealed partial class QueuePoller(
    FunctionCatalog catalog,
    StorageAccount storage,
    IServiceScopeFactory scopes,
    IOptions<HostingOptions> options,
    ILogger<QueuePoller> logger) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        !options.Value.RunQueues
            ? Task.CompletedTask
            : Task.WhenAll(catalog.Queues.Select(f => PollAsync(f, stoppingToken)));

    /// <summary>
    /// Keeps up to <see cref="HostingOptions.QueueBatchSize"/> messages in flight per queue: whenever
    /// slots are free it receives that many more, so one slow message never holds up the rest.
    /// </summary>
    private async Task PollAsync(FunctionTrigger function, CancellationToken stoppingToken)
    {
        var o = options.Value;
        var queue = storage.Queue(function.Queue!);
        var capacity = Math.Clamp(o.QueueBatchSize, 1, 32);
        using var slots = new SemaphoreSlim(capacity, capacity);
        var delay = o.MinPollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            var free = 0;
            try
            {
                await slots.WaitAsync(stoppingToken);
                free = 1;
                while (free < capacity && slots.Wait(0, stoppingToken))
                {
                    free++;
                }
                QueueMessage[] messages = await queue.ReceiveMessagesAsync(free, o.VisibilityTimeout, stoppingToken);
                if (free > messages.Length)
                {
                    slots.Release(free - messages.Length);
                }
                free = 0;
                foreach (var message in messages)
                {
                    _ = RunAsync(function, queue, message, slots, stoppingToken);
                }
                delay = messages.Length > 0 ? o.MinPollInterval : TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, o.MaxPollInterval.Ticks));
                if (messages.Length > 0)
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
                if (free > 0)
                {
                    slots.Release(free);
                }
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

    private async Task RunAsync(FunctionTrigger function, QueueClient queue, QueueMessage message, SemaphoreSlim slots, CancellationToken cancellationToken)
    {
        try
        {
            await HandleAsync(function, queue, message, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.ErrorCode == QueueErrorCode.PopReceiptMismatch || ex.ErrorCode == QueueErrorCode.MessageNotFound)
        {
            // The hold ran out before the work ended (storage paused longer than a renewal's margin):
            // another delivery has the message now, and handles it again, as at-least-once allows.
            LogHoldLost(logger, function.Name, message.MessageId);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Moving a failed message on failed too (storage down): it reappears after its visibility timeout.
            LogPollFailed(logger, function.Name, ex);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: the message reappears after its visibility timeout.
        }
        finally
        {
            try
            {
                slots.Release();
            }
            catch (ObjectDisposedException)
            {
                // The poller has stopped.
            }
        }
    }

    private async Task HandleAsync(FunctionTrigger function, QueueClient queue, QueueMessage message, CancellationToken cancellationToken)
    {
        var o = options.Value;
        Exception? failure = null;
        var lease = new MessageLease(queue, message, o.VisibilityTimeout, logger, cancellationToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            await FunctionInvoker.InvokeQueueAsync(function, scope.ServiceProvider, message, cancellationToken);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            failure = ex;
        }
        finally
        {
            await lease.DisposeAsync();
        }
        // Shutting down mid-work: leave the message; it reappears when its last renewal runs out.
        cancellationToken.ThrowIfCancellationRequested();

        if (failure is null)
        {
            await queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt, CancellationToken.None);
            return;
        }
        LogMessageFailed(logger, function.Name, message.MessageId, message.DequeueCount, failure);
        if (message.DequeueCount >= o.MaxDequeueCount)
        {
            await storage.Queue(StorageNames.Queues.Poison(function.Queue!)).SendMessageAsync(message.Body, cancellationToken: CancellationToken.None);
            await queue.DeleteMessageAsync(message.MessageId, lease.PopReceipt, CancellationToken.None);
            LogPoisoned(logger, function.Name, message.MessageId);
        }
        else
        {
            await queue.UpdateMessageAsync(message.MessageId, lease.PopReceipt, visibilityTimeout: o.RetryDelay, cancellationToken: CancellationToken.None);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "Polling {Function} failed")]
    private static partial void LogPollFailed(ILogger logger, string function, Exception ex);

    [LoggerMessage(2, LogLevel.Warning, "{Function} failed on message {MessageId} (delivery {DequeueCount})")]
    private static partial void LogMessageFailed(ILogger logger, string function, string messageId, long dequeueCount, Exception ex);

    [LoggerMessage(4, LogLevel.Information, "{Function} lost its hold on message {MessageId} before finishing; the next delivery handles it")]
    private static partial void LogHoldLost(ILogger logger, string function, string messageId);

    [LoggerMessage(3, LogLevel.Error, "{Function} moved message {MessageId} to the poison queue")]
    private static partial void LogPoisoned(ILogger logger, string function, string messageId);
}
