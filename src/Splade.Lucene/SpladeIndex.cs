using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Codecs;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Splade.Lucene;

/// <summary>
/// A SPLADE + BM25 index for the common case, in the spirit of txtai's <c>Embeddings</c>: create or open an index
/// folder with a model, add, upsert and delete documents by id (text and extra fields; texts encoded in batches),
/// commit, and search by text with BM25, SPLADE or a hybrid of both, optionally filtered.
/// <para>
/// Built on <see cref="SpladeFieldSchema"/>: the SPLADE settings go into every commit and are verified on open;
/// SPLADE scores are dot products in model units. Writes and searches may run on many threads at once: searches see
/// every write made before they start (near-real-time, through a <see cref="SearcherManager"/> whose searchers use the
/// schema's similarity), and commits make writes durable. One <see cref="SpladeIndex"/> per index: a second writer
/// on the same folder is refused by Lucene's write lock.
/// </para>
/// </summary>
public sealed class SpladeIndex : IDisposable
{
    private readonly LuceneDirectory _directory;
    private readonly bool _ownsDirectory;
    private readonly Analyzer _analyzer;
    private readonly bool _ownsAnalyzer;
    private readonly IndexWriter _writer;
    private readonly SearcherManager _manager;
    private readonly SpladeIndexOptions _options;
    private readonly object _commitLock = new();
    // Writes made so far, and how many of them the manager's current searcher shows: a search refreshes when they
    // differ, and a search that finds a refresh under way waits for it (a flag cleared by the first thread would let
    // a second one acquire the old searcher while the refresh that includes its write is still running).
    private long _writes;
    private long _visibleWrites;
    private readonly object _refreshLock = new();
    private int _uncommitted;
    private int _disposed;

