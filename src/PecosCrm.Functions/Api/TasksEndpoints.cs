using Microsoft.AspNetCore.Http.HttpResults;
using PecosCrm.Core.Access;
using PecosCrm.Core.Audit;
using PecosCrm.Core.Staff;
using PecosCrm.Core.Storage;
using PecosCrm.Core.Tasks;

namespace PecosCrm.Functions.Api;

/// <summary>
/// Staff tasks and the "my tasks" screens. Reads need <c>tasks:read</c>, changes <c>tasks:write</c>;
/// agents and marketers see and change only tasks assigned to them or that they created
/// (<see cref="TaskAccess"/>): another's task answers 404, another's list 403.
/// </summary>
public static class TasksEndpoints
{
    public static IEndpointRouteBuilder MapTasksEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/tasks").WithTags("Tasks").RequireAuthorization(Permissions.TasksRead);
        var write = app.MapGroup("/api/tasks").WithTags("Tasks").RequireAuthorization(Permissions.TasksWrite);

        write.MapPost("/", CreateAsync).WithName("CreateTask")
            .WithSummary("Create a task; the assignee defaults to the caller. recurrence is an iCalendar RRULE (FREQ=WEEKLY;BYDAY=MO) and needs dueAt.")
            .ProducesValidationProblem();
        read.MapGet("/", ListAsync).WithName("ListTasks")
            .WithSummary("An assignee's tasks (the caller's unless assigneeId is given), optionally of one status.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        read.MapGet("/my", MyTasksAsync).WithName("MyTasks")
            .WithSummary("A \"my tasks\" screen in the store's time zone: view=today (due today), overdue (open, due before now) or upcoming (the next `days` days, default 7), by due time.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status403Forbidden);
        read.MapGet("/{id}", GetAsync).WithName("GetTask").ProducesProblem(StatusCodes.Status404NotFound);
        write.MapPatch("/{id}", UpdateAsync).WithName("UpdateTask")
            .WithSummary("Change fields or reassign (assigneeId). Complete with POST /complete. If-Match honoured.")
            .ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status412PreconditionFailed);
        write.MapPost("/{id}/complete", CompleteAsync).WithName("CompleteTask")
            .WithSummary("Complete the task; a recurring one creates its next occurrence (nextOccurrenceId). Completing it again changes nothing.")
            .ProducesProblem(StatusCodes.Status404NotFound).ProducesProblem(StatusCodes.Status409Conflict).ProducesProblem(StatusCodes.Status412PreconditionFailed);
        return app;
    }

    public static async Task<Created<TaskResponse>> CreateAsync(
        TaskRequest request, StaffTaskService tasks, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var caller = Caller(http);
        var task = await tasks.CreateAsync(request.ToFields(), http.Actor().Id, caller.StaffId, cancellationToken);
        var response = TaskResponse.From(task, tasks.Now);
        await audit.RecordAsync(http, "task.created", "task", task.Id, null, response);
        http.SetETag(task.ETag);
        return TypedResults.Created($"/api/tasks/{task.Id}", response);
    }

    public static async Task<Results<Ok<ListResponse<TaskResponse>>, ProblemHttpResult>> ListAsync(
        StaffTaskService tasks, string? assigneeId, string? status, int? limit, string? cursor, HttpContext http, CancellationToken cancellationToken)
    {
        var size = Page<StaffTask>.CheckLimit(limit);
        var caller = Caller(http);
        if (Assignee(assigneeId, caller) is not { } assignee)
        {
            throw new ValidationFailedException("assigneeId", "is required for an integration key.");
        }
        if (!caller.CanSeeAssignee(assignee))
        {
            return Forbidden();
        }
        var page = await tasks.ListAsync(assignee, QueryEnum.Parse<StaffTaskStatus>(status, "status"), caller, size, cursor, cancellationToken);
        var now = tasks.Now;
        return TypedResults.Ok(ListResponse<TaskResponse>.From(page, t => TaskResponse.From(t, now)));
    }

