using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using PecosCrm.Core.Wholesale;
using PecosCrm.Functions.Hosting;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every hour: emails account managers whose account's tax-exemption certificate lapses soon, once per certificate.</summary>
public sealed class CertificateRemindersJob(TaxCertificates certificates, DurableClientAccessor durable)
{
    public const string FunctionName = "CertificateReminders";
    public const string Schedule = "0 40 * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, [DurableClient] DurableTaskClient? client, CancellationToken cancellationToken)
    {
        durable.Client = client;
        return certificates.SendRemindersAsync(cancellationToken);
    }
}
