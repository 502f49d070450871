using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Analytics;

/// <summary>One saved version of the RFM map. Its API ETag is derived from the version: <c>"v3"</c>.</summary>
public sealed record RfmMapVersion(int Version, IReadOnlyList<RfmSegmentCodes> Segments, string CreatedBy, DateTimeOffset CreatedAt, string? Note)
{
    public string ETag => $"\"v{Version}\"";

    /// <summary>The name of each code's segment.</summary>
    public IReadOnlyDictionary<string, string> Names { get; } =
        Segments.SelectMany(s => s.Codes.Select(c => (Code: c, s.Name))).ToDictionary(x => x.Code, x => x.Name, StringComparer.Ordinal);
}

/// <summary>
/// The editable, versioned RFM map (table <c>rfmmaps</c>, see <see cref="RfmMapEntity"/>). Version 1
/// is the built-in default (<see cref="RfmMap.Default"/>), written the first time anyone reads the
/// map; every save adds version N + 1 and is never changed afterwards, so older versions stay
/// readable. The current map is the highest version. Two saves made from the same version cannot both
/// become N + 1: the new row is added (not upserted) in one transaction with the ETag-guarded
/// <c>current</c> row, and the loser gets a <see cref="ConcurrencyException"/> (with If-Match) or a
/// <see cref="ConflictException"/>.
/// </summary>
public sealed partial class RfmMapStore(StorageAccount storage, TimeProvider time, ILogger<RfmMapStore> logger)
{
    /// <summary>How long analysis may use a map it read before reading it again. Saves on this instance show at once; other instances see them within this time.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private const string DefaultNote = "The built-in default map.";
    private const string ResetNote = "Reset to the built-in default map.";

    private Cached? _cached;

    private TableClient Table => storage.Table(StorageNames.Tables.RfmMaps);

    /// <summary>The current map, read from storage now (what an editor sees and saves on top of).</summary>
    public async Task<RfmMapVersion> GetCurrentAsync(CancellationToken cancellationToken = default) =>
        Remember((await ReadCurrentAsync(cancellationToken)).ToRecord());

    /// <summary>The current map as read at most <see cref="CacheFor"/> ago: what scoring and the 360 view name segments by.</summary>
    public async Task<RfmMapVersion> GetCurrentCachedAsync(CancellationToken cancellationToken = default)
    {
        var cached = Volatile.Read(ref _cached);
        return cached is not null && time.GetUtcNow() - cached.ReadAt < CacheFor ? cached.Map : await GetCurrentAsync(cancellationToken);
    }

    /// <summary>One version, or null when there is no such version.</summary>
    public async Task<RfmMapVersion?> FindVersionAsync(int version, CancellationToken cancellationToken = default)
    {
        if (version < 1 || version > 999_999)
        {
            return null;
        }
        var row = await Table.FindAsync<RfmMapEntity>(RfmMapEntity.Partition, RfmMapEntity.VersionKey(version), cancellationToken);
        if (row is null && version == 1)
        {
            await ReadCurrentAsync(cancellationToken);
            row = await Table.FindAsync<RfmMapEntity>(RfmMapEntity.Partition, RfmMapEntity.VersionKey(version), cancellationToken);
        }
        return row?.ToRecord();
    }

    /// <summary>Every version, newest first. Maps are saved by hand, so the list stays short.</summary>
    public async Task<IReadOnlyList<RfmMapVersion>> ListVersionsAsync(CancellationToken cancellationToken = default)
    {
        await ReadCurrentAsync(cancellationToken);
        var filter = TableClient.CreateQueryFilter(
            $"PartitionKey eq {RfmMapEntity.Partition} and RowKey ge {RfmMapEntity.VersionKey(0)} and RowKey le {RfmMapEntity.VersionKey(999_999)}");
        var versions = new List<RfmMapVersion>();
        await foreach (var row in Table.QueryAsync<RfmMapEntity>(filter, cancellationToken: cancellationToken))
        {
            versions.Add(row.ToRecord());
        }
        versions.Reverse();
        return versions;
    }

