namespace Splade.Lucene.Index;

/// <summary>A document vector after quantization: vocabulary token strings with positive integer impacts, in id order.</summary>
internal sealed class QuantizedTerms
{
    public static readonly QuantizedTerms Empty = new([], []);

    public QuantizedTerms(string[] terms, int[] impacts)
    {
        Terms = terms;
        Impacts = impacts;
    }

    public string[] Terms { get; }

    public int[] Impacts { get; }

    public int Count => Terms.Length;
}
