using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Exports;
using PecosCrm.Core.Storage;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Runs one export job from the queue.</summary>
public sealed class RunExportJob(ExportService exports, DurableClientAccessor durable)
{
    public const string FunctionName = "RunExport";

    [Function(FunctionName)]
    public async Task RunAsync([QueueTrigger(StorageNames.Queues.Exports)] string message, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        var job = QueuePayload.Parse<ExportMessage>(FunctionName, message);
        await exports.RunAsync(job.Job, cancellationToken);
    }
}
