using Microsoft.Azure.Functions.Worker;
using PecosCrm.Core.Wholesale;

namespace PecosCrm.Functions.Jobs;

/// <summary>Every hour: emails account managers whose account's tax-exemption certificate lapses soon, once per certificate.</summary>
public sealed class CertificateRemindersJob(TaxCertificates certificates)
{
    public const string FunctionName = "CertificateReminders";
    public const string Schedule = "0 40 * * * *";

    [Function(FunctionName)]
    public Task RunAsync([TimerTrigger(Schedule)] TimerInfo timer, CancellationToken cancellationToken) => certificates.SendRemindersAsync(cancellationToken);
}
