using System.Globalization;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;
using Splade.Lucene.Codecs;

namespace Splade.Lucene.Search;

/// <summary>
/// Weight of a <see cref="SpladeQuery"/>. It reads impacts itself and never asks the searcher's
/// similarity, so scores are the exact dot product whatever similarity the searcher has; it ignores the
/// query norm but keeps the query boost times the top-level boost.
/// </summary>
internal sealed class SpladeWeight : Weight
{
    private readonly SpladeQuery _query;
    private readonly string _field;
    private readonly string[] _terms;
    private readonly BytesRef[] _bytes;
    private readonly float[] _weights;
    private readonly SpladePruning? _pruning;
    private readonly TopKThreshold? _top;
    private float _boost;

    public SpladeWeight(SpladeQuery query, string[] terms, float[] weights, SpladePruning? pruning)
    {
        _query = query;
        _field = query.Field;
        _terms = terms;
        _weights = weights;
        _bytes = Array.ConvertAll(terms, t => new BytesRef(t));
        _boost = query.Boost;
        _pruning = pruning;
        // One weight per search: the segments of this search (in parallel or not) share the top-k threshold.
        _top = pruning is not null && !query.Options.Exhaustive ? pruning.Top ?? new TopKThreshold(pruning.K) : null;
    }

    public override Query Query => _query;

    /// <summary>The query boost times the top-level boost (after <see cref="Normalize"/>).</summary>
    internal float Boost => _boost;

    public override bool ScoresDocsOutOfOrder => false;

    public override float GetValueForNormalization() => _query.Boost * _query.Boost;

    public override void Normalize(float norm, float topLevelBoost) => _boost = _query.Boost * topLevelBoost;

    public override Scorer? GetScorer(AtomicReaderContext context, IBits? acceptDocs)
    {
        var postings = OpenPostings(context, acceptDocs);
        return postings is null ? null : new SpladeScorer(this, postings, _boost);
    }

    public override BulkScorer? GetBulkScorer(AtomicReaderContext context, bool scoreDocsInOrder, IBits? acceptDocs)
    {
        // Upper bounds need positive contributions: with a zero or negative weight or boost, stay exhaustive.
        bool positive = _top is not null && _boost > 0f && Array.TrueForAll(_weights, w => w > 0f);
        if (positive && _query.Options.InMemoryPostings && _query.Options.Evaluation == SpladeEvaluation.Auto
            && TryInMemory(context, acceptDocs, out var inMemory))
        {
            return inMemory;
        }
        bool prune = positive && SpladeEvaluationChooser.Prune(_query.Options.Evaluation, _pruning!.K, context.AtomicReader.MaxDoc);
        var blockMax = prune ? new List<TermImpactBounds>(_terms.Length) : null;
        var postings = OpenPostings(context, acceptDocs, blockMax);
        if (postings is null)
        {
            return null;
        }
        _pruning?.Stats?.AddSegment(prune);
        return prune
            ? new SpladeMaxScoreBulkScorer(this, postings, blockMax!.ToArray(), context.AtomicReader.MaxDoc, context.DocBase, _boost, _top!, _pruning!.Stats, acceptDocs, _query.Options.ImpactTiers)
            : new SpladeBulkScorer(this, postings, context.AtomicReader.MaxDoc, _boost, _pruning?.Stats);
    }

    public override Explanation Explain(AtomicReaderContext context, int doc)
    {
        var postings = OpenPostings(context, context.AtomicReader.LiveDocs);
        var terms = new List<Explanation>();
        float sum = 0f;
        foreach (var p in postings ?? [])
        {
            if (p.Advance(doc) != doc)
            {
                continue;
            }
            int impact = p.Impact();
            float contribution = p.Contribution();
            sum += contribution;
            var term = new Explanation(contribution, $"{_field}:{p.Term}: query weight x impact");
            term.AddDetail(new Explanation(p.Weight, "query weight"));
            term.AddDetail(new Explanation(impact, p.FromPayload ? "impact (payload)" : "impact (term frequency)"));
            terms.Add(term);
        }
        if (terms.Count == 0)
        {
            return new ComplexExplanation(false, 0f, $"no matching term in {_field}");
        }
        float score = sum * _boost;
        var total = new ComplexExplanation(true, sum, $"sum of {terms.Count} of {_terms.Length} query terms (in query term order):");
        foreach (var t in terms)
        {
            total.AddDetail(t);
        }
        if (_boost == 1f)
        {
            return total;
        }
        var product = new ComplexExplanation(true, score, "product of:");
        product.AddDetail(total);
        product.AddDetail(new Explanation(_boost, "boost"));
        return product;
    }

