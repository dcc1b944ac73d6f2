using IndexPubMed.Indexing;
using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.QueryParsers.Classic;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Index;
using Splade.Lucene.Search;

namespace IndexPubMed.Searching;

/// <summary>
/// Read-only searches over an index made by the <c>index</c> command: BM25 (Anserini-style bag of words),
/// SPLADE (from text, a precomputed vector or parsed syntax) and hybrids of both. Every ranking is by
/// score descending, ties by id (PMID) ascending, so a cut at k never depends on segment order.
/// </summary>
internal sealed class PubMedSearcher : IDisposable
{
    private static readonly Sort ScoreThenId = new(SortField.FIELD_SCORE, new SortField(PubMedSchema.Id, SortFieldType.STRING));

    private readonly FSDirectory _directory;
    private readonly DirectoryReader _reader;
    private readonly Analyzer _analyzer;
    private readonly SearchOptions _options;

    private PubMedSearcher(FSDirectory directory, DirectoryReader reader, ISparseEncoder? encoder, SpladeFieldSchema? schema, SearchOptions options)
    {
        _directory = directory;
        _reader = reader;
        _analyzer = PubMedSchema.CreateAnalyzer();
        _options = options;
        Encoder = encoder;
        Schema = schema;
        Searcher = new IndexSearcher(reader) { Similarity = new SpladePerFieldSimilarity(PubMedSchema.Splade, Bm25Index.CreateSimilarity()) };
    }

    /// <summary>The searcher: BM25 (k1 0.9, b 0.4, Lucene 9 lengths) for text fields, exact dot product for SPLADE.</summary>
    public IndexSearcher Searcher { get; }

    /// <summary>The reader.</summary>
    public IndexReader Reader => _reader;

    /// <summary>The model encoding SPLADE text queries, or null.</summary>
    public ISparseEncoder? Encoder { get; }

    /// <summary>The SPLADE field of the index (settings verified), or null when it has none.</summary>
    public SpladeFieldSchema? Schema { get; }

    /// <summary>The SPLADE settings recorded in the index, or null when it has no SPLADE field.</summary>
    public SpladeIndexSettings? Settings => Schema?.Settings;


