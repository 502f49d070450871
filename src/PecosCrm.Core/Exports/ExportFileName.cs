using System.Globalization;
using System.Text;

namespace PecosCrm.Core.Exports;

/// <summary>
/// The blob name of a finished export: <c>{job id}/{what}-{created yyyyMMdd-HHmmss}.{extension}</c>,
/// where a segment export says <c>segment-{slug of the segment's name}</c>. The job id folder keeps
/// names unique; the file part is what a download saves as.
/// </summary>
public static class ExportFileName
{
    private const int MaxSlugLength = 60;

    public static string For(ExportJob job)
    {
        var what = job.Kind == ExportKind.Segment
            ? "segment-" + Slug(job.SegmentName ?? job.SegmentId ?? "")
            : job.Kind.ToString().ToLowerInvariant();
        return $"{job.Id}/{what}-{job.CreatedAt.UtcDateTime.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.{ExportWriter.Extension(job.Format)}";
    }

    /// <summary>
    /// Lower-case letters and digits with single hyphens between words; accents are dropped
    /// ("Rodeo Fans — Büyük" becomes <c>rodeo-fans-buyuk</c>). A name with nothing left says <c>segment</c>.
    /// </summary>
    public static string Slug(string name)
    {
        var builder = new StringBuilder(Math.Min(name.Length, MaxSlugLength));
        var hyphen = false;
        foreach (var c in name.Normalize(NormalizationForm.FormD))
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark)
            {
                continue;
            }
            if (char.IsAsciiLetterOrDigit(c))
            {
                if (hyphen && builder.Length > 0)
                {
                    builder.Append('-');
                }
                builder.Append(char.ToLowerInvariant(c));
                hyphen = false;
            }
            else
            {
                hyphen = true;
            }
            if (builder.Length >= MaxSlugLength)
            {
                break;
            }
        }
        var slug = builder.ToString().TrimEnd('-');
        return slug.Length == 0 ? "segment" : slug;
    }
}
