using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Pipeline;
using PecosCrm.Core.Storage;

namespace PecosCrm.Functions.Api;

public static class DealsEndpoints
{
    public static IEndpointRouteBuilder MapDealsEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/deals").WithTags("Deals").RequireAuthorization(Permissions.PipelineRead)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        var write = app.MapGroup("/api/deals").WithTags("Deals").RequireAuthorization(Permissions.PipelineWrite)
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);

        read.MapGet("/board", BoardAsync).WithName("GetDealBoard")
            .WithSummary("The Kanban board of a pipeline (pipelineId, default wholesale): every column with its count, value, weighted value and top cards by value. One read.");
        read.MapGet("/analytics", AnalyticsAsync).WithName("GetPipelineAnalytics")
            .WithSummary("Value by stage and owner, win rate, average deal size and sales cycle, conversion between stages, lost reasons.");
        read.MapGet("/pipelines", PipelinesAsync).WithName("ListPipelines");
        read.MapGet("/pipelines/{id}", PipelineAsync).WithName("GetPipeline");
        read.MapGet("/", ListAsync).WithName("ListDeals")
            .WithSummary("A pipeline's deals (pipelineId, default wholesale); with stage, that column's cards by value, highest first (the rest of a board column); assignedTo filters by owner.");
        read.MapGet("/{id}", GetAsync).WithName("GetDeal");
        read.MapGet("/{id}/activities", ActivitiesAsync).WithName("ListDealActivities").WithSummary("The deal's timeline, newest first; stage changes say who moved it and when.");
        write.MapPost("/", CreateAsync).WithName("CreateDeal");
        write.MapPatch("/{id}", UpdateAsync).WithName("UpdateDeal").WithSummary("Change some fields; the stage changes by a move. If-Match honoured.");
        write.MapPost("/{id}/move", MoveAsync).WithName("MoveDeal")
            .WithSummary("Move the card to another stage, with If-Match (412 when someone changed the deal since). Into the won stage: the customer and wholesale account are linked or made.");
        write.MapPost("/{id}/activities", AddActivityAsync).WithName("AddDealActivity").WithSummary("Log a call, email, meeting or note.");
        write.MapPut("/pipelines/{id}", PutPipelineAsync).WithName("PutPipeline")
            .WithSummary("Create or replace a pipeline and its stages (id, name, probability, outcome open/won/lost) in board order. If-Match honoured.");
        return app;
    }

    public static async Task<Created<DealResponse>> CreateAsync(DealRequest request, DealStore deals, PipelineSettings settings, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var deal = await deals.CreateAsync(request.PipelineId ?? SalesPipeline.Wholesale, request.ToFields(), request.Stage, http.Actor(), cancellationToken: cancellationToken);
        var response = DealResponse.From(deal, await settings.GetPipelineAsync(deal.PipelineId, cancellationToken));
        await audit.RecordAsync(http, "deal.created", "deal", deal.Id, null, response);
        http.SetETag(deal.ETag);
        return TypedResults.Created($"/api/deals/{deal.Id}", response);
    }

    public static async Task<Ok<ListResponse<DealResponse>>> ListAsync(
        DealStore deals, PipelineSettings settings, string? pipelineId, string? stage, string? assignedTo, int? limit, string? cursor, CancellationToken cancellationToken)
    {
        var pipeline = await settings.GetPipelineAsync(pipelineId ?? SalesPipeline.Wholesale, cancellationToken);
        var page = await deals.ListAsync(pipeline.Id, stage, assignedTo, Page<Deal>.CheckLimit(limit), cursor, cancellationToken);
        return TypedResults.Ok(ListResponse<DealResponse>.From(page, d => DealResponse.From(d, pipeline)));
    }

    public static async Task<Ok<DealResponse>> GetAsync(string id, DealStore deals, PipelineSettings settings, HttpContext http, CancellationToken cancellationToken)
    {
        var deal = await deals.GetAsync(id, cancellationToken);
        http.SetETag(deal.ETag);
        return TypedResults.Ok(DealResponse.From(deal, await settings.GetPipelineAsync(deal.PipelineId, cancellationToken)));
    }

    public static async Task<Ok<DealResponse>> UpdateAsync(
        string id, DealRequest request, DealStore deals, PipelineSettings settings, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var check = new Validation();
        if (request.PipelineId is not null)
        {
            check.Add("pipelineId", "cannot be changed.");
        }
        if (request.Stage is not null)
        {
            check.Add("stage", $"changes by a move: POST /api/deals/{id}/move.");
        }
        check.ThrowIfInvalid();
        var (before, after) = await deals.UpdateAsync(id, request.ToFields(), http.IfMatch(), cancellationToken);
        var pipeline = await settings.GetPipelineAsync(after.PipelineId, cancellationToken);
        await audit.RecordAsync(http, "deal.updated", "deal", id, DealResponse.From(before, pipeline), DealResponse.From(after, pipeline));
        http.SetETag(after.ETag);
        return TypedResults.Ok(DealResponse.From(after, pipeline));
    }

    public static async Task<Ok<DealResponse>> MoveAsync(
        string id, MoveDealRequest request, LeadConversion conversion, PipelineSettings settings, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await conversion.MoveAsync(id, request.Stage, request.LostReason, http.IfMatch(), http.Actor(), cancellationToken);
        var pipeline = await settings.GetPipelineAsync(after.PipelineId, cancellationToken);
        if (before.ETag != after.ETag)
        {
            await audit.RecordAsync(http, "deal.moved", "deal", id, DealResponse.From(before, pipeline), DealResponse.From(after, pipeline));
        }
        http.SetETag(after.ETag);
        return TypedResults.Ok(DealResponse.From(after, pipeline));
    }

    public static async Task<Ok<ListResponse<PipelineActivity>>> ActivitiesAsync(string id, DealStore deals, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<PipelineActivity>.From(await deals.ActivitiesAsync(id, Page<PipelineActivity>.CheckLimit(limit), cursor, cancellationToken), a => a));

    public static async Task<Created<PipelineActivity>> AddActivityAsync(
        string id, ActivityRequest request, DealStore deals, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var activity = await deals.AddActivityAsync(id, request.ToActivity(), http.Actor(), cancellationToken);
        await audit.RecordAsync(http, "deal.activity_added", "deal", id, null, activity);
        return TypedResults.Created($"/api/deals/{id}/activities", activity);
    }

    public static async Task<Ok<BoardResponse>> BoardAsync(DealStore deals, string? pipelineId, CancellationToken cancellationToken)
    {
        var (pipeline, state) = await deals.BoardAsync(pipelineId ?? SalesPipeline.Wholesale, cancellationToken);
        return TypedResults.Ok(BoardResponse.From(pipeline, state));
    }

    public static async Task<Ok<AnalyticsResponse>> AnalyticsAsync(DealStore deals, string? pipelineId, CancellationToken cancellationToken)
    {
        var (pipeline, state) = await deals.BoardAsync(pipelineId ?? SalesPipeline.Wholesale, cancellationToken);
        return TypedResults.Ok(AnalyticsResponse.From(PipelineAnalytics.From(pipeline, state)));
    }

    public static async Task<Ok<ListResponse<SalesPipeline>>> PipelinesAsync(PipelineSettings settings, int? limit, string? cursor, CancellationToken cancellationToken) =>
        TypedResults.Ok(ListResponse<SalesPipeline>.Slice(await settings.PipelinesAsync(cancellationToken), limit, cursor));

    public static async Task<Ok<SalesPipeline>> PipelineAsync(string id, PipelineSettings settings, HttpContext http, CancellationToken cancellationToken)
    {
        var pipeline = await settings.GetPipelineAsync(id, cancellationToken);
        if (pipeline.ETag.Length > 0)
        {
            http.SetETag(pipeline.ETag);
        }
        return TypedResults.Ok(pipeline);
    }

    public static async Task<Ok<SalesPipeline>> PutPipelineAsync(
        string id, PipelineRequest request, DealStore deals, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await deals.PutPipelineAsync(id, new PipelineFields(request.Name, request.Stages), http.IfMatch(), cancellationToken);
        await audit.RecordAsync(http, "pipeline.updated", "pipeline", id, before, after);
        http.SetETag(after.ETag);
        return TypedResults.Ok(after);
    }
}

