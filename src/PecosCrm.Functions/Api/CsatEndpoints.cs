using System.Net;
using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Support;

namespace PecosCrm.Functions.Api;

/// <summary>
/// The satisfaction survey customers reach from the resolution email: no API key, the signed link is
/// the proof. <c>GET</c> shows a small form; <c>POST</c> takes the rating as JSON or as that form.
/// </summary>
public static class CsatEndpoints
{
    public static IEndpointRouteBuilder MapCsatEndpoints(this IEndpointRouteBuilder app)
    {
        var survey = app.MapGroup("/api/csat").WithTags("Support").AllowAnonymous();
        survey.MapGet("/{token}", PageAsync).WithName("CsatSurveyPage").WithSummary("The survey page of a resolved ticket.").ProducesProblem(StatusCodes.Status404NotFound);
        survey.MapPost("/{token}", RateAsync).WithName("RateTicket").DisableAntiforgery()
            .WithSummary("{ rating: 1-5, comment? } as JSON, or the page's form. Rating again replaces the rating.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict);
        return app;
    }

    public static async Task<Results<ContentHttpResult, NotFound>> PageAsync(string token, Csat csat, CancellationToken cancellationToken)
    {
        var ticket = await csat.FindAsync(token, cancellationToken);
        if (ticket is null)
        {
            return TypedResults.NotFound();
        }
        var options = string.Join("", Enumerable.Range(1, 5).Select(r => $"<label><input type=\"radio\" name=\"rating\" value=\"{r}\" required> {r}</label> "));
        var html = $"<!doctype html><html><head><meta charset=\"utf-8\"><title>How did we do?</title></head><body>"
            + $"<h1>How did we do on ticket {WebUtility.HtmlEncode(ticket.Id)}?</h1><p>{WebUtility.HtmlEncode(ticket.Subject)}</p>"
            + $"<form method=\"post\"><p>{options}</p><p><textarea name=\"comment\" rows=\"4\" cols=\"50\" maxlength=\"2000\"></textarea></p><button>Send</button></form></body></html>";
        return TypedResults.Content(html, "text/html; charset=utf-8");
    }

    public static async Task<Ok<CsatAnswer>> RateAsync(string token, HttpRequest request, Csat csat, CancellationToken cancellationToken)
    {
        int? rating;
        string? comment;
        if (request.HasFormContentType)
        {
            var form = await request.ReadFormAsync(cancellationToken);
            rating = int.TryParse(form["rating"].ToString(), out var r) ? r : null;
            comment = form["comment"].ToString();
        }
        else
        {
            CsatRequest body;
            try
            {
                body = await request.ReadFromJsonAsync<CsatRequest>(cancellationToken) ?? new CsatRequest(null, null);
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw new ValidationFailedException(ex.Path is { Length: > 1 } path ? path.TrimStart('$', '.') : "body", "is not valid here: " + ex.Message);
            }
            rating = body.Rating;
            comment = body.Comment;
        }
        var ticket = await csat.RateAsync(token, rating, comment, cancellationToken);
        return TypedResults.Ok(new CsatAnswer(ticket.Id, ticket.Csat!.Rating, ticket.Csat.Comment, "Thank you for your feedback."));
    }
}

public sealed record CsatRequest(int? Rating, string? Comment);

public sealed record CsatAnswer(string TicketId, int Rating, string? Comment, string Message);
