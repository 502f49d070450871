using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Integrations.Connectors;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

/// <summary>The connector framework: configure, enable, test, sync now, sync state and the log of calls.</summary>
public static class IntegrationsConnectorsEndpoints
{
    public static IEndpointRouteBuilder MapIntegrationsConnectorsEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/integrations/connectors").WithTags("Integrations").RequireAuthorization(Permissions.IntegrationsRead);
        var write = app.MapGroup("/api/integrations/connectors").WithTags("Integrations").RequireAuthorization(Permissions.IntegrationsWrite);
        read.MapGet("/", ListAsync).WithName("ListConnectors")
            .WithSummary("The available connectors with their configuration, whether their credential is set, and their sync state.");
        read.MapGet("/{name}", GetAsync).WithName("GetConnector");
        write.MapPut("/{name}", ConfigureAsync).WithName("ConfigureConnector")
            .WithSummary("Settings, segments to sync, field mapping and conflict rule (members left out stay as they are); send If-Match. Credentials are app settings, never part of this.");
        write.MapPost("/{name}/enable", EnableAsync).WithName("EnableConnector").WithSummary("Turn syncing on: changes from now on, and the segments' members, sync on schedule.");
        write.MapPost("/{name}/disable", DisableAsync).WithName("DisableConnector");
        write.MapPost("/{name}/test", TestAsync).WithName("TestConnector").WithSummary("One authenticated call to the service; the answer says whether it worked and why not.");
        write.MapPost("/{name}/sync", SyncAsync).WithName("SyncConnector").WithSummary("Queue a sync now (202); its progress shows in the state and the log.");
        read.MapGet("/{name}/logs", LogsAsync).WithName("ListConnectorCalls")
            .WithSummary("Every call to the service, newest first: method, path, status, duration, try number, error.");
        return app;
    }

    public static async Task<Ok<ListResponse<ConnectorResponse>>> ListAsync(ConnectorSync sync, ConnectorStore store, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var all = new List<ConnectorResponse>();
        foreach (var connector in sync.All)
        {
            all.Add(ConnectorResponse.From(connector, await store.GetAsync(connector.Name, cancellationToken)));
        }
        return TypedResults.Ok(ListResponse<ConnectorResponse>.Slice(all, limit, cursor));
    }

    public static async Task<Ok<ConnectorResponse>> GetAsync(string name, ConnectorSync sync, ConnectorStore store, HttpContext http, CancellationToken cancellationToken)
    {
        var connector = sync.Get(name);
        var config = await store.GetAsync(name, cancellationToken);
        SetETag(http, config);
        return TypedResults.Ok(ConnectorResponse.From(connector, config));
    }

    public static async Task<Ok<ConnectorResponse>> ConfigureAsync(
        string name, ConnectorConfigRequest request, ConnectorSync sync, ConnectorStore store, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var connector = sync.Get(name);
        await sync.CheckAsync(connector, request, cancellationToken);
        var (before, after) = await store.ConfigureAsync(name, request, http.IfMatch(), http.Actor().Name, cancellationToken);
        return await ChangedAsync(connector, "connector.configured", before, after, audit, http);
    }

    public static Task<Ok<ConnectorResponse>> EnableAsync(string name, ConnectorSync sync, ConnectorStore store, AuditLog audit, HttpContext http, CancellationToken cancellationToken) =>
        SetEnabledAsync(name, true, sync, store, audit, http, cancellationToken);

    public static Task<Ok<ConnectorResponse>> DisableAsync(string name, ConnectorSync sync, ConnectorStore store, AuditLog audit, HttpContext http, CancellationToken cancellationToken) =>
        SetEnabledAsync(name, false, sync, store, audit, http, cancellationToken);

    public static async Task<Ok<ConnectorTestResponse>> TestAsync(string name, ConnectorSync sync, CancellationToken cancellationToken)
    {
        var result = await sync.TestAsync(name, cancellationToken);
        return TypedResults.Ok(new ConnectorTestResponse(name, result.Ok, result.Error, result.Calls));
    }

    public static async Task<Accepted<ConnectorResponse>> SyncAsync(string name, ConnectorSync sync, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var connector = sync.Get(name);
        var config = await sync.EnqueueAsync(name, cancellationToken);
        await audit.RecordAsync(http, "connector.sync_requested", "connector", name, null, null);
        return TypedResults.Accepted($"/api/integrations/connectors/{name}", ConnectorResponse.From(connector, config));
    }

    public static async Task<Ok<ListResponse<ConnectorCall>>> LogsAsync(
        string name, ConnectorSync sync, ConnectorStore store, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var size = Page<ConnectorCall>.CheckLimit(limit);
        sync.Get(name);
        return TypedResults.Ok(ListResponse<ConnectorCall>.From(await store.ListCallsAsync(name, size, cursor, cancellationToken), c => c));
    }

    private static async Task<Ok<ConnectorResponse>> SetEnabledAsync(
        string name, bool enabled, ConnectorSync sync, ConnectorStore store, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var connector = sync.Get(name);
        var (before, after) = await store.SetEnabledAsync(name, enabled, http.IfMatch(), http.Actor().Name, cancellationToken);
        return await ChangedAsync(connector, enabled ? "connector.enabled" : "connector.disabled", before, after, audit, http);
    }

    private static async Task<Ok<ConnectorResponse>> ChangedAsync(IConnector connector, string action, ConnectorConfig before, ConnectorConfig after, AuditLog audit, HttpContext http)
    {
        var response = ConnectorResponse.From(connector, after);
        await audit.RecordAsync(http, action, "connector", connector.Name, ConnectorResponse.From(connector, before) with { State = null }, response with { State = null });
        SetETag(http, after);
        return TypedResults.Ok(response);
    }

    private static void SetETag(HttpContext http, ConnectorConfig config)
    {
        if (config.ETag.Length > 0)
        {
            http.SetETag(config.ETag);
        }
    }
}

/// <summary>
/// A connector: its configuration, the app setting that holds its credential and whether it is set
/// (the credential itself is never shown), and its sync state. Its ETag is in the <c>ETag</c> header.
/// </summary>
public sealed record ConnectorResponse(
    string Name, string Title, bool Enabled, string CredentialSetting, bool CredentialSet, IReadOnlyList<ConnectorSettingInfo> AvailableSettings,
    IReadOnlyDictionary<string, string> Settings, IReadOnlyList<ConnectorSegment> Segments, bool HasFieldMapping, IReadOnlyList<FieldMap>? FieldMapping,
    ConflictRule? ConflictRule, string? UpdatedBy, DateTimeOffset? UpdatedAt, ConnectorState? State)
{
    public static ConnectorResponse From(IConnector connector, ConnectorConfig config) => new(
        connector.Name, connector.Title, config.Enabled, connector.CredentialSetting, connector.CredentialSet, connector.Settings,
        config.Settings, config.Segments, connector.HasFieldMapping,
        connector.HasFieldMapping ? (config.FieldMapping.Count > 0 ? config.FieldMapping : HubSpotConnector.DefaultMapping) : null,
        connector.HasFieldMapping ? config.ConflictRule : null, config.UpdatedBy, config.UpdatedAt, config.State);
}

/// <summary>The outcome of a connection test and the calls it made.</summary>
public sealed record ConnectorTestResponse(string Name, bool Ok, string? Error, IReadOnlyList<ConnectorCall> Calls);
