using PecosCrm.Core;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Storage;

namespace PecosCrm.UnitTests.Customers;

public sealed class CustomerRulesTests
{
    [Theory]
    [InlineData("(555) 123-4567")]
    [InlineData("+1 555 123 4567")]
    [InlineData("555.123.4567")]
    [InlineData("1-555-123-4567")]
    [InlineData("5551234567")]
    public void NormalizePhone_SameNumberWrittenDifferently_OneNumber(string phone)
    {
        var normalized = CustomerRules.NormalizePhone(phone);

        Assert.Equal("5551234567", normalized);
    }

    [Fact]
    public void NormalizePhone_NumberOutsideNorthAmerica_KeepsCountryCode()
    {
        var normalized = CustomerRules.NormalizePhone("+44 20 7946 0958");

        Assert.Equal("442079460958", normalized);
    }

    [Fact]
    public void NormalizeEmail_CaseAndSpaces_Ignored()
    {
        var normalized = CustomerRules.NormalizeEmail("  Ana.Lopez@Example.COM ");

        Assert.Equal("ana.lopez@example.com", normalized);
    }

    [Fact]
    public void AddressKey_SameAddressWrittenDifferently_SameKey()
    {
        var typed = new Address(AddressKind.Shipping, "123 Main St.", null, "Fort Stockton", "TX", "79735", "US");
        var shouted = new Address(AddressKind.Billing, "123 MAIN ST", "", "fort stockton", "Texas", "79735", "us");

        var key = CustomerRules.AddressKey(typed);

        Assert.Equal(key, CustomerRules.AddressKey(shouted));
    }

    [Fact]
    public void AddressKey_DifferentStreetNumber_DifferentKey()
    {
        var home = new Address(AddressKind.Shipping, "123 Main St", null, "Fort Stockton", "TX", "79735", "US");
        var neighbour = home with { Line1 = "125 Main St" };

        var key = CustomerRules.AddressKey(home);

        Assert.NotEqual(key, CustomerRules.AddressKey(neighbour));
    }

    [Fact]
    public void Validate_NewCustomerWithoutFirstName_NamesIt()
    {
        var check = new Validation();

        CustomerRules.Validate(new CustomerFields(Id: "cus-1", LastName: "Lopez"), creating: true, check);

        Assert.Equal(["firstName"], Errors(check).Keys);
    }

    [Fact]
    public void Validate_UpdateWithoutFirstName_Accepted()
    {
        var check = new Validation();

        CustomerRules.Validate(new CustomerFields(Id: "cus-1", Email: "ana@example.com"), creating: false, check);

        Assert.True(check.IsValid);
    }

    [Theory]
    [InlineData("(555) 123-4567", true)]
    [InlineData("+1 555 123 4567", true)]
    [InlineData("555-1234", true)]
    [InlineData("555-12", false)]
    [InlineData("+1234 5678 9012 3456", false)]
    public void Validate_Phone_SevenToFifteenDigitsWhateverTheFormatting(string phone, bool expected)
    {
        var check = new Validation();

        CustomerRules.Validate(new CustomerFields(Id: "cus-1", FirstName: "Ana", Phone: phone), creating: true, check);

        Assert.Equal(expected, check.IsValid);
    }

    [Fact]
    public void Validate_SeveralBadFields_EachNamedUnderPrefix()
    {
        var check = new Validation();
        var fields = new CustomerFields(
            Id: "cus/1", FirstName: "Ana", Email: "ana@", Birthday: new DateOnly(1899, 12, 31), TimeZone: "Mars/Olympus_Mons",
            Addresses: [new Address(AddressKind.Shipping, "123 Main St", null, "Fort Stockton", "TX", "79735", "US"), new Address(AddressKind.Billing, "9 Elm St", null, "", null, "79735", "US")]);

        CustomerRules.Validate(fields, creating: true, check, "events[2].data.");

        Assert.Equal(
            ["events[2].data.addresses[1].city", "events[2].data.birthday", "events[2].data.email", "events[2].data.id", "events[2].data.timeZone"],
            Errors(check).Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Validate_IanaTimeZone_Accepted()
    {
        var check = new Validation();

        CustomerRules.Validate(new CustomerFields(Id: "cus-1", FirstName: "Ana", TimeZone: "America/Denver"), creating: true, check);

        Assert.True(check.IsValid);
    }

    private static IReadOnlyDictionary<string, string[]> Errors(Validation check) =>
        Assert.Throws<ValidationFailedException>(check.ThrowIfInvalid).Errors;
}
