using System.IO.Compression;
using System.Net.Http.Json;
using System.Net;
using System.Text.Json.Nodes;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using PecosCrm.Core.Support;
using PecosCrm.IntegrationTests.Infrastructure;
using static PecosCrm.IntegrationTests.Support.SupportTestKit;

namespace PecosCrm.IntegrationTests.Support;

/// <summary>The ticket lists by status and assignee and by customer, the reply address on outgoing email, and a customer's tickets under GDPR.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class TicketListTests(AzuriteFixture fixture)
{
    private static List<string> Ids(JsonNode page) => page["items"]!.AsArray().Select(t => t!["id"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Lists_PageByStatusAssigneeAndCustomer_FollowMoves_RepliesCarryReplyTo_AndErasureTakesTheTickets()
    {
        await using var sendGrid = await RecordingEndpoint.StartAsync();
        var settings = Settings();
        settings["Messaging:SendGridApiKey"] = "SG.test-key";
        settings["Messaging:SendGridApiHost"] = sendGrid.Url;
        await using var app = fixture.NewApp(settings);
        var admin = app.Admin();
        var mae = (await StaffAsync(admin, "Mae Holt", $"mae-{app.Prefix}@pecos.example"))["id"]!.GetValue<string>();
        var ned = (await StaffAsync(admin, "Ned Cole", $"ned-{app.Prefix}@pecos.example"))["id"]!.GetValue<string>();
        var customer = await CustomerAsync(admin, "list-" + app.Prefix);
        var other = await CustomerAsync(admin, "keep-" + app.Prefix);
        var ids = new List<string>();
        foreach (var subject in new[] { "Boots too wide", "Hat crushed", "Belt missing" })
        {
            var created = await (await admin.PostJsonAsync("/api/tickets", new { customerId = customer, subject, assigneeId = mae })).AssertJsonAsync(HttpStatusCode.Created);
            ids.Add(created["id"]!.GetValue<string>());
        }
        var kept = (await (await admin.PostJsonAsync("/api/tickets", new { customerId = other, subject = "Wrong size", assigneeId = mae })).AssertJsonAsync(HttpStatusCode.Created))["id"]!.GetValue<string>();
        using (var form = new MultipartFormDataContent { { new ByteArrayContent(Products.TestImages.Png()), "file", "boot.png" } })
        {
            await (await admin.PostAsync($"/api/tickets/{ids[0]}/attachments", form)).AssertJsonAsync(HttpStatusCode.Created);
        }

        var first = await (await admin.GetAsync($"/api/tickets?status=in_progress&assignee={mae}&limit=2")).AssertJsonAsync();
        var second = await (await admin.GetAsync($"/api/tickets?status=in_progress&assignee={mae}&limit=2&cursor={first["nextCursor"]}")).AssertJsonAsync();
        await (await admin.PatchAsJsonAsync($"/api/tickets/{ids[2]}", new { assigneeId = ned }, HttpAssertions.Json)).AssertJsonAsync();
        await (await admin.PatchAsJsonAsync($"/api/tickets/{ids[1]}", new { status = "pending_customer" }, HttpAssertions.Json)).AssertJsonAsync();
        var maeAfter = await (await admin.GetAsync($"/api/tickets?status=in_progress&assignee={mae}")).AssertJsonAsync();
        var nedAfter = await (await admin.GetAsync($"/api/tickets?status=in_progress&assignee={ned}")).AssertJsonAsync();
        var pending = await (await admin.GetAsync($"/api/tickets?status=pending_customer&assignee={mae}")).AssertJsonAsync();
        var badCursor = await (await admin.GetAsync($"/api/tickets?status=in_progress&assignee={mae}&cursor=bm9wZQ")).AssertProblemAsync(HttpStatusCode.BadRequest);
        var historyFirst = await (await admin.GetAsync($"/api/customers/{customer}/tickets?limit=2")).AssertJsonAsync();
        var historySecond = await (await admin.GetAsync($"/api/customers/{customer}/tickets?limit=2&cursor={historyFirst["nextCursor"]}")).AssertJsonAsync();
        await (await admin.PostJsonAsync($"/api/tickets/{ids[0]}/replies", new { text = "A narrower last is on its way." })).AssertJsonAsync(HttpStatusCode.Created);
        var replySubject = $"Re: Boots too wide [{ids[0]}]";
        bool IsReply(RecordingEndpoint.Recorded r) => JsonNode.Parse(r.Body)?["personalizations"]?[0]?["subject"]?.GetValue<string>() == replySubject;
        await HttpAssertions.EventuallyAsync(() => Task.FromResult(sendGrid.Requests.Any(IsReply)), "the reply reached SendGrid");
        var mail = JsonNode.Parse(sendGrid.Requests.Single(IsReply).Body)!;
        var export = await admin.GetAsync($"/api/customers/{customer}/gdpr-export");
        using var zip = new ZipArchive(await export.Content.ReadAsStreamAsync());
        var exported = JsonNode.Parse(await new StreamReader(zip.Entries.Single(e => e.Name == "tickets.json").Open()).ReadToEndAsync())!.AsArray();
        await (await admin.PostAsync($"/api/customers/{customer}/erase", null)).AssertJsonAsync();
        var erasedTicket = await admin.GetAsync($"/api/tickets/{ids[0]}");
        var maeErased = await (await admin.GetAsync($"/api/tickets?status=in_progress&assignee={mae}")).AssertJsonAsync();
        var byStatus = await (await admin.GetAsync("/api/tickets?status=in_progress")).AssertJsonAsync();
        var blobs = app.Storage.Container(Core.Storage.StorageNames.Containers.TicketAttachments).GetBlobsAsync(Azure.Storage.Blobs.Models.BlobTraits.None, Azure.Storage.Blobs.Models.BlobStates.None, ids[0] + "/", CancellationToken.None);
        var blobsLeft = 0;
        await foreach (var _ in blobs)
        {
            blobsLeft++;
        }

        Assert.Equal([kept, ids[2]], Ids(first));
        Assert.Equal([ids[1], ids[0]], Ids(second));
        Assert.Null(second["nextCursor"]?.GetValue<string>());
        Assert.Equal([kept, ids[0]], Ids(maeAfter));
        Assert.Equal([ids[2]], Ids(nedAfter));
        Assert.Equal("Ned Cole", nedAfter["items"]![0]!["assigneeName"]!.GetValue<string>());
        Assert.Equal([ids[1]], Ids(pending));
        Assert.Contains("cursor", badCursor["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal([ids[2], ids[1]], Ids(historyFirst));
        Assert.Equal([ids[0]], Ids(historySecond));
        Assert.Equal(3, historyFirst["open"]!.GetValue<int>());
        var replyTo = mail["reply_to"]!["email"]!.GetValue<string>();
        Assert.StartsWith($"ticket+{ids[0].ToLowerInvariant()}.", replyTo, StringComparison.Ordinal);
        Assert.Contains(replyTo, mail["content"]![0]!["value"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Contains(exported, r => r!["RowKey"]!.GetValue<string>() == $"ticket|{ids[0]}" && r["Subject"]!.GetValue<string>() == "Boots too wide");
        Assert.Contains(exported, r => r!["RowKey"]!.GetValue<string>().StartsWith($"att|{ids[0]}|", StringComparison.Ordinal));
        Assert.Contains(exported, r => r!["Text"]?.GetValue<string>() == "A narrower last is on its way.");
        Assert.DoesNotContain(exported, r => r!["RowKey"]!.GetValue<string>() == $"ticket|{kept}");
        Assert.Equal(HttpStatusCode.NotFound, erasedTicket.StatusCode);
        Assert.Equal([kept], Ids(maeErased));
        Assert.Equal([kept], Ids(byStatus));
        Assert.Equal(0, blobsLeft);
    }

    /// <summary>
    /// Tickets written before the status-and-assignee lists and the customer line rows existed: the
    /// backfill walks the status lists and adds what is missing, and the lists show every ticket once.
    /// </summary>
    [Fact]
    public async Task Backfill_PutsOlderTicketsInTheAgentsQueueAndTheCustomersPages_AndTheStatusListShowsEachOnce()
    {
        await using var app = fixture.NewApp(Settings());
        var admin = app.Admin();
        var mae = (await StaffAsync(admin, "Mae Holt", $"mae-{app.Prefix}@pecos.example"))["id"]!.GetValue<string>();
        var customer = await CustomerAsync(admin, "old-" + app.Prefix);
        var ids = new List<string>();
        foreach (var (subject, assignee) in new[] { ("Spurs rusted", mae), ("Hat band loose", null), ("Boot heel split", mae) })
        {
            var created = await (await admin.PostJsonAsync("/api/tickets", new { customerId = customer, subject, assigneeId = assignee })).AssertJsonAsync(HttpStatusCode.Created);
            ids.Add(created["id"]!.GetValue<string>());
        }
        // Assigned tickets start in progress. What a store written before these rows existed holds: no status-and-assignee rows, no line rows, no progress row.
        var list = app.Storage.Table(Core.Storage.StorageNames.Tables.TicketList);
        var tickets = app.Storage.Table(Core.Storage.StorageNames.Tables.Tickets);
        await foreach (var row in list.QueryAsync<TableEntity>(e => e.PartitionKey.CompareTo("sa|") >= 0 && e.PartitionKey.CompareTo("sa}") < 0))
        {
            await list.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }
        await foreach (var row in tickets.QueryAsync<TableEntity>(SupportKeys.PrefixFilter(SupportKeys.CustomerPartition(customer), SupportKeys.CustomerTicketPrefix)))
        {
            await tickets.DeleteEntityAsync(row.PartitionKey, row.RowKey);
        }
        await tickets.DeleteEntityAsync(SupportKeys.BackfillPartition, SupportKeys.BackfillRow);
        var queueBefore = await (await admin.GetAsync($"/api/tickets?status=in_progress&assignee={mae}")).AssertJsonAsync();

        var store = new TicketStore(app.Storage, app.Services.GetRequiredService<Core.Storage.BlobFiles>());
        var done = await store.BackfillAsync(TimeSpan.FromMinutes(1));
        var doneAgain = await store.BackfillAsync(TimeSpan.FromMinutes(1));
        var queue = await (await admin.GetAsync($"/api/tickets?status=in_progress&assignee={mae}")).AssertJsonAsync();
        var unassigned = await (await admin.GetAsync("/api/tickets?status=open&assignee=none")).AssertJsonAsync();
        var all = await (await admin.GetAsync("/api/tickets?limit=100")).AssertJsonAsync();
        var history = await (await admin.GetAsync($"/api/customers/{customer}/tickets?limit=1")).AssertJsonAsync();
        var historyNext = await (await admin.GetAsync($"/api/customers/{customer}/tickets?limit=5&cursor={history["nextCursor"]}")).AssertJsonAsync();

        Assert.Empty(Ids(queueBefore));
        Assert.True(done);
        Assert.True(doneAgain);
        Assert.Equal([ids[2], ids[0]], Ids(queue));
        Assert.Equal([ids[1]], Ids(unassigned));
        Assert.Equal(ids.OrderDescending(), Ids(all).Where(ids.Contains).Order().Reverse());
        Assert.Equal(Ids(all).Count, Ids(all).Distinct().Count());
        Assert.Equal([ids[2]], Ids(history));
        Assert.Equal([ids[1], ids[0]], Ids(historyNext));
    }

    /// <summary>
    /// Past the head's size: a ticket leaving the head is replaced by the next newest, and the pages
    /// walk every copy once. Pages read through the parsed-head cache, so each also shows that a
    /// changed head is never answered from the lines parsed before the change.
    /// </summary>
    [Fact]
    public async Task Head_OfFiftyFive_RefillsWhenOneLeaves_AndPagesWalkEveryTicketOnce()
    {
        var table = new TableServiceClient(fixture.ConnectionString).GetTableClient("heads" + Guid.NewGuid().ToString("N")[..12]);
        await table.CreateAsync();
        var heads = new TicketListHeads(table, new TicketListHeads.ParsedHeads());
        var tickets = Enumerable.Range(1, 55).Select(n => new TicketEntity
        {
            TicketId = $"PRT-{n}", Sequence = n, CustomerId = "c1", Subject = $"Ticket {n}", Status = nameof(TicketStatus.Open), AssigneeId = "mae",
            Policy = TicketEntity.Write(SlaPolicies.Default), CreatedAt = DateTimeOffset.UnixEpoch.AddDays(n), UpdatedAt = DateTimeOffset.UnixEpoch.AddDays(n),
        }).ToList();
        foreach (var t in tickets.OrderBy(_ => Random.Shared.Next()))
        {
            await heads.PutAsync(t, CancellationToken.None);
        }

        var before = await heads.PageAsync(TicketStatus.Open, "mae", 50, null, CancellationToken.None);
        await heads.RemoveAsync(TicketStatus.Open, "mae", tickets[54], CancellationToken.None);
        var after = await heads.PageAsync(TicketStatus.Open, "mae", 50, null, CancellationToken.None);
        var renamed = tickets[40].CopyAs("", "");
        renamed.Subject = "Renamed";
        await heads.PutAsync(renamed, CancellationToken.None);
        var afterRename = await heads.PageAsync(TicketStatus.Open, "mae", 50, null, CancellationToken.None);
        var walked = new List<long>();
        string? cursor = null;
        do
        {
            var page = await heads.PageAsync(TicketStatus.Open, "mae", 20, cursor, CancellationToken.None);
            walked.AddRange(page.Items.Select(t => t.Sequence));
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        var wide = await heads.PageAsync(TicketStatus.Open, "mae", 60, null, CancellationToken.None);

        Assert.Equal(Enumerable.Range(6, 50).Reverse().Select(n => (long)n), before.Items.Select(t => t.Sequence));
        Assert.NotNull(before.NextCursor);
        Assert.Equal(Enumerable.Range(5, 50).Reverse().Select(n => (long)n), after.Items.Select(t => t.Sequence));
        Assert.Equal(SlaPolicies.Default.Id, after.Items[0].PolicyValue()!.Id);
        Assert.Equal("Ticket 41", after.Items.Single(t => t.Sequence == 41).Subject);
        Assert.Equal("Renamed", afterRename.Items.Single(t => t.Sequence == 41).Subject);
        Assert.Equal(Enumerable.Range(1, 54).Reverse().Select(n => (long)n), walked);
        Assert.Equal(54, wide.Items.Count);
        Assert.Null(wide.NextCursor);
    }
}