    /// <summary>
    /// Opens <paramref name="indexDirectory"/> read-only and checks its SPLADE field (<see cref="SpladeFieldSchema.Open"/>:
    /// settings against <paramref name="encoder"/>'s model and similarity, postings) and <paramref name="expectedScale"/>, when given.
    /// </summary>
    /// <exception cref="SearchSetupException">No index, or no document, in the folder.</exception>
    /// <exception cref="SpladeIndexMismatchException">The index was built with another model, similarity or scale.</exception>
    public static PubMedSearcher Open(string indexDirectory, ISparseEncoder? encoder, float? expectedScale, SearchOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(indexDirectory);
        options ??= new SearchOptions();
        options.Validate();
        string full = Path.GetFullPath(indexDirectory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new SearchSetupException($"index folder '{full}' does not exist.");
        }
        var directory = FSDirectory.Open(full);
        try
        {
            if (!IndexCommits.HasCommit(directory))
            {
                throw new SearchSetupException($"'{full}' holds no Lucene index (build one with the index command).");
            }
            var reader = DirectoryReader.Open(directory);
            try
            {
                if (reader.NumDocs == 0)
                {
                    throw new SearchSetupException($"the index in '{full}' has no documents.");
                }
                var stored = SpladeIndexSettings.Read(reader, PubMedSchema.Splade);
                SpladeFieldSchema? schema = null;
                if (stored is not null)
                {
                    if (expectedScale is float scale && scale != stored.Scale)
                    {
                        throw new SpladeIndexMismatchException(PubMedSchema.Splade, SpladeIndexSettings.ScaleKey,
                            stored.Scale.ToString("R", System.Globalization.CultureInfo.InvariantCulture), scale.ToString("R", System.Globalization.CultureInfo.InvariantCulture));
                    }
                    schema = SpladeFieldSchema.Open(reader, PubMedSchema.Splade, encoder);
                }
                return new PubMedSearcher(directory, reader, encoder, schema, options);
            }
            catch
            {
                reader.Dispose();
                throw;
            }
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    /// <summary>The SPLADE weight of linear fusion: as given, else 1 (SPLADE scores are dot products in model units).</summary>
    public float LinearSpladeWeight => _options.SpladeWeight ?? 1f;

    /// <summary>Anserini's bag-of-words BM25 query on <c>contents</c>.</summary>
    public Query Bm25Query(string text) => BagOfWordsQuery.Build(_analyzer, PubMedSchema.Contents, text);

    /// <summary>A SPLADE query encoded from <paramref name="text"/> by the model, scored in model units.</summary>
    /// <exception cref="SearchSetupException">No model, or no SPLADE field in the index.</exception>
    public Query SpladeQuery(string text)
    {
        var schema = RequireSplade();
        _ = Encoder ?? throw new SearchSetupException("SPLADE queries from text need --model (or give --query-vectors).");
        return schema.CreateQuery(text, CreateSpladeQueryOptions());
    }

    /// <summary>A SPLADE query from precomputed token weights (Anserini query vectors).</summary>
    /// <exception cref="SearchSetupException">No SPLADE field in the index, or a bad weight.</exception>
    public Query SpladeQuery(IReadOnlyDictionary<string, float> termWeights, string queryId)
    {
        var schema = RequireSplade();
        try
        {
            return schema.CreateQuery(termWeights, CreateSpladeQueryOptions());
        }
        catch (ArgumentException e)
        {
            throw new SearchSetupException($"query vector '{queryId}': {e.Message}", e);
        }
    }

    /// <summary>Parses query syntax: default field <c>contents</c>, <c>splade:"..."</c> clauses encoded by the model.</summary>
    /// <exception cref="SearchSetupException">The syntax is wrong, or a SPLADE clause is given without a model.</exception>
    public Query Parse(string text)
    {
        // SPLADE clauses are scored in model units, so that they add to BM25 clauses as dot products.
        QueryParser parser = Encoder is { } encoder
            ? Schema is { } schema
                ? schema.CreateQueryParser(PubMedSchema.Contents, _analyzer, CreateSpladeQueryOptions())
                : new SpladeQueryParser(LuceneVersion.LUCENE_48, PubMedSchema.Contents, _analyzer, PubMedSchema.Splade, encoder, CreateSpladeQueryOptions())
            : new LexicalQueryParser(PubMedSchema.Contents, _analyzer, PubMedSchema.Splade);
        try
        {
            var query = parser.Parse(text);
            if (Schema is null && ContainsSplade(query))
            {
                RequireSplade();
            }
            return query;
        }
        catch (ParseException e)
        {
            throw new SearchSetupException($"cannot parse the query: {FirstLine(e.Message)}. Quote text with special characters, or pass --syntax off to search it as plain text.", e);
        }
    }

    /// <summary>The top <paramref name="k"/> hits of <paramref name="request"/>.</summary>
    public IReadOnlyList<RankedHit> Search(SearchRequest request, int k)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (request.Parsed is { } parsed)
        {
            return Top(parsed, k);
        }
        if (!request.IsHybrid)
        {
            return Top(request.Bm25 ?? request.Splade!, k);
        }
        if (_options.Fusion == FusionMethod.Linear)
        {
            return TopHybrid(HybridQuery.Create(request.Bm25!, request.Splade!, _options.Bm25Weight, LinearSpladeWeight), k);
        }
        int depth = Math.Max(_options.FusionDepth, k);
        var bm25 = Top(request.Bm25!, depth);
        var splade = Top(request.Splade!, depth);
        var ids = new Dictionary<int, string>();
        foreach (var hit in bm25.Concat(splade))
        {
            ids[hit.Doc] = hit.Id;
        }
        ScoreDoc[][] lists = [ToScoreDocs(bm25), ToScoreDocs(splade)];
        var fused = _options.Fusion == FusionMethod.Rrf
            ? RankFusion.Reciprocal(lists, _options.RrfK)
            : RankFusion.MinMaxCombination(lists, [_options.Bm25Weight, _options.SpladeWeight ?? 1f]);
        // RankFusion breaks ties by Lucene document number, which depends on indexing order; the id keeps
        // the tie order of every mode the same.
        return fused.Select(sd => new RankedHit(sd.Doc, ids[sd.Doc], sd.Score))
            .OrderByDescending(h => h.Score).ThenBy(h => h.Id, StringComparer.Ordinal)
            .Take(k).ToList();
    }

    /// <summary>
    /// Warms the searcher for SPLADE searches (<see cref="SpladeSearcher.Warm(IndexSearcher, string, SpladeQueryOptions?, Action{SpladeQuery, int})"/>, with the options and tie-break by
    /// PMID of this searcher's queries), so that a batch's first query runs about as fast as the next ones. False when the index has no SPLADE field (nothing warmed).
    /// <paramref name="hybrid"/>: the batch runs hybrid requests (BM25 and SPLADE), so those are what is warmed.
    /// </summary>
    public bool WarmUp(bool hybrid = false)
    {
        if (Schema is null)
        {
            return false;
        }
        // Warmed through this tool's own path (naming hits by PMID from each segment's doc values), which the library's
        // searches alone would leave unoptimised for the batch's first queries; the warm-up's counts are not the batch's.
        // A hybrid batch is warmed with hybrid requests (BM25 of the warm-up terms' text beside the SPLADE query).
        Query? bm25 = null;
        void Run(SpladeQuery query, int k)
        {
            bm25 ??= hybrid && Bm25Query(string.Join(' ', query.TermWeights.Select(t => t.Key))) is BooleanQuery { Clauses.Count: > 0 } words ? words : null;
            _ = Search(new SearchRequest("warm-up", bm25, query), k);
        }
        if (!SpladeSearcher.Warm(Searcher, PubMedSchema.Splade, CreateSpladeQueryOptions(), Run))
        {
            return false;
        }
        SpladeStats.Reset();
        return true;
    }

    /// <summary>What SPLADE top-k searches of this searcher scored and read (what pruning saved, compared with --exhaustive).</summary>
    public SpladeSearchStats SpladeStats { get; } = new();

    /// <summary>Ranks <paramref name="query"/> alone: score descending, ties by id ascending.</summary>
    public IReadOnlyList<RankedHit> Top(Query query, int k)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(k);
        if (query is BooleanQuery { Clauses.Count: 0 })
        {
            return [];
        }
        if (query is SpladeQuery splade)
        {
            // Dynamic pruning (or, with --exhaustive, full evaluation) gives the exact top k with ties at the cut
            // broken by PMID (TieBreakField), whatever the segment layout; shown by score, then PMID.
            return ByScoreThenId(SpladeSearcher.Search(Searcher, splade, k, SpladeStats));
        }
        TopFieldDocs top = Searcher.Search(query, null, k, ScoreThenId, doDocScores: true, doMaxScore: false);
        var hits = new RankedHit[top.ScoreDocs.Length];
        for (int i = 0; i < hits.Length; i++)
        {
            var doc = (FieldDoc)top.ScoreDocs[i];
            hits[i] = new RankedHit(doc.Doc, ((BytesRef)doc.Fields[1]).Utf8ToString(), doc.Score);
        }
        return hits;
    }

