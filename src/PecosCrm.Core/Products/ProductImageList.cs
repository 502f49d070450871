namespace PecosCrm.Core.Products;

/// <summary>
/// What each image operation does to a product's image list, decided without I/O. The list is in
/// display order; exactly one image is primary whenever there is any (the first one added, until
/// another is made primary). Deleting the primary promotes the image that followed it (or, when
/// it was last, the one before it).
/// </summary>
public static class ProductImageList
{
    public const int MaxAltText = 250;

    public static IReadOnlyList<ProductImage> Add(IReadOnlyList<ProductImage> images, ProductImage image, int max)
    {
        CheckRoom(images, max);
        return [.. images, image with { Primary = images.Count == 0 }];
    }

    /// <summary>Refuses a product that holds <paramref name="max"/> images already.</summary>
    public static void CheckRoom(IReadOnlyList<ProductImage> images, int max)
    {
        if (images.Count >= max)
        {
            throw new ConflictException($"The product holds {images.Count} images, the most it may hold; delete one first.");
        }
    }

    /// <summary>The images in the order given: every image id exactly once.</summary>
    public static IReadOnlyList<ProductImage> Reorder(IReadOnlyList<ProductImage> images, IReadOnlyList<string?>? imageIds)
    {
        var byId = images.ToDictionary(i => i.Id, StringComparer.Ordinal);
        if (imageIds is null || imageIds.Count != images.Count || imageIds.Distinct(StringComparer.Ordinal).Count() != images.Count
            || imageIds.Any(id => id is null || !byId.ContainsKey(id)))
        {
            var unknown = imageIds?.Where(id => id is null || !byId.ContainsKey(id)).ToList() ?? [];
            throw new ValidationFailedException("imageIds", unknown.Count > 0
                ? $"names images the product does not have: {string.Join(", ", unknown.Select(u => u ?? "null"))}."
                : $"must list each of the product's {images.Count} image ids exactly once.");
        }
        return imageIds.Select(id => byId[id!]).ToList();
    }

    public static IReadOnlyList<ProductImage> SetPrimary(IReadOnlyList<ProductImage> images, string imageId)
    {
        Require(images, imageId);
        return images.Select(i => i with { Primary = i.Id == imageId }).ToList();
    }

    public static IReadOnlyList<ProductImage> SetAltText(IReadOnlyList<ProductImage> images, string imageId, string? altText)
    {
        Require(images, imageId);
        var text = CheckAltText(altText);
        return images.Select(i => i.Id == imageId ? i with { AltText = text } : i).ToList();
    }

    public static IReadOnlyList<ProductImage> Remove(IReadOnlyList<ProductImage> images, string imageId)
    {
        var index = Require(images, imageId);
        var rest = images.Where(i => i.Id != imageId).ToList();
        if (images[index].Primary && rest.Count > 0)
        {
            var promoted = rest[Math.Min(index, rest.Count - 1)].Id;
            return rest.Select(i => i with { Primary = i.Id == promoted }).ToList();
        }
        return rest;
    }

    /// <summary>Alt text trimmed, empty as none; at most 250 characters.</summary>
    public static string? CheckAltText(string? altText)
    {
        var text = string.IsNullOrWhiteSpace(altText) ? null : altText.Trim();
        if (text is { Length: > MaxAltText } || (text?.Any(char.IsControl) ?? false))
        {
            throw new ValidationFailedException("altText", $"must be at most {MaxAltText} characters, without control characters.");
        }
        return text;
    }

    /// <summary>The list as the history shows it: ids in display order, the primary marked with *.</summary>
    public static string? Describe(IReadOnlyList<ProductImage> images) =>
        images.Count == 0 ? null : string.Join(", ", images.Select(i => i.Primary ? i.Id + "*" : i.Id));

    private static int Require(IReadOnlyList<ProductImage> images, string imageId)
    {
        for (var i = 0; i < images.Count; i++)
        {
            if (images[i].Id == imageId)
            {
                return i;
            }
        }
        throw new NotFoundException("Image", imageId);
    }
}
