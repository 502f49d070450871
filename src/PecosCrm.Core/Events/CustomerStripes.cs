namespace PecosCrm.Core.Events;

/// <summary>
/// Keeps two batches in one process from folding the same customer at once: each would read the
/// same card and one would lose the commit and start over. A customer maps to one of a fixed set of
/// stripes; a batch takes the stripes of all its customers, always in ascending order, so two
/// batches can wait for each other but never deadlock. Customers of disjoint batches go side by side.
/// Other processes (and staff edits) are not held: the card's ETag settles those races.
/// </summary>
internal sealed class CustomerStripes
{
    private const int Count = 1024;

    private readonly SemaphoreSlim[] _stripes = Enumerable.Range(0, Count).Select(_ => new SemaphoreSlim(1, 1)).ToArray();

    public async Task<IDisposable> HoldAsync(IEnumerable<string> customerIds, CancellationToken cancellationToken)
    {
        var held = new List<SemaphoreSlim>();
        try
        {
            foreach (var stripe in customerIds.Select(Stripe).Distinct().Order())
            {
                await _stripes[stripe].WaitAsync(cancellationToken);
                held.Add(_stripes[stripe]);
            }
        }
        catch
        {
            Release(held);
            throw;
        }
        return new Held(held);
    }

    private static int Stripe(string customerId) => (int)((uint)StringComparer.Ordinal.GetHashCode(customerId) % Count);

    private static void Release(List<SemaphoreSlim> held)
    {
        foreach (var stripe in held)
        {
            stripe.Release();
        }
    }

    private sealed class Held(List<SemaphoreSlim> held) : IDisposable
    {
        public void Dispose() => Release(held);
    }
}
