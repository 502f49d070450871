using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Messaging.Templates;

/// <summary>
/// A template row in the <c>templates</c> table: the current version under PartitionKey
/// <c>template</c> (RowKey the id), and every version under <c>v|{id}</c> (RowKey
/// <c>v|{id}|{version:D6}</c>, so versions list in order; see <see cref="TemplateKeys"/>). The bodies can be longer than one property holds, so
/// the row is mapped by hand onto a <see cref="TableEntity"/> (<see cref="LongText"/>).
/// </summary>
internal sealed class TemplateEntity
{
    public const string CurrentPartition = TemplateKeys.CurrentPartition;
    public const string SeededPartition = TemplateKeys.SeededPartition;

    public string Id { get; set; } = "";
    public string Name { get; set; } = "";
    public TemplateCategory Category { get; set; }
    public string Subject { get; set; } = "";
    public string Html { get; set; } = "";
    public string Text { get; set; } = "";
    public bool TextDerived { get; set; }
    public bool Active { get; set; } = true;
    public int Version { get; set; } = 1;
    public bool PreBuilt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>Who saved this version's content, and when; a change of the active flag alone leaves them.</summary>
    public string SavedBy { get; set; } = "";
    public DateTimeOffset SavedAt { get; set; }

    public ETag ETag { get; set; }

    public static string VersionPartition(string id) => TemplateKeys.VersionPartition(id);

    public static string VersionKey(string id, int version) => TemplateKeys.Version(id, version);

    public TableEntity ToCurrentRow() => ToRow(CurrentPartition, Id);

    public TableEntity ToVersionRow() => ToRow(VersionPartition(Id), VersionKey(Id, Version));

    private TableEntity ToRow(string partition, string rowKey)
    {
        var row = new TableEntity(partition, rowKey)
        {
            ["TemplateId"] = Id,
            ["Name"] = Name,
            ["Category"] = Category.ToString(),
            ["Subject"] = Subject,
            ["TextDerived"] = TextDerived,
            ["Active"] = Active,
            ["Version"] = Version,
            ["PreBuilt"] = PreBuilt,
            ["CreatedBy"] = CreatedBy,
            ["CreatedAt"] = CreatedAt,
            ["UpdatedAt"] = UpdatedAt,
            ["SavedBy"] = SavedBy,
            ["SavedAt"] = SavedAt,
        };
        LongText.Write(row, "Html", Html);
        LongText.Write(row, "Text", Text);
        row.ETag = ETag;
        return row;
    }

    public static TemplateEntity From(TableEntity row) => new()
    {
        Id = row.GetString("TemplateId") ?? row.RowKey,
        Name = row.GetString("Name") ?? "",
        Category = Enum.Parse<TemplateCategory>(row.GetString("Category") ?? nameof(TemplateCategory.Personal)),
        Subject = row.GetString("Subject") ?? "",
        Html = LongText.Read(row, "Html"),
        Text = LongText.Read(row, "Text"),
        TextDerived = row.GetBoolean("TextDerived") ?? false,
        Active = row.GetBoolean("Active") ?? true,
        Version = row.GetInt32("Version") ?? 1,
        PreBuilt = row.GetBoolean("PreBuilt") ?? false,
        CreatedBy = row.GetString("CreatedBy") ?? "",
        CreatedAt = row.GetDateTimeOffset("CreatedAt") ?? default,
        UpdatedAt = row.GetDateTimeOffset("UpdatedAt") ?? default,
        SavedBy = row.GetString("SavedBy") ?? "",
        SavedAt = row.GetDateTimeOffset("SavedAt") ?? default,
        ETag = row.ETag,
    };

    public EmailTemplate ToRecord() =>
        new(Id, Name, Category, Subject, Html, Text, TextDerived, Active, Version, PreBuilt, CreatedBy, CreatedAt, UpdatedAt, ETag.ToString());

    public TemplateVersion ToVersion() => new(Id, Version, Name, Category, Subject, Html, Text, TextDerived, SavedBy, SavedAt);
}