public sealed record DealRequest(
    string? PipelineId, string? Name, string? Company, string? ContactName, string? Email, string? Phone, string? Stage,
    decimal? Value, int? Probability, DateOnly? ExpectedCloseDate, string? AssignedTo)
{
    public DealFields ToFields() => new(Name, Company, ContactName, Email, Phone, Value, Probability, ExpectedCloseDate, AssignedTo);
}

public sealed record MoveDealRequest(string? Stage, string? LostReason);

public sealed record PipelineRequest(string? Name, IReadOnlyList<StageFields>? Stages);

public sealed record DealResponse(
    string Id, string PipelineId, string Name, string? Company, string? ContactName, string? Email, string? Phone, string Stage, string? StageName,
    decimal Value, string Currency, int Probability, bool ProbabilityIsOwn, decimal WeightedValue, DateOnly? ExpectedCloseDate,
    string? AssignedTo, string? AssignedToName, string? LeadId, string? CustomerId, string? WholesaleAccountId, string? LostReason,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset StageChangedAt, DateTimeOffset? ClosedAt)
{
    public static DealResponse From(Deal d, SalesPipeline p) => new(
        d.Id, d.PipelineId, d.Name, d.Company, d.ContactName, d.Email, d.Phone, d.StageId, p.FindStage(d.StageId)?.Name,
        Money.ToDecimal(d.ValueCents), Money.DefaultCurrency, d.EffectiveProbability(p), d.Probability is not null, Money.ToDecimal(d.WeightedCents(p)), d.ExpectedCloseDate,
        d.OwnerId, d.OwnerName, d.LeadId, d.CustomerId, d.WholesaleAccountId, d.LostReason, d.CreatedAt, d.UpdatedAt, d.StageChangedAt, d.ClosedAt);
}

