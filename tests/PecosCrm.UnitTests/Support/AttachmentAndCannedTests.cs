using PecosCrm.Core.Storage;
using PecosCrm.Core.Support;

namespace PecosCrm.UnitTests.Support;

public sealed class AttachmentAndCannedTests
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13];

    [Fact]
    public void Inspect_APngNamedPdf_IsRefusedNamingTheFile()
    {
        var error = Assert.Throws<ValidationFailedException>(() => AttachmentInspector.Inspect(Png, "receipt.pdf", 1024));

        Assert.Contains("is a PNG image", error.Errors["file"][0], StringComparison.Ordinal);
    }

    [Fact]
    public void Inspect_AProgramNamedJpg_IsRefused_AndARealPdfIsAccepted()
    {
        byte[] program = [0x4D, 0x5A, 0x90, 0x00, 0x03];

        var error = Assert.Throws<ValidationFailedException>(() => AttachmentInspector.Inspect(program, "photo.jpg", 1024));
        var pdf = AttachmentInspector.Inspect("%PDF-1.7\n"u8, "Receipt.PDF", 1024);

        Assert.Contains("file", error.Errors.Keys);
        Assert.Equal("application/pdf", pdf.ContentType);
    }

    [Fact]
    public void Render_FillsTheVariables_AndRefusesOnesTheTicketLacks()
    {
        var context = new CannedContext("John", "Smith", "john@example.com", null, null, null, "PRT-1045", "Missing item", "open", "high",
            "Rosa Vega", "Pecos River Traders", "(432) 555-0147", "howdy@example.com");

        var text = CannedResponses.Render("Hi {{customer.first_name}}, about {{ticket.number}}. {{staff.first_name}}", context);
        var error = Assert.Throws<ValidationFailedException>(() => CannedResponses.Render("Order #{{order.number}}", context));

        Assert.Equal("Hi John, about PRT-1045. Rosa", text);
        Assert.Contains("{{order.number}}", error.Errors["cannedResponseId"][0], StringComparison.Ordinal);
    }
}
