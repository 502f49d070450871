using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Sends one queued message (a retry after a transient failure arrives the same way, delayed).</summary>
public sealed partial class SendMessageJob(MessageService messages, DurableClientAccessor durable, ILogger<SendMessageJob> logger)
{
    public const string FunctionName = "SendMessage";

    [Function(FunctionName)]
    public async Task RunAsync([QueueTrigger(StorageNames.Queues.Messages)] string message, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        var work = QueuePayload.Parse<MessageWork>(FunctionName, message);
        if (await messages.DispatchAsync(work.CustomerId, work.MessageId, cancellationToken) is null)
        {
            // Erased with its customer since it was queued: nothing is left to send, and that is said.
            LogGone(logger, work.MessageId);
        }
    }

    [LoggerMessage(1, LogLevel.Warning, "SendMessage: message {MessageId} no longer exists; nothing was sent")]
    private static partial void LogGone(ILogger logger, string messageId);
}
