using System.Text.Json.Serialization;

namespace PecosCrm.Core.Wholesale;

/// <summary>When a wholesale order falls due: so many days after the order date, or on receipt (the order date itself).</summary>
public enum PaymentTerms
{
    [JsonStringEnumMemberName("net_30")]
    Net30,

    [JsonStringEnumMemberName("net_60")]
    Net60,

    [JsonStringEnumMemberName("due_on_receipt")]
    DueOnReceipt,
}
