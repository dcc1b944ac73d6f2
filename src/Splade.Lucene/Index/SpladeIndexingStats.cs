namespace Splade.Lucene.Index;

/// <summary>
/// Counters of what indexing did with SPLADE vectors, shared by every document that an analyzer or
/// field indexes. Thread safe: several indexing threads may update one instance.
/// </summary>
public sealed class SpladeIndexingStats
{
    private long _documents;
    private long _terms;
    private long _impactSum;
    private long _roundedToZero;
    private long _invalidWeights;
    private long _unknownTerms;
    private long _droppedByMaxTerms;

    /// <summary>Vectors quantized (one per document and field).</summary>
    public long Documents => Interlocked.Read(ref _documents);

    /// <summary>Terms indexed (distinct terms per document, summed).</summary>
    public long Terms => Interlocked.Read(ref _terms);

    /// <summary>Sum of the indexed impacts: the number of tokens emitted in term-frequency mode.</summary>
    public long ImpactSum => Interlocked.Read(ref _impactSum);

    /// <summary>Positive weights dropped because <c>round(weight x scale)</c> is 0.</summary>
    public long RoundedToZero => Interlocked.Read(ref _roundedToZero);

    /// <summary>Entries skipped because their weight was zero, negative, NaN, infinite or too large to quantize.</summary>
    public long InvalidWeights => Interlocked.Read(ref _invalidWeights);

    /// <summary>Entries skipped because their token or id is not in the vocabulary.</summary>
    public long UnknownTerms => Interlocked.Read(ref _unknownTerms);

    /// <summary>Entries dropped because the vector had more than <see cref="SpladeFieldOptions.MaxTerms"/> terms.</summary>
    public long DroppedByMaxTerms => Interlocked.Read(ref _droppedByMaxTerms);

    internal void AddDocument(int terms, long impactSum)
    {
        Interlocked.Increment(ref _documents);
        Interlocked.Add(ref _terms, terms);
        Interlocked.Add(ref _impactSum, impactSum);
    }

    internal void AddRoundedToZero(int n) => Interlocked.Add(ref _roundedToZero, n);

    internal void AddInvalidWeight() => Interlocked.Increment(ref _invalidWeights);

    internal void AddUnknownTerm() => Interlocked.Increment(ref _unknownTerms);

    internal void AddDroppedByMaxTerms(int n) => Interlocked.Add(ref _droppedByMaxTerms, n);

    /// <inheritdoc/>
    public override string ToString() =>
        $"documents={Documents} terms={Terms} impactSum={ImpactSum} roundedToZero={RoundedToZero} invalidWeights={InvalidWeights} unknownTerms={UnknownTerms} droppedByMaxTerms={DroppedByMaxTerms}";
}
