using Microsoft.ML;
using Microsoft.ML.Data;

namespace PipelineSdk.MLNet.Evaluation;

/// <summary>One point of a ROC curve: at <paramref name="Threshold"/>, the rates of false and true positives.</summary>
/// <param name="Threshold">Rows scoring at least this are predicted positive.</param>
/// <param name="FalsePositiveRate">Negatives predicted positive, over all negatives.</param>
/// <param name="TruePositiveRate">Positives predicted positive, over all positives (recall).</param>
public readonly record struct RocPoint(double Threshold, double FalsePositiveRate, double TruePositiveRate);

/// <summary>
/// The ROC curve of a binary classifier's scored data. ML.NET 6 computes the curve only internally
/// (<c>EvaluateWithPRCurve</c> is not public), so it is computed here from the label and the probability (or score) column.
/// </summary>
public static class RocCurve
{
    /// <summary>At most this many points: a curve of every distinct score of a large test set would only weigh on the metadata.</summary>
    private const int MaxPoints = 200;

    /// <summary>
    /// The ROC points of <paramref name="scored"/> (what <c>model.Transform(test)</c> returns), one per threshold, from the
    /// highest threshold to the lowest; the curve starts at (0, 0) and ends at (1, 1).
    /// </summary>
    /// <param name="scored">Data with a Boolean label column and a <c>Probability</c> column (calibrated classifiers) or a <c>Score</c> column.</param>
    /// <param name="labelColumnName">The Boolean label column.</param>
    /// <exception cref="ArgumentException">A column is missing or has another type.</exception>
    public static IReadOnlyList<RocPoint> Compute(IDataView scored, string labelColumnName = "Label")
    {
        ArgumentNullException.ThrowIfNull(scored);
        var label = scored.Schema.GetColumnOrNull(labelColumnName) is { Type: BooleanDataViewType } l ? l
            : throw new ArgumentException($"the scored data has no Boolean column '{labelColumnName}'", nameof(labelColumnName));
        var score = (scored.Schema.GetColumnOrNull("Probability") ?? scored.Schema.GetColumnOrNull("Score")) is { Type: NumberDataViewType t } s && t == NumberDataViewType.Single ? s
            : throw new ArgumentException("the scored data has no Single column 'Probability' or 'Score': pass what the model's Transform returned", nameof(scored));

        var rows = new List<(float Score, bool Positive)>();
        using (var cursor = scored.GetRowCursor([label, score]))
        {
            var getLabel = cursor.GetGetter<bool>(label);
            var getScore = cursor.GetGetter<float>(score);
            bool positive = default;
            float value = default;
            while (cursor.MoveNext())
            {
                getLabel(ref positive);
                getScore(ref value);
                if (float.IsFinite(value))
                {
                    rows.Add((value, positive));
                }
            }
        }

        var positives = rows.Count(r => r.Positive);
        var negatives = rows.Count - positives;
        if (positives == 0 || negatives == 0)
        {
            return [];
        }

        rows.Sort((a, b) => b.Score.CompareTo(a.Score));
        var points = new List<RocPoint> { new(double.PositiveInfinity, 0, 0) };
        var (truePositives, falsePositives) = (0, 0);
        for (var i = 0; i < rows.Count; i++)
        {
            (truePositives, falsePositives) = rows[i].Positive ? (truePositives + 1, falsePositives) : (truePositives, falsePositives + 1);
            if (i == rows.Count - 1 || rows[i + 1].Score != rows[i].Score)
            {
                points.Add(new RocPoint(rows[i].Score, (double)falsePositives / negatives, (double)truePositives / positives));
            }
        }

        points[0] = points[0] with { Threshold = Math.Max(1.0, points[1].Threshold) };
        return Thin(points);
    }

    /// <summary>Keeps at most <see cref="MaxPoints"/> points, evenly spread, always with the first and the last.</summary>
    private static IReadOnlyList<RocPoint> Thin(List<RocPoint> points)
    {
        if (points.Count <= MaxPoints)
        {
            return points;
        }

        var step = (points.Count - 1) / (double)(MaxPoints - 1);
        return [.. Enumerable.Range(0, MaxPoints).Select(i => points[(int)Math.Round(i * step)])];
    }
}
