using Microsoft.Net.Http.Headers;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;

namespace PecosCrm.Functions.Api;

/// <summary>Small pieces every endpoint file shares: the caller as an audit actor, ETag headers.</summary>
public static class ApiHttp
{
    /// <summary>Who is calling, for the audit log.</summary>
    public static AuditActor Actor(this HttpContext http) =>
        http.Features.Get<ApiKeyPrincipal>() is { } p ? new AuditActor(p.ActorType, p.ActorId, p.ActorName) : AuditActor.System;

    /// <summary>Writes an audit entry for a change made by this request, with its address and user agent.</summary>
    public static Task<AuditEntry> RecordAsync(
        this AuditLog audit, HttpContext http, string action, string entityType, string entityId, object? oldValues, object? newValues) =>
        audit.RecordAsync(http.Actor(), action, entityType, entityId, oldValues, newValues,
            http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString(), http.RequestAborted);

    /// <summary>
    /// Notes that this request read a customer's data, for the audit log: buffered in memory and
    /// written in batches (see <see cref="AuditReads"/>), so the request makes no storage call for it.
    /// </summary>
    public static AuditEntry RecordRead(this AuditReads reads, HttpContext http, string action, string entityType, string entityId, object? details) =>
        reads.Record(http.Actor(), action, entityType, entityId, details, http.Connection.RemoteIpAddress?.ToString(), http.Request.Headers.UserAgent.ToString());

    /// <summary>The request's If-Match value without quotes handling surprises: as sent, or null.</summary>
    public static string? IfMatch(this HttpContext http) =>
        http.Request.Headers.IfMatch.Count > 0 ? http.Request.Headers.IfMatch.ToString() : null;

    public static void SetETag(this HttpContext http, string etag) => http.Response.Headers[HeaderNames.ETag] = etag;
}
