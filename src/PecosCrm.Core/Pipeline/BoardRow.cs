using System.Text.Json;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Pipeline;

/// <summary>
/// The board row of a pipeline: its <see cref="BoardState"/> as JSON, spread over as many
/// properties as it needs (<see cref="LongText"/>: twenty cards in each of a dozen columns pass
/// what one property holds).
/// </summary>
internal static class BoardRow
{
    private const string StateProperty = "State";

    public static BoardState Read(TableEntity? row) =>
        row is null ? new BoardState() : JsonSerializer.Deserialize<BoardState>(LongText.Read(row, StateProperty), CrmJson.Options) ?? new BoardState();

    public static TableEntity Write(string pipelineId, BoardState state, Azure.ETag etag = default)
    {
        var row = new TableEntity(PipelineKeys.DealPartition(pipelineId), PipelineKeys.Board(pipelineId)) { ETag = etag };
        LongText.Write(row, StateProperty, JsonSerializer.Serialize(state, CrmJson.Options));
        return row;
    }
}
