using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Messaging;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Sends one queued message (a retry after a transient failure arrives the same way, delayed).</summary>
public sealed class SendMessageJob(MessageService messages) : IQueueJob
{
    public const string FunctionName = "SendMessage";

    public async Task HandleAsync(QueueInvocation message, CancellationToken cancellationToken)
    {
        var work = JsonSerializer.Deserialize<MessageWork>(message.Body, CrmJson.Options) ?? throw new InvalidOperationException("Empty message work.");
        await messages.DispatchAsync(work.CustomerId, work.MessageId, cancellationToken);
    }
}
