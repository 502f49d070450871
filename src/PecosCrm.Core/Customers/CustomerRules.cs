using System.Security.Cryptography;
using System.Text;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>Validation and normalisation of customer fields, shared by the API and store events.</summary>
public static class CustomerRules
{
    /// <summary>Lower-cased and trimmed: lookups by email ignore case.</summary>
    public static string NormalizeEmail(string email) => email.Trim().ToLowerInvariant();

    /// <summary>
    /// Digits only, so "(555) 123-4567", "555.123.4567" and "+1 555 123 4567" are one number; a
    /// North American number's leading country code 1 is dropped.
    /// </summary>
    public static string NormalizePhone(string phone)
    {
        var digits = new string(phone.Where(char.IsAsciiDigit).ToArray());
        return digits.Length == 11 && digits[0] == '1' ? digits[1..] : digits;
    }

    /// <summary>A key for "same street address", used to suggest related contacts.</summary>
    public static string AddressKey(Address a)
    {
        var text = string.Join('|', new[] { a.Line1, a.Line2 ?? "", a.City, a.PostalCode, a.Country }
            .Select(p => new string(p.ToLowerInvariant().Where(char.IsLetterOrDigit).ToArray())));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
    }

    public static void Validate(CustomerFields f, bool creating, Validation check, string prefix = "")
    {
        if (creating)
        {
            if (!KeyRules.IsValidKey(f.Id) || f.Id!.Length > 100)
            {
                check.Add(prefix + "id", "is required: the store's customer id (1-100 characters, no / \\ # ?).");
            }
            check.Required(prefix + "firstName", f.FirstName, 100);
            check.MaxLength(prefix + "lastName", f.LastName, 100);
        }
        else
        {
            if (f.FirstName is not null)
            {
                check.Required(prefix + "firstName", f.FirstName, 100);
            }
            check.MaxLength(prefix + "lastName", f.LastName, 100);
        }
        if (f.Email is not null)
        {
            check.Email(prefix + "email", f.Email);
        }
        if (f.Phone is not null && NormalizePhone(f.Phone).Length is < 7 or > 15)
        {
            check.Add(prefix + "phone", "must hold 7 to 15 digits.");
        }
        if (f.TimeZone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(f.TimeZone, out _))
        {
            check.Add(prefix + "timeZone", "must be an IANA time zone such as America/Denver.");
        }
        if (f.Birthday is { } b && (b.Year < 1900 || b > DateOnly.FromDateTime(DateTime.UtcNow)))
        {
            check.Add(prefix + "birthday", "must be a date between 1900 and today.");
        }
        check.MaxLength(prefix + "source", f.Source, 100);
        if (f.Addresses is { } addresses)
        {
            if (addresses.Count > 20)
            {
                check.Add(prefix + "addresses", "at most 20 addresses.");
            }
            for (var i = 0; i < addresses.Count; i++)
            {
                var a = addresses[i];
                var at = $"{prefix}addresses[{i}].";
                if (a is null)
                {
                    check.Add($"{prefix}addresses[{i}]", "must be an address.");
                    continue;
                }
                check.Required(at + "line1", a.Line1).Required(at + "city", a.City, 100).Required(at + "postalCode", a.PostalCode, 20).Required(at + "country", a.Country, 60);
            }
        }
    }
}
