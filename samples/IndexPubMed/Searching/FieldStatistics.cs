namespace IndexPubMed.Searching;

/// <summary>Postings statistics of one field over the whole index (deleted documents included, as Lucene keeps them).</summary>
/// <param name="Field">The field.</param>
/// <param name="DocCount">Documents with at least one term in the field.</param>
/// <param name="DistinctTerms">Distinct terms.</param>
/// <param name="SumDocFreq">Sum over terms of their document frequency: (document, term) pairs.</param>
/// <param name="SumTotalTermFreq">Sum of all term frequencies (tokens; for a SPLADE field stored as term frequency, the total impact); -1 when not recorded.</param>
internal sealed record FieldStatistics(string Field, int DocCount, long DistinctTerms, long SumDocFreq, long SumTotalTermFreq)
{
    /// <summary>Distinct terms per document (for SPLADE: active terms per document).</summary>
    public double TermsPerDocument => DocCount == 0 ? 0 : (double)SumDocFreq / DocCount;

    /// <summary>Tokens per document (the mean BM25 length).</summary>
    public double TokensPerDocument => DocCount == 0 || SumTotalTermFreq < 0 ? 0 : (double)SumTotalTermFreq / DocCount;
}
