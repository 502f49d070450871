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

    /// <summary>
    /// The options for HTTP request and response bodies: the product's conventions, and a body that
    /// names a field the request does not have is refused (a 400 naming it) instead of silently
    /// ignored. Stored JSON and queue messages keep <see cref="Options"/>, which lets old rows load.
    /// </summary>
    public static JsonSerializerOptions ConfigureHttp(JsonSerializerOptions options)
    {
        Configure(options);
        options.UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow;
        return options;
    }
}
