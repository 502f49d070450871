using PecosCrm.Core.Events;

namespace PecosCrm.Bench.Scenarios;

/// <summary>What the events sent so far should have done to each customer's metrics, and how many of each type were sent.</summary>
public sealed class ActivityTally
{
    private readonly Dictionary<string, MetricsSnapshot> _expected = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _types = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, MetricsSnapshot> Expected => _expected;

    public int Events { get; private set; }

    public void Add(BenchEvent e)
    {
        var current = _expected.GetValueOrDefault(e.CustomerId, MetricsSnapshot.Zero);
        _expected[e.CustomerId] = e.Type == EventTypes.CustomerCreated ? current : current.Count(e.Type);
        _types[e.Type] = _types.GetValueOrDefault(e.Type) + 1;
        Events++;
    }

    public void AddRange(IEnumerable<BenchEvent> events)
    {
        foreach (var e in events)
        {
            Add(e);
        }
    }

    public int CountOf(string type) => _types.GetValueOrDefault(type);
}
