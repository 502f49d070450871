namespace PecosCrm.Core.Privacy;

/// <summary>
/// A feature's answer for what it holds about one customer. Each store that keeps personal data
/// implements it over its own tables and keys, so the GDPR export and erasure never read or build
/// another feature's rows. Register the store as itself and as <see cref="IPersonalData"/>.
/// </summary>
public interface IPersonalData
{
    /// <summary>When the erasure asks this holder; within a stage, in registration order.</summary>
    ErasureStage Stage => ErasureStage.Features;

    /// <summary>Adds the holder's files to the archive (always, empty when it holds nothing).</summary>
    Task ExportAsync(string customerId, PersonalDataArchive archive, CancellationToken cancellationToken);

    /// <summary>Deletes (or pseudonymises) what the holder keeps about the customer; returns the rows deleted or rewritten.</summary>
    Task<int> EraseAsync(ErasureContext context, CancellationToken cancellationToken);
}

/// <summary>
/// The order of an erasure. Features first (they may still need the customer's partition, such as
/// discount codes that are found through it), then the customer's own rows and card (so an erasure
/// that fails part-way can be run again: the card still finds the customer), then the traces left
/// in logs, event batches and export files.
/// </summary>
public enum ErasureStage
{
    Features,
    Customer,
    Traces,
}
