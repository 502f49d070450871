using System.Text.Json;

namespace PecosCrm.Core.Events;

/// <summary>Something that happened in the store, as the storefront sends it.</summary>
public sealed record StoreEvent(string Id, string Type, DateTimeOffset OccurredAt, string CustomerId, JsonElement Data);

/// <summary>An event as it arrives, before validation: any field may be missing.</summary>
public sealed record StoreEventInput(string? Id, string? Type, DateTimeOffset? OccurredAt, string? CustomerId, JsonElement? Data);

/// <summary>What <c>POST /api/events</c> answers once a batch is stored.</summary>
public sealed record AcceptedBatch(string BatchId, int Accepted);
