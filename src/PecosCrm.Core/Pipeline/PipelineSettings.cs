using System.Text.Json;
using System.Text.RegularExpressions;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Pipeline;

/// <summary>
/// The pipelines with their stages, and the lead sources. Until someone changes them, the seeded
/// defaults answer (the roadmap's six stages in a wholesale and a retail B2B pipeline, its eight
/// sources); the first change writes the row. Read often, changed rarely: cached for a few seconds.
/// </summary>
public sealed partial class PipelineSettings(StorageAccount storage)
{
    public static readonly IReadOnlyList<string> DefaultSources =
        ["Website", "Trade Show", "Referral", "Cold Call", "Social Media", "Email Campaign", "Partner", "Advertisement"];

    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    private (DateTime At, IReadOnlyList<SalesPipeline> Pipelines)? _pipelines;
    private (DateTime At, IReadOnlyList<string> Sources)? _sources;

    private TableClient Table => storage.Table(StorageNames.Tables.PipelineSettings);

    public async Task<IReadOnlyList<SalesPipeline>> PipelinesAsync(CancellationToken cancellationToken = default)
    {
        if (_pipelines is { } cached && DateTime.UtcNow - cached.At < CacheFor)
        {
            return cached.Pipelines;
        }
        var stored = new List<SalesPipeline>();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {PipelineKeys.SettingsPartition} and RowKey ge {PipelineKeys.PipelinePrefix} and RowKey lt {KeyRules.PrefixEnd(PipelineKeys.PipelinePrefix)}");
        await foreach (var row in Table.QueryAsync<PipelineSettingsEntity>(filter, cancellationToken: cancellationToken))
        {
            stored.Add(ToPipeline(row));
        }
        var all = SalesPipeline.Defaults.Where(d => stored.All(s => s.Id != d.Id)).Concat(stored).OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
        _pipelines = (DateTime.UtcNow, all);
        return all;
    }

    public async Task<SalesPipeline?> FindPipelineAsync(string id, CancellationToken cancellationToken = default) =>
        (await PipelinesAsync(cancellationToken)).FirstOrDefault(p => p.Id == id);

    public async Task<SalesPipeline> GetPipelineAsync(string id, CancellationToken cancellationToken = default) =>
        await FindPipelineAsync(id, cancellationToken) ?? throw new NotFoundException("Pipeline", id);

    /// <summary>Creates or replaces a pipeline; with <paramref name="ifMatch"/>, only if nobody changed it since.</summary>
    public async Task<(SalesPipeline? Before, SalesPipeline After)> PutPipelineAsync(
        string id, PipelineFields fields, string? ifMatch, CancellationToken cancellationToken = default)
    {
        if (!IdPattern().IsMatch(id))
        {
            throw new ValidationFailedException("id", "must be 1-40 lower-case letters, digits, '-' or '_'.");
        }
        var stages = Validate(fields);
        var row = await Table.FindAsync<PipelineSettingsEntity>(PipelineKeys.SettingsPartition, PipelineKeys.Pipeline(id), cancellationToken);
        var before = row is not null ? ToPipeline(row) : SalesPipeline.Defaults.FirstOrDefault(d => d.Id == id);
        TableClientExtensions.CheckIfMatch(ifMatch, row?.ETag ?? default);
        var entity = new PipelineSettingsEntity { RowKey = PipelineKeys.Pipeline(id), Name = fields.Name!.Trim(), Json = JsonSerializer.Serialize(stages, CrmJson.Options) };
        try
        {
            if (row is null)
            {
                await Table.AddEntityAsync(entity, cancellationToken);
            }
            else
            {
                await Table.UpdateEntityAsync(entity, row.ETag, TableUpdateMode.Replace, cancellationToken);
            }
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            throw new ConcurrencyException();
        }
        _pipelines = null;
        return (before, await GetPipelineAsync(id, cancellationToken));
    }

    public async Task<IReadOnlyList<string>> SourcesAsync(CancellationToken cancellationToken = default)
    {
        if (_sources is { } cached && DateTime.UtcNow - cached.At < CacheFor)
        {
            return cached.Sources;
        }
        var row = await Table.FindAsync<PipelineSettingsEntity>(PipelineKeys.SettingsPartition, PipelineKeys.SourcesRow, cancellationToken);
        var sources = row is null ? DefaultSources : JsonSerializer.Deserialize<List<string>>(row.Json, CrmJson.Options) ?? [];
        _sources = (DateTime.UtcNow, sources);
        return sources;
    }

