using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Support;

public enum ArticleState
{
    Draft,
    Published,
    Archived,
}

/// <summary>A knowledge-base article, with how many tickets link it and how many of those were resolved.</summary>
public sealed record Article(
    string Id, string Title, string Body, string Category, ArticleState State, IReadOnlyList<string> Tags,
    int LinkedTickets, int ResolvedTickets, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? PublishedAt, string ETag);

public sealed record ArticleRequest(string? Title, string? Body, string? Category, ArticleState? State, IReadOnlyList<string>? Tags);

/// <summary>A search hit: the article's names, its score and the start of its text.</summary>
public sealed record ArticleHit(string Id, string Title, string Category, ArticleState State, double Score, string Snippet, int ResolvedTickets);

/// <summary>
/// Knowledge-base articles (<c>kbarticles</c>) and their full-text search (<see cref="KbSearchIndex"/>).
/// Every change bumps the <c>kbmeta|version</c> row, so other instances rebuild their index.
/// </summary>
public sealed class KnowledgeBase(StorageAccount storage, KbSearchIndex index, TimeProvider time)
{
    private TableClient Table => storage.Table(StorageNames.Tables.KbArticles);

    public async Task<Article> CreateAsync(ArticleRequest request, CancellationToken cancellationToken = default)
    {
        Check(request, partial: false);
        var now = time.GetUtcNow();
        var state = request.State ?? ArticleState.Draft;
        var row = new KbArticleEntity
        {
            PartitionKey = SupportKeys.ArticlePartition,
            ArticleId = Ids.New(time),
            Title = request.Title!.Trim(),
            Body = request.Body!,
            Category = request.Category!.Trim().ToLowerInvariant(),
            State = state.ToString(),
            Tags = TicketEntity.Write(Tags(request.Tags)),
            CreatedAt = now,
            UpdatedAt = now,
            PublishedAt = state == ArticleState.Published ? now : null,
        };
        row.RowKey = SupportKeys.Article(row.ArticleId);
        row.ETag = (await Table.AddEntityAsync(row, cancellationToken)).Headers.ETag ?? default;
        await ChangedAsync(row, cancellationToken);
        return row.ToRecord();
    }

    public async Task<Article> GetAsync(string id, CancellationToken cancellationToken = default) => (await GetRowAsync(id, cancellationToken)).ToRecord();

    public async Task<(Article Before, Article After)> UpdateAsync(string id, ArticleRequest request, string? ifMatch, CancellationToken cancellationToken = default)
    {
        Check(request, partial: true);
        var row = await GetRowAsync(id, cancellationToken);
        TableClientExtensions.CheckIfMatch(ifMatch, row.ETag);
        var before = row.ToRecord();
        row.Title = request.Title?.Trim() ?? row.Title;
        row.Body = request.Body ?? row.Body;
        row.Category = request.Category?.Trim().ToLowerInvariant() ?? row.Category;
        row.Tags = request.Tags is null ? row.Tags : TicketEntity.Write(Tags(request.Tags));
        if (request.State is { } state && state.ToString() != row.State)
        {
            row.State = state.ToString();
            row.PublishedAt = state == ArticleState.Published ? time.GetUtcNow() : row.PublishedAt;
        }
        row.UpdatedAt = time.GetUtcNow();
        row.ETag = await Table.ReplaceIfMatchAsync(row, cancellationToken);
        await ChangedAsync(row, cancellationToken);
        return (before, row.ToRecord());
    }

    public async Task<Storage.Page<Article>> ListAsync(ArticleState? state, string? category, int limit, string? cursor, CancellationToken cancellationToken = default)
    {
        var filter = SupportKeys.PartitionFilter(SupportKeys.ArticlePartition);
        if (state is { } s)
        {
            filter += " and " + TableClient.CreateQueryFilter($"State eq {s.ToString()}");
        }
        if (!string.IsNullOrWhiteSpace(category))
        {
            filter += " and " + TableClient.CreateQueryFilter($"Category eq {category.Trim().ToLowerInvariant()}");
        }
        return (await Table.QueryPageAsync<KbArticleEntity>(filter, limit, cursor, cancellationToken)).Select(r => r.ToRecord());
    }

    /// <summary>Full-text search of published articles (and drafts when asked), best first.</summary>
    public async Task<IReadOnlyList<ArticleHit>> SearchAsync(string? query, string? category, bool includeDrafts, int limit, CancellationToken cancellationToken = default)
    {
        new Validation().Required("q", query, 1_000).ThrowIfInvalid();
        await EnsureIndexAsync(cancellationToken);
        return index.Search(query!, null, category?.Trim().ToLowerInvariant(), includeDrafts, limit, []);
    }

