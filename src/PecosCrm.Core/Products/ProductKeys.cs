namespace PecosCrm.Core.Products;

/// <summary>
/// Keys of the <c>products</c> table: partition the lower-cased category, RowKey the product id, so a
/// category lists in one partition; partition <c>~id</c>, RowKey <c>~id|{productId}</c>, the locator
/// that finds a product's category from its id. The locator's RowKey differs from the product row's,
/// so no two rows of the table share a RowKey (Azurite finds a point read by RowKey first, then walks
/// every row sharing it).
/// </summary>
internal static class ProductKeys
{
    public const string LocatorPartition = "~id";

    public static string Category(string category) => category.Trim().ToLowerInvariant();

    public static string Locator(string productId) => LocatorPartition + "|" + productId;
}
