using PecosCrm.Core.Products;

namespace PecosCrm.UnitTests.Products;

public sealed class ProductImageListTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Add_FirstIsPrimary_AndTheEleventhIsRefused()
    {
        IReadOnlyList<ProductImage> images = [];
        for (var i = 0; i < 10; i++)
        {
            images = ProductImageList.Add(images, Image($"i{i}"), max: 10);
        }

        Assert.True(images[0].Primary);
        Assert.Single(images, i => i.Primary);
        Assert.Throws<ConflictException>(() => ProductImageList.Add(images, Image("i10"), max: 10));
    }

    [Theory]
    [InlineData(0, "b")]
    [InlineData(1, "c")]
    [InlineData(2, "b")]
    public void Remove_ThePrimary_PromotesTheImageAfterIt_OrBeforeItWhenLast(int primaryAt, string promoted)
    {
        var images = ProductImageList.SetPrimary(List("a", "b", "c"), "abc"[primaryAt].ToString());

        var after = ProductImageList.Remove(images, "abc"[primaryAt].ToString());

        Assert.Equal(promoted, Assert.Single(after, i => i.Primary).Id);
        Assert.Equal(2, after.Count);
    }

    [Fact]
    public void Remove_ANonPrimary_KeepsThePrimary_AndAnUnknownIdIsNotFound()
    {
        var images = List("a", "b");

        var after = ProductImageList.Remove(images, "b");

        Assert.Equal("a", Assert.Single(after).Id);
        Assert.True(after[0].Primary);
        Assert.Throws<NotFoundException>(() => ProductImageList.Remove(images, "zz"));
    }

    [Theory]
    [InlineData("a,b")]
    [InlineData("a,b,b")]
    [InlineData("a,b,zz")]
    [InlineData("a,b,c,d")]
    public void Reorder_NotEveryIdExactlyOnce_IsRefusedNamingImageIds(string order)
    {
        var error = Assert.Throws<ValidationFailedException>(() => ProductImageList.Reorder(List("a", "b", "c"), order.Split(',')));

        Assert.Contains("imageIds", error.Errors.Keys);
    }

    [Fact]
    public void Reorder_KeepsThePrimaryFlag_AndDescribeMarksIt()
    {
        var images = ProductImageList.SetPrimary(List("a", "b", "c"), "b");

        var after = ProductImageList.Reorder(images, ["c", "b", "a"]);

        Assert.Equal("c, b*, a", ProductImageList.Describe(after));
    }

    [Fact]
    public void AltText_TrimmedEmptyIsNone_TooLongIsRefused()
    {
        Assert.Null(ProductImageList.CheckAltText("   "));
        Assert.Equal("Tan roper", ProductImageList.CheckAltText(" Tan roper "));
        Assert.Contains("altText", Assert.Throws<ValidationFailedException>(() => ProductImageList.CheckAltText(new string('x', 251))).Errors.Keys);
    }

    private static ProductImage Image(string id) => new(id, "image/png", "png", 10, 10, 100, null, false, At);

    private static IReadOnlyList<ProductImage> List(params string[] ids)
    {
        IReadOnlyList<ProductImage> images = [];
        foreach (var id in ids)
        {
            images = ProductImageList.Add(images, Image(id), 10);
        }
        return images;
    }
}
