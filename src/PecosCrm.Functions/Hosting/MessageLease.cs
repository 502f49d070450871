using Azure;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace PecosCrm.Functions.Hosting;

/// <summary>
/// Keeps a received message hidden while its work runs: every third of the visibility timeout the
/// message's invisibility is extended by a whole timeout (UpdateMessage with the current pop
/// receipt, which hands back the next one). If the worker dies, renewals stop and the message
/// reappears within one timeout, instead of after a long fixed one. Dispose stops the renewals; the
/// pop receipt to delete or release the message with is then <see cref="PopReceipt"/>.
/// </summary>
public sealed partial class MessageLease : IAsyncDisposable
{
    private readonly QueueClient _queue;
    private readonly string _messageId;
    private readonly TimeSpan _visibility;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop;
    private readonly Task _renewals;

    public MessageLease(QueueClient queue, QueueMessage message, TimeSpan visibility, ILogger logger, CancellationToken stoppingToken)
    {
        _queue = queue;
        _messageId = message.MessageId;
        _visibility = visibility;
        _logger = logger;
        PopReceipt = message.PopReceipt;
        // Stopping the app stops renewing too: an app torn down mid-work leaves its messages to reappear.
        _stop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        _renewals = RenewAsync(_stop.Token);
    }

    public string PopReceipt { get; private set; }

    /// <summary>How many times the invisibility was extended (logged when the work ends).</summary>
    public int Renewals { get; private set; }

    private async Task RenewAsync(CancellationToken cancellationToken)
    {
        var interval = _visibility / 3;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // Renewal runs on real time: a test that moves the app's clock must not starve it.
                await Task.Delay(interval, cancellationToken);
                UpdateReceipt receipt = await _queue.UpdateMessageAsync(_messageId, PopReceipt, visibilityTimeout: _visibility, cancellationToken: cancellationToken);
                PopReceipt = receipt.PopReceipt;
                Renewals++;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // The message is gone or another consumer received it after a missed renewal: nothing left to hold.
                LogLost(_logger, _messageId);
                return;
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or AggregateException)
            {
                // Storage hiccup: try again at the next interval, while the last renewal still holds.
                LogRenewFailed(_logger, _messageId, ex);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _renewals;
        _stop.Dispose();
    }

    [LoggerMessage(10, LogLevel.Warning, "Message {MessageId} was lost while held: another consumer may receive it again")]
    private static partial void LogLost(ILogger logger, string messageId);

    [LoggerMessage(11, LogLevel.Warning, "Renewing the invisibility of message {MessageId} failed; retrying")]
    private static partial void LogRenewFailed(ILogger logger, string messageId, Exception ex);
}
