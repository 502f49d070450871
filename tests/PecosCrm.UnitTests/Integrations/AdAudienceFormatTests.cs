using System.Security.Cryptography;
using System.Text;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Integrations.Audiences;

namespace PecosCrm.UnitTests.Integrations;

public sealed class AdAudienceFormatTests
{
    private static readonly Customer Rosa = new(
        "c-1", " Rosa-María ", "O'Neil", "  Rosa.Alvarez@GMail.com ", "+14325550101",
        [new Address(AddressKind.Shipping, "1 Main St", null, "Pecos", "TX", "79772-1234", "US")],
        null, null, new MarketingConsent(true, null, false, null), LoyaltyTier.Gold, DateTimeOffset.UnixEpoch, null, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch, "");

    private static string Sha(string value) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(value)));

    [Fact]
    public void Facebook_NormalisesEveryIdentifierAsDocumented_AndHashesThemAll()
    {
        var row = AdAudienceFormat.Row(AdPlatform.Facebook, Rosa)!;

        Assert.Equal(["email", "phone", "fn", "ln", "zip", "ct", "st", "country"], AdAudienceFormat.Header(AdPlatform.Facebook));
        Assert.Equal(
            [Sha("rosa.alvarez@gmail.com"), Sha("14325550101"), Sha("rosamaría"), Sha("oneil"), Sha("79772"), Sha("pecos"), Sha("tx"), Sha("us")],
            row);
    }

    [Fact]
    public void Google_HashesEmailPhoneAndNames_DropsGmailDots_LeavesCountryAndZipInClear()
    {
        var row = AdAudienceFormat.Row(AdPlatform.Google, Rosa)!;

        Assert.Equal(["Email", "Phone", "First Name", "Last Name", "Country", "Zip"], AdAudienceFormat.Header(AdPlatform.Google));
        Assert.Equal([Sha("rosaalvarez@gmail.com"), Sha("+14325550101"), Sha("rosamaría"), Sha("oneil"), "US", "79772-1234"], row);
    }

    [Fact]
    public void Row_WithNeitherEmailNorPhone_IsNull()
    {
        Assert.Null(AdAudienceFormat.Row(AdPlatform.Facebook, Rosa with { Email = null, Phone = null }));
        Assert.Null(AdAudienceFormat.Row(AdPlatform.Google, Rosa with { Email = "not-an-address", Phone = null }));
    }
}
