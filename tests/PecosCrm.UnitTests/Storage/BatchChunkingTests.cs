using System.Globalization;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.UnitTests.Storage;

public sealed class BatchChunkingTests
{
    [Fact]
    public void Chunk_SplitsByPartition_AtMost100Each_KeepingEveryAction()
    {
        var actions = Enumerable.Range(0, 250).Select(i => Upsert("a", i))
            .Concat(Enumerable.Range(0, 30).Select(i => Upsert("b", i)))
            .ToList();

        var chunks = TableClientExtensions.Chunk(actions).ToList();

        Assert.All(chunks, c => Assert.InRange(c.Count, 1, 100));
        Assert.All(chunks, c => Assert.Single(c.Select(a => a.Entity.PartitionKey).Distinct()));
        Assert.Equal([100, 100, 50, 30], chunks.Select(c => c.Count));
        Assert.Equal(280, chunks.Sum(c => c.Count));
    }

    private static TableTransactionAction Upsert(string partition, int row) =>
        new(TableTransactionActionType.UpsertReplace, new TableEntity(partition, row.ToString("D5", CultureInfo.InvariantCulture)));
}
