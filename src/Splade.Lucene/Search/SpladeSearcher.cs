using System.Collections.Concurrent;
using System.Diagnostics;
using System.Reflection;
using System.Runtime;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Splade.Lucene.Search;

/// <summary>
/// Top-k search of a <see cref="SpladeQuery"/> with exact dynamic pruning (windowed MaxScore): the same
/// documents, in the same order, with the same (bit-identical) scores as exhaustive evaluation, reading far
/// fewer postings.
/// <para>
/// Pruning needs to know k, which Lucene's <see cref="IndexSearcher.Search(Query, int)"/> does not pass to
/// a query, so it happens only through this method; <c>searcher.Search(query, n)</c> and a SpladeQuery inside
/// a <see cref="BooleanQuery"/> (hybrid search) stay exhaustive. Works with searchers that search segments in
/// parallel (<c>new IndexSearcher(reader, TaskScheduler.Default)</c>): the segments share one top-k threshold.
/// </para>
/// </summary>
public static class SpladeSearcher
{
    /// <summary>
    /// The top <paramref name="k"/> documents, best first, ties by smaller document id, exactly as
    /// <c>searcher.Search(query, k)</c> returns them; or, when the query's <see cref="SpladeQueryOptions.TieBreakField"/>
    /// is set, ties by that field's external id (then document id), whatever the segment layout. Pruned unless the query's
    /// <see cref="SpladeQueryOptions.Exhaustive"/> is set, or a query weight or the boost is not positive
    /// (upper bounds need positive weights). When pruned, <see cref="TopDocs.TotalHits"/> counts only the
    /// documents that were competitive when scored (a lower bound of the matching documents), and
    /// <see cref="TopDocs.MaxScore"/> is the best score, as usual.
    /// <para>
    /// What each segment reads: by default (<see cref="SpladeQueryOptions.InMemoryPostings"/>) the query terms'
    /// postings copied into memory on their first use, term at a time, offering to the top k only the documents that
    /// reach its k-th best score; a segment with less than half of the query's postings in memory (the memory cap
    /// reached) reads Lucene's postings, with windowed MaxScore when the segment has at least 1,000 documents per k,
    /// term at a time otherwise. <see cref="SpladeQueryOptions.Exhaustive"/> reads Lucene's postings term at a time
    /// and collects every match.
    /// </para>
    /// </summary>
    /// <param name="searcher">The searcher; its similarity does not matter (see <see cref="SpladeQuery"/>).</param>
    /// <param name="query">The query (a text query is encoded first).</param>
    /// <param name="k">How many documents to return; at least 1.</param>
    /// <param name="stats">Receives the work counters of this search when given.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    public static TopDocs Search(IndexSearcher searcher, SpladeQuery query, int k, SpladeSearchStats? stats = null)
    {
        ArgumentNullException.ThrowIfNull(searcher);
        ArgumentNullException.ThrowIfNull(query);
        if (k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be at least 1, not {k}.");
        }
        stats?.AddSearch();
        var resolved = (SpladeQuery)query.Rewrite(searcher.IndexReader);
        if (resolved.Options.TieBreakField is not { } idField)
        {
            return searcher.Search(resolved.WithPruning(new SpladePruning(k, stats)), k);
        }
        // Ties by external id: the shared top k is the result; pruned scorers offer to it themselves, and the
        // collector offers what an exhaustive scorer collects.
        var top = new TopKThreshold(k, new ExternalIds(searcher.IndexReader, idField));
        var collector = new TopKCollector(top);
        searcher.Search(resolved.WithPruning(new SpladePruning(k, stats, top)), collector);
        var hits = top.Sorted();
        return new TopDocs(collector.Collected, hits, hits.Length == 0 ? float.NaN : hits[0].Score);
    }

    /// <summary>Segment terms scanned per segment by <see cref="Warm(IndexSearcher, string, SpladeQueryOptions?)"/> to find frequent ones.</summary>
    internal const int WarmScanTerms = 1024;

    /// <summary>Terms in each of the warm-up queries.</summary>
    internal const int WarmTerms = 8;

    /// <summary>
    /// Rounds of warm-up searches (k = 10 and k = 1000 each) at the least: .NET's tiered compilation first runs a method
    /// as quickly compiled (tier-0) code and recompiles it optimised only after about 30 calls, once no new method has
    /// been compiled for 100 ms (the runtime's call-counting delay); so a handful of searches leaves the per-query
    /// code of the search path unoptimised, and the first few dozen queries at k = 1000 ran 2-3x slower than the
    /// following ones (docs/PERFORMANCE.md, "Warm-up until compiled").
    /// </summary>
    internal const int MinWarmRounds = 40;

