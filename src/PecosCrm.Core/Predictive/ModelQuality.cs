namespace PecosCrm.Core.Predictive;

/// <summary>Measures of a prediction against what happened: AUC, deciles, calibration bins.</summary>
public static class ModelQuality
{
    /// <summary>
    /// The area under the ROC curve of <paramref name="scores"/> for the positive outcomes: the chance
    /// that a random positive scores above a random negative (ties count half), from the ranks
    /// (Mann–Whitney). Null without both outcomes.
    /// </summary>
    public static double? Auc(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        var n = scores.Count;
        var positives = positive.Count(p => p);
        var negatives = n - positives;
        if (positives == 0 || negatives == 0)
        {
            return null;
        }
        var order = Enumerable.Range(0, n).OrderBy(i => scores[i]).ToArray();
        var rankSum = 0.0;
        for (var i = 0; i < n;)
        {
            var j = i;
            while (j + 1 < n && scores[order[j + 1]] == scores[order[i]])
            {
                j++;
            }
            var rank = (i + j) / 2.0 + 1;
            for (var k = i; k <= j; k++)
            {
                if (positive[order[k]])
                {
                    rankSum += rank;
                }
            }
            i = j + 1;
        }
        return (rankSum - positives * (positives + 1.0) / 2) / ((double)positives * negatives);
    }

    /// <summary>Predicted and actual means by decile of the prediction (1 lowest; fewer rows than ten when there are fewer customers).</summary>
    public static List<DecileRow> Deciles(IReadOnlyList<double> predicted, IReadOnlyList<double> actual)
    {
        var order = Order(predicted);
        return Bins(predicted.Count).Select((bin, i) =>
        {
            var members = bin.Select(k => order[k]).ToList();
            return new DecileRow(i + 1, members.Count, members.Average(m => predicted[m]), members.Average(m => actual[m]));
        }).ToList();
    }

    /// <summary>Predicted probability against the observed rate, by decile of the prediction.</summary>
    public static List<CalibrationBin> Calibration(IReadOnlyList<double> probability, IReadOnlyList<bool> outcome)
    {
        var order = Order(probability);
        return Bins(probability.Count).Select((bin, i) =>
        {
            var members = bin.Select(k => order[k]).ToList();
            return new CalibrationBin(i + 1, members.Count, members.Average(m => probability[m]), members.Average(m => outcome[m] ? 1.0 : 0.0));
        }).ToList();
    }

    private static int[] Order(IReadOnlyList<double> values) => Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ThenBy(i => i).ToArray();

    /// <summary>Positions 0..count-1 cut into up to ten runs of (nearly) equal size.</summary>
    private static IEnumerable<int[]> Bins(int count)
    {
        var bins = Math.Min(10, count);
        return Enumerable.Range(0, bins).Select(d => Enumerable.Range(d * count / bins, (d + 1) * count / bins - d * count / bins).ToArray());
    }
}