/// <summary>The board: columns in stage order; <c>hasMore</c> when a column holds more deals than its cards (page them with GET /api/deals?stage=).</summary>
public sealed record BoardResponse(string PipelineId, string Name, string Currency, decimal OpenValue, decimal WeightedValue, IReadOnlyList<BoardColumnResponse> Columns)
{
    public static BoardResponse From(SalesPipeline p, BoardState state)
    {
        var columns = p.Stages.Select(s =>
        {
            var c = state.Columns.GetValueOrDefault(s.Id) ?? new BoardColumn();
            var cards = c.Cards.Select(card => new BoardCardResponse(
                card.DealId, card.Name, card.Company, Money.ToDecimal(card.ValueCents), card.Probability ?? s.Probability, card.OwnerId, card.OwnerName,
                card.ExpectedCloseDate, card.StageChangedAt)).ToList();
            return new BoardColumnResponse(s.Id, s.Name, s.Outcome, s.Probability, c.Count, Money.ToDecimal(c.ValueCents), Money.ToDecimal(c.WeightedCents), cards, c.Count > cards.Count);
        }).ToList();
        var open = columns.Where(c => c.Outcome == StageOutcome.Open).ToList();
        return new BoardResponse(p.Id, p.Name, Money.DefaultCurrency, open.Sum(c => c.Value), open.Sum(c => c.WeightedValue), columns);
    }
}

public sealed record BoardColumnResponse(
    string Stage, string Name, StageOutcome Outcome, int Probability, long Count, decimal Value, decimal WeightedValue, IReadOnlyList<BoardCardResponse> Cards, bool HasMore);

public sealed record BoardCardResponse(
    string Id, string Name, string? Company, decimal Value, int Probability, string? AssignedTo, string? AssignedToName, DateOnly? ExpectedCloseDate, DateTimeOffset StageChangedAt);

public sealed record AnalyticsResponse(
    string PipelineId, string Currency, IReadOnlyList<AnalyticsStage> ByStage, IReadOnlyList<AnalyticsOwner> ByOwner, decimal OpenValue, decimal WeightedValue,
    long WonCount, long LostCount, decimal WonValue, double? WinRate, decimal? AverageDealSize, double? AverageSalesCycleDays,
    IReadOnlyList<StageConversion> Conversion, IReadOnlyList<LostReasonCount> LostReasons)
{
    public static AnalyticsResponse From(PipelineAnalytics a) => new(
        a.PipelineId, Money.DefaultCurrency,
        a.ByStage.Select(s => new AnalyticsStage(s.StageId, s.Name, s.Outcome, s.Count, Money.ToDecimal(s.ValueCents), Money.ToDecimal(s.WeightedValueCents))).ToList(),
        a.ByOwner.Select(o => new AnalyticsOwner(o.OwnerId, o.OwnerName, o.OpenCount, Money.ToDecimal(o.OpenValueCents), Money.ToDecimal(o.WeightedValueCents),
            o.WonCount, Money.ToDecimal(o.WonValueCents), o.LostCount)).ToList(),
        Money.ToDecimal(a.OpenValueCents), Money.ToDecimal(a.WeightedValueCents), a.WonCount, a.LostCount, Money.ToDecimal(a.WonValueCents), a.WinRate,
        a.AverageDealSizeCents is { } avg ? Money.ToDecimal(avg) : null, a.AverageSalesCycleDays, a.Conversion, a.LostReasons);
}

public sealed record AnalyticsStage(string Stage, string Name, StageOutcome Outcome, long Count, decimal Value, decimal WeightedValue);

public sealed record AnalyticsOwner(string? AssignedTo, string? AssignedToName, long OpenCount, decimal OpenValue, decimal WeightedValue, long WonCount, decimal WonValue, long LostCount);
