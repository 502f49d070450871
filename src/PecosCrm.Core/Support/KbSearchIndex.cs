using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;

namespace PecosCrm.Core.Support;

/// <summary>
/// The knowledge base's full-text index: Lucene.Net in memory, English analysis (stemming, stop
/// words), title weighing double the body. User text is never parsed as query syntax: it is run
/// through the analyzer and each term becomes an optional clause, so any text is a valid search.
/// The index is rebuilt from the table when the articles' version moves (checked at most every five
/// seconds), and kept up to date in place by this instance's own changes.
/// </summary>
public sealed class KbSearchIndex : IDisposable
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;
    private static readonly TimeSpan CheckEvery = TimeSpan.FromSeconds(5);

    private readonly Analyzer _analyzer = new EnglishAnalyzer(Version);
    private readonly System.Threading.Lock _gate = new();
    private RAMDirectory _directory = new();
    private IndexWriter _writer;
    private SearcherManager _searchers;
    private long _version = -1;
    private DateTimeOffset _checkedAt = DateTimeOffset.MinValue;

    public KbSearchIndex()
    {
        _writer = new IndexWriter(_directory, new IndexWriterConfig(Version, _analyzer));
        _searchers = new SearcherManager(_writer, true, null);
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _writer.NumDocs;
            }
        }
    }

    internal bool ShouldCheck(DateTimeOffset now)
    {
        lock (_gate)
        {
            return _version < 0 || now - _checkedAt >= CheckEvery;
        }
    }

    internal bool IsCurrent(long version)
    {
        lock (_gate)
        {
            return _version == version;
        }
    }

    internal void Checked(DateTimeOffset now)
    {
        lock (_gate)
        {
            _checkedAt = now;
        }
    }

    internal void Rebuild(IEnumerable<KbArticleEntity> rows, long version, DateTimeOffset now)
    {
        lock (_gate)
        {
            _searchers.Dispose();
            _writer.Dispose();
            _directory.Dispose();
            _directory = new RAMDirectory();
            _writer = new IndexWriter(_directory, new IndexWriterConfig(Version, _analyzer));
            foreach (var row in rows)
            {
                _writer.AddDocument(Document(row));
            }
            _writer.Commit();
            _searchers = new SearcherManager(_writer, true, null);
            _version = version;
            _checkedAt = now;
        }
    }

    /// <summary>Puts one article in place; when <paramref name="version"/> is the next one after the index's, the index stays current.</summary>
    internal void Put(KbArticleEntity row, long? version = null)
    {
        lock (_gate)
        {
            _writer.UpdateDocument(new Term("id", row.ArticleId), Document(row));
            _writer.Commit();
            _searchers.MaybeRefreshBlocking();
            if (version is { } v)
            {
                _version = v == _version + 1 ? v : -1;
            }
        }
    }

    internal IReadOnlyList<ArticleHit> Search(string text, string? boosted, string? category, bool includeDrafts, int limit, IReadOnlyCollection<string> exclude)
    {
        var query = new BooleanQuery();
        var terms = new BooleanQuery();
        foreach (var (term, weight) in Terms(text, 1f).Concat(boosted is null ? [] : Terms(boosted, 2f)).GroupBy(t => t.Term).Select(g => (g.Key, g.Sum(t => t.Weight))).Take(200))
        {
            terms.Add(new TermQuery(new Term("title", term)) { Boost = 2f * weight }, Occur.SHOULD);
            terms.Add(new TermQuery(new Term("body", term)) { Boost = weight }, Occur.SHOULD);
        }
        if (terms.Clauses.Count == 0)
        {
            return [];
        }
        query.Add(terms, Occur.MUST);
        if (!includeDrafts)
        {
            query.Add(new TermQuery(new Term("state", nameof(ArticleState.Published))), Occur.MUST);
        }
        else
        {
            query.Add(new TermQuery(new Term("state", nameof(ArticleState.Archived))), Occur.MUST_NOT);
        }
        if (category is not null)
        {
            query.Add(new TermQuery(new Term("category", category)), Occur.MUST);
        }
        foreach (var id in exclude)
        {
            query.Add(new TermQuery(new Term("id", id)), Occur.MUST_NOT);
        }
        SearcherManager searchers;
        lock (_gate)
        {
            searchers = _searchers;
        }
        var searcher = searchers.Acquire();
        try
        {
            var top = searcher.Search(query, Math.Clamp(limit, 1, 1_000));
            return top.ScoreDocs.Select(hit =>
            {
                var doc = searcher.Doc(hit.Doc);
                var body = doc.Get("snippet", System.Globalization.CultureInfo.InvariantCulture) ?? "";
                return new ArticleHit(doc.Get("id", System.Globalization.CultureInfo.InvariantCulture), doc.Get("titleText", System.Globalization.CultureInfo.InvariantCulture), doc.Get("category", System.Globalization.CultureInfo.InvariantCulture), Enum.Parse<ArticleState>(doc.Get("state", System.Globalization.CultureInfo.InvariantCulture)),
                    Math.Round(hit.Score, 4), body, int.Parse(doc.Get("resolved", System.Globalization.CultureInfo.InvariantCulture) ?? "0", System.Globalization.CultureInfo.InvariantCulture));
            }).ToList();
        }
        finally
        {
            searchers.Release(searcher);
        }
    }

    private IEnumerable<(string Term, float Weight)> Terms(string text, float weight)
    {
        var found = new List<(string, float)>();
        using var stream = _analyzer.GetTokenStream("body", new StringReader(text.Length > 20_000 ? text[..20_000] : text));
        var term = stream.AddAttribute<ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            found.Add((term.ToString(), weight));
        }
        stream.End();
        return found;
    }

    private static Document Document(KbArticleEntity row) =>
    [
        new StringField("id", row.ArticleId, Field.Store.YES),
        new TextField("title", row.Title, Field.Store.NO),
        new StoredField("titleText", row.Title),
        new TextField("body", row.Body, Field.Store.NO),
        new StoredField("snippet", row.Body.Length > 200 ? row.Body[..200] + "…" : row.Body),
        new StringField("category", row.Category, Field.Store.YES),
        new StringField("state", row.State, Field.Store.YES),
        new StoredField("resolved", row.ResolvedTickets.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    public void Dispose()
    {
        _searchers.Dispose();
        _writer.Dispose();
        _directory.Dispose();
        _analyzer.Dispose();
    }
}
