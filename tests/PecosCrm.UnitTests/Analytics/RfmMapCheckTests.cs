using PecosCrm.Core;
using PecosCrm.Core.Analytics;

namespace PecosCrm.UnitTests.Analytics;

public sealed class RfmMapCheckTests
{
    private static List<RfmSegmentDraft?> Defaults() =>
        RfmMap.DefaultSegments.Select(s => (RfmSegmentDraft?)new RfmSegmentDraft(s.Name, s.Codes.ToList<string?>())).ToList();

    private static IReadOnlyDictionary<string, string[]> Errors(IReadOnlyList<RfmSegmentDraft?>? segments, string? note = null) =>
        Assert.Throws<ValidationFailedException>(() => RfmMap.Check(segments, note)).Errors;

    [Fact]
    public void Check_DefaultMap_IsValidAndKeepsEveryCode()
    {
        var segments = RfmMap.Check(Defaults(), "as shipped");

        Assert.Equal(RfmMap.DefaultNames, segments.Select(s => s.Name));
        Assert.Equal(RfmMap.AllCodes, segments.SelectMany(s => s.Codes).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Check_NamesAndCodes_AreTrimmedAndOrderedHighestFirst()
    {
        var segments = new List<RfmSegmentDraft?>
        {
            new("  Low  ", RfmMap.AllCodes.Where(c => c[0] <= '2').ToList<string?>()),
            new("High", RfmMap.AllCodes.Where(c => c[0] > '2').ToList<string?>()),
        };

        var tidy = RfmMap.Check(segments, null);

        Assert.Equal("Low", tidy[0].Name);
        Assert.Equal("255", tidy[0].Codes[0]);
        Assert.Equal("111", tidy[0].Codes[^1]);
        Assert.Equal(50, tidy[0].Codes.Count);
    }

    [Fact]
    public void Check_MissingCode_IsListed()
    {
        var segments = Defaults();
        var lost = segments.FindIndex(s => s!.Name == "Lost");
        segments[lost] = segments[lost]! with { Codes = segments[lost]!.Codes!.Where(c => c != "111").ToList() };

        var errors = Errors(segments);

        Assert.Contains(errors["segments"], m => m.Contains("missing: 111.", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_CodeInTwoSegments_NamesBothSegments()
    {
        var segments = Defaults();
        var loyal = segments.FindIndex(s => s!.Name == "Loyal");
        segments[loyal] = segments[loyal]! with { Codes = [.. segments[loyal]!.Codes!, "555"] };

        var errors = Errors(segments);

        var message = Assert.Single(errors["segments"]);
        Assert.Contains("555", message, StringComparison.Ordinal);
        Assert.Contains("'Champions'", message, StringComparison.Ordinal);
        Assert.Contains("'Loyal'", message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("605")]
    [InlineData("55")]
    [InlineData("5555")]
    [InlineData("a12")]
    [InlineData(" 11")]
    [InlineData("051")]
    public void Check_MalformedCode_IsNamedOnItsSegment(string code)
    {
        var segments = Defaults();
        segments[0] = segments[0]! with { Codes = [.. segments[0]!.Codes!, code] };

        var errors = Errors(segments);

        Assert.Contains($"'{code}'", Assert.Single(errors["segments[0].codes"]), StringComparison.Ordinal);
        Assert.False(errors.ContainsKey("segments"));
    }

    [Fact]
    public void Check_EmptyLongAndDuplicateNames_AreEachNamed()
    {
        var segments = Defaults();
        segments[1] = segments[1]! with { Name = "   " };
        segments[2] = segments[2]! with { Name = new string('x', 51) };
        segments[3] = segments[3]! with { Name = " champions " };

        var errors = Errors(segments);

        Assert.Equal(["is required."], errors["segments[1].name"]);
        Assert.Contains("50", Assert.Single(errors["segments[2].name"]), StringComparison.Ordinal);
        Assert.Contains("segments[0]", Assert.Single(errors["segments[3].name"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Check_NoSegmentsOrTooMany_AreRejected()
    {
        var many = RfmMap.AllCodes.Chunk(4).Select((codes, i) => (RfmSegmentDraft?)new RfmSegmentDraft($"S{i}", codes.ToList<string?>())).ToList();

        Assert.True(Errors(null).ContainsKey("segments"));
        Assert.True(Errors([]).ContainsKey("segments"));
        Assert.Equal(32, many.Count);
        Assert.Contains(Errors(many)["segments"], m => m.Contains("at most 30", StringComparison.Ordinal));
    }

    [Fact]
    public void Check_SegmentWithoutCodesAndLongNote_AreRejected()
    {
        var segments = Defaults();
        segments.Add(new RfmSegmentDraft("Empty", []));

        var errors = Errors(segments, new string('n', 501));

        Assert.True(errors.ContainsKey("segments[10].codes"));
        Assert.True(errors.ContainsKey("note"));
    }
}
