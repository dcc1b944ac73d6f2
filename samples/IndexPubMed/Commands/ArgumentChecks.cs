using System.Globalization;
using Splade.Lucene.Index;

namespace IndexPubMed.Commands;

/// <summary>
/// Checks of numeric options that the parser cannot express. Each returns null when the value is usable, otherwise
/// a one-line message naming the option and the value; the command then prints it and exits with 2 before touching
/// any index or output.
/// </summary>
internal static class ArgumentChecks
{
    /// <summary>
    /// The largest --scale accepted: 10,000 keeps SPLADE weights up to 6.5 within <see cref="SpladeFieldOptions.MaxImpact"/>
    /// (real SPLADE weights stay below about 3.5; the default scale is 100).
    /// </summary>
    public const float MaxScale = 10_000;

    public static string? Scale(float scale) => float.IsFinite(scale) && scale > 0 && scale <= MaxScale
        ? null
        : $"--scale must be a number greater than 0 and at most {MaxScale.ToString("N0", CultureInfo.InvariantCulture)}, not {scale.ToString(CultureInfo.InvariantCulture)} (impacts are round(weight x scale), at most {SpladeFieldOptions.MaxImpact.ToString("N0", CultureInfo.InvariantCulture)}).";

    public static string? Positive(string option, long value) => value > 0
        ? null
        : $"{option} must be at least 1, not {value.ToString(CultureInfo.InvariantCulture)}.";

    public static string? NotNegative(string option, long value) => value >= 0
        ? null
        : $"{option} must be 0 or more, not {value.ToString(CultureInfo.InvariantCulture)}.";

    public static string? PositiveSeconds(string option, double seconds) => double.IsFinite(seconds) && seconds > 0 && seconds <= TimeSpan.MaxValue.TotalSeconds / 2
        ? null
        : $"{option} must be a number of seconds greater than 0, not {seconds.ToString(CultureInfo.InvariantCulture)}.";
}
