namespace PecosCrm.Bench.Scenarios;

/// <summary>One store event as the bench sends it: its JSON, already serialised, and what it should change.</summary>
public sealed record BenchEvent(string CustomerId, string Type, string Json);
