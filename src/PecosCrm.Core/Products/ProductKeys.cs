using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Products;

/// <summary>
/// Keys of the product feature's tables and blobs. Every RowKey is unique across its table (Azurite
/// finds a point read by RowKey first, then walks every row sharing it).
/// <list type="bullet">
/// <item><c>products</c>: partition the lower-cased category, RowKey the product id, so a category
/// lists in one partition; partition <c>~id</c>, RowKey <c>~id|{productId}</c>, the locator that finds
/// a product's category from its id. The product row carries its image list (order, primary, alt text).</item>
/// <item><c>producthistory</c>: partition the product id, RowKey
/// <c>h|{productId}|{inverted time}|{changeId}|{field}</c>, newest first; a change made by a store
/// event uses the event id as its change id, so applying the event again rewrites the same rows.</item>
/// <item><c>productstats</c>: partition the product id; <c>v|{productId}|{yyyyMM}</c> the views of a
/// month, and <c>vb|{productId}|{hash}</c> the marker of a batch of views already counted.</item>
/// <item>blobs in <c>product-images</c>: <c>{productId}/{imageId}/original.{ext}</c> beside
/// <c>{productId}/{imageId}/{size}.webp</c> thumbnails.</item>
/// </list>
/// </summary>
internal static class ProductKeys
{
    public const string LocatorPartition = "~id";
    public const string HistoryPrefix = "h|";
    public const string ViewsPrefix = "v|";
    public const string ViewBatchPrefix = "vb|";

    public static string Category(string category) => category.Trim().ToLowerInvariant();

    public static string Locator(string productId) => LocatorPartition + "|" + productId;

    public static string History(string productId, DateTimeOffset at, string changeId, string field) =>
        HistoryPrefix + productId + "|" + KeyRules.InvertedTicks(at) + "|" + changeId + "|" + field;

    public static string HistoryFilter(string productId)
    {
        var prefix = HistoryPrefix + productId + "|";
        return TableClient.CreateQueryFilter($"PartitionKey eq {productId} and RowKey ge {prefix} and RowKey lt {KeyRules.PrefixEnd(prefix)}");
    }

    public static string Views(string productId, string month) => ViewsPrefix + productId + "|" + month;

    public static string ViewsFilter(string productId, string fromMonth, string toMonth) =>
        TableClient.CreateQueryFilter($"PartitionKey eq {productId} and RowKey ge {Views(productId, fromMonth)} and RowKey le {Views(productId, toMonth)}");

    public static string ViewBatch(string productId, string hash) => ViewBatchPrefix + productId + "|" + hash;

    public static string ImageFolder(string productId, string imageId) => productId + "/" + imageId + "/";

    public static string Original(string productId, string imageId, string extension) => ImageFolder(productId, imageId) + "original." + extension;

    public static string Thumbnail(string productId, string imageId, int size) => ImageFolder(productId, imageId) + size + ".webp";
}
