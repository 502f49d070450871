using Azure;
using PecosCrm.Core;
using PecosCrm.Core.Storage;

namespace PecosCrm.UnitTests.Storage;

public sealed class OptimisticRetryTests
{
    [Fact]
    public async Task RunAsync_FirstAttemptSucceeds_RunsOnce()
    {
        var attempts = new List<int>();

        var result = await OptimisticRetry.RunAsync(n => { attempts.Add(n); return Task.FromResult("done"); });

        Assert.Equal("done", result);
        Assert.Equal([1], attempts);
    }

    [Fact]
    public async Task RunAsync_LostRaces_ReadsAgainUntilTheWriteLands()
    {
        var attempts = new List<int>();
        Exception[] races = [new ConcurrencyException(), new RequestFailedException(412, "stale"), new RequestFailedException(409, "added meanwhile")];

        var result = await OptimisticRetry.RunAsync(n =>
        {
            attempts.Add(n);
            return n <= races.Length ? Task.FromException<int>(races[n - 1]) : Task.FromResult(n);
        });

        Assert.Equal(4, result);
        Assert.Equal([1, 2, 3, 4], attempts);
    }

    [Fact]
    public async Task RunAsync_EveryAttemptLost_ThrowsConcurrencyAfterTheLast()
    {
        var attempts = 0;

        await Assert.ThrowsAsync<ConcurrencyException>(() => OptimisticRetry.RunAsync(_ =>
        {
            attempts++;
            return Task.FromException(new RequestFailedException(412, "stale"));
        }, maxAttempts: 3));

        Assert.Equal(3, attempts);
    }

    [Fact]
    public async Task RunAsync_OtherFailure_ThrowsAtOnce()
    {
        var attempts = 0;

        var error = await Assert.ThrowsAsync<RequestFailedException>(() => OptimisticRetry.RunAsync(_ =>
        {
            attempts++;
            return Task.FromException(new RequestFailedException(404, "gone"));
        }));

        Assert.Equal(404, error.Status);
        Assert.Equal(1, attempts);
    }
}
