using System.Text.RegularExpressions;
using Azure.Data.Tables;
using Azure;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Support;

/// <summary>A reply kept for common questions, with <c>{{variables}}</c> filled in for the ticket it answers.</summary>
public sealed record CannedResponse(string Id, string Title, TicketCategory Category, string Body, int UsageCount, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, string ETag);

public sealed record CannedResponseRequest(string? Title, TicketCategory? Category, string? Body);

/// <summary>The values a canned response is rendered with.</summary>
public sealed record CannedContext(
    string? CustomerFirstName, string? CustomerLastName, string? CustomerEmail,
    string? OrderNumber, string? OrderStatus, string? OrderTotal,
    string TicketNumber, string TicketSubject, string TicketStatus, string TicketPriority,
    string StaffName, string StoreName, string StorePhone, string StoreEmail);

/// <summary>
/// Canned responses (partition <c>canned</c> of <c>supportsettings</c>), with the store's eight
/// defaults seeded once, usage counted each time one is sent. Variables are a fixed catalogue
/// (<see cref="Variables"/>): an unknown one is refused when the response is saved, and one whose
/// value the ticket lacks (an order variable on a ticket without an order) when it is used.
/// </summary>
public sealed partial class CannedResponses(StorageAccount storage, TimeProvider time)
{
    public static readonly IReadOnlyList<string> Variables =
    [
        "customer.first_name", "customer.last_name", "customer.name", "customer.email",
        "order.number", "order.status", "order.total",
        "ticket.number", "ticket.subject", "ticket.status", "ticket.priority",
        "staff.name", "staff.first_name", "store.name", "store.phone", "store.email",
    ];

    /// <summary>The eight canned responses the store starts with.</summary>
    public static readonly IReadOnlyList<(string Id, string Title, TicketCategory Category, string Body)> Defaults =
    [
        ("order-status", "Where is my order?", TicketCategory.Order,
            "Hi {{customer.first_name}},\n\nThanks for reaching out about order #{{order.number}}. It is currently {{order.status}}, and you will get an email with tracking as soon as it moves.\n\n{{staff.first_name}}\n{{store.name}}"),
        ("shipping-delay", "Shipping delay", TicketCategory.Shipping,
            "Hi {{customer.first_name}},\n\nWe are sorry: order #{{order.number}} is running behind. We are on it with the carrier and will write again within one business day.\n\n{{staff.first_name}}\n{{store.name}}"),
        ("return-instructions", "How to return an item", TicketCategory.Return,
            "Hi {{customer.first_name}},\n\nReturns are free within 30 days. Reply to this email with the items you are sending back and we will email a prepaid label.\n\n{{staff.first_name}}\n{{store.name}}"),
        ("size-exchange", "Size exchange", TicketCategory.Return,
            "Hi {{customer.first_name}},\n\nHappy to swap the size for you. Send the boots back in their box with the label we will email, and the new pair ships the day they arrive.\n\n{{staff.first_name}}\n{{store.name}}"),
        ("refund-processed", "Refund processed", TicketCategory.Billing,
            "Hi {{customer.first_name}},\n\nYour refund for order #{{order.number}} ({{order.total}}) has been processed. It shows on your statement within 5-10 business days.\n\n{{staff.first_name}}\n{{store.name}}"),
        ("boot-sizing", "Boot sizing help", TicketCategory.Product,
            "Hi {{customer.first_name}},\n\nOur ropers run true to size; if you are between sizes, go half a size up. Wide widths are marked EE on the product page.\n\n{{staff.first_name}}\n{{store.name}}"),
        ("damaged-item", "Damaged item", TicketCategory.Order,
            "Hi {{customer.first_name}},\n\nWe are sorry the item arrived damaged. Please reply with a photo of it and the box, and we will send a replacement right away.\n\n{{staff.first_name}}\n{{store.name}}"),
        ("anything-else", "Anything else?", TicketCategory.Other,
            "Hi {{customer.first_name}},\n\nI am marking ticket {{ticket.number}} as resolved. If anything else comes up, just reply to this email or call us at {{store.phone}}.\n\n{{staff.first_name}}\n{{store.name}}"),
    ];

