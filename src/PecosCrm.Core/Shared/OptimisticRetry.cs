using Azure;

namespace PecosCrm.Core.Shared;

/// <summary>
/// The one retry of an optimistic write: read, decide, write under the ETag; when another writer got
/// there first (a <see cref="ConcurrencyException"/>, or a 409 or 412 from storage), wait a few
/// milliseconds at random, so two writers that collided do not collide again in step, and try
/// again from the read. After the last attempt the race is reported as a <see cref="ConcurrencyException"/>
/// (a 412 for the API, a retry of the message for a job). Anything else fails at once.
/// </summary>
public static class OptimisticRetry
{
    public const int DefaultAttempts = 8;

    /// <summary>Runs <paramref name="attempt"/> (given its number, from 1) until it returns, at most <paramref name="maxAttempts"/> times.</summary>
    public static async Task<T> RunAsync<T>(Func<int, Task<T>> attempt, int maxAttempts = DefaultAttempts, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        for (var number = 1; ; number++)
        {
            try
            {
                return await attempt(number);
            }
            catch (Exception ex) when (IsLostRace(ex))
            {
                if (number >= maxAttempts)
                {
                    throw ex as ConcurrencyException ?? new ConcurrencyException();
                }
            }
            await Task.Delay(Jitter(number), cancellationToken);
        }
    }

    /// <inheritdoc cref="RunAsync{T}(Func{int, Task{T}}, int, CancellationToken)"/>
    public static Task RunAsync(Func<int, Task> attempt, int maxAttempts = DefaultAttempts, CancellationToken cancellationToken = default) =>
        RunAsync(async number =>
        {
            await attempt(number);
            return true;
        }, maxAttempts, cancellationToken);

    /// <summary>Whether the failure means another writer changed the row first.</summary>
    public static bool IsLostRace(Exception ex) => ex is ConcurrencyException or RequestFailedException { Status: 409 or 412 };

    /// <summary>A few milliseconds, more after each lost race.</summary>
    private static TimeSpan Jitter(int attempt) => TimeSpan.FromMilliseconds(Random.Shared.Next(1, 5 * Math.Min(attempt, 10) + 1));
}
