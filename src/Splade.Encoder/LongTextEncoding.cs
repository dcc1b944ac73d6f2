using System.Globalization;

namespace Splade.Encoder;

/// <summary>The text form of a long-text setting, as <see cref="ISparseEncoder.DocumentEncoding"/> gives it.</summary>
internal static class LongTextEncoding
{
    /// <summary><c>truncate</c>, or <c>chunk(stride=N)</c>.</summary>
    public static string Describe(LongTextMode mode, int stride) => mode switch
    {
        LongTextMode.Chunk => string.Create(CultureInfo.InvariantCulture, $"chunk(stride={stride})"),
        _ => "truncate",
    };
}
