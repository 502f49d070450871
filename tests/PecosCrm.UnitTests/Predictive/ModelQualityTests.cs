using PecosCrm.Core.Predictive;

namespace PecosCrm.UnitTests.Predictive;

public sealed class ModelQualityTests
{
    [Fact]
    public void Auc_OfAPerfectAndAReversedRanking_IsOneAndZero_AtStoreSize()
    {
        // 60,000 churned and 40,000 active: past where the count of pairs overflows a 32-bit product.
        var scores = Enumerable.Range(0, 100_000).Select(i => (double)i).ToList();
        var churned = scores.Select(s => s >= 40_000).ToList();

        Assert.Equal(1.0, ModelQuality.Auc(scores, churned)!.Value, 12);
        Assert.Equal(0.0, ModelQuality.Auc(scores, churned.Select(c => !c).ToList())!.Value, 12);
    }

    [Fact]
    public void Auc_CountsTiesAsHalf()
    {
        Assert.Equal(0.5, ModelQuality.Auc([1, 1, 1, 1], [true, false, true, false])!.Value, 12);
        Assert.Equal(0.875, ModelQuality.Auc([0, 1, 1, 2], [false, true, false, true])!.Value, 12);
        Assert.Null(ModelQuality.Auc([1, 2], [true, true]));
    }
}
