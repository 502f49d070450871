using System.Globalization;

namespace PecosCrm.Core.Automation;

/// <summary>
/// Keys of the automation tables. Every RowKey is unique across its table, not only in its
/// partition: Azurite finds a point read by RowKey first and then walks every row sharing it.
/// <list type="bullet">
/// <item><c>automations</c>: partition <c>workflow</c>, RowKey the workflow id (the head); partition
/// <c>v|{id}</c>, RowKey <c>v|{id}|{version:D6}</c> (every version); partition <c>seeded</c>, RowKey
/// <c>seeded|{id}</c> (pre-built workflows seeded once).</item>
/// <item><c>automationinstances</c>, partition the instance id: <c>state|{id}</c> and
/// <c>h|{sequence:D6}[|{suffix}]|{id}</c> history rows.</item>
/// <item><c>automationindex</c>: partition <c>c|{customer}</c>, RowKey the instance id; partition
/// <c>w|{workflow}</c>, RowKey <c>w|{instanceId}</c>; partition <c>enrol|{workflow}</c>, RowKey
/// <c>enrol|{workflow}|{customer}</c> (last enrolment); partition <c>s|{workflow}</c>, RowKey
/// <c>s|{workflow}|{counter}</c>; partition <c>ran|{workflow}</c>, RowKey <c>ran|{workflow}|{occurrence}</c>.</item>
/// <item><c>tasks</c>: partition <c>open</c>, RowKey a hash of the step's idempotency key.</item>
/// </list>
/// The Durable Task engine's own task hub tables (Instances, History) are its own, not shaped here.
/// </summary>
internal static class AutomationKeys
{
    public const string HeadPartition = "workflow";
    public const string SeededPartition = "seeded";
    public const string HistoryPrefix = "h|";
    public const string TaskPartition = "open";
    private const string ByWorkflowPrefix = "w|";

    public static string VersionPartition(string workflowId) => "v|" + workflowId;

    public static string Version(string workflowId, int version) => VersionPartition(workflowId) + "|" + version.ToString("D6", CultureInfo.InvariantCulture);

    /// <summary>The version number a version row's RowKey holds.</summary>
    public static int VersionOf(string workflowId, string rowKey) => int.Parse(rowKey.AsSpan(VersionPartition(workflowId).Length + 1), CultureInfo.InvariantCulture);

    public static string Seeded(string workflowId) => SeededPartition + "|" + workflowId;

    public static string State(string instanceId) => "state|" + instanceId;

    public static string History(long sequence, string instanceId, string? suffix = null) =>
        HistoryPrefix + sequence.ToString("D6", CultureInfo.InvariantCulture) + (suffix is null ? "" : "|" + suffix) + "|" + instanceId;

    public static string WorkflowPartition(string workflowId) => "w|" + workflowId;

    public static string ByWorkflow(string instanceId) => ByWorkflowPrefix + instanceId;

    /// <summary>The instance id of an index row (by customer or by workflow).</summary>
    public static string InstanceOf(string indexRowKey) =>
        indexRowKey.StartsWith(ByWorkflowPrefix, StringComparison.Ordinal) ? indexRowKey[ByWorkflowPrefix.Length..] : indexRowKey;

    public static string CustomerPartition(string customerId) => "c|" + customerId;

    public static string EnrolPartition(string workflowId) => "enrol|" + workflowId;

    public static string Enrol(string workflowId, string customerId) => EnrolPartition(workflowId) + "|" + customerId;

    public static string CounterPartition(string workflowId) => "s|" + workflowId;

    public static string Counter(string workflowId, string counter) => CounterPartition(workflowId) + "|" + counter;

    /// <summary>The counter name a counter row's RowKey holds.</summary>
    public static string CounterOf(string workflowId, string rowKey) => rowKey[(CounterPartition(workflowId).Length + 1)..];

    public static string RanPartition(string workflowId) => "ran|" + workflowId;

    public static string Ran(string workflowId, string occurrence) => RanPartition(workflowId) + "|" + occurrence;
}
