using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Customers;

/// <summary>
/// Notes live in the customer's partition (<c>note|{id}</c>); adding one also adds a timeline entry.
/// Pinned notes are kept on the customer's card as well, written in the same transaction.
/// </summary>
public sealed class NoteStore(StorageAccount storage, CustomerCards cards, TimeProvider time)
{
    public const int MaxLength = 10_000;

    private TableClient Customers => storage.Table(StorageNames.Tables.Customers);

    public async Task<Note> AddAsync(string customerId, string? body, bool pinned, string author, CancellationToken cancellationToken = default)
    {
        new Validation().Required("body", body, MaxLength).ThrowIfInvalid();
        var now = time.GetUtcNow();
        var entity = new NoteEntity
        {
            PartitionKey = customerId,
            RowKey = CustomerKeys.Note(Ids.New(time)),
            Body = body!.Trim(),
            Pinned = pinned,
            Author = author,
            CreatedAt = now,
            UpdatedAt = now,
        };
        var note = entity.ToRecord();
        var preview = note.Body.Length > 80 ? note.Body[..80] + "…" : note.Body;
        var entry = new TimelineEntry(note.Id, customerId, TimelineType.Note, "Note added: " + preview, now, author, $"/api/customers/{customerId}/notes/{note.Id}", null);
        await cards.ChangeAsync(customerId, card =>
        {
            CustomerCard.PutNote(card.RequireProfile(), note);
            return new CardChange([new(TableTransactionActionType.Add, entity)], [entry]);
        }, cancellationToken);
        return note;
    }

    /// <summary>A customer's notes: pinned first, then newest first.</summary>
    public async Task<IReadOnlyList<Note>> ListAsync(string customerId, bool pinnedOnly = false, CancellationToken cancellationToken = default)
    {
        await cards.GetAsync(customerId, cancellationToken);
        return await ReadAsync(customerId, pinnedOnly, cancellationToken);
    }

    internal async Task<IReadOnlyList<Note>> ReadAsync(string customerId, bool pinnedOnly, CancellationToken cancellationToken)
    {
        var filter = CustomerKeys.PrefixFilter(customerId, CustomerKeys.NotePrefix) + (pinnedOnly ? " and Pinned eq true" : "");
        var notes = new List<Note>();
        await foreach (var row in Customers.QueryAsync<NoteEntity>(filter, cancellationToken: cancellationToken))
        {
            notes.Add(row.ToRecord());
        }
        return notes.OrderByDescending(n => n.Pinned).ThenByDescending(n => n.CreatedAt).ToList();
    }

    public async Task<(Note Before, Note After)> UpdateAsync(string customerId, string noteId, string? body, bool? pinned, CancellationToken cancellationToken = default)
    {
        if (body is not null)
        {
            new Validation().Required("body", body, MaxLength).ThrowIfInvalid();
        }
        var entity = await FindEntityAsync(customerId, noteId, cancellationToken);
        var before = entity.ToRecord();
        entity.Body = body?.Trim() ?? entity.Body;
        entity.Pinned = pinned ?? entity.Pinned;
        entity.UpdatedAt = time.GetUtcNow();
        var after = entity.ToRecord();
        await cards.ChangeAsync(customerId, card =>
        {
            CustomerCard.PutNote(card, after);
            return new CardChange([new(TableTransactionActionType.UpdateReplace, entity, entity.ETag)], []);
        }, cancellationToken);
        return (before, after);
    }

    public async Task<Note> DeleteAsync(string customerId, string noteId, CancellationToken cancellationToken = default)
    {
        var entity = await FindEntityAsync(customerId, noteId, cancellationToken);
        var note = entity.ToRecord();
        await cards.ChangeAsync(customerId, card =>
        {
            CustomerCard.PutNote(card, note, deleted: true);
            return new CardChange([new(TableTransactionActionType.Delete, entity, ETag.All)], []);
        }, cancellationToken);
        return note;
    }

    private async Task<NoteEntity> FindEntityAsync(string customerId, string noteId, CancellationToken cancellationToken)
    {
        var entity = KeyRules.IsValidKey(customerId) && KeyRules.IsValidKey(noteId)
            ? await Customers.FindAsync<NoteEntity>(customerId, CustomerKeys.Note(noteId), cancellationToken)
            : null;
        return entity ?? throw new NotFoundException("Note", noteId);
    }
}

internal sealed class NoteEntity : ITableEntity
{
    public string PartitionKey { get; set; } = "";
    public string RowKey { get; set; } = "";
    public DateTimeOffset? Timestamp { get; set; }
    public ETag ETag { get; set; }

    public string Body { get; set; } = "";
    public bool Pinned { get; set; }
    public string Author { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    public Note ToRecord() => new(RowKey[CustomerKeys.NotePrefix.Length..], PartitionKey, Body, Pinned, Author, CreatedAt, UpdatedAt);
}