    /// <summary>The configured spelling of a source, matched without regard to case; a source not on the list is refused naming <paramref name="field"/>.</summary>
    public async Task<string> RequireSourceAsync(string? source, string field, CancellationToken cancellationToken = default)
    {
        var sources = await SourcesAsync(cancellationToken);
        return sources.FirstOrDefault(s => string.Equals(s, source?.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ValidationFailedException(field, $"must be one of: {string.Join(", ", sources)}.");
    }

    /// <summary>Replaces the source list. Leads keep the source they have; new ones must use the list.</summary>
    public async Task<(IReadOnlyList<string> Before, IReadOnlyList<string> After)> PutSourcesAsync(IReadOnlyList<string>? sources, CancellationToken cancellationToken = default)
    {
        var check = new Validation();
        if (sources is null || sources.Count == 0)
        {
            check.Add("sources", "at least one source is required.");
        }
        else
        {
            if (sources.Count > 50)
            {
                check.Add("sources", "at most 50 sources.");
            }
            for (var i = 0; i < sources.Count; i++)
            {
                check.Required($"sources[{i}]", sources[i], 60);
            }
            if (sources.Where(s => s is not null).GroupBy(s => s.Trim(), StringComparer.OrdinalIgnoreCase).Any(g => g.Count() > 1))
            {
                check.Add("sources", "must not name a source twice.");
            }
        }
        check.ThrowIfInvalid();
        var before = await SourcesAsync(cancellationToken);
        var after = sources!.Select(s => s.Trim()).ToList();
        await Table.UpsertEntityAsync(
            new PipelineSettingsEntity { RowKey = PipelineKeys.SourcesRow, Json = JsonSerializer.Serialize(after, CrmJson.Options) }, TableUpdateMode.Replace, cancellationToken);
        _sources = null;
        return (before, after);
    }

    private static List<Stage> Validate(PipelineFields fields)
    {
        var check = new Validation().Required("name", fields.Name, 100);
        var stages = new List<Stage>();
        if (fields.Stages is not { Count: > 0 } sent)
        {
            check.Add("stages", "is required: the stages in board order.");
            check.ThrowIfInvalid();
            return stages;
        }
        if (sent.Count > 20)
        {
            check.Add("stages", "at most 20 stages.");
        }
        for (var i = 0; i < sent.Count; i++)
        {
            var s = sent[i];
            var at = $"stages[{i}].";
            if (s is null)
            {
                check.Add($"stages[{i}]", "must be a stage.");
                continue;
            }
            if (s.Id is null || !StageIdPattern().IsMatch(s.Id))
            {
                check.Add(at + "id", "is required: 1-40 lower-case letters, digits or '_'.");
            }
            check.Required(at + "name", s.Name, 60);
            if (s.Probability is not (>= 0 and <= 100))
            {
                check.Add(at + "probability", "is required: 0 to 100.");
            }
            if (s.Outcome is null)
            {
                check.Add(at + "outcome", "is required: open, won or lost.");
            }
            if (check.IsValid)
            {
                stages.Add(new Stage(s.Id!, s.Name!.Trim(), s.Probability!.Value, s.Outcome!.Value));
            }
        }
        if (check.IsValid)
        {
            if (stages.GroupBy(s => s.Id).Any(g => g.Count() > 1))
            {
                check.Add("stages", "stage ids must be unique.");
            }
            if (!stages.Any(s => s.Outcome == StageOutcome.Open) || stages.Count(s => s.Outcome == StageOutcome.Won) != 1 || stages.Count(s => s.Outcome == StageOutcome.Lost) != 1)
            {
                check.Add("stages", "need at least one open stage, exactly one won and exactly one lost stage.");
            }
        }
        check.ThrowIfInvalid();
        return stages;
    }

    private static SalesPipeline ToPipeline(PipelineSettingsEntity row) =>
        new(row.RowKey[PipelineKeys.PipelinePrefix.Length..], row.Name ?? "", JsonSerializer.Deserialize<List<Stage>>(row.Json, CrmJson.Options) ?? [], row.ETag.ToString());

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,39}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9_]{0,39}$")]
    private static partial Regex StageIdPattern();
}
