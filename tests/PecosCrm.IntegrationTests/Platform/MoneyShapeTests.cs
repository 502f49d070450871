using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Platform;

/// <summary>Amounts leave the API as decimals in the currency's unit, never as cents.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class MoneyShapeTests(AzuriteFixture fixture)
{
    /// <summary>Walks every schema of the API document: no property carries cents.</summary>
    [Fact]
    public async Task NoSchemaOfTheApi_HasAnAmountInCents()
    {
        var document = (await (await fixture.App.ClientWithKey(null).GetAsync("/api/openapi.json")).AssertJsonAsync()).AsObject();
        var inCents = new List<string>();
        void Walk(string where, JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (name, value) in o)
                    {
                        if (where.EndsWith(".properties", StringComparison.Ordinal) && name.EndsWith("Cents", StringComparison.OrdinalIgnoreCase))
                        {
                            inCents.Add(where + "." + name);
                        }
                        Walk(where + "." + name, value);
                    }
                    break;
                case JsonArray a:
                    foreach (var item in a)
                    {
                        Walk(where, item);
                    }
                    break;
            }
        }

        Walk("", document["components"]);
        Walk("", document["paths"]);

        Assert.True(inCents.Count == 0, "amounts in cents: " + string.Join(", ", inCents));
    }
}
