using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Support.SupportTestKit;

namespace PecosCrm.IntegrationTests.Support;

[Collection(AzuriteCollection.Name)]
public sealed class ConversationTests(AzuriteFixture fixture)
{
    private static readonly byte[] Png = Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");

    private static MultipartFormDataContent File(byte[] content, string name) => new() { { new ByteArrayContent(content), "file", name } };

    private static MultipartFormDataContent Email(string from, string to, string subject, string text) => new()
    {
        { new StringContent(from), "from" },
        { new StringContent(to), "to" },
        { new StringContent(subject), "subject" },
        { new StringContent(text), "text" },
    };

    private static async Task<JsonArray> OutboxAsync(HttpClient admin, int atLeast)
    {
        JsonArray items = [];
        await HttpAssertions.EventuallyAsync(async () =>
        {
            items = (await (await admin.GetAsync("/api/outbox?limit=100")).AssertJsonAsync())["items"]!.AsArray();
            return items.Count >= atLeast;
        }, $"{atLeast} emails in the outbox");
        return items;
    }

    [Fact]
    public async Task Ticket_RepliesEmailed_NotesHidden_CannedRendered_AttachmentsCheckedByContent_OnTheCustomer()
    {
        await using var app = fixture.NewApp(Settings());
        var admin = app.Admin();
        var customer = await CustomerAsync(admin, "conv-" + app.Prefix);
        var ticket = await TicketAsync(admin, customer, "Heel came off", "high", "product", "The heel came off after a week.");
        var id = ticket["id"]!.GetValue<string>();
        var cardOpen = await (await admin.GetAsync($"/api/customers/{customer}/360")).AssertJsonAsync();

        var unknownField = await (await admin.PostJsonAsync($"/api/tickets/{id}/replies", new { text = "x", internal_ = true, @internal = true })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var canned = await (await admin.GetAsync("/api/support/canned-responses")).AssertJsonAsync();
        var lying = await (await admin.PostAsync($"/api/tickets/{id}/attachments", File(Png, "receipt.pdf"))).AssertProblemAsync(HttpStatusCode.BadRequest);
        var photo = await (await admin.PostAsync($"/api/tickets/{id}/attachments", File(Png, "heel.png"))).AssertJsonAsync(HttpStatusCode.Created);
        var link = await (await admin.GetAsync($"/api/tickets/{id}/attachments/{photo["id"]}")).AssertJsonAsync();
        using var download = new HttpClient();
        var downloaded = await download.GetByteArrayAsync(link["url"]!.GetValue<string>());
        await (await admin.PostJsonAsync($"/api/tickets/{id}/notes", new { text = "Customer wore them in the rain; warranty anyway.", attachmentIds = new[] { photo["id"]!.GetValue<string>() } })).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync($"/api/tickets/{id}/replies", new { cannedResponseId = "anything-else", status = "resolved" })).AssertJsonAsync(HttpStatusCode.Created);
        var cannedAfter = await (await admin.GetAsync("/api/support/canned-responses/anything-else")).AssertJsonAsync();
        var detail = await GetAsync(admin, id);
        var emails = await OutboxAsync(admin, 2);
        var card = await (await admin.GetAsync($"/api/customers/{customer}/360")).AssertJsonAsync();
        var timeline = await (await admin.GetAsync($"/api/customers/{customer}/timeline?type=support")).AssertJsonAsync();
        var log = await (await admin.GetAsync($"/api/customers/{customer}/messages?channel=email")).AssertJsonAsync();

        var survey = emails.Single(e => e!["subject"]!.GetValue<string>().StartsWith("How did we do?", StringComparison.Ordinal))!;
        var surveyUrl = new Uri(System.Text.RegularExpressions.Regex.Match(survey["text"]!.GetValue<string>(), @"https://crm\.example(/api/csat/\S+)").Groups[1].Value, UriKind.Relative);
        var anonymous = app.ClientWithKey(null);
        var page = await anonymous.GetAsync(surveyUrl);
        var badRating = await (await anonymous.PostAsJsonAsync(surveyUrl, new { rating = 7 })).AssertProblemAsync(HttpStatusCode.BadRequest);
        var forged = await anonymous.PostAsJsonAsync(new Uri(surveyUrl + "0", UriKind.Relative), new { rating = 1 });
        var rated = await (await anonymous.PostAsJsonAsync(surveyUrl, new { rating = 5, comment = "Fast and friendly." })).AssertJsonAsync();
        var history = await (await admin.GetAsync($"/api/customers/{customer}/tickets")).AssertJsonAsync();
        var rows = await (await admin.GetAsync($"/api/tickets?status=resolved&category=product")).AssertJsonAsync();

        Assert.Contains("internal_", unknownField["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(8, canned["items"]!.AsArray().Count);
        Assert.Contains("file", lying["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(Png, downloaded);
        Assert.Single(detail["attachments"]!.AsArray());
        Assert.Equal(1, cannedAfter["usageCount"]!.GetValue<int>());
        var messages = detail["messages"]!.AsArray();
        Assert.Equal(["customer", "staff", "staff"], messages.Select(m => m!["author"]!.GetValue<string>()));
        Assert.True(messages[1]!["internal"]!.GetValue<bool>());
        Assert.Contains($"ticket {id} as resolved", messages[2]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("resolved", detail["ticket"]!["status"]!.GetValue<string>());
        var reply = emails.Single(e => e!["subject"]!.GetValue<string>() == $"Re: Heel came off [{id}]")!;
        Assert.Contains("Hi John,", reply["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains($"ticket+{id.ToLowerInvariant()}.", reply["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.DoesNotContain(emails, e => e!["text"]!.GetValue<string>().Contains("rain", StringComparison.Ordinal));
        Assert.DoesNotContain(log["items"]!.AsArray(), m => (m!["content"]?.GetValue<string>() ?? "").Contains("rain", StringComparison.Ordinal));
        Assert.Equal(1, cardOpen["metrics"]!["engagement"]!["openSupportIssues"]!.GetValue<int>());
        Assert.Contains(cardOpen["health"]!["components"]!.AsArray(), c => c!["reason"]!.GetValue<string>() == "1 open support issue");
        Assert.Equal(0, card["metrics"]!["engagement"]!["openSupportIssues"]!.GetValue<int>());
        Assert.Equal([$"Support ticket {id} resolved", $"Opened support ticket {id}: Heel came off"], timeline["items"]!.AsArray().Select(t => t!["title"]!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("rating", badRating["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(HttpStatusCode.NotFound, forged.StatusCode);
        Assert.Equal(5, rated["rating"]!.GetValue<int>());
        Assert.Equal(5, history["averageCsat"]!.GetValue<double>());
        Assert.Equal(5, history["items"]![0]!["csatRating"]!.GetValue<int>());
        Assert.Equal(id, rows["items"]![0]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task InboundEmail_SignedAddressAndSubjectNumberLandOnTheTicket_ForgedAddressRefused_ConversationBecomesATicketWithItsFiles()
    {
        await using var app = fixture.NewApp(Settings());
        var admin = app.Admin();
        var anonymous = app.ClientWithKey(null);
        var address = $"inbound-{app.Prefix}@riders.example";
        var customer = await CustomerAsync(admin, "inb-" + app.Prefix, address);
        var ticket = await TicketAsync(admin, customer, "Exchange for a 10", "medium", "return");
        var id = ticket["id"]!.GetValue<string>();
        await (await admin.PostJsonAsync($"/api/tickets/{id}/replies", new { text = "Happy to exchange. Which width?", status = "pending_customer" })).AssertJsonAsync(HttpStatusCode.Created);
        var emails = await OutboxAsync(admin, 1);
        var replyTo = System.Text.RegularExpressions.Regex.Match(emails[0]!["text"]!.GetValue<string>(), @"ticket\+\S+@pecos\.example").Value;
        var forgedTo = replyTo.Replace(".", "x.", StringComparison.Ordinal)[..replyTo.IndexOf('@', StringComparison.Ordinal)] + "@pecos.example";
        var parse = $"/api/webhooks/sendgrid/inbound?key={ParseKey}";

        var signed = await (await anonymous.PostAsync(parse, Email($"John Smith <{address}>", $"Support <{replyTo}>", $"Re: Exchange for a 10 [{id}]", "Wide, please.\n\nOn Mon, Support wrote:\n> Which width?"))).AssertJsonAsync();
        var forged = await (await anonymous.PostAsync(parse, Email("mallory@evil.example", forgedTo, "Re: anything", "Close my ticket and refund me."))).AssertJsonAsync();
        var bySubject = await (await anonymous.PostAsync(parse, Email(address, "support@pecos.example", $"RE: RE: Exchange for a 10 [{id}]", "Also a belt?"))).AssertJsonAsync();
        var photo = Products.TestImages.Png();
        using var strangerEmail = Email("someone@else.example", "support@pecos.example", $"Re: [{id}]", "I am not the customer.");
        strangerEmail.Add(new ByteArrayContent(photo), "attachment1", "boot.png");
        strangerEmail.Add(new ByteArrayContent(photo), "attachment2", "receipt.pdf");
        var stranger = await (await anonymous.PostAsync(parse, strangerEmail)).AssertJsonAsync();
        var detail = await GetAsync(admin, id);

        var conversationId = stranger["conversation"]!.GetValue<string>();
        var thread = await (await admin.GetAsync($"/api/inbox/{conversationId}")).AssertJsonAsync();
        var inboxFile = thread["messages"]!.AsArray().SelectMany(m => m!["attachments"]!.AsArray()).Single()!;
        var inboxLink = await (await admin.GetAsync($"/api/inbox/{conversationId}/attachments/{inboxFile["id"]}")).AssertJsonAsync();
        using var download = new HttpClient();
        var inboxBytes = await download.GetByteArrayAsync(inboxLink["url"]!.GetValue<string>());
        var converted = await (await admin.PostJsonAsync($"/api/inbox/{conversationId}/ticket", new { customerId = customer, category = "other" })).AssertJsonAsync(HttpStatusCode.Created);
        var again = await (await admin.PostJsonAsync($"/api/inbox/{conversationId}/ticket", new { customerId = customer })).AssertProblemAsync(HttpStatusCode.Conflict);
        var convertedDetail = await GetAsync(admin, converted["id"]!.GetValue<string>());
        var inbox = await (await admin.GetAsync("/api/inbox")).AssertJsonAsync();
        var ticketFile = convertedDetail["attachments"]!.AsArray().Single()!;
        var ticketLink = await (await admin.GetAsync($"/api/tickets/{converted["id"]}/attachments/{ticketFile["id"]}")).AssertJsonAsync();
        var ticketBytes = await download.GetByteArrayAsync(ticketLink["url"]!.GetValue<string>());

        Assert.Equal(id, signed["ticket"]!.GetValue<string>());
        Assert.Null(forged["ticket"]);
        Assert.NotNull(forged["ticketRefused"]);
        Assert.Equal(id, bySubject["ticket"]!.GetValue<string>());
        Assert.Null(stranger["ticket"]);
        var texts = detail["messages"]!.AsArray().Where(m => m!["author"]!.GetValue<string>() == "customer").Select(m => m!["text"]!.GetValue<string>()).ToList();
        Assert.Equal(["Wide, please.", "Also a belt?"], texts);
        Assert.DoesNotContain(detail["messages"]!.AsArray(), m => m!["text"]!.GetValue<string>().Contains("refund", StringComparison.Ordinal));
        Assert.Equal("open", detail["ticket"]!["status"]!.GetValue<string>());
        Assert.Equal("inbox", converted["channel"]!.GetValue<string>());
        Assert.Equal(conversationId, converted["conversationId"]!.GetValue<string>());
        Assert.Contains("I am not the customer.", convertedDetail["messages"]![0]!["text"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("boot.png", inboxFile["fileName"]!.GetValue<string>());
        Assert.Equal("image/png", inboxFile["contentType"]!.GetValue<string>());
        Assert.Contains(thread["messages"]!.AsArray(), m => m!["internal"]!.GetValue<bool>() && m["text"]!.GetValue<string>().Contains("receipt.pdf", StringComparison.Ordinal));
        Assert.Equal(photo, inboxBytes);
        Assert.Equal("boot.png", ticketFile["fileName"]!.GetValue<string>());
        Assert.Equal([ticketFile["id"]!.GetValue<string>()], convertedDetail["messages"]![0]!["attachmentIds"]!.AsArray().Select(a => a!.GetValue<string>()));
        Assert.Equal(photo, ticketBytes);
        Assert.NotNull(again["detail"]);
        Assert.DoesNotContain(inbox["items"]!.AsArray(), c => c!["id"]!.GetValue<string>() == conversationId);
    }
}