    /// <summary>Articles for a ticket's text: its subject weighs double; articles in <paramref name="exclude"/> are left out.</summary>
    public async Task<IReadOnlyList<ArticleHit>> SuggestAsync(string subject, string text, IReadOnlyCollection<string> exclude, int limit, CancellationToken cancellationToken = default)
    {
        await EnsureIndexAsync(cancellationToken);
        return index.Search(text, subject, null, includeDrafts: false, limit, exclude);
    }

    internal async Task<KbArticleEntity> GetRowAsync(string id, CancellationToken cancellationToken) =>
        (KeyRules.IsValidKey(id) ? await Table.FindAsync<KbArticleEntity>(SupportKeys.ArticlePartition, SupportKeys.Article(id), cancellationToken) : null)
        ?? throw new NotFoundException("Article", id);

    /// <summary>Counts a link made (+1) or removed (-1), or a resolution of a linked ticket.</summary>
    internal Task CountAsync(string id, int linked, int resolved, CancellationToken cancellationToken) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var row = await Table.FindAsync<KbArticleEntity>(SupportKeys.ArticlePartition, SupportKeys.Article(id), cancellationToken);
            if (row is null)
            {
                return;
            }
            row.LinkedTickets = Math.Max(0, row.LinkedTickets + linked);
            row.ResolvedTickets += resolved;
            row.ETag = await Table.ReplaceIfMatchAsync(row, cancellationToken);
            index.Put(row);
        }, cancellationToken: cancellationToken);

    /// <summary>Builds the index from the table when this instance has none, or another instance changed the articles since.</summary>
    private async Task EnsureIndexAsync(CancellationToken cancellationToken)
    {
        if (!index.ShouldCheck(time.GetUtcNow()))
        {
            return;
        }
        var version = (await Table.FindAsync<KbVersionEntity>(SupportKeys.KbMetaPartition, SupportKeys.KbVersionRow, cancellationToken))?.Version ?? 0;
        if (index.IsCurrent(version))
        {
            index.Checked(time.GetUtcNow());
            return;
        }
        var rows = new List<KbArticleEntity>();
        await foreach (var row in Table.QueryAsync<KbArticleEntity>(SupportKeys.PartitionFilter(SupportKeys.ArticlePartition), cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        index.Rebuild(rows, version, time.GetUtcNow());
    }

    private async Task ChangedAsync(KbArticleEntity row, CancellationToken cancellationToken)
    {
        var version = await OptimisticRetry.RunAsync(async _ =>
        {
            var meta = await Table.FindAsync<KbVersionEntity>(SupportKeys.KbMetaPartition, SupportKeys.KbVersionRow, cancellationToken);
            if (meta is null)
            {
                await Table.AddEntityAsync(new KbVersionEntity { PartitionKey = SupportKeys.KbMetaPartition, RowKey = SupportKeys.KbVersionRow, Version = 1 }, cancellationToken);
                return 1L;
            }
            meta.Version++;
            await Table.ReplaceIfMatchAsync(meta, cancellationToken);
            return meta.Version;
        }, cancellationToken: cancellationToken);
        index.Put(row, version);
    }

    private static List<string> Tags(IReadOnlyList<string>? tags) =>
        (tags ?? []).Select(t => t.Trim().ToLowerInvariant()).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    private static void Check(ArticleRequest r, bool partial)
    {
        var check = new Validation();
        if (!partial || r.Title is not null)
        {
            check.Required("title", r.Title, 200);
        }
        if (!partial || r.Body is not null)
        {
            check.Required("body", r.Body, 30_000);
        }
        if (!partial || r.Category is not null)
        {
            check.Required("category", r.Category, 50);
        }
        if (r.Tags is { Count: > 20 })
        {
            check.Add("tags", "at most 20 tags.");
        }
        check.ThrowIfInvalid();
    }
}

/// <summary>An article row (<c>article|{id}</c>).</summary>
internal sealed class KbArticleEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string ArticleId { get; set; } = "";
    public string Title { get; set; } = "";
    public string Body { get; set; } = "";
    public string Category { get; set; } = "";
    public string State { get; set; } = nameof(ArticleState.Draft);
    public string Tags { get; set; } = "[]";
    public int LinkedTickets { get; set; }
    public int ResolvedTickets { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? PublishedAt { get; set; }

    public Article ToRecord() => new(
        ArticleId, Title, Body, Category, Enum.Parse<ArticleState>(State), System.Text.Json.JsonSerializer.Deserialize<List<string>>(Tags, CrmJson.Options) ?? [],
        LinkedTickets, ResolvedTickets, CreatedAt, UpdatedAt, PublishedAt, ETag.ToString());
}

/// <summary>The articles' version (<c>kbmeta|version</c>): every change counts it up.</summary>
internal sealed class KbVersionEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public long Version { get; set; }
}
