using System.Globalization;

namespace Splade.Lucene.Search;

/// <summary>
/// A query term that a document has in its SPLADE field, as data: the token, its weight in the query,
/// its (quantized) weight in the document, and their product, the term's share of the score in model units.
/// </summary>
public sealed class SpladeMatchedTerm : IEquatable<SpladeMatchedTerm>
{
    /// <summary>Creates a matched term.</summary>
    /// <param name="token">The vocabulary token.</param>
    /// <param name="queryWeight">The query's weight of the token.</param>
    /// <param name="impact">The integer impact stored in the document.</param>
    /// <param name="scale">The field's quantization scale: the document weight is <c>impact / scale</c>.</param>
    /// <exception cref="ArgumentException">An empty token or a scale that is not a finite positive number.</exception>
    public SpladeMatchedTerm(string token, float queryWeight, int impact, float scale)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        if (!float.IsFinite(scale) || scale <= 0)
        {
            throw new ArgumentException($"The scale must be a finite positive number, not {scale}.", nameof(scale));
        }
        Token = token;
        QueryWeight = queryWeight;
        Impact = impact;
        DocumentWeight = (float)(impact / (double)scale);
        Contribution = (float)(queryWeight * (double)impact / scale);
    }

    /// <summary>The vocabulary token.</summary>
    public string Token { get; }

    /// <summary>The query's weight of the token (as the query scores it).</summary>
    public float QueryWeight { get; }

    /// <summary>The document's weight of the token as indexed: <see cref="Impact"/> / scale, within 0.5 / scale of the model's weight.</summary>
    public float DocumentWeight { get; }

    /// <summary>The integer impact stored in the index (<c>round(weight x scale)</c>).</summary>
    public int Impact { get; }

    /// <summary><see cref="QueryWeight"/> x <see cref="DocumentWeight"/>: this term's part of the model-unit score.</summary>
    public float Contribution { get; }

    /// <inheritdoc/>
    public bool Equals(SpladeMatchedTerm? other) =>
        other is not null && Token == other.Token && QueryWeight.Equals(other.QueryWeight) && Impact == other.Impact && DocumentWeight.Equals(other.DocumentWeight);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => Equals(obj as SpladeMatchedTerm);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Token, QueryWeight, Impact, DocumentWeight);

    /// <summary><c>token q x d = c</c>, invariant culture, for display.</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Token} {QueryWeight:0.###}x{DocumentWeight:0.###}={Contribution:0.###}");
}
