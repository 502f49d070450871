using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Storage;
using PecosCrm.Core.Support;

namespace PecosCrm.Functions.Api;

/// <summary>The knowledge base, article suggestions and links on tickets, and the service analytics.</summary>
public static class KnowledgeBaseEndpoints
{
    public static IEndpointRouteBuilder MapKnowledgeBaseEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/kb").WithTags("Knowledge base").RequireAuthorization(Permissions.SupportRead);
        var write = app.MapGroup("/api/kb").WithTags("Knowledge base").RequireAuthorization(Permissions.SupportWrite);
        read.MapGet("/articles", ListAsync).WithName("ListArticles").WithSummary("Filter by state (draft, published, archived) and category.").ProducesValidationProblem();
        read.MapGet("/articles/{id}", GetAsync).WithName("GetArticle").ProducesProblem(StatusCodes.Status404NotFound);
        write.MapPost("/articles", CreateAsync).WithName("CreateArticle").ProducesValidationProblem();
        write.MapPatch("/articles/{id}", UpdateAsync).WithName("UpdateArticle").WithSummary("Change fields or publish (state). If-Match honoured.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        read.MapGet("/search", SearchAsync).WithName("SearchArticles").WithSummary("Full-text search (q) of published articles, best first; includeDrafts=true for staff drafts.")
            .ProducesValidationProblem();

        var tickets = app.MapGroup("/api/tickets/{id}").WithTags("Knowledge base");
        tickets.MapGet("/suggestions", SuggestAsync).RequireAuthorization(Permissions.SupportRead).WithName("SuggestArticles")
            .WithSummary("Published articles for the ticket, from its subject and the customer's messages, best first; linked ones left out.").ProducesProblem(StatusCodes.Status404NotFound);
        tickets.MapPost("/articles", LinkAsync).RequireAuthorization(Permissions.SupportWrite).WithName("LinkArticle")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        tickets.MapDelete("/articles/{articleId}", UnlinkAsync).RequireAuthorization(Permissions.SupportWrite).WithName("UnlinkArticle").ProducesProblem(StatusCodes.Status404NotFound);

        app.MapGet("/api/support/analytics", AnalyticsAsync).WithTags("Support").RequireAuthorization(Permissions.SupportRead).WithName("ServiceAnalytics")
            .WithSummary("Service figures of the tickets created from `from` to `to` (default the last 30 days, at most a year).").ProducesValidationProblem();
        return app;
    }

    public static async Task<Ok<ListResponse<Article>>> ListAsync(KnowledgeBase kb, string? state, string? category, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var page = await kb.ListAsync(QueryEnum.Parse<ArticleState>(state, "state"), category, Page<Article>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(new ListResponse<Article>(page.Items, page.NextCursor));
    }

    public static async Task<Ok<Article>> GetAsync(string id, KnowledgeBase kb, HttpContext http, CancellationToken cancellationToken)
    {
        var article = await kb.GetAsync(id, cancellationToken);
        http.SetETag(article.ETag);
        return TypedResults.Ok(article);
    }

    public static async Task<Created<Article>> CreateAsync(ArticleRequest request, KnowledgeBase kb, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var article = await kb.CreateAsync(request, cancellationToken);
        await audit.RecordAsync(http, "kb.article_created", "article", article.Id, null, article);
        http.SetETag(article.ETag);
        return TypedResults.Created($"/api/kb/articles/{article.Id}", article);
    }

    public static async Task<Ok<Article>> UpdateAsync(string id, ArticleRequest request, KnowledgeBase kb, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await kb.UpdateAsync(id, request, http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "kb.article_updated", "article", id, before, after);
        http.SetETag(after.ETag);
        return TypedResults.Ok(after);
    }

    /// <summary>Best first; a page beyond the first reads the hits before it again (searches are in memory).</summary>
    public static async Task<Ok<ListResponse<ArticleHit>>> SearchAsync(
        KnowledgeBase kb, string? q, string? category, bool? includeDrafts, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var size = Page<ArticleHit>.CheckLimit(limit ?? 10);
        var hits = await kb.SearchAsync(q, category, includeDrafts ?? false, Math.Min(ListResponse<ArticleHit>.Offset(cursor) + size + 1, 1_000), cancellationToken);
        return TypedResults.Ok(ListResponse<ArticleHit>.Slice(hits, size, cursor));
    }

    public static async Task<Ok<ListResponse<ArticleHit>>> SuggestAsync(string id, TicketArticles articles, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var size = Page<ArticleHit>.CheckLimit(limit ?? 5);
        var hits = await articles.SuggestAsync(id, Math.Min(ListResponse<ArticleHit>.Offset(cursor) + size + 1, 1_000), cancellationToken);
        return TypedResults.Ok(ListResponse<ArticleHit>.Slice(hits, size, cursor));
    }

    public static async Task<Ok<Ticket>> LinkAsync(string id, LinkArticleRequest request, TicketArticles articles, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var ticket = await articles.LinkAsync(id, request.ArticleId, http.TicketActor(), cancellationToken);
        await audit.RecordAsync(http, "ticket.article_linked", "ticket", id, null, new { request.ArticleId });
        return TypedResults.Ok(ticket);
    }

    public static async Task<Ok<Ticket>> UnlinkAsync(string id, string articleId, TicketArticles articles, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var ticket = await articles.UnlinkAsync(id, articleId, http.TicketActor(), cancellationToken);
        await audit.RecordAsync(http, "ticket.article_unlinked", "ticket", id, new { articleId }, null);
        return TypedResults.Ok(ticket);
    }

    public static async Task<Ok<ServiceReport>> AnalyticsAsync(ServiceAnalytics analytics, DateTimeOffset? from, DateTimeOffset? to, CancellationToken cancellationToken) =>
        TypedResults.Ok(await analytics.ReportAsync(from, to, cancellationToken));
}

public sealed record LinkArticleRequest(string? ArticleId);
