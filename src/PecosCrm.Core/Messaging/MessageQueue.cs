using System.Text.Json;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// The <c>messages</c> queue: one queue message (<see cref="MessageWork"/>) sends one logged message
/// through <see cref="MessageDispatch"/>, so a slow or failing provider never holds up the caller.
/// </summary>
public sealed class MessageQueue(StorageAccount storage)
{
    /// <summary>Queues the send of a logged message, after <paramref name="delay"/> when given (a retry).</summary>
    public Task EnqueueAsync(string customerId, string messageId, TimeSpan? delay, CancellationToken cancellationToken) =>
        storage.Queue(StorageNames.Queues.Messages).SendMessageAsync(
            JsonSerializer.Serialize(new MessageWork(customerId, messageId), CrmJson.Options), delay, null, cancellationToken);
}
