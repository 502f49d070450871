namespace PecosCrm.Core.Integrations.Connectors;

/// <summary>
/// One outside system PecosCrm syncs with. A connector knows the API's shapes and limits; the
/// framework (<see cref="ConnectorSync"/>) gives it the run: what changed, the calls, the counts.
/// Registered under its stable <see cref="Name"/>.
/// </summary>
public interface IConnector
{
    /// <summary>The name in routes and rows: <c>mailchimp</c>, <c>klaviyo</c>, <c>hubspot</c>.</summary>
    string Name { get; }

    string Title { get; }

    /// <summary>The settings a configuration holds (list id, store id, ...).</summary>
    IReadOnlyList<ConnectorSettingInfo> Settings { get; }

    /// <summary>Whether a field mapping and a conflict rule apply (two-way syncs).</summary>
    bool HasFieldMapping { get; }

    /// <summary>The app setting that holds the credential (shown by name; its value never leaves the app).</summary>
    string CredentialSetting { get; }

    bool CredentialSet { get; }

    /// <summary>Where the API is and how calls are authorised; fails when the credential is not set.</summary>
    ConnectorEndpoint Endpoint();

    /// <summary>One cheap authenticated call that proves the credential and address work.</summary>
    Task TestAsync(ConnectorHttp http, ConnectorConfig config, CancellationToken cancellationToken);

    Task SyncAsync(ConnectorRun run, CancellationToken cancellationToken);
}
