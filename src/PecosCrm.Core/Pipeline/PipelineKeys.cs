using System.Globalization;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Pipeline;

/// <summary>
/// Every key of the pipeline's three tables.
/// <para>
/// <c>leads</c>, one partition <c>leads</c> (a wholesale business has thousands of leads, not
/// millions, and one partition lets a lead, its index rows and its activities change in one
/// transaction):
/// <c>lead|{id}</c> the lead; index copies of it, each carrying the whole summary so that a filtered
/// page is one range query: <c>status|{status}|{id}</c>, <c>source|{source}|{id}</c>,
/// <c>owner|{staffId}|{id}</c>, <c>next|{yyyy-MM-dd}|{id}</c> (only with a next-action date),
/// <c>company|{company, lower case}|{id}</c>; and <c>act|{leadId}|{inverted ticks}|{activityId}</c>,
/// its timeline, newest first.
/// </para>
/// <para>
/// <c>deals</c>, one partition per pipeline <c>pipeline|{pipelineId}</c>, so a deal, its column
/// index row, its activities and the pipeline's board row change in one transaction:
/// <c>deal|{id}</c> the deal; <c>col|{pipelineId}|{stageId}|{inverted value}|{id}</c> its card in
/// its column, highest value first; <c>board|{pipelineId}</c> the board (counts, totals, the top
/// cards of every column and the running analytics); <c>act|{dealId}|{inverted ticks}|{activityId}</c>.
/// And partition <c>locator</c>: <c>loc|{dealId}</c>, which pipeline a deal belongs to.
/// </para>
/// <para>
/// <c>pipelinesettings</c>, partition <c>settings</c>: <c>pipeline|{id}</c> a pipeline's stages,
/// <c>sources|lead</c> the lead sources.
/// </para>
/// </summary>
public static class PipelineKeys
{
    public const string LeadsPartition = "leads";
    public const string LocatorPartition = "locator";
    public const string SettingsPartition = "settings";

    public const string LeadPrefix = "lead|";
    public const string DealPrefix = "deal|";
    public const string PipelinePrefix = "pipeline|";
    public const string SourcesRow = "sources|lead";

    public static string Lead(string id) => LeadPrefix + id;

    public static string LeadStatus(string status) => $"status|{status}|";

    public static string LeadSource(string source) => $"source|{KeyRules.Escape(source.Trim().ToLowerInvariant())}|";

    public static string LeadOwner(string ownerId) => $"owner|{ownerId}|";

    public const string LeadNextPrefix = "next|";

    public static string LeadNext(DateOnly date) => LeadNextPrefix + date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "|";

    public static string LeadCompany(string company) => $"company|{KeyRules.Escape(company.Trim().ToLowerInvariant())}";

    /// <summary>The timeline of a lead or a deal, in the partition of its subject.</summary>
    public static string Activities(string subjectId) => $"act|{subjectId}|";

    public static string Activity(string subjectId, DateTimeOffset at, string activityId) =>
        Activities(subjectId) + KeyRules.InvertedTicks(at) + "|" + activityId;

    public static string DealPartition(string pipelineId) => PipelinePrefix + pipelineId;

    public static string Deal(string id) => DealPrefix + id;

    public static string Board(string pipelineId) => "board|" + pipelineId;

    public static string Column(string pipelineId, string stageId) => $"col|{pipelineId}|{stageId}|";

    /// <summary>A card's row in its column: the highest value sorts first.</summary>
    public static string Card(string pipelineId, string stageId, long valueCents, string dealId) =>
        Column(pipelineId, stageId) + (long.MaxValue - Math.Max(0, valueCents)).ToString("D19", CultureInfo.InvariantCulture) + "|" + dealId;

    public static string Locator(string dealId) => "loc|" + dealId;

    public static string Pipeline(string id) => PipelinePrefix + id;

    /// <summary>The deal made from a lead has an id derived from the lead's, so a retried conversion finds it instead of making another.</summary>
    public static string DealOfLead(string leadId) => "lead-" + leadId;

    /// <summary>The customer made when a deal is won (when none has its email) has an id derived from the deal's, for the same reason.</summary>
    public static string CustomerOfDeal(string dealId) => "b2b-" + dealId;
}
