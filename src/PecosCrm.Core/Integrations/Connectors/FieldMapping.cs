using PecosCrm.Core.Customers;

namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>
/// The customer fields a connector may map to outside properties, read from and written to a
/// customer without I/O. The email is the key on both sides and is not mapped. Address parts are
/// those of the billing address, else the first; a pulled address part changes that address and is
/// ignored for a customer who has none.
/// </summary>
public static class FieldMapping
{
    public const string FirstName = "firstName";
    public const string LastName = "lastName";
    public const string Phone = "phone";
    public const string City = "city";
    public const string Region = "region";
    public const string PostalCode = "postalCode";
    public const string Country = "country";

    public static readonly IReadOnlyList<string> Fields = [FirstName, LastName, Phone, City, Region, PostalCode, Country];

    /// <summary>The field's value on the customer; null when empty.</summary>
    public static string? Read(Customer customer, string field)
    {
        var address = AddressOf(customer);
        var value = field switch
        {
            FirstName => customer.FirstName,
            LastName => customer.LastName,
            Phone => customer.Phone,
            City => address?.City,
            Region => address?.Region,
            PostalCode => address?.PostalCode,
            Country => address?.Country,
            _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not a mapped field"),
        };
        return string.IsNullOrWhiteSpace(value) ? null : value;
    }

    /// <summary>The change that gives the customer these field values (field to new value); null when nothing would change.</summary>
    public static CustomerFields? Patch(Customer customer, IReadOnlyDictionary<string, string?> values)
    {
        if (values.Count == 0)
        {
            return null;
        }
        var address = AddressOf(customer);
        var newAddress = address;
        foreach (var (field, value) in values)
        {
            if (newAddress is null || value is null)
            {
                continue;
            }
            newAddress = field switch
            {
                City => newAddress with { City = value },
                Region => newAddress with { Region = value },
                PostalCode => newAddress with { PostalCode = value },
                Country => newAddress with { Country = value },
                _ => newAddress,
            };
        }
        var patch = new CustomerFields(
            FirstName: values.TryGetValue(FirstName, out var first) && first is not null ? first : null,
            LastName: values.TryGetValue(LastName, out var last) && last is not null ? last : null,
            Phone: values.TryGetValue(Phone, out var phone) && phone is not null ? phone : null,
            Addresses: newAddress is not null && newAddress != address ? [.. customer.Addresses.Select(a => ReferenceEquals(a, address) ? newAddress : a)] : null);
        return patch == new CustomerFields() ? null : patch;
    }

    private static Address? AddressOf(Customer customer) =>
        customer.Addresses.FirstOrDefault(a => a.Kind == AddressKind.Billing) ?? customer.Addresses.FirstOrDefault();
}
