using System.Collections.Frozen;
using PecosCrm.Core.Staff;

namespace PecosCrm.Core.Access;

/// <summary>
/// Every permission the API checks, and what each staff role holds. An integration key holds the
/// permissions named in its scopes; the names are the same (<c>customers:read</c>, ...).
/// </summary>
public static class Permissions
{
    public const string CustomersRead = "customers:read";
    public const string CustomersWrite = "customers:write";
    public const string OrdersRead = "orders:read";
    public const string OrdersWrite = "orders:write";
    public const string ProductsRead = "products:read";
    public const string ProductsWrite = "products:write";
    public const string EventsWrite = "events:write";
    public const string SegmentsRead = "segments:read";
    public const string SegmentsWrite = "segments:write";
    public const string AnalyticsRead = "analytics:read";

    /// <summary>Reading and running saved reports, and their snapshots (as <see cref="AnalyticsRead"/>).</summary>
    public const string ReportsRead = "reports:read";

    /// <summary>Creating, changing, scheduling and deleting saved reports.</summary>
    public const string ReportsWrite = "reports:write";
    public const string MessagesRead = "messages:read";
    public const string MessagesWrite = "messages:write";
    public const string CampaignsRead = "campaigns:read";
    public const string CampaignsWrite = "campaigns:write";
    public const string AutomationsRead = "automations:read";
    public const string AutomationsWrite = "automations:write";
    public const string PipelineRead = "pipeline:read";
    public const string PipelineWrite = "pipeline:write";
    public const string SupportRead = "support:read";
    public const string SupportWrite = "support:write";
    public const string LoyaltyRead = "loyalty:read";
    public const string LoyaltyWrite = "loyalty:write";
    public const string TasksRead = "tasks:read";
    public const string TasksWrite = "tasks:write";
    public const string IntegrationsRead = "integrations:read";
    public const string IntegrationsWrite = "integrations:write";
    public const string StaffRead = "staff:read";
    public const string StaffWrite = "staff:write";
    public const string AuditRead = "audit:read";
    public const string JobsRun = "jobs:run";

    /// <summary>GDPR requests: export everything about a customer, or erase it.</summary>
    public const string PrivacyManage = "privacy:manage";

    /// <summary>Creating, listing and revoking API keys: admins only, never an integration.</summary>
    public const string KeysManage = "keys:manage";

    public static readonly IReadOnlyList<string> All =
    [
        CustomersRead, CustomersWrite, OrdersRead, OrdersWrite, ProductsRead, ProductsWrite, EventsWrite,
        SegmentsRead, SegmentsWrite, AnalyticsRead, ReportsRead, ReportsWrite, MessagesRead, MessagesWrite, CampaignsRead, CampaignsWrite,
        AutomationsRead, AutomationsWrite, PipelineRead, PipelineWrite, SupportRead, SupportWrite,
        LoyaltyRead, LoyaltyWrite, TasksRead, TasksWrite, IntegrationsRead, IntegrationsWrite,
        StaffRead, StaffWrite, AuditRead, JobsRun, PrivacyManage, KeysManage,
    ];

    /// <summary>What an integration key may be granted: everything but key management.</summary>
    public static readonly IReadOnlyList<string> Scopes = All.Where(p => p != KeysManage).ToList();

    private static readonly FrozenDictionary<StaffRole, FrozenSet<string>> ByRole = new Dictionary<StaffRole, FrozenSet<string>>
    {
        [StaffRole.Admin] = All.ToFrozenSet(),
        [StaffRole.Manager] = All.Where(p => p != KeysManage).ToFrozenSet(),
        [StaffRole.Agent] = new[]
        {
            CustomersRead, CustomersWrite, OrdersRead, ProductsRead, MessagesRead, MessagesWrite, SupportRead, SupportWrite,
            TasksRead, TasksWrite, LoyaltyRead, PipelineRead, StaffRead,
        }.ToFrozenSet(),
        [StaffRole.Marketer] = new[]
        {
            CustomersRead, CustomersWrite, OrdersRead, ProductsRead, SegmentsRead, SegmentsWrite, AnalyticsRead, ReportsRead, ReportsWrite,
            MessagesRead, MessagesWrite, CampaignsRead, CampaignsWrite, AutomationsRead, AutomationsWrite,
            LoyaltyRead, TasksRead, TasksWrite, StaffRead,
        }.ToFrozenSet(),
        [StaffRole.Viewer] = All.Where(p => p.EndsWith(":read", StringComparison.Ordinal) && p != AuditRead).ToFrozenSet(),
    }.ToFrozenDictionary();

    public static IReadOnlySet<string> ForRole(StaffRole role) => ByRole[role];
}
