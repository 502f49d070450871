using PecosCrm.Core;
using PecosCrm.Core.Storage;

namespace PecosCrm.UnitTests.Storage;

public sealed class KeyRulesTests
{
    [Fact]
    public void InvertedTicks_LaterTimeSortsFirst()
    {
        var earlier = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var later = earlier.AddMilliseconds(1);

        var keys = new[] { KeyRules.InvertedTicks(earlier), KeyRules.InvertedTicks(later) }.Order(StringComparer.Ordinal).ToList();

        Assert.Equal(KeyRules.InvertedTicks(later), keys[0]);
        Assert.All(keys, k => Assert.Equal(19, k.Length));
        Assert.Equal(later, KeyRules.FromInvertedTicks(keys[0]));
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("a#b")]
    [InlineData("a?b")]
    [InlineData("a\tb")]
    [InlineData("")]
    public void Require_ForbiddenCharacters_ThrowsNamingTheField(string value)
    {
        var error = Assert.Throws<ValidationFailedException>(() => KeyRules.Require(value, "customerId"));

        Assert.True(error.Errors.ContainsKey("customerId"));
    }

    [Fact]
    public void PrefixEnd_BoundsEveryStringWithThePrefix()
    {
        var end = KeyRules.PrefixEnd("k|");

        Assert.True(string.CompareOrdinal("k|zzzz", end) < 0);
        Assert.True(string.CompareOrdinal("l", end) >= 0);
    }
}
