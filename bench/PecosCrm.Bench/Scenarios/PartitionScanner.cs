using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Bench.Scenarios;

/// <summary>
/// Reads one partition page by page, starting over at its end, so that each call is one page
/// request and can be timed on its own. For one worker at a time.
/// </summary>
public sealed class PartitionScanner(TableClient table, string partitionKey, int pageSize) : IAsyncDisposable
{
    private readonly string _filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");
    private IAsyncEnumerator<Page<BenchEntity>>? _pages;

    public int CompletedScans { get; private set; }

    public async Task<int> NextPageAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 2; attempt++)
        {
            _pages ??= table.QueryAsync<BenchEntity>(_filter, pageSize, cancellationToken: cancellationToken)
                .AsPages(pageSizeHint: pageSize)
                .GetAsyncEnumerator(cancellationToken);
            if (await _pages.MoveNextAsync())
            {
                return _pages.Current.Values.Count;
            }
            await _pages.DisposeAsync();
            _pages = null;
            CompletedScans++;
        }
        throw new InvalidOperationException("The partition is empty.");
    }

    public async ValueTask DisposeAsync()
    {
        if (_pages is not null)
        {
            await _pages.DisposeAsync();
            _pages = null;
        }
    }
}