    /// <summary>
    /// How long no method may have been compiled before the warm-up searches stop: more than the runtime's 100 ms
    /// call-counting delay, so that the optimised recompilations it leads to have started and been seen.
    /// </summary>
    internal static readonly TimeSpan WarmQuietTime = TimeSpan.FromMilliseconds(200);

    /// <summary>The longest the warm-up searches may take, whatever the compiler does (a loaded machine, say).</summary>
    internal static readonly TimeSpan MaxWarmSearchTime = TimeSpan.FromSeconds(2);

    /// <summary>
    /// The search paths (search function, and the options that choose the scorer) this process has already warmed until
    /// compiled; a later warm-up of the same path runs one round of searches.
    /// </summary>
    private static readonly ConcurrentDictionary<(MethodInfo Search, bool Exhaustive, bool InMemory, SpladeEvaluation Evaluation, bool TieBreak), bool> s_optimisedPaths = new();

    /// <summary>
    /// Prepares <paramref name="searcher"/> for SPLADE queries on <paramref name="field"/>, as Lucene's
    /// <c>SearcherFactory</c> / <c>IndexReaderWarmer</c> warm a searcher before it serves queries: so that the
    /// first query after opening an index runs about as fast as the following ones. It opens each segment's term
    /// dictionary for the field (and the impact bounds persisted with it, <see cref="Codecs.SpladeCodec"/>); unless
    /// <paramref name="options"/> turn <see cref="SpladeQueryOptions.InMemoryPostings"/> off or set
    /// <see cref="SpladeQueryOptions.Exhaustive"/>, copies the postings of
    /// every term of the field into memory, terms with most postings first, up to
    /// <see cref="SpladeQueryOptions.MaxInMemoryPostingsBytesPerSegment"/> per segment (about 3 bytes per posting: the
    /// bulk of its time and memory, about one pass over the field's postings); then it runs <see cref="Search"/> on a
    /// query of the field's most frequent terms (the <see cref="WarmTerms"/> with most postings among the first
    /// <see cref="WarmScanTerms"/> of each segment, weight 1): once in each way a search evaluates a segment (from
    /// in-memory postings, with the pruning scorer, term at a time), then at k = 10 and k = 1000 with
    /// <paramref name="options"/>, repeatedly, until the runtime has compiled no method for a while (at least
    /// <see cref="MinWarmRounds"/> rounds, at most <see cref="MaxWarmSearchTime"/>; once per process and search path:
    /// a later warm-up of a path already warmed, a searcher reopened after new writes say, runs one round). That
    /// compiles the search path's code and lets .NET's tiered compilation replace it by optimised code, which is most
    /// of a fresh process's first-queries cost (docs/PERFORMANCE.md, "No cold start" and "Warm-up until compiled").
    /// <para>
    /// The results are discarded: searches return exactly the same results with or without it. The bounds of the
    /// few warm-up terms stay cached with their segments, as after any query that used them. Idempotent (a second
    /// call copies nothing new and runs one round of searches) and thread-safe (read-only, like <see cref="Search"/>). Its cost is reported
    /// by whoever calls it (the CLI prints it as part of opening the index): the copies plus a few hundred milliseconds
    /// of searches.
    /// </para>
    /// </summary>
    /// <param name="searcher">The searcher to warm.</param>
    /// <param name="field">The SPLADE field.</param>
    /// <param name="options">
    /// The options of the queries the searcher will serve (its <see cref="SpladeQueryOptions.TieBreakField"/>, say),
    /// so that the warm-up takes the same path; defaults when null.
    /// </param>
    /// <returns>False when no segment has a term in <paramref name="field"/> (nothing to warm), otherwise true.</returns>
    /// <exception cref="ArgumentException"><paramref name="field"/> is empty, or <paramref name="options"/> is invalid.</exception>
    public static bool Warm(IndexSearcher searcher, string field, SpladeQueryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(searcher);
        return Warm(searcher, field, options, (query, k) => Search(searcher, query, k));
    }

