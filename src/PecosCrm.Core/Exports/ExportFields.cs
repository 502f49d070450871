namespace PecosCrm.Core.Exports;

/// <summary>The fields each kind of export offers, in their default order.</summary>
public static class ExportFields
{
    public static readonly IReadOnlyList<string> Customers =
        ["id", "firstName", "lastName", "email", "phone", "tier", "customerSince", "lifetimeValue", "orderCount", "lastOrderAt"];

    public static readonly IReadOnlyList<string> Orders =
        ["id", "number", "customerId", "placedAt", "status", "currency", "total", "net", "couponCode", "channel"];

    /// <summary>Fields that need the customer's metrics row, one point read per customer.</summary>
    public static readonly IReadOnlySet<string> CustomerMetrics = new HashSet<string> { "lifetimeValue", "orderCount", "lastOrderAt" };

    /// <summary>A segment export writes its members as a customer export writes customers.</summary>
    public static IReadOnlyList<string> For(ExportKind kind) => kind == ExportKind.Orders ? Orders : Customers;
}
