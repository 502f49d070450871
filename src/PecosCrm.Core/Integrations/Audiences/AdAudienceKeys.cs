namespace PecosCrm.Core.Integrations.Audiences;

/// <summary>
/// The rows of the <c>adaudiences</c> table: partition <c>job</c>, RowKey <c>job|{jobId}</c>, one row per
/// audience file made by a queued job (segments too large to write on a request).
/// </summary>
public static class AdAudienceKeys
{
    public const string JobPartition = "job";

    public static string Job(string id) => JobPartition + "|" + id;
}