    /// <summary>
    /// <see cref="Warm(IndexSearcher, string, SpladeQueryOptions?)"/>, with the repeated warm-up searches run through
    /// <paramref name="search"/>, an application's own search path (one that calls <see cref="Search"/> and then names
    /// its hits from stored fields or doc values, say), so that its code is compiled and optimised too before the first
    /// query. The searches in each way of evaluating a segment still go through <see cref="Search"/>.
    /// </summary>
    /// <param name="searcher">The searcher to warm.</param>
    /// <param name="field">The SPLADE field.</param>
    /// <param name="options">The options of the queries the searcher will serve; defaults when null.</param>
    /// <param name="search">
    /// Runs one warm-up query with a k (10, then 1000) the way the application searches; its results are the
    /// application's to discard (and any statistics it keeps, to reset).
    /// </param>
    /// <returns>False when no segment has a term in <paramref name="field"/> (nothing to warm), otherwise true.</returns>
    /// <exception cref="ArgumentException"><paramref name="field"/> is empty, or <paramref name="options"/> is invalid.</exception>
    public static bool Warm(IndexSearcher searcher, string field, SpladeQueryOptions? options, Action<SpladeQuery, int> search)
    {
        ArgumentNullException.ThrowIfNull(searcher);
        ArgumentException.ThrowIfNullOrEmpty(field);
        ArgumentNullException.ThrowIfNull(search);
        options?.Validate();
        var frequent = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var leaf in searcher.IndexReader.Leaves)
        {
            var terms = leaf.AtomicReader.GetTerms(field);
            if (terms is null)
            {
                continue;
            }
            var termsEnum = terms.GetEnumerator();
            for (int i = 0; i < WarmScanTerms && termsEnum.MoveNext(); i++)
            {
                string term = termsEnum.Term.Utf8ToString();
                frequent[term] = frequent.GetValueOrDefault(term) + termsEnum.DocFreq;
            }
        }
        if (frequent.Count == 0)
        {
            return false;
        }
        var weights = frequent.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(WarmTerms)
            .Select(p => new KeyValuePair<string, float>(p.Key, 1f)).ToArray();
        // An exhaustive searcher never reads the copies (it is the reference that reads Lucene's postings).
        if ((options?.InMemoryPostings ?? true) && !(options?.Exhaustive ?? false))
        {
            LoadInMemoryPostings(searcher.IndexReader, field, WarmCap(options));
        }
        SpladeQueryOptions WarmOptions(SpladeEvaluation evaluation)
        {
            var warmOptions = options?.Clone() ?? new SpladeQueryOptions();
            warmOptions.Exhaustive = false;
            warmOptions.InMemoryPostings &= !(options?.Exhaustive ?? false);
            warmOptions.WeightScale = null;
            warmOptions.MinWeight = 0;
            warmOptions.TopK = null;
            warmOptions.Evaluation = evaluation;
            return warmOptions;
        }
        foreach (var evaluation in new[] { SpladeEvaluation.Auto, SpladeEvaluation.MaxScore, SpladeEvaluation.Exhaustive })
        {
            Search(searcher, new SpladeQuery(field, weights, WarmOptions(evaluation)), 10);
        }
        // The path the searcher's queries take (the caller's options, the caller's search), repeated until tiered
        // compilation has optimised it: once per process and path. Later warm-ups (a searcher reopened after new
        // writes, say) run one round, since compiled code is process-wide, and the compiler's count, also process-wide,
        // may never fall quiet in a process doing other work, which would make every warm-up run to its time bound.
        var own = options?.Clone() ?? new SpladeQueryOptions();
        own.WeightScale = null;
        own.MinWeight = 0;
        own.TopK = null;
        var query = new SpladeQuery(field, weights, own);
        var path = (search.Method, own.Exhaustive, own.InMemoryPostings, own.Evaluation, own.TieBreakField is not null);
        bool optimised = s_optimisedPaths.ContainsKey(path);
        var clock = Stopwatch.StartNew();
        long compiled = JitInfo.GetCompiledMethodCount();
        var lastCompiled = TimeSpan.Zero;
        for (int round = 1; ; round++)
        {
            search(query, 10);
            search(query, 1000);
            long now = JitInfo.GetCompiledMethodCount();
            if (now != compiled)
            {
                compiled = now;
                lastCompiled = clock.Elapsed;
            }
            if (optimised || (round >= MinWarmRounds && clock.Elapsed - lastCompiled >= WarmQuietTime) || clock.Elapsed >= MaxWarmSearchTime)
            {
                break;
            }
        }
        s_optimisedPaths.TryAdd(path, true);
        return true;
    }

    // The queries' cap: the default without options, and no cap when the options say null (as queries read it).
    internal static long? WarmCap(SpladeQueryOptions? options) =>
        options is null ? SpladeQueryOptions.DefaultMaxInMemoryPostingsBytesPerSegment : options.MaxInMemoryPostingsBytesPerSegment;

    /// <summary>
    /// Copies the postings of every term of <paramref name="field"/> into each segment's in-memory postings; when the
    /// field may not fit under the segment's cap, the terms with most postings first, until the cap refuses them.
    /// Terms already there are skipped. Without it a
    /// term is copied on its first use, which makes a fresh process's first queries pay the copies (measured 14-70x the
    /// warm median at 200,000 documents, docs/PERFORMANCE.md). Most postings first, so that a cap too small for the
    /// whole field keeps the terms that are slowest to read from the index.
    /// </summary>
    private static void LoadInMemoryPostings(IndexReader reader, string field, long? cap)
    {
        foreach (var leaf in reader.Leaves)
        {
            var atomic = leaf.AtomicReader;
            var info = atomic.FieldInfos.FieldInfo(field);
            if (info is null || !info.IsIndexed || atomic.GetTerms(field) is not { } terms)
            {
                continue;
            }
            var cache = SegmentInMemoryPostings.For(atomic);
            var termsEnum = terms.GetEnumerator();
            DocsEnum? reuse = null;
            // When the whole field fits under the cap (the usual case), no order is needed: copy each term where the
            // enumeration stands, without seeking (a seek per term cost more than the copies themselves).
            long widest = (4L * terms.SumDocFreq) + (terms.Count is > 0 and var count ? count * 8L * (InMemoryTermPostings.Blocks(atomic.MaxDoc) + 1) : 0);
            if (terms.SumDocFreq >= 0 && terms.Count >= 0 && (cap is null || cache.Bytes + widest <= cap))
            {
                while (termsEnum.MoveNext())
                {
                    string text = termsEnum.Term.Utf8ToString();
                    if (cache.Peek(field, text) is null)
                    {
                        cache.Load(field, text, termsEnum, info.HasPayloads, cap, ref reuse);
                    }
                }
                continue;
            }
            var all = new List<(BytesRef Term, int DocFreq)>();
            while (termsEnum.MoveNext())
            {
                all.Add((BytesRef.DeepCopyOf(termsEnum.Term), termsEnum.DocFreq));
            }
            all.Sort((a, b) => b.DocFreq != a.DocFreq ? b.DocFreq.CompareTo(a.DocFreq) : a.Term.CompareTo(b.Term));
            var seek = terms.GetEnumerator();
            foreach (var (term, _) in all)
            {
                string text = term.Utf8ToString();
                if (cache.Peek(field, text) is null && seek.SeekExact(term))
                {
                    cache.Load(field, text, seek, info.HasPayloads, cap, ref reuse);
                }
            }
        }
    }

    /// <summary>
    /// The top <paramref name="k"/> documents of a linear hybrid built by <see cref="HybridQuery.Create"/> (a BM25
    /// query of SHOULD term clauses, such as <see cref="BagOfWordsQuery"/>'s, and a <see cref="SpladeQuery"/>), exactly
    /// as <c>searcher.Search(hybridQuery, k)</c> returns them: the same documents in the same order with bit-identical
    /// scores, found with exact dynamic pruning (windowed MaxScore over per-block upper bounds of the BM25 terms and the
    /// SPLADE impacts). Ties are broken by the SPLADE query's <see cref="SpladeQueryOptions.TieBreakField"/> when set
    /// (then document id). Evaluated exhaustively when the SPLADE query's <see cref="SpladeQueryOptions.Exhaustive"/>
    /// is set, and for any other query shape (required or prohibited clauses, other clause kinds, negative weights) or
    /// a text similarity other than <c>BM25Similarity</c> or <c>DefaultSimilarity</c> (the bounds rely on their
    /// shape); a segment too small for k is evaluated exhaustively too. When pruned, <see cref="TopDocs.TotalHits"/>
    /// counts only the documents that were competitive when scored.
    /// </summary>
    /// <param name="searcher">The searcher, with the similarity the hybrid is meant for (<see cref="SpladePerFieldSimilarity"/>).</param>
    /// <param name="hybridQuery">The hybrid (any other BooleanQuery is searched exhaustively).</param>
    /// <param name="k">How many documents to return; at least 1.</param>
    /// <param name="stats">Receives the work counters of this search when given.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="k"/> is below 1.</exception>
    public static TopDocs SearchHybrid(IndexSearcher searcher, BooleanQuery hybridQuery, int k, SpladeSearchStats? stats = null)
    {
        ArgumentNullException.ThrowIfNull(searcher);
        ArgumentNullException.ThrowIfNull(hybridQuery);
        if (k < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must be at least 1, not {k}.");
        }
        stats?.AddSearch();
        return HybridSearch.Search(searcher, hybridQuery, k, stats);
    }

    private sealed class TopKCollector : ICollector
    {
        private readonly TopKThreshold _top;
        private Scorer? _scorer;
        private bool _offer;
        private int _docBase;

        public TopKCollector(TopKThreshold top) => _top = top;

        public int Collected { get; private set; }

        public bool AcceptsDocsOutOfOrder => false;

        public void SetScorer(Scorer scorer)
        {
            _scorer = scorer;
            _offer = scorer is not ScoreHolder { OffersToTopK: true };
        }

        public void SetNextReader(global::Lucene.Net.Index.AtomicReaderContext context) => _docBase = context.DocBase;

        public void Collect(int doc)
        {
            Collected++;
            if (_offer)
            {
                _top.Offer(_scorer!.GetScore(), _docBase + doc, out _);
            }
        }
    }
}
