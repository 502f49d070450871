using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Integrations.Audiences;

public enum AdPlatform
{
    /// <summary>A Facebook (Meta) custom audience customer file.</summary>
    Facebook,

    /// <summary>A Google Ads Customer Match file.</summary>
    Google,
}

/// <summary>
/// The upload files of customer-match audiences, without I/O: each platform's columns, each value
/// normalised as the platform's documentation says and hashed with SHA-256 (lower-case hex).
/// Facebook: <c>email, phone, fn, ln, zip, ct, st, country</c>, every value hashed; phone as digits
/// with the country code and no <c>+</c>; names lower-case without punctuation; zip the first five
/// digits in the US; city without spaces; state and country as two letters.
/// Google: <c>Email, Phone, First Name, Last Name, Country, Zip</c>; email, phone (E.164, with
/// <c>+</c>) and names hashed, country and zip in clear as Google asks; dots of gmail.com and
/// googlemail.com addresses dropped before hashing.
/// </summary>
public static class AdAudienceFormat
{
    public static IReadOnlyList<string> Header(AdPlatform platform) => platform switch
    {
        AdPlatform.Facebook => ["email", "phone", "fn", "ln", "zip", "ct", "st", "country"],
        AdPlatform.Google => ["Email", "Phone", "First Name", "Last Name", "Country", "Zip"],
        _ => throw new ArgumentOutOfRangeException(nameof(platform)),
    };

    /// <summary>The customer's row, or null when the customer has no email or phone to match on.</summary>
    public static IReadOnlyList<string>? Row(AdPlatform platform, Customer customer)
    {
        var email = NormaliseEmail(customer.Email, platform);
        var phone = customer.Phone is { Length: > 0 } p ? p.Trim() : null;
        if (email is null && phone is null)
        {
            return null;
        }
        var address = customer.Addresses.FirstOrDefault(a => a.Kind == AddressKind.Billing) ?? customer.Addresses.FirstOrDefault();
        var country = address?.Country is { Length: 2 } c ? c.ToLowerInvariant() : null;
        return platform switch
        {
            AdPlatform.Facebook =>
            [
                Hash(email), Hash(phone?.TrimStart('+')), Hash(Name(customer.FirstName)), Hash(Name(customer.LastName)),
                Hash(Zip(address?.PostalCode, country)), Hash(Letters(address?.City)), Hash(address?.Region is { Length: 2 } r ? r.ToLowerInvariant() : null), Hash(country),
            ],
            AdPlatform.Google =>
            [
                Hash(email), Hash(phone), Hash(Name(customer.FirstName)), Hash(Name(customer.LastName)), country?.ToUpperInvariant() ?? "", address?.PostalCode.Trim() ?? "",
            ],
            _ => throw new ArgumentOutOfRangeException(nameof(platform)),
        };
    }

    public static string? NormaliseEmail(string? email, AdPlatform platform)
    {
        if (email is not { Length: > 0 } || email.Trim().Split('@') is not [var local, var domain] || local.Length == 0)
        {
            return null;
        }
        local = local.ToLowerInvariant();
        domain = domain.ToLowerInvariant();
        if (platform == AdPlatform.Google && domain is "gmail.com" or "googlemail.com")
        {
            local = local.Replace(".", "", StringComparison.Ordinal);
        }
        return local + "@" + domain;
    }

    public static string Hash(string? value) =>
        string.IsNullOrEmpty(value) ? "" : Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    private static string? Name(string? name) =>
        name is null ? null : new string(name.Trim().ToLowerInvariant().Where(ch => !char.IsPunctuation(ch)).ToArray()) is { Length: > 0 } n ? n : null;

    private static string? Letters(string? text) =>
        text is null ? null : new string(text.ToLowerInvariant().Where(char.IsLetter).ToArray()) is { Length: > 0 } t ? t : null;

    private static string? Zip(string? zip, string? country)
    {
        if (zip is null)
        {
            return null;
        }
        var compact = new string(zip.ToLowerInvariant().Where(ch => !char.IsWhiteSpace(ch) && ch != '-').ToArray());
        return country == "us" && compact.Length > 5 ? compact[..5] : compact.Length > 0 ? compact : null;
    }

    internal static string Slug(string name) => new string(name.ToLower(CultureInfo.InvariantCulture).Select(ch => char.IsAsciiLetterOrDigit(ch) ? ch : '-').ToArray()).Trim('-') is { Length: > 0 } s ? s[..Math.Min(40, s.Length)] : "segment";
}