    // The segment evaluated term at a time from in-memory postings (InMemoryBulkScorer), read into memory on a term's
    // first use up to the segment's cap. False (the caller evaluates the segment from the index) when less than half
    // of the query's postings in the segment are in memory; true with a null scorer when no query term is in it.
    private bool TryInMemory(AtomicReaderContext context, IBits? acceptDocs, out BulkScorer? scorer)
    {
        scorer = null;
        var reader = context.AtomicReader;
        var info = reader.FieldInfos.FieldInfo(_field);
        if (info is null || !info.IsIndexed || reader.GetTerms(_field) is not { } terms)
        {
            return true;
        }
        bool payloads = info.HasPayloads;
        var cache = SegmentInMemoryPostings.For(reader);
        long? cap = _query.Options.MaxInMemoryPostingsBytesPerSegment;
        TermsEnum? termsEnum = null;
        var memory = new InMemoryTermPostings?[_terms.Length];
        var postings = new ImpactPostings?[_terms.Length];
        long inMemory = 0, fromIndex = 0;
        for (int i = 0; i < _terms.Length; i++)
        {
            var entry = cache.Peek(_field, _terms[i]);
            if (entry is null)
            {
                termsEnum ??= terms.GetEnumerator();
                if (!termsEnum.SeekExact(_bytes[i]))
                {
                    cache.SetAbsent(_field, _terms[i]);
                    continue;
                }
                entry = cache.Load(_field, _terms[i], termsEnum, payloads, cap);
            }
            if (ReferenceEquals(entry, InMemoryTermPostings.Absent))
            {
                continue;
            }
            if (entry.Count > 0)
            {
                memory[i] = entry;
                inMemory += entry.Count;
                continue;
            }
            termsEnum ??= terms.GetEnumerator();
            if (!termsEnum.SeekExact(_bytes[i]))
            {
                continue;
            }
            DocsEnum? docs = payloads
                ? termsEnum.DocsAndPositions(acceptDocs, null, DocsAndPositionsFlags.PAYLOADS)
                : termsEnum.Docs(acceptDocs, null, DocsFlags.FREQS);
            if (docs is not null)
            {
                fromIndex += termsEnum.DocFreq;
                postings[i] = new ImpactPostings(docs, _terms[i], _weights[i]);
            }
        }
        if (fromIndex > inMemory)
        {
            return false;
        }
        if (inMemory + fromIndex == 0)
        {
            return true;
        }
        _pruning!.Stats?.AddInMemorySegment();
        scorer = new InMemoryBulkScorer(this, memory, postings, _weights, reader.MaxDoc, context.DocBase, _boost, _top!, acceptDocs, _pruning.Stats);
        return true;
    }

    internal ImpactPostings[]? OpenPostings(AtomicReaderContext context, IBits? acceptDocs, List<TermImpactBounds>? blockMax = null)
    {
        var reader = context.AtomicReader;
        var info = reader.FieldInfos.FieldInfo(_field);
        if (info is null || !info.IsIndexed)
        {
            return null;
        }
        var terms = reader.GetTerms(_field);
        if (terms is null)
        {
            return null;
        }
        bool payloads = info.HasPayloads;
        var termsEnum = terms.GetEnumerator();
        var bounds = blockMax is null ? null : SegmentImpactBounds.For(reader);
        var persisted = (terms as PersistedBoundsTerms)?.Bounds;
        List<ImpactPostings>? list = null;
        for (int i = 0; i < _terms.Length; i++)
        {
            if (!termsEnum.SeekExact(_bytes[i]))
            {
                continue;
            }
            DocsEnum? docs = payloads
                ? termsEnum.DocsAndPositions(acceptDocs, null, DocsAndPositionsFlags.PAYLOADS)
                : termsEnum.Docs(acceptDocs, null, DocsFlags.FREQS);
            if (docs is not null)
            {
                (list ??= new List<ImpactPostings>(_terms.Length - i)).Add(new ImpactPostings(docs, _terms[i], _weights[i]));
                blockMax?.Add(bounds!.Get(_field, _terms[i], termsEnum, payloads, _query.Options.ImpactTiers, persisted, _query.Options.MaxTierBytesPerSegment));
            }
        }
        return list?.ToArray();
    }

    public override string ToString() => $"weight({_query.ToString()}, boost={_boost.ToString(CultureInfo.InvariantCulture)})";
}