    private volatile bool _seeded;

    private TableClient Table => storage.Table(StorageNames.Tables.SupportSettings);

    public async Task<IReadOnlyList<CannedResponse>> ListAsync(TicketCategory? category, CancellationToken cancellationToken = default)
    {
        await EnsureSeededAsync(cancellationToken);
        var list = new List<CannedResponse>();
        await foreach (var row in Table.QueryAsync<TableEntity>(SupportKeys.PrefixFilter(SupportKeys.CannedPartition, SupportKeys.CannedPrefix), cancellationToken: cancellationToken))
        {
            var item = ToRecord(row);
            if (category is null || item.Category == category)
            {
                list.Add(item);
            }
        }
        return list.OrderBy(c => c.Category).ThenBy(c => c.Title, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public async Task<CannedResponse> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        await EnsureSeededAsync(cancellationToken);
        var row = KeyRules.IsValidKey(id) ? await Table.FindAsync<TableEntity>(SupportKeys.CannedPartition, SupportKeys.Canned(id), cancellationToken) : null;
        return row is null ? throw new NotFoundException("Canned response", id) : ToRecord(row);
    }

    public async Task<CannedResponse> CreateAsync(CannedResponseRequest request, CancellationToken cancellationToken = default)
    {
        Check(request, partial: false);
        var now = time.GetUtcNow();
        var row = new TableEntity(SupportKeys.CannedPartition, SupportKeys.Canned(Ids.New(time)))
        {
            ["Title"] = request.Title!.Trim(),
            ["Category"] = (request.Category ?? TicketCategory.Other).ToString(),
            ["Body"] = request.Body,
            ["UsageCount"] = 0,
            ["CreatedAt"] = now,
            ["UpdatedAt"] = now,
        };
        var response = await Table.AddEntityAsync(row, cancellationToken);
        row.ETag = response.Headers.ETag ?? default;
        return ToRecord(row);
    }

    public async Task<(CannedResponse Before, CannedResponse After)> UpdateAsync(string id, CannedResponseRequest request, string? ifMatch, CancellationToken cancellationToken = default)
    {
        Check(request, partial: true);
        var row = KeyRules.IsValidKey(id) ? await Table.FindAsync<TableEntity>(SupportKeys.CannedPartition, SupportKeys.Canned(id), cancellationToken) : null;
        if (row is null)
        {
            throw new NotFoundException("Canned response", id);
        }
        TableClientExtensions.CheckIfMatch(ifMatch, row.ETag);
        var before = ToRecord(row);
        if (request.Title is not null)
        {
            row["Title"] = request.Title.Trim();
        }
        if (request.Category is { } category)
        {
            row["Category"] = category.ToString();
        }
        if (request.Body is not null)
        {
            row["Body"] = request.Body;
        }
        row["UpdatedAt"] = time.GetUtcNow();
        row.ETag = await Table.ReplaceIfMatchAsync(row, cancellationToken);
        return (before, ToRecord(row));
    }

    public async Task<CannedResponse> DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        var existing = await GetAsync(id, cancellationToken);
        await Table.DeleteEntityAsync(SupportKeys.CannedPartition, SupportKeys.Canned(id), ETag.All, cancellationToken);
        return existing;
    }

