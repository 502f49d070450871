using System.Text.Json;
using Azure;
using Azure.Data.Tables;
using PecosCrm.Core.Storage;

namespace PecosCrm.Core.Loyalty;

/// <summary>
/// The programme's catalogue in the <c>loyalty</c> table: earning rules (the seeded defaults, each
/// replaced by its stored row once edited), rewards, custom achievements beside the ten seeded ones,
/// and challenges. Each row holds its record as JSON. The store-event path reads the catalogue from
/// a snapshot cached for a few seconds (and dropped on every write here), so applying orders costs
/// it no storage call.
/// </summary>
public sealed class CatalogueStore(StorageAccount storage, TimeProvider time)
{
    private static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(10);
    private (LoyaltyCatalogue Catalogue, DateTimeOffset At)? _cached;

    private TableClient Table => storage.Table(StorageNames.Tables.Loyalty);

    public async Task<LoyaltyCatalogue> SnapshotAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (_cached is { } c && now - c.At < CacheFor && now >= c.At)
        {
            return c.Catalogue;
        }
        var rules = RulesAsync(cancellationToken);
        var achievements = AchievementsAsync(cancellationToken);
        var challenges = ChallengesAsync(cancellationToken);
        var catalogue = new LoyaltyCatalogue(await rules, await achievements, await challenges);
        _cached = (catalogue, now);
        return catalogue;
    }

    public async Task<IReadOnlyList<EarningRule>> RulesAsync(CancellationToken cancellationToken = default)
    {
        var stored = (await ReadAsync<EarningRule>(LoyaltyKeys.RulePartition, cancellationToken)).ToDictionary(r => r.Id, StringComparer.Ordinal);
        return EarningRules.Defaults.Select(d => stored.GetValueOrDefault(d.Id) ?? d).ToList();
    }

    public async Task<EarningRule> GetRuleAsync(string id, CancellationToken cancellationToken = default) =>
        (await RulesAsync(cancellationToken)).FirstOrDefault(r => r.Id == id) ?? throw new NotFoundException("Earning rule", id);

    /// <summary>Saves an edited rule; <paramref name="ifMatch"/> (the ETag the caller read) must still hold.</summary>
    public async Task<(EarningRule Before, EarningRule After)> SaveRuleAsync(EarningRule rule, string? ifMatch, CancellationToken cancellationToken = default)
    {
        var before = await GetRuleAsync(rule.Id, cancellationToken);
        if (ifMatch is not null && Strong(ifMatch) != Strong(before.ETag))
        {
            throw new ConcurrencyException();
        }
        var after = rule with { UpdatedAt = time.GetUtcNow(), ETag = null };
        var entity = Row(LoyaltyKeys.RulePartition, LoyaltyKeys.Rule(rule.Id), after);
        var response = before.ETag is null
            ? await AddOrConflictAsync(entity, cancellationToken)
            : await Table.UpdateEntityAsync(entity, new ETag(before.ETag), TableUpdateMode.Replace, cancellationToken);
        _cached = null;
        return (before, after with { ETag = response.Headers.ETag?.ToString() });
    }

    /// <summary>An ETag as compared: clients may send it back without the weak marker.</summary>
    private static string? Strong(string? etag) => etag is not null && etag.StartsWith("W/", StringComparison.Ordinal) ? etag[2..] : etag;

    public async Task<IReadOnlyList<Reward>> RewardsAsync(CancellationToken cancellationToken = default) =>
        (await ReadAsync<Reward>(LoyaltyKeys.RewardPartition, cancellationToken)).OrderBy(r => r.Points).ThenBy(r => r.Id, StringComparer.Ordinal).ToList();

    public async Task<Reward?> FindRewardAsync(string id, CancellationToken cancellationToken = default) =>
        KeyRules.IsValidKey(id) ? await FindAsync<Reward>(LoyaltyKeys.RewardPartition, LoyaltyKeys.Reward(id), cancellationToken) : null;

    public async Task<Reward> GetRewardAsync(string id, CancellationToken cancellationToken = default) =>
        await FindRewardAsync(id, cancellationToken) ?? throw new NotFoundException("Reward", id);

    public async Task<Reward> SaveRewardAsync(Reward reward, string? ifMatch, bool create, CancellationToken cancellationToken = default)
    {
        var entity = Row(LoyaltyKeys.RewardPartition, LoyaltyKeys.Reward(reward.Id), reward with { ETag = null });
        Response response;
        if (create)
        {
            response = await AddOrConflictAsync(entity, cancellationToken);
        }
        else
        {
            try
            {
                response = await Table.UpdateEntityAsync(entity, ifMatch is null ? ETag.All : new ETag(ifMatch.StartsWith("W/", StringComparison.Ordinal) ? ifMatch : "W/" + ifMatch), TableUpdateMode.Replace, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 412)
            {
                throw new ConcurrencyException();
            }
        }
        return reward with { ETag = response.Headers.ETag?.ToString() };
    }

    public async Task<IReadOnlyList<Achievement>> AchievementsAsync(CancellationToken cancellationToken = default) =>
        [.. Achievements.Defaults, .. (await ReadAsync<Achievement>(LoyaltyKeys.AchievementPartition, cancellationToken)).OrderBy(a => a.Id, StringComparer.Ordinal)];

    public async Task<Achievement> AddAchievementAsync(Achievement achievement, CancellationToken cancellationToken = default)
    {
        if (Achievements.Defaults.Any(a => a.Id == achievement.Id))
        {
            throw new ConflictException($"An achievement '{achievement.Id}' exists already.");
        }
        await AddOrConflictAsync(Row(LoyaltyKeys.AchievementPartition, LoyaltyKeys.Achievement(achievement.Id), achievement), cancellationToken);
        _cached = null;
        return achievement;
    }

    public async Task<IReadOnlyList<Challenge>> ChallengesAsync(CancellationToken cancellationToken = default) =>
        (await ReadAsync<Challenge>(LoyaltyKeys.ChallengePartition, cancellationToken)).OrderBy(c => c.StartsAt).ToList();

    public async Task<Challenge> AddChallengeAsync(Challenge challenge, CancellationToken cancellationToken = default)
    {
        await AddOrConflictAsync(Row(LoyaltyKeys.ChallengePartition, LoyaltyKeys.Challenge(challenge.Id), challenge), cancellationToken);
        _cached = null;
        return challenge;
    }

    private async Task<Response> AddOrConflictAsync(TableEntity entity, CancellationToken cancellationToken)
    {
        try
        {
            return await Table.AddEntityAsync(entity, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            throw new ConflictException($"'{entity.RowKey}' exists already.");
        }
    }

    private static TableEntity Row<T>(string partition, string rowKey, T value) =>
        new(partition, rowKey) { ["Json"] = JsonSerializer.Serialize(value, CrmJson.Options) };

    private async Task<T?> FindAsync<T>(string partition, string rowKey, CancellationToken cancellationToken) where T : class
    {
        var row = await Table.FindAsync<TableEntity>(partition, rowKey, cancellationToken);
        return row is null ? null : Read<T>(row);
    }

    private async Task<List<T>> ReadAsync<T>(string partition, CancellationToken cancellationToken)
    {
        var list = new List<T>();
        await foreach (var row in Table.QueryAsync<TableEntity>(LoyaltyKeys.PartitionFilter(partition), cancellationToken: cancellationToken))
        {
            list.Add(Read<T>(row));
        }
        return list;
    }

    private static T Read<T>(TableEntity row)
    {
        var value = JsonSerializer.Deserialize<T>(row.GetString("Json"), CrmJson.Options)!;
        return value switch
        {
            EarningRule r => (T)(object)(r with { ETag = row.ETag.ToString() }),
            Reward r => (T)(object)(r with { ETag = row.ETag.ToString() }),
            _ => value,
        };
    }
}

/// <summary>What the store-event path needs of the catalogue, read at once.</summary>
public sealed record LoyaltyCatalogue(IReadOnlyList<EarningRule> Rules, IReadOnlyList<Achievement> Achievements, IReadOnlyList<Challenge> Challenges)
{
    public EarningRule Rule(string id) => Rules.First(r => r.Id == id);
}
