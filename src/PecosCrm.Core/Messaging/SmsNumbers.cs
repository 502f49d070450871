using Microsoft.Extensions.Options;
using PhoneNumbers;

namespace PecosCrm.Core.Messaging;

/// <summary>
/// Phone numbers for SMS, in E.164 (<c>+14325550147</c>) with libphonenumber. A number written
/// without a country code is read in the store's country (<c>Store:Country</c>, ISO 3166 two
/// letters, default US). A number must be possible for its country (country code and length);
/// numbers that are well-formed but not known to be assigned (the 555 numbers of examples) are
/// accepted, since the carrier is the judge of those.
/// </summary>
public sealed class SmsNumbers(IOptions<StoreOptions> store)
{
    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>The region numbers without a country code are read in.</summary>
    public string Region => store.Value.Country is { Length: 2 } country ? country.ToUpperInvariant() : "US";

    /// <summary>The number in E.164, or null when it is not a phone number.</summary>
    public string? ToE164(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw) || raw.Length > 64)
        {
            return null;
        }
        try
        {
            var number = Util.Parse(raw, Region);
            // A local-only number (seven digits without an area code) cannot be dialled from a gateway.
            return Util.IsPossibleNumberWithReason(number) == PhoneNumberUtil.ValidationResult.IS_POSSIBLE ? Util.Format(number, PhoneNumberFormat.E164) : null;
        }
        catch (NumberParseException)
        {
            return null;
        }
    }

    /// <summary>The number in E.164; a <see cref="ValidationFailedException"/> on <paramref name="field"/> when it is not a number.</summary>
    public string Require(string field, string? raw, string? whose = null) =>
        ToE164(raw) ?? throw new ValidationFailedException(field,
            $"{whose ?? "'" + raw + "'"} is not a phone number SMS can reach: give it in E.164 (+14325550147) or as a {Region} number with its area code.");
}
