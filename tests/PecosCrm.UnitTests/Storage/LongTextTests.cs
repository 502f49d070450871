using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.UnitTests.Storage;

public sealed class LongTextTests
{
    [Fact]
    public void WriteRead_TextOverSeveralProperties_RoundTripsWithoutSplittingASurrogatePair()
    {
        var text = new string('a', LongText.ChunkLength - 1) + "🤠" + new string('b', LongText.ChunkLength * 2) + "🤠";
        var entity = new TableEntity("p", "r");

        LongText.Write(entity, "Html", text);

        Assert.Equal(text, LongText.Read(entity, "Html"));
        var parts = entity.Keys.Where(k => k.StartsWith("Html", StringComparison.Ordinal)).Select(k => entity.GetString(k)!).ToList();
        Assert.Equal(4, parts.Count);
        Assert.All(parts, p => Assert.True(p.Length <= LongText.ChunkLength && !char.IsHighSurrogate(p[^1]) && !char.IsLowSurrogate(p[0])));
    }

    [Fact]
    public void WriteRead_ShortOrEmptyText_IsOneProperty()
    {
        var entity = new TableEntity("p", "r");

        LongText.Write(entity, "Text", "");
        LongText.Write(entity, "Subject", "Howdy");

        Assert.Equal("", LongText.Read(entity, "Text"));
        Assert.Equal("Howdy", LongText.Read(entity, "Subject"));
        Assert.False(entity.ContainsKey("Text_1"));
    }
}
