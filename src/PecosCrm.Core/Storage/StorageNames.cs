namespace PecosCrm.Core.Storage;

/// <summary>
/// The one list of every table, queue and container the app uses. Features add their names here so
/// that start-up creates them all and the generated function.json files name the real queues.
/// </summary>
public static class StorageNames
{
    public static class Tables
    {
        public const string Staff = "staff";
        public const string ApiKeys = "apikeys";
        public const string Audit = "audit";
        public const string Jobs = "jobs";

        public static readonly IReadOnlyList<string> All = [Staff, ApiKeys, Audit, Jobs];
    }

    public static class Queues
    {
        public const string Housekeeping = "housekeeping";

        public static readonly IReadOnlyList<string> All = [Housekeeping];

        public static string Poison(string queue) => queue + "-poison";
    }

    public static class Containers
    {
        /// <summary>Leases that keep a timer to one instance, and the record of its last run.</summary>
        public const string Locks = "locks";

        /// <summary>Files made for download (exports); short-lived, removed by housekeeping.</summary>
        public const string Exports = "exports";

        public static readonly IReadOnlyList<string> All = [Locks, Exports];
    }
}