    public static async Task<Results<Ok<ListResponse<TaskListItem>>, ProblemHttpResult>> MyTasksAsync(
        StaffTaskService tasks, string? view, int? days, string? assigneeId, int? limit, string? cursor, HttpContext http, CancellationToken cancellationToken)
    {
        var screen = QueryEnum.Parse<MyTasksView>(view, "view") ?? throw new ValidationFailedException("view", "is required: today, overdue or upcoming.");
        var caller = Caller(http);
        if (Assignee(assigneeId, caller) is not { } assignee)
        {
            throw new ValidationFailedException("assigneeId", "is required for an integration key.");
        }
        if (!caller.CanSeeAssignee(assignee))
        {
            return Forbidden();
        }
        var items = await tasks.MyTasksAsync(assignee, screen, days, caller, cancellationToken);
        return TypedResults.Ok(ListResponse<TaskListItem>.Slice(items, limit, cursor));
    }

    public static async Task<Ok<TaskResponse>> GetAsync(string id, StaffTaskService tasks, HttpContext http, CancellationToken cancellationToken)
    {
        var task = await tasks.GetAsync(id, Caller(http), cancellationToken);
        http.SetETag(task.ETag);
        return TypedResults.Ok(TaskResponse.From(task, tasks.Now));
    }

    public static async Task<Ok<TaskResponse>> UpdateAsync(
        string id, TaskRequest request, StaffTaskService tasks, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after) = await tasks.UpdateAsync(id, request.ToFields(), http.IfMatch(), Caller(http), cancellationToken);
        var response = TaskResponse.From(after, tasks.Now);
        await audit.RecordAsync(http, "task.updated", "task", id, TaskResponse.From(before, tasks.Now), response);
        http.SetETag(after.ETag);
        return TypedResults.Ok(response);
    }

    public static async Task<Ok<TaskResponse>> CompleteAsync(string id, StaffTaskService tasks, AuditLog audit, HttpContext http, CancellationToken cancellationToken)
    {
        var (before, after, next) = await tasks.CompleteAsync(id, http.IfMatch(), Caller(http), http.Actor().Id, cancellationToken);
        var response = TaskResponse.From(after, tasks.Now);
        if (before.Status != after.Status)
        {
            await audit.RecordAsync(http, "task.completed", "task", id, new { status = before.Status }, new { status = after.Status, after.CompletedAt, nextOccurrenceId = next?.Id });
        }
        if (next is not null)
        {
            await audit.RecordAsync(http, "task.created", "task", next.Id, null, TaskResponse.From(next, tasks.Now));
        }
        http.SetETag(after.ETag);
        return TypedResults.Ok(response);
    }

    private static TaskAccess Caller(HttpContext http) => TaskAccess.For(http.Features.Get<ApiKeyPrincipal>());

    private static string? Assignee(string? asked, TaskAccess caller) => string.IsNullOrWhiteSpace(asked) ? caller.StaffId : asked;

    private static ProblemHttpResult Forbidden() => TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Forbidden.",
        detail: "Your role sees only your own tasks: leave assigneeId out or give your own id.");
}

public sealed record TaskRequest(
    string? Title, string? Description, StaffTaskType? Type, StaffTaskPriority? Priority, StaffTaskStatus? Status,
    DateTimeOffset? DueAt, DateTimeOffset? ReminderAt, string? AssigneeId, TaskRelation? RelatedType, string? RelatedId, string? Recurrence)
{
    public TaskFields ToFields() => new(Title, Description, Type, Priority, Status, DueAt, ReminderAt, AssigneeId, RelatedType, RelatedId, Recurrence);
}

public sealed record TaskResponse(
    string Id, string Title, string? Description, StaffTaskType Type, StaffTaskPriority Priority, StaffTaskStatus Status,
    DateTimeOffset? DueAt, DateTimeOffset? ReminderAt, bool Overdue, string AssigneeId, string CreatedBy,
    TaskRelation? RelatedType, string? RelatedId, string? Recurrence, string? PreviousOccurrenceId, string? NextOccurrenceId,
    DateTimeOffset? CompletedAt, string? CompletedBy, DateTimeOffset? ReminderSentAt, IReadOnlyList<TaskLogEntry> Log,
    DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static TaskResponse From(StaffTask t, DateTimeOffset now) => new(
        t.Id, t.Title, t.Description, t.Type, t.Priority, t.Status, t.DueAt, t.ReminderAt, t.IsOverdue(now), t.AssigneeId, t.CreatedBy,
        t.RelatedType, t.RelatedId, t.Recurrence, t.PreviousOccurrenceId, t.NextOccurrenceId, t.CompletedAt, t.CompletedBy, t.ReminderSentAt, t.Log,
        t.CreatedAt, t.UpdatedAt);
}
