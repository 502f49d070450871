using Azure;
using Azure.Data.Tables;

namespace PecosCrm.Core.Privacy;

/// <summary>Reading and deleting a holder's own rows for export and erasure; the holder gives the table and filter.</summary>
internal static class PersonalRows
{
    public static async Task<List<TableEntity>> ReadAsync(TableClient table, string filter, CancellationToken cancellationToken, IEnumerable<string>? select = null)
    {
        var rows = new List<TableEntity>();
        await foreach (var row in table.QueryAsync<TableEntity>(filter, select: select, cancellationToken: cancellationToken))
        {
            rows.Add(row);
        }
        return rows;
    }

    /// <summary>Deletes the rows the filter finds, in transactions by partition; returns how many.</summary>
    public static async Task<int> DeleteWhereAsync(TableClient table, string filter, CancellationToken cancellationToken)
    {
        var rows = await ReadAsync(table, filter, cancellationToken, ["PartitionKey", "RowKey"]);
        await DeleteAsync(table, rows, cancellationToken);
        return rows.Count;
    }

    public static Task DeleteAsync(TableClient table, IEnumerable<ITableEntity> rows, CancellationToken cancellationToken) =>
        Storage.TableClientExtensions.SubmitChunkedAsync(table, rows.Select(r => new TableTransactionAction(TableTransactionActionType.Delete, r, ETag.All)), cancellationToken);
}
