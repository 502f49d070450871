namespace PecosCrm.Core.Shared;

/// <summary>How a timer runs the occurrences that are due: each in turn, one's failure never holding up the others.</summary>
public static class DueRuns
{
    /// <summary>
    /// Runs <paramref name="run"/> for every item of <paramref name="due"/> and returns what the runs
    /// gave (nulls left out). Failures are collected and thrown together once every item has had its
    /// turn, so the invocation still fails and a failed item's claim stays pending for the next call.
    /// </summary>
    public static async Task<IReadOnlyList<TResult>> EachAsync<TItem, TResult>(IReadOnlyList<TItem> due, Func<TItem, Task<TResult?>> run, string what)
        where TResult : class
    {
        var done = new List<TResult>();
        var failures = new List<Exception>();
        foreach (var item in due)
        {
            try
            {
                if (await run(item) is { } result)
                {
                    done.Add(result);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                failures.Add(ex);
            }
        }
        if (failures.Count > 0)
        {
            throw new AggregateException($"{failures.Count} of {due.Count} {what} could not be run.", failures);
        }
        return done;
    }
}
