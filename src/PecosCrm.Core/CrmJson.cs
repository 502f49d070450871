using System.Text.Json;
using System.Text.Json.Serialization;

namespace PecosCrm.Core;

/// <summary>
/// The JSON shape of the whole product: camelCase properties and enum values spelled as the
/// roadmap spells them (<c>pending_customer</c>, <c>follow_up</c>).
/// </summary>
public static class CrmJson
{
    public static readonly JsonSerializerOptions Options = Configure(new JsonSerializerOptions(JsonSerializerDefaults.Web));

    /// <summary>Applies the product's conventions to a serializer's options (the API's, say).</summary>
    public static JsonSerializerOptions Configure(JsonSerializerOptions options)
    {
        options.PropertyNamingPolicy = JsonNamingPolicy.CamelCase;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false));
        return options;
    }
}
