using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Automation;
using PecosCrm.Core.Customers;
using PecosCrm.Core.Messaging;
using PecosCrm.Core.Storage;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Infrastructure.StoreData;

namespace PecosCrm.IntegrationTests.Messaging;

/// <summary>
/// One send reads the customer's card once: the read feeds the consent decision, the template's
/// values and the logged row. Counted on the storage requests the send makes against Azurite.
/// </summary>
[Collection(AzuriteCollection.Name)]
public sealed class SendReadsTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task AutomationTemplateEmail_ReadsTheCardOnceWithPointsAndTheTemplateOnce_AndStillRendersTheCustomersValues()
    {
        var app = fixture.App;
        var admin = app.Admin();
        var id = "reads-" + Guid.NewGuid().ToString("N")[..10];
        await (await admin.PostJsonAsync("/api/customers", Customer(id, "Cody", "Reyes", $"{id}@example.com", extra: new { consent = new { email = true }, timeZone = "America/Chicago" })))
            .AssertJsonAsync(HttpStatusCode.Created);
        var template = await (await admin.PostJsonAsync("/api/templates", new
        {
            name = "Reads " + id, category = "order", subject = "Howdy {{customer.first_name}}", html = "<p>You have {{loyalty.points}} points, {{customer.full_name}}.</p>",
        })).AssertJsonAsync(HttpStatusCode.Created);
        var workflow = await (await admin.PostJsonAsync("/api/automations", new
        {
            name = "Reads " + id,
            trigger = new { kind = "manual" },
            purpose = "transactional",
            nodes = new object[]
            {
                new { id = "start", type = "trigger", next = "hello" },
                new { id = "hello", type = "send_email", templateId = template["id"]!.GetValue<string>(), next = "done" },
                new { id = "done", type = "end" },
            },
        })).AssertJsonAsync(HttpStatusCode.Created);
        var workflowId = workflow["id"]!.GetValue<string>();
        await (await admin.PostAsync($"/api/automations/{workflowId}/activate", null)).AssertJsonAsync();
        var steps = app.Services.GetRequiredService<AutomationSteps>();
        var now = DateTimeOffset.UtcNow;
        var input = new StepInput(new AutomationStart("i-" + id, workflowId, 1, id, "test", now, null), "hello", 1, 1, now, null,
            new Dictionary<string, string?>(), null);
        await app.Services.GetRequiredService<PecosCrm.Core.Loyalty.PointsLedger>().ChangeAsync(id, 120, "reads-" + id, "welcome", "test");
        using var recorder = new StorageCallRecorder();

        StepResult result = null!;
        var calls = await recorder.Trace(async () => result = await steps.SendAsync(input));

        var message = await app.Services.GetRequiredService<MessageStore>().GetAsync(id, result.MessageId!);
        // The send is what comes before its queue message; after it, the step saves the instance's state.
        var send = calls.TakeWhile(c => !c.EndsWith("-" + StorageNames.Queues.Messages + "/messages", StringComparison.Ordinal)).ToList();
        var reads = send.Where(c => c.StartsWith("GET ", StringComparison.Ordinal)).ToList();
        Assert.Equal("Howdy Cody", message.Subject);
        Assert.Contains("120 points, Cody Reyes", message.Html, StringComparison.Ordinal);
        Assert.True(send.Count < calls.Count, "the send queued its message");
        // Once: the customer as read from the card carries the loyalty account the balance comes from.
        Assert.Single(reads, c => c.Contains($"RowKey='{CustomerKeys.Card(id)}'", StringComparison.Ordinal));
        Assert.Single(reads, c => c.Contains("/" + app.Storage.TableName(StorageNames.Tables.Templates) + "(", StringComparison.Ordinal));
    }
}
