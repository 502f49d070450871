using System.Net.Mail;
using PecosCrm.Core.Storage;
using PecosCrm.Core.Support;

namespace PecosCrm.Functions.Api;

/// <summary>What the support desk reads from a SendGrid Inbound Parse form: the recipients and the attached files.</summary>
public static class SupportInbound
{
    /// <summary>Every address in <c>to</c> and <c>cc</c> (SendGrid passes the headers' text).</summary>
    public static IEnumerable<string> Recipients(IFormCollection form)
    {
        foreach (var field in new[] { "to", "cc" })
        {
            var value = form[field].ToString();
            if (string.IsNullOrWhiteSpace(value))
            {
                continue;
            }
            var addresses = new MailAddressCollection();
            try
            {
                addresses.Add(value);
            }
            catch (FormatException)
            {
                continue;
            }
            foreach (var address in addresses)
            {
                yield return address.Address;
            }
        }
    }

    /// <summary>The attached files (<c>attachment1</c> … as SendGrid names them), at most 10.</summary>
    public static async Task<IReadOnlyList<IncomingFile>> FilesAsync(IFormCollection form, CancellationToken cancellationToken)
    {
        var files = new List<IncomingFile>();
        foreach (var file in form.Files.Take(10))
        {
            var content = new byte[file.Length];
            await using (var stream = file.OpenReadStream())
            {
                await stream.ReadExactlyAsync(content, cancellationToken);
            }
            files.Add(new IncomingFile(file.FileName, content));
        }
        return files;
    }
}