    private SpladeIndex(LuceneDirectory directory, bool ownsDirectory, ISparseEncoder encoder, SpladeIndexOptions options, bool create)
    {
        _directory = directory;
        _ownsDirectory = ownsDirectory;
        _options = options;
        Encoder = encoder;
        _ownsAnalyzer = options.Analyzer is null;
        _analyzer = options.Analyzer ?? new StandardAnalyzer(LuceneVersion.LUCENE_48);
        IndexWriter? writer = null;
        SearcherManager? manager = null;
        try
        {
            // Term-frequency storage is indexed as one token per term, its impact written as the frequency by the codec.
            var splade = options.Splade.Clone();
            splade.OneTokenTermFrequency = splade.StorageMode == SpladeStorageMode.TermFrequency;
            var probe = SpladeFieldSchema.Create(splade, encoder);
            var similarity = probe.CreateSimilarity(options.Bm25Similarity);
            var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, _analyzer)
            {
                OpenMode = create ? OpenMode.CREATE : OpenMode.APPEND,
                Similarity = similarity,
                RAMBufferSizeMB = options.RamBufferSizeMB,
                // Impact bounds are written with each segment, so the first SPLADE query pays no postings scan.
                Codec = probe.CreateCodec(),
            };
            writer = new IndexWriter(directory, config);
            Schema = SpladeFieldSchema.OpenOrCreate(writer, splade, encoder);
            Similarity = similarity;
            manager = new SearcherManager(writer, applyAllDeletes: true, new SimilaritySearcherFactory(similarity));
            _manager = manager;
            _writer = writer;
            if (create)
            {
                // A new index is committed at once, settings included, so that it can be opened at any time.
                Schema.Commit(writer);
            }
            if (options.WarmUp)
            {
                WarmUp();
            }
        }
        catch
        {
            manager?.Dispose();
            writer?.Rollback();
            writer?.Dispose();
            if (_ownsAnalyzer)
            {
                _analyzer.Dispose();
            }
            throw;
        }
    }

    /// <summary>The SPLADE field: settings, queries, matched terms.</summary>
    public SpladeFieldSchema Schema { get; }

    /// <summary>The encoder of documents and queries.</summary>
    public ISparseEncoder Encoder { get; }

    /// <summary>The searchers' similarity: BM25 for text fields, the exact impact sum for the SPLADE field.</summary>
    public Similarity Similarity { get; }

    /// <summary>The name of the id field.</summary>
    public string IdField => _options.IdField;

    /// <summary>The name of the text field.</summary>
    public string TextField => _options.TextField;

    /// <summary>The number of live documents, including writes not yet committed.</summary>
    public int Count
    {
        get
        {
            var searcher = AcquireFresh();
            try
            {
                return searcher.IndexReader.NumDocs;
            }
            finally
            {
                _manager.Release(searcher);
            }
        }
    }

    /// <summary>Creates a new index in <paramref name="path"/> (created if missing), which must not already hold one.</summary>
    /// <param name="path">The index folder.</param>
    /// <param name="encoder">Encodes documents and queries (owned by the caller).</param>
    /// <param name="options">Layout and writing options (copied); defaults when null.</param>
    /// <exception cref="ArgumentException">The folder already holds an index, or the options are invalid.</exception>
    public static SpladeIndex Create(string path, ISparseEncoder encoder, SpladeIndexOptions? options = null) => OpenFolder(path, encoder, options, create: true);

    /// <summary>Opens the index in <paramref name="path"/>, checking its SPLADE settings and field against <paramref name="encoder"/> and <paramref name="options"/>.</summary>
    /// <exception cref="ArgumentException">The folder holds no index, or the options are invalid.</exception>
    /// <exception cref="SpladeIndexMismatchException">The index was built with another model, scale, storage mode or without the SPLADE field.</exception>
    public static SpladeIndex Open(string path, ISparseEncoder encoder, SpladeIndexOptions? options = null) => OpenFolder(path, encoder, options, create: false);

    /// <summary>Creates a new index in a Lucene directory (owned by the caller), which must not already hold one.</summary>
    /// <exception cref="ArgumentException">The directory already holds an index, or the options are invalid.</exception>
    public static SpladeIndex Create(LuceneDirectory directory, ISparseEncoder encoder, SpladeIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(encoder);
        var copy = Validated(options);
        // A folder whose first commit was cut short by a kill holds no index: it is created afresh.
        if (!IndexCommits.RemoveUnfinishedFirstCommit(directory) && IndexCommits.HasCommit(directory))
        {
            throw new ArgumentException($"{directory} already holds an index: open it with {nameof(SpladeIndex)}.{nameof(Open)}.", nameof(directory));
        }
        return new SpladeIndex(directory, ownsDirectory: false, encoder, copy, create: true);
    }

    /// <summary>Opens the index of a Lucene directory (owned by the caller).</summary>
    /// <exception cref="ArgumentException">The directory holds no index, or the options are invalid.</exception>
    /// <exception cref="SpladeIndexMismatchException">The index was built with other SPLADE settings or without the SPLADE field.</exception>
    public static SpladeIndex Open(LuceneDirectory directory, ISparseEncoder encoder, SpladeIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(encoder);
        var copy = Validated(options);
        if (!IndexCommits.HasCommit(directory))
        {
            throw new ArgumentException($"{directory} holds no index: create one with {nameof(SpladeIndex)}.{nameof(Create)}.", nameof(directory));
        }
        return new SpladeIndex(directory, ownsDirectory: false, encoder, copy, create: false);
    }

    private static SpladeIndex OpenFolder(string path, ISparseEncoder encoder, SpladeIndexOptions? options, bool create)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(encoder);
        var copy = Validated(options);
        string full = Path.GetFullPath(path);
        if (!create && !System.IO.Directory.Exists(full))
        {
            throw new ArgumentException($"The index folder '{full}' does not exist.", nameof(path));
        }
        var directory = FSDirectory.Open(full);
        try
        {
            bool exists = !(create && IndexCommits.RemoveUnfinishedFirstCommit(directory)) && IndexCommits.HasCommit(directory);
            if (create && exists)
            {
                throw new ArgumentException($"'{full}' already holds an index: open it with {nameof(SpladeIndex)}.{nameof(Open)}.", nameof(path));
            }
            if (!create && !exists)
            {
                throw new ArgumentException($"'{full}' holds no index: create one with {nameof(SpladeIndex)}.{nameof(Create)}.", nameof(path));
            }
            return new SpladeIndex(directory, ownsDirectory: true, encoder, copy, create);
        }
        catch
        {
            directory.Dispose();
            throw;
        }
    }

    private static SpladeIndexOptions Validated(SpladeIndexOptions? options)
    {
        var copy = options?.Clone() ?? new SpladeIndexOptions();
        copy.Validate();
        return copy;
    }

    /// <summary>
    /// Adds documents whose ids are not in the index (a repeated id makes a second document; use <see cref="Upsert(IEnumerable{SpladeDocument})"/>
    /// to replace). Texts are encoded <see cref="SpladeIndexOptions.BatchSize"/> at a time; the sequence is read lazily.
    /// </summary>
    /// <returns>The number of documents added.</returns>
    /// <exception cref="ArgumentException">A document uses a reserved field name.</exception>
    public int Add(IEnumerable<SpladeDocument> documents) => Write(documents, replace: false);

    /// <summary>Adds one document (one model call: pass many documents to <see cref="Add(IEnumerable{SpladeDocument})"/> for speed).</summary>
    public void Add(SpladeDocument document) => Write([document ?? throw new ArgumentNullException(nameof(document))], replace: false);

    /// <summary>Adds documents, replacing any with the same id (atomically per document for readers); encoded in batches.</summary>
    /// <returns>The number of documents written.</returns>
    public int Upsert(IEnumerable<SpladeDocument> documents) => Write(documents, replace: true);

    /// <summary>Adds or replaces one document.</summary>
    public void Upsert(SpladeDocument document) => Write([document ?? throw new ArgumentNullException(nameof(document))], replace: true);

    /// <summary>Deletes the documents with these ids (ids not in the index are ignored).</summary>
    public void Delete(IEnumerable<string> ids)
    {
        ArgumentNullException.ThrowIfNull(ids);
        ThrowIfDisposed();
        var terms = ids.Select(id => new Term(_options.IdField, id ?? throw new ArgumentException("An id is null.", nameof(ids)))).ToArray();
        if (terms.Length == 0)
        {
            return;
        }
        _writer.DeleteDocuments(terms);
        Changed();
    }

    /// <summary>Deletes the document with this id, if any.</summary>
    public void Delete(string id)
    {
        ArgumentException.ThrowIfNullOrEmpty(id);
        Delete([id]);
    }

    /// <summary>
    /// Makes every write so far durable, with the SPLADE settings merged into the commit data.
    /// </summary>
    /// <param name="userData">Extra commit data (kept with the settings); null keeps the previous commit's.</param>
    /// <exception cref="ArgumentException"><paramref name="userData"/> contradicts the SPLADE settings.</exception>
    public void Commit(IEnumerable<KeyValuePair<string, string>>? userData = null)
    {
        ThrowIfDisposed();
        lock (_commitLock)
        {
            Schema.Commit(_writer, userData);
            Interlocked.Exchange(ref _uncommitted, 0);
        }
    }

    /// <summary>The commit data of the last commit (SPLADE settings included).</summary>
    public IReadOnlyDictionary<string, string> CommitData
    {
        get
        {
            ThrowIfDisposed();
            using var reader = DirectoryReader.Open(_directory);
            return new Dictionary<string, string>(reader.IndexCommit.UserData, StringComparer.Ordinal);
        }
    }

    /// <summary>Searches <paramref name="text"/>; see <see cref="SpladeSearchOptions"/> for the modes. Sees every write made before the call.</summary>
    /// <param name="text">The query text (BM25 terms come from the analyzer, SPLADE terms from the model).</param>
    /// <param name="options">Mode, top k, filter; defaults (SPLADE, top 10) when null.</param>
    /// <exception cref="ArgumentException">Invalid options.</exception>
    public IReadOnlyList<SpladeHit> Search(string text, SpladeSearchOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        options ??= new SpladeSearchOptions();
        options.Validate();
        ThrowIfDisposed();
        var searcher = AcquireFresh();
        try
        {
            return SearchWith(searcher, text, options);
        }
        finally
        {
            _manager.Release(searcher);
        }
    }

    /// <summary>Makes every write so far visible to searches (searches do this themselves when needed).</summary>
    public void Refresh()
    {
        ThrowIfDisposed();
        RefreshTo(long.MaxValue);
    }

    /// <summary>The bag-of-words BM25 query of <paramref name="text"/> over <paramref name="fields"/> (the text field when null): one SHOULD clause per distinct analyzed term and field, boosted by its count.</summary>
    public BooleanQuery CreateBm25Query(string text, IReadOnlyList<string>? fields = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var query = new BooleanQuery(disableCoord: true);
        foreach (string field in fields ?? [_options.TextField])
        {
            foreach (var clause in BagOfWordsQuery.Build(_analyzer, field, text).Clauses)
            {
                query.Add(clause);
            }
        }
        return query;
    }

    /// <summary>
    /// The query options with ties broken by id when the caller set no tie-break field and every segment has id doc
    /// values (documents written by this class do; an index written by other code may not).
    /// </summary>
    private SpladeQueryOptions? WithTieBreak(IndexSearcher searcher, SpladeQueryOptions? given)
    {
        if (given?.TieBreakField is not null
            || !searcher.IndexReader.Leaves.All(l => l.AtomicReader.FieldInfos.FieldInfo(_options.IdField) is { HasDocValues: true }))
        {
            return given;
        }
        var options = given?.Clone() ?? new SpladeQueryOptions();
        options.TieBreakField = _options.IdField;
        return options;
    }

    private IReadOnlyList<SpladeHit> SearchWith(IndexSearcher searcher, string text, SpladeSearchOptions options)
    {
        int k = options.Top;
        var filter = options.Filter ?? (options.FilterQuery is { } fq ? new QueryWrapperFilter(fq) : null);
        Query? bm25 = options.Mode == SpladeSearchMode.Splade ? null : CreateBm25Query(text, options.Bm25Fields);
        SpladeQuery? splade = options.Mode == SpladeSearchMode.Bm25 ? null : Schema.CreateQuery(text, WithTieBreak(searcher, options.QueryOptions));
        ScoreDoc[] docs;
        switch (options.Mode)
        {
            case SpladeSearchMode.Bm25:
                docs = searcher.Search(bm25!, filter, k).ScoreDocs;
                break;
            case SpladeSearchMode.Splade:
                docs = TopSplade(searcher, splade!, filter, k);
                break;
            default:
                if (options.Fusion == HybridFusion.Linear)
                {
                    // Pruned (exact) unless filtered or QueryOptions.Exhaustive is set; ties by id as in SPLADE mode.
                    var hybrid = Schema.CreateHybridQuery(bm25!, splade!, options.Bm25Weight, options.SpladeWeight);
                    docs = filter is null ? SpladeSearcher.SearchHybrid(searcher, hybrid, k).ScoreDocs : searcher.Search(hybrid, filter, k).ScoreDocs;
                }
                else
                {
                    int depth = Math.Max(options.FusionDepth, k);
                    var lexical = searcher.Search(bm25!, filter, depth).ScoreDocs;
                    var semantic = TopSplade(searcher, splade!, filter, depth);
                    docs = RankFusion.Reciprocal([lexical, semantic], options.RrfK, k);
                }
                break;
        }
        var hits = new SpladeHit[docs.Length];
        for (int i = 0; i < docs.Length; i++)
        {
            var doc = searcher.Doc(docs[i].Doc);
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            string id = "";
            foreach (var field in doc.Fields)
            {
                if (field.GetStringValue() is not { } value)
                {
                    continue;
                }
                if (field.Name == _options.IdField)
                {
                    id = value;
                }
                else
                {
                    fields.TryAdd(field.Name, value);
                }
            }
            IReadOnlyList<SpladeMatchedTerm> matched = splade is not null && options.IncludeMatchedTerms
                ? Schema.GetMatchedTerms(searcher.IndexReader, docs[i].Doc, splade)
                : [];
            hits[i] = new SpladeHit(id, docs[i].Score, docs[i].Doc, fields, matched);
        }
        return hits;
    }

    private static ScoreDoc[] TopSplade(IndexSearcher searcher, SpladeQuery query, Filter? filter, int k) =>
        filter is null ? SpladeSearcher.Search(searcher, query, k).ScoreDocs : searcher.Search(query, filter, k).ScoreDocs;

    private int Write(IEnumerable<SpladeDocument> documents, bool replace)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ThrowIfDisposed();
        int written = 0;
        var batch = new List<SpladeDocument>(_options.BatchSize);
        foreach (var document in documents)
        {
            batch.Add(document ?? throw new ArgumentException("A document is null.", nameof(documents)));
            if (batch.Count == _options.BatchSize)
            {
                written += WriteBatch(batch, replace);
                batch.Clear();
            }
        }
        if (batch.Count > 0)
        {
            written += WriteBatch(batch, replace);
        }
        return written;
    }

    private int WriteBatch(List<SpladeDocument> batch, bool replace)
    {
        foreach (var document in batch)
        {
            foreach (string name in document.Fields.Keys)
            {
                if (name == _options.IdField || name == _options.TextField || name == Schema.FieldName)
                {
                    throw new ArgumentException($"Document '{document.Id}': field '{name}' is reserved (id, text or SPLADE field).", nameof(batch));
                }
            }
        }
        var fields = Schema.CreateFields(batch.ConvertAll(d => d.Text));
        for (int i = 0; i < batch.Count; i++)
        {
            var document = batch[i];
            var doc = new Document
            {
                new StringField(_options.IdField, document.Id, Field.Store.YES),
                // Ties in SPLADE top-k are broken by id (SpladeQueryOptions.TieBreakField), whatever the segment layout.
                new SortedDocValuesField(_options.IdField, new BytesRef(document.Id)),
                new TextField(_options.TextField, document.Text, Field.Store.YES),
            };
            foreach (var (name, value) in document.Fields)
            {
                doc.Add(new TextField(name, value, Field.Store.YES));
            }
            doc.Add(fields[i]);
            if (replace)
            {
                _writer.UpdateDocument(new Term(_options.IdField, document.Id), doc);
            }
            else
            {
                _writer.AddDocument(doc);
            }
        }
        Changed();
        return batch.Count;
    }

    private void Changed()
    {
        Interlocked.Increment(ref _writes);
        Interlocked.Exchange(ref _uncommitted, 1);
    }

    private IndexSearcher AcquireFresh()
    {
        long written = Volatile.Read(ref _writes);
        if (Volatile.Read(ref _visibleWrites) < written)
        {
            RefreshTo(written);
        }
        return _manager.Acquire();
    }

    private void RefreshTo(long written)
    {
        lock (_refreshLock)
        {
            if (Volatile.Read(ref _visibleWrites) >= written)
            {
                return;   // a refresh that started after those writes has finished meanwhile
            }
            // Every write counted before the refresh starts is in the reader it opens.
            long before = Volatile.Read(ref _writes);
            _manager.MaybeRefreshBlocking();
            Volatile.Write(ref _visibleWrites, before);
        }
    }

    // SpladeIndexOptions.WarmUp: the first searcher warmed for SPLADE searches as they will run (ties by id when the
    // index has ids), and the encoder run once, so that a fresh process's first Search pays neither.
    private void WarmUp()
    {
        var searcher = _manager.Acquire();
        try
        {
            SpladeSearcher.Warm(searcher, Schema.FieldName, WithTieBreak(searcher, null));
        }
        finally
        {
            _manager.Release(searcher);
        }
        _ = Encoder.EncodeQuery("warm up");
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    /// <summary>Commits writes not yet committed (as <c>IndexWriter</c> does when disposed), then releases the index, its lock and what the index opened.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        try
        {
            _manager.Dispose();
            lock (_commitLock)
            {
                if (Volatile.Read(ref _uncommitted) != 0)
                {
                    Schema.Commit(_writer);
                }
            }
        }
        finally
        {
            _writer.Dispose();
            if (_ownsAnalyzer)
            {
                _analyzer.Dispose();
            }
            if (_ownsDirectory)
            {
                _directory.Dispose();
            }
        }
    }

    private sealed class SimilaritySearcherFactory : SearcherFactory
    {
        private readonly Similarity _similarity;

        public SimilaritySearcherFactory(Similarity similarity) => _similarity = similarity;

        public override IndexSearcher NewSearcher(IndexReader reader) => new(reader) { Similarity = _similarity };
    }
}
