using PecosCrm.Core.Messaging.Templates;

namespace PecosCrm.UnitTests.Messaging.Templates;

public sealed class TemplateModelTests
{
    [Fact]
    public void With_NameOutsideTheCatalogue_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => TemplateModel.Empty.With("customer.shoe_size", "10D"));

        Assert.Contains("customer.shoe_size", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void With_ItemFieldOutsideTheCatalogue_Throws()
    {
        var items = new[] { new Dictionary<string, object?> { ["colour"] = "Cognac" } };

        Assert.Throws<ArgumentException>(() => TemplateModel.Empty.With("order.items", items));
    }

    [Fact]
    public void With_Date_ReadsAsADate()
    {
        var model = TemplateModel.Empty.With("offer.expires_at", new DateOnly(2025, 12, 31));

        Assert.Equal("December 31, 2025", model.Values["offer.expires_at"]);
    }

    [Fact]
    public void Sample_HasAValueForEveryVariable_AndTheGivenLinks()
    {
        var links = new TemplateLinks("https://u.example/x", "https://p.example/y");

        var sample = TemplateModel.Sample(links);

        Assert.All(TemplateVariables.All, v => Assert.NotNull(sample.Values[v.Name]));
        Assert.Equal("https://u.example/x", sample.Values["links.unsubscribe"]);
        Assert.Equal("Pecos River Traders", sample.Values["store.name"]);
    }

    [Fact]
    public void Catalogue_CoversTheRoadmapVariables()
    {
        string[] roadmap = ["customer.first_name", "customer.last_name", "customer.email", "order.number", "order.total", "order.items", "loyalty.points", "loyalty.tier", "store.name", "store.phone"];

        Assert.All(roadmap, name => Assert.NotNull(TemplateVariables.Find(name)));
        Assert.NotNull(TemplateVariables.Find("links.unsubscribe"));
        Assert.NotNull(TemplateVariables.Find("links.preferences"));
    }
}
