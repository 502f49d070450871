using System.Text.Json;
using PecosCrm.Core;
using PecosCrm.Core.Exports;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Runs one export job from the queue.</summary>
public sealed class RunExportJob(ExportService exports) : IQueueJob
{
    public const string FunctionName = "RunExport";

    public async Task HandleAsync(QueueInvocation message, CancellationToken cancellationToken)
    {
        var job = JsonSerializer.Deserialize<ExportMessage>(message.Body, CrmJson.Options) ?? throw new InvalidOperationException("Empty export message.");
        await exports.RunAsync(job.Job, cancellationToken);
    }
}
