namespace PecosCrm.Core.Automation;

/// <summary>The node types of a workflow graph, as the admin panel and the API spell them.</summary>
public static class NodeTypes
{
    public const string Trigger = "trigger";
    public const string Wait = "wait";
    public const string SendEmail = "send_email";
    public const string SendSms = "send_sms";
    public const string Condition = "condition";
    public const string Split = "split";
    public const string Action = "action";
    public const string Goal = "goal";
    public const string End = "end";
}

/// <summary>Where a wait node may take its duration from instead of a fixed one (<c>durationFrom</c>).</summary>
public static class WaitDurations
{
    /// <summary>The replenishment interval of the trigger order's products (the shortest known); the node's duration when none is known.</summary>
    public const string Replenishment = "replenishment";
}