    /// <summary>
    /// Checks the map (<see cref="RfmMap.Check"/>; nothing is written when it fails) and saves it as
    /// the next version. <paramref name="ifMatch"/>, when given and not <c>*</c>, must be the current
    /// version's ETag, else <see cref="ConcurrencyException"/>.
    /// </summary>
    public async Task<(RfmMapVersion Before, RfmMapVersion After)> SaveAsync(
        IReadOnlyList<RfmSegmentDraft?>? segments, string? note, string? ifMatch, string createdBy, CancellationToken cancellationToken = default)
    {
        var checkedSegments = RfmMap.Check(segments, note);
        return await AddVersionAsync(checkedSegments, note, ifMatch, createdBy, cancellationToken);
    }

    /// <summary>Saves the built-in default map as the next version.</summary>
    public Task<(RfmMapVersion Before, RfmMapVersion After)> ResetAsync(string? ifMatch, string createdBy, CancellationToken cancellationToken = default) =>
        AddVersionAsync(RfmMap.DefaultSegments, ResetNote, ifMatch, createdBy, cancellationToken);

    private async Task<(RfmMapVersion Before, RfmMapVersion After)> AddVersionAsync(
        IReadOnlyList<RfmSegmentCodes> segments, string? note, string? ifMatch, string createdBy, CancellationToken cancellationToken)
    {
        var current = await ReadCurrentAsync(cancellationToken);
        var before = current.ToRecord();
        if (!string.IsNullOrEmpty(ifMatch) && ifMatch != "*" && ifMatch != before.ETag)
        {
            throw new ConcurrencyException();
        }
        var after = new RfmMapVersion(before.Version + 1, segments, createdBy, time.GetUtcNow(), string.IsNullOrWhiteSpace(note) ? null : note.Trim());
        var pointer = RfmMapEntity.From(after, RfmMapEntity.CurrentKey);
        try
        {
            await Table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Add, RfmMapEntity.From(after, RfmMapEntity.VersionKey(after.Version))),
                    new TableTransactionAction(TableTransactionActionType.UpdateReplace, pointer, current.ETag),
                ],
                cancellationToken);
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 409 or 412)
        {
            // Someone saved version N + 1 between our read and our write.
            throw string.IsNullOrEmpty(ifMatch)
                ? new ConflictException($"Another RFM map was saved as version {after.Version} at the same time. Read the map again and save on top of it.")
                : new ConcurrencyException();
        }
        LogSaved(logger, after.Version, after.Segments.Count);
        return (before, Remember(after));
    }

    /// <summary>The <c>current</c> row; writes version 1 (the default) first when nothing was ever saved.</summary>
    private async Task<RfmMapEntity> ReadCurrentAsync(CancellationToken cancellationToken)
    {
        if (await Table.FindAsync<RfmMapEntity>(RfmMapEntity.Partition, RfmMapEntity.CurrentKey, cancellationToken) is { } current)
        {
            return current;
        }
        var first = new RfmMapVersion(1, RfmMap.DefaultSegments, "system", time.GetUtcNow(), DefaultNote);
        try
        {
            await Table.SubmitTransactionAsync(
                [
                    new TableTransactionAction(TableTransactionActionType.Add, RfmMapEntity.From(first, RfmMapEntity.VersionKey(1))),
                    new TableTransactionAction(TableTransactionActionType.Add, RfmMapEntity.From(first, RfmMapEntity.CurrentKey)),
                ],
                cancellationToken);
            LogSeeded(logger);
        }
        catch (TableTransactionFailedException ex) when (ex.Status == 409)
        {
            // Another request wrote version 1 first; read theirs.
        }
        return await Table.FindAsync<RfmMapEntity>(RfmMapEntity.Partition, RfmMapEntity.CurrentKey, cancellationToken)
            ?? throw new InvalidOperationException("The current RFM map row is missing right after it was written.");
    }

    private RfmMapVersion Remember(RfmMapVersion map)
    {
        var now = time.GetUtcNow();
        var cached = Volatile.Read(ref _cached);
        // A slow read that started before a save must not put the older version back.
        if (cached is null || map.Version >= cached.Map.Version || now - cached.ReadAt >= CacheFor)
        {
            Volatile.Write(ref _cached, new Cached(map, now));
        }
        return map;
    }

    private sealed record Cached(RfmMapVersion Map, DateTimeOffset ReadAt);

    [LoggerMessage(1, LogLevel.Information, "RFM map version {Version} saved with {Segments} segments")]
    private static partial void LogSaved(ILogger logger, int version, int segments);

    [LoggerMessage(2, LogLevel.Information, "RFM map version 1 (the default) written")]
    private static partial void LogSeeded(ILogger logger);
}