    /// <summary>The body filled in for a ticket; a variable the ticket has no value for is a 400 on <paramref name="field"/>.</summary>
    public static string Render(string body, CannedContext c, string field = "cannedResponseId")
    {
        var values = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["customer.first_name"] = c.CustomerFirstName,
            ["customer.last_name"] = c.CustomerLastName,
            ["customer.name"] = $"{c.CustomerFirstName} {c.CustomerLastName}".Trim(),
            ["customer.email"] = c.CustomerEmail,
            ["order.number"] = c.OrderNumber,
            ["order.status"] = c.OrderStatus,
            ["order.total"] = c.OrderTotal,
            ["ticket.number"] = c.TicketNumber,
            ["ticket.subject"] = c.TicketSubject,
            ["ticket.status"] = c.TicketStatus,
            ["ticket.priority"] = c.TicketPriority,
            ["staff.name"] = c.StaffName,
            ["staff.first_name"] = c.StaffName.Split(' ', StringSplitOptions.RemoveEmptyEntries).FirstOrDefault() ?? c.StaffName,
            ["store.name"] = c.StoreName,
            ["store.phone"] = c.StorePhone,
            ["store.email"] = c.StoreEmail,
        };
        var missing = Tag().Matches(body).Select(m => m.Groups[1].Value).Where(v => string.IsNullOrEmpty(values.GetValueOrDefault(v))).Distinct().ToList();
        if (missing.Count > 0)
        {
            throw new ValidationFailedException(field, $"uses {string.Join(", ", missing.Select(m => "{{" + m + "}}"))}, which this ticket has no value for.");
        }
        return Tag().Replace(body, m => values[m.Groups[1].Value]!);
    }

    /// <summary>Counts one use (under the ETag, retried).</summary>
    public Task CountUseAsync(string id, CancellationToken cancellationToken = default) =>
        OptimisticRetry.RunAsync(async _ =>
        {
            var row = await Table.FindAsync<TableEntity>(SupportKeys.CannedPartition, SupportKeys.Canned(id), cancellationToken);
            if (row is null)
            {
                return;
            }
            row["UsageCount"] = (row.GetInt32("UsageCount") ?? 0) + 1;
            await Table.ReplaceIfMatchAsync(row, cancellationToken);
        }, cancellationToken: cancellationToken);

    /// <summary>Adds the defaults once per store (a marker row records it), so a deleted default stays deleted.</summary>
    public async Task EnsureSeededAsync(CancellationToken cancellationToken = default)
    {
        if (_seeded)
        {
            return;
        }
        if (await Table.FindAsync<TableEntity>(SupportKeys.SeedPartition, SupportKeys.CannedSeedRow, cancellationToken) is null)
        {
            var now = time.GetUtcNow();
            foreach (var (id, title, category, body) in Defaults)
            {
                await Table.UpsertEntityAsync(new TableEntity(SupportKeys.CannedPartition, SupportKeys.Canned(id))
                {
                    ["Title"] = title,
                    ["Category"] = category.ToString(),
                    ["Body"] = body,
                    ["UsageCount"] = 0,
                    ["CreatedAt"] = now,
                    ["UpdatedAt"] = now,
                }, TableUpdateMode.Merge, cancellationToken);
            }
            await Table.UpsertEntityAsync(new TableEntity(SupportKeys.SeedPartition, SupportKeys.CannedSeedRow) { ["At"] = now }, TableUpdateMode.Replace, cancellationToken);
        }
        _seeded = true;
    }

    private static void Check(CannedResponseRequest r, bool partial)
    {
        var check = new Validation();
        if (!partial || r.Title is not null)
        {
            check.Required("title", r.Title, 100);
        }
        if (!partial || r.Body is not null)
        {
            check.Required("body", r.Body, 10_000);
            var unknown = Tag().Matches(r.Body ?? "").Select(m => m.Groups[1].Value).Where(v => !Variables.Contains(v)).Distinct().ToList();
            if (unknown.Count > 0)
            {
                check.Add("body", $"unknown variable {string.Join(", ", unknown.Select(u => "{{" + u + "}}"))}; known: {string.Join(", ", Variables)}.");
            }
            var body = r.Body ?? "";
            if (body.Split("{{").Length - 1 != Tag().Count(body))
            {
                check.Add("body", "has a {{ that is not a variable like {{customer.first_name}}.");
            }
        }
        check.ThrowIfInvalid();
    }

    private static CannedResponse ToRecord(TableEntity row) => new(
        row.RowKey[SupportKeys.CannedPrefix.Length..], row.GetString("Title") ?? "", Enum.Parse<TicketCategory>(row.GetString("Category") ?? nameof(TicketCategory.Other)),
        row.GetString("Body") ?? "", row.GetInt32("UsageCount") ?? 0, row.GetDateTimeOffset("CreatedAt") ?? default, row.GetDateTimeOffset("UpdatedAt") ?? default, row.ETag.ToString());

    [GeneratedRegex(@"\{\{\s*([a-z_]+\.[a-z_]+)\s*\}\}")]
    private static partial Regex Tag();
}
