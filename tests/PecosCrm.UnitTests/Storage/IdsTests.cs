using Microsoft.Extensions.Time.Testing;
using PecosCrm.Core.Storage;

namespace PecosCrm.UnitTests.Storage;

public sealed class IdsTests
{
    [Fact]
    public void New_LaterIdsSortAfterEarlierOnes()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var ids = new List<string>();
        for (var i = 0; i < 20; i++)
        {
            ids.Add(Ids.New(time));
            time.Advance(TimeSpan.FromMilliseconds(1));
        }

        Assert.Equal(ids, ids.Order(StringComparer.Ordinal));
        Assert.All(ids, id => Assert.True(KeyRules.IsValidKey(id)));
        Assert.Equal(ids.Count, ids.Distinct().Count());
    }
}