    /// <summary>
    /// A linear hybrid's top k with exact dynamic pruning (or, with --exhaustive, full evaluation): the documents and
    /// scores of the BooleanQuery searched exhaustively, ties at the cut broken by PMID; shown by score, then PMID.
    /// </summary>
    private IReadOnlyList<RankedHit> TopHybrid(BooleanQuery hybrid, int k)
    {
        return ByScoreThenId(SpladeSearcher.SearchHybrid(Searcher, hybrid, k, SpladeStats));
    }

    // Each hit's PMID is read from its own segment's doc values: a global ordinal map over all segments
    // (MultiDocValues) would map every id of the index before the first hit of a fresh process could be named.
    private List<RankedHit> ByScoreThenId(TopDocs top)
    {
        var leaves = _reader.Leaves;
        var scratch = new BytesRef();
        return top.ScoreDocs
            .Select(sd =>
            {
                var leaf = leaves[ReaderUtil.SubIndex(sd.Doc, leaves)];
                var ids = leaf.AtomicReader.GetSortedDocValues(PubMedSchema.Id)
                    ?? throw new InvalidOperationException($"segment {leaf.Ord} of the index has no '{PubMedSchema.Id}' doc values: was it built by this tool?");
                ids.Get(sd.Doc - leaf.DocBase, scratch);
                return new RankedHit(sd.Doc, scratch.Utf8ToString(), sd.Score);
            })
            .OrderByDescending(h => h.Score).ThenBy(h => h.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>The score <paramref name="query"/> gives document <paramref name="doc"/> (0 when it does not match).</summary>
    public float ScoreOf(Query query, int doc) => Searcher.Explain(query, doc).Value;

    /// <summary>The SPLADE terms of <paramref name="query"/> (wherever SPLADE clauses sit in it) that document <paramref name="doc"/> holds, heaviest first.</summary>
    public IReadOnlyList<SpladeMatchedTerm> MatchedTerms(Query query, int doc) =>
        Schema is { } schema ? Searching.MatchedTerms.From(schema, _reader, query, doc) : [];

    /// <summary>The stored title of a document.</summary>
    public string Title(int doc) => Searcher.Doc(doc).Get(PubMedSchema.Title) ?? "";

    public void Dispose()
    {
        _analyzer.Dispose();
        _reader.Dispose();
        _directory.Dispose();
    }

    // Ties by PMID in the top-k selection itself, so a run does not depend on the segment layout.
    private SpladeQueryOptions CreateSpladeQueryOptions() => new() { Exhaustive = _options.Exhaustive, TieBreakField = PubMedSchema.Id };

    private SpladeFieldSchema RequireSplade() =>
        Schema ?? throw new SearchSetupException("this index has no SPLADE field (was it built with --no-splade?): search it with --mode bm25.");

    private static bool ContainsSplade(Query query) => query switch
    {
        Splade.Lucene.Search.SpladeQuery => true,
        BooleanQuery b => b.Clauses.Any(c => ContainsSplade(c.Query)),
        _ => false,
    };

    private static ScoreDoc[] ToScoreDocs(IReadOnlyList<RankedHit> hits) => hits.Select(h => new ScoreDoc(h.Doc, h.Score)).ToArray();

    private static string FirstLine(string message)
    {
        int nl = message.IndexOfAny(['\r', '\n']);
        return (nl < 0 ? message : message[..nl]).TrimEnd('.');
    }
}
