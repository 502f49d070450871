using PecosCrm.Core;
using PecosCrm.Core.Storage;

namespace PecosCrm.UnitTests.Storage;

public sealed class CursorTests
{
    [Fact]
    public void EncodeDecode_RoundTripsAContinuationToken_UrlSafe()
    {
        var token = "1!8!c3RhZmY-~/+=";

        var cursor = Cursor.Encode(token)!;

        Assert.DoesNotContain('/', cursor);
        Assert.DoesNotContain('+', cursor);
        Assert.Equal(token, Cursor.Decode(cursor));
    }

    [Fact]
    public void Decode_Garbage_ThrowsValidationOnCursor()
    {
        var error = Assert.Throws<ValidationFailedException>(() => Cursor.Decode("%%%"));

        Assert.True(error.Errors.ContainsKey("cursor"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(501)]
    public void CheckLimit_OutOfRange_Throws(int limit) =>
        Assert.Throws<ValidationFailedException>(() => Page<int>.CheckLimit(limit));

    [Fact]
    public void CheckLimit_Missing_Defaults50() => Assert.Equal(50, Page<int>.CheckLimit(null));
}
