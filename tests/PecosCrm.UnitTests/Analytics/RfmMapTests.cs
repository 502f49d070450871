using PecosCrm.Core.Analytics;

namespace PecosCrm.UnitTests.Analytics;

public sealed class RfmMapTests
{
    [Fact]
    public void Default_NamesEveryOneOfThe125Codes_WithEveryDefaultName()
    {
        var codes = from r in Enumerable.Range(1, 5) from f in Enumerable.Range(1, 5) from m in Enumerable.Range(1, 5) select RfmMap.Code(r, f, m);

        Assert.Equal(125, RfmMap.Default.Count);
        Assert.All(codes, c => Assert.True(RfmMap.Default.ContainsKey(c), c));
        Assert.Equal(RfmMap.DefaultNames.Order(), RfmMap.Default.Values.Distinct().Order());
    }

    [Theory]
    [InlineData("555", "Champions")]
    [InlineData("444", "Champions")]
    [InlineData("352", "Loyal")]
    [InlineData("325", "Big Spenders")]
    [InlineData("511", "New")]
    [InlineData("421", "Promising")]
    [InlineData("332", "Potential")]
    [InlineData("243", "At Risk")]
    [InlineData("115", "At Risk")]
    [InlineData("221", "Hibernating")]
    [InlineData("111", "Lost")]
    [InlineData("532", "Developing")]
    public void Default_KnownCodes_HaveTheRoadmapsNames(string code, string name) => Assert.Equal(name, RfmMap.Default[code]);
}
