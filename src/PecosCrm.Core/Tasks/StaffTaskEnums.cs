namespace PecosCrm.Core.Tasks;

/// <summary>What kind of work a task is: <c>call</c>, <c>email</c>, <c>follow_up</c>, <c>review</c>, <c>meeting</c>, <c>other</c>.</summary>
public enum StaffTaskType
{
    Call,
    Email,
    FollowUp,
    Review,
    Meeting,
    Other,
}

/// <summary><c>low</c>, <c>medium</c> (the default), <c>high</c>.</summary>
public enum StaffTaskPriority
{
    Low,
    Medium,
    High,
}

/// <summary><c>pending</c>, <c>in_progress</c>, <c>completed</c>, <c>cancelled</c>; the last two are closed.</summary>
public enum StaffTaskStatus
{
    Pending,
    InProgress,
    Completed,
    Cancelled,
}

/// <summary>What a task is about: <c>customer</c>, <c>order</c>, <c>lead</c>, <c>deal</c> or <c>ticket</c>.</summary>
public enum TaskRelation
{
    Customer,
    Order,
    Lead,
    Deal,
    Ticket,
}

/// <summary>The "my tasks" screens: due today (store time), overdue (open and due before now), upcoming (after today).</summary>
public enum MyTasksView
{
    Today,
    Overdue,
    Upcoming,
}
