using System.Net;
using System.Net.Http.Json;
using PecosCrm.IntegrationTests.Infrastructure;

namespace PecosCrm.IntegrationTests.Support;

/// <summary>Every kind of support row, once or twice: for the RowKey uniqueness scan.</summary>
internal static class SupportSeed
{
    public static async Task FillAsync(HttpClient admin, IReadOnlyList<string> customerIds)
    {
        await (await admin.PutAsJsonAsync("/api/support/sla-policies", SupportTestKit.BusinessHoursPolicy(), HttpAssertions.Json)).AssertJsonAsync();
        await (await admin.PutAsJsonAsync("/api/support/escalation-rules", new
        {
            rules = new[] { new { id = "urgent-late", name = "Urgent and late", enabled = true, clock = "first_response", afterMinutes = 60, actions = new { raisePriority = true } } },
        }, HttpAssertions.Json)).AssertJsonAsync();
        await (await admin.GetAsync("/api/support/canned-responses")).AssertJsonAsync();
        var article = await (await admin.PostJsonAsync("/api/kb/articles", new { title = "Boot sizing", body = "Ropers run true to size.", category = "sizing", state = "published" }))
            .AssertJsonAsync(HttpStatusCode.Created);
        foreach (var customerId in customerIds.Take(2))
        {
            var ticket = await (await admin.PostJsonAsync("/api/tickets", new { customerId, subject = "Sizing question", category = "product", description = "Do ropers run large?" }))
                .AssertJsonAsync(HttpStatusCode.Created);
            var id = ticket["id"]!.GetValue<string>();
            using (var form = new MultipartFormDataContent { { new ByteArrayContent(Products.TestImages.Png()), "file", "boot.png" } })
            {
                await (await admin.PostAsync($"/api/tickets/{id}/attachments", form)).AssertJsonAsync(HttpStatusCode.Created);
            }
            await (await admin.PostJsonAsync($"/api/tickets/{id}/notes", new { text = "Checked the size chart." })).AssertJsonAsync(HttpStatusCode.Created);
            await (await admin.PostJsonAsync($"/api/tickets/{id}/articles", new { articleId = article["id"] })).AssertJsonAsync();
            await (await admin.PostJsonAsync($"/api/tickets/{id}/replies", new { text = "True to size.", status = "resolved" })).AssertJsonAsync(HttpStatusCode.Created);
        }
        var conversation = await (await admin.PostJsonAsync("/api/inbox/contact-form", new { name = "Mike Wilson", email = "mike@ranch.example", subject = "Belt buckle", message = "Is the buckle brass?" }))
            .AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostJsonAsync($"/api/inbox/{conversation["id"]}/ticket", new { customerId = customerIds[0] })).AssertJsonAsync(HttpStatusCode.Created);
        await (await admin.PostAsync("/api/support/sweep", null)).AssertJsonAsync();
    }
}
