namespace Splade.Lucene.Formats;

/// <summary>
/// Ordinal string equality hashed with the runtime's randomized string hash, with lookups by
/// <see cref="ReadOnlySpan{T}"/> of chars. The token cache of <see cref="JsonVectorReader"/> uses it instead of
/// <see cref="StringComparer.Ordinal"/>, whose dictionaries hash with a fast non-randomized function: over tens of
/// thousands of short, similar tokens ("t464", "##ing") that function left long collision chains, and the cache
/// lookups took about 40% of parsing (measured on the synthetic 200,000-vector file; docs/PERFORMANCE.md, tfcli).
/// </summary>
internal sealed class OrdinalSpanComparer : IEqualityComparer<string>, IAlternateEqualityComparer<ReadOnlySpan<char>, string>
{
    public static readonly OrdinalSpanComparer Instance = new();

    public bool Equals(string? x, string? y) => string.Equals(x, y, StringComparison.Ordinal);

    public int GetHashCode(string obj) => string.GetHashCode(obj.AsSpan());

    public bool Equals(ReadOnlySpan<char> alternate, string other) => alternate.SequenceEqual(other);

    public int GetHashCode(ReadOnlySpan<char> alternate) => string.GetHashCode(alternate);

    public string Create(ReadOnlySpan<char> alternate) => new(alternate);
}
