using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using IndexPubMed.Input;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Splade.Encoder;
using Splade.Lucene.Documents;
using Splade.Lucene.Formats;
using Splade.Lucene.Index;

namespace IndexPubMed.Indexing;

/// <summary>
/// Builds and updates a PubMed index: parsing, SPLADE encoding and Lucene writing run as three stages
/// joined by small bounded queues, so memory stays bounded while the model works. Progress is
/// committed with the documents, so a killed run resumes where its last commit left off and a file is
/// never applied twice.
/// </summary>
internal sealed class PubMedIndexer
{
    private const int QueueCapacity = 4;


    // Precomputed vectors need no model call, so they travel in larger batches than texts: fewer hand-overs
    // between the stages (each may wake a thread) per record.
    private const int VectorBatchSize = 512;

    private readonly PubMedIndexerOptions _options;
    private readonly IndexSummary _summary = new();
    private SpladeFieldSchema? _schema;
    private readonly HashSet<string> _recentlyAdded = new(StringComparer.Ordinal);
    private readonly HashSet<string> _recentlyDeleted = new(StringComparer.Ordinal);
    // One lane per writer thread: the first also serves the single-threaded paths (texts, deletions).
    private readonly WriterLane[] _lanes;
    private DirectoryReader? _reader;
    // Vector-only documents of new ids waiting to be written as one segment (null: every document is added alone).
    private VectorBulkWriter? _bulk;
    private long _documentsWritten;
    private long _bytesDone;

    public PubMedIndexer(PubMedIndexerOptions options)
    {
        _options = options;
        _lanes = new WriterLane[Math.Max(1, options.WriterThreads)];
        for (int i = 0; i < _lanes.Length; i++)
        {
            _lanes[i] = new WriterLane();
        }
    }

    public IndexSummary Summary => _summary;

    /// <summary>Indexes <paramref name="inputs"/> in order; problems with input are reported and counted, never fatal.</summary>
    /// <exception cref="SpladeIndexMismatchException">The index was built with other SPLADE settings or another model.</exception>
    public async Task<IndexSummary> RunAsync(IReadOnlyList<InputFile> inputs, Action<InputError> onError, CancellationToken cancellation = default)
    {
        using var indexLock = IndexLock.Acquire(_options.IndexDirectory);
        using var directory = FSDirectory.Open(_options.IndexDirectory);
        using var analyzer = PubMedSchema.CreateAnalyzer();
        // Term-frequency storage: one token per term, its impact written as the frequency by the codec at flush.
        var config = Bm25Index.CreateWriterConfig(analyzer, splade: _options.NoSplade ? null : _options.Splade);
        config.RAMBufferSizeMB = 256;
        // A run killed while writing a new index's first commit leaves a commit no writer can open: start afresh
        // (nothing was ever committed there).
        IndexCommits.RemoveUnfinishedFirstCommit(directory);
        using var writer = new IndexWriter(directory, config);
        // The SPLADE field's settings are checked (or recorded, for a new index) and then merged into every commit.
        _schema = OpenSchema(writer, vectorsGiven: inputs.Any(i => i.Kind == InputKind.Vectors));
        if (_schema is not null && _options.BulkVectors && _lanes.Length == 1 && _schema.Options.StorageMode == SpladeStorageMode.TermFrequency)
        {
            var splade = _options.Splade;
            _bulk = new VectorBulkWriter(_schema.Options, () => Bm25Index.CreateWriterConfig(analyzer, splade: splade), _options.BulkMaxPostings);
        }
        var userData = new Dictionary<string, string>(writer.CommitData ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        var progress = IndexProgress.Read(userData);
        // An index holds one share of the records and records which files it finished: run with another share (or
        // none), it would skip those files and hold a mix. Refused before anything is written.
        string? storedShard = userData.TryGetValue(IndexMerger.ShardKey, out var s) ? s : null;
        string? requestedShard = _options.Shard.Count > 1 ? _options.Shard.ToString() : null;
        if (storedShard != requestedShard && (writer.MaxDoc > 0 || progress.DoneCount > 0 || storedShard is not null))
        {
            throw new ArgumentException($"The index {_options.IndexDirectory} holds {(storedShard is null ? "all records (built without --shard)" : $"shard {storedShard}")}, "
                + $"but this run asks for {(requestedShard is null ? "all records (no --shard)" : $"shard {requestedShard}")}: give the same --shard as when it was built, or another index folder.");
        }
        if (requestedShard is not null)
        {
            userData[IndexMerger.ShardKey] = requestedShard;
        }

        _reader = DirectoryReader.Open(writer, applyAllDeletes: true);
        try
        {
            var parsed = Channel.CreateBounded<Work>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true, SingleWriter = true });
            var encoded = Channel.CreateBounded<Work>(new BoundedChannelOptions(QueueCapacity) { SingleReader = true, SingleWriter = true });
            long errors = 0;
            void CountError(InputError e)
            {
                Interlocked.Increment(ref errors);
                onError(e);
            }

            // The parser works from the state at the start; the writer alone updates the live record.
            var startState = IndexProgress.Read(userData);
            var display = new Progress("records", null, _options.Quiet);
            // A file is identified by its content (see IndexProgress.KeyOf); each is hashed once, before the run.
            var keys = inputs.Select(i => i.Path).Distinct(StringComparer.Ordinal).ToDictionary(p => p, IndexProgress.KeyOf, StringComparer.Ordinal);
            // Files are the only known measure of the whole job, so the ETA extrapolates from bytes of finished files.
            var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (path, key) in keys)
            {
                if (!startState.IsDone(key))
                {
                    sizes[key] = IndexProgress.SizeOf(path);
                }
            }
            long bytesTotal = sizes.Values.Sum();
            // Stopping the pipeline (on a failure in the writer) cancels this token; the stages are then awaited
            // before returning, so that the encoder is never disposed while a model call is running.
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            var parseTask = Task.Run(() => Stage(parsed.Writer, () => Parse(inputs, keys, startState, parsed.Writer, CountError, stop.Token)), stop.Token);
            var encodeTask = Task.Run(() => Stage(encoded.Writer, () => Encode(parsed.Reader, encoded.Writer, stop.Token)), stop.Token);

            try
            {
                await foreach (var work in encoded.Reader.ReadAllAsync(cancellation))
                {
                    Apply(work, writer, progress, userData, CountError);
                    if (work is Checkpoint { FileDone: true } done && sizes.TryGetValue(done.FileKey, out long size))
                    {
                        _bytesDone += size;
                    }
                    display.Report(_documentsWritten, detail: $"{progress.DoneCount + _summary.FilesAlreadyIndexed}/{inputs.Count} files{Eta(display.Elapsed, bytesTotal)}");
                }
                await Task.WhenAll(parseTask, encodeTask);
                // Whatever followed the last checkpoint goes where AddDocument would have left it: in the writer.
                _bulk?.Flush(writer);
            }
            catch
            {
                // Stop the parser and the encoder and wait for them: the caller disposes the encoder next, and
                // disposing an ONNX Runtime session during a Run kills the process (exit 134/139).
                await stop.CancelAsync();
                try
                {
                    await Task.WhenAll(parseTask, encodeTask);
                }
                catch (Exception)
                {
                    // The first failure (rethrown below) is the one to report; these are its consequences.
                }
                // Disposing an IndexWriter commits; after a failure or Ctrl+C keep the last checkpoint instead,
                // so the next run resumes from a commit whose progress record matches its documents.
                writer.Rollback();
                throw;
            }
            display.Finish(_documentsWritten);
            _summary.Skipped = Interlocked.Read(ref errors);
            return _summary;
        }
        finally
        {
            _reader?.Dispose();
        }
    }

    private string Eta(TimeSpan elapsed, long bytesTotal)
    {
        if (_bytesDone == 0 || bytesTotal == 0)
        {
            return "";
        }
        var left = TimeSpan.FromSeconds(elapsed.TotalSeconds * (bytesTotal - _bytesDone) / _bytesDone);
        return $", ETA {(int)left.TotalHours}h{left.Minutes:D2}m{left.Seconds:D2}s";
    }

    /// <summary>
    /// The SPLADE field of the index (<see cref="SpladeFieldSchema.OpenOrCreate(IndexWriter, SpladeFieldOptions?, ISparseEncoder)"/>):
    /// other settings, or an index already holding documents without it (built with --no-splade), are refused, unless
    /// precomputed vectors are given (they add the field to the documents they name).
    /// </summary>
    private SpladeFieldSchema? OpenSchema(IndexWriter writer, bool vectorsGiven)
    {
        if (_options.Encoder is null && (_options.NoSplade || !vectorsGiven)
            && SpladeIndexSettings.Read(writer.CommitData ?? new Dictionary<string, string>(), _options.Splade.FieldName) is { } stored)
        {
            // New documents would have no SPLADE field, and SPLADE search would never find them.
            throw new IndexRefusedException(
                $"the index has a SPLADE field '{_options.Splade.FieldName}' ({stored}); documents indexed with --no-splade would have none. Index with its --model, --storage and --scale.");
        }
        try
        {
            if (_options.Encoder is not null)
            {
                return SpladeFieldSchema.OpenOrCreate(writer, _options.Splade, _options.Encoder, allowDocumentsWithoutField: vectorsGiven);
            }
            if (vectorsGiven && !_options.NoSplade)
            {
                // Precomputed vectors with no ONNX model: the model is known by the id the user gave, if any.
                return SpladeFieldSchema.OpenOrCreate(writer, _options.Splade, _options.VectorVocabulary, _options.VectorModelId ?? "", allowDocumentsWithoutField: true);
            }
            return null;
        }
        catch (SpladeIndexMismatchException e) when (e.Setting == "field")
        {
            throw new SpladeIndexMismatchException(e.FieldName, $"{e.Message} (index --model on an index built with --no-splade: add the SPLADE field with reindex --model, or give precomputed vectors)");
        }
    }

    private static async Task Stage(ChannelWriter<Work> output, Func<Task> body)
    {
        try
        {
            await body();
            output.Complete();
        }
        catch (Exception e)
        {
            output.Complete(e);
            throw;
        }
    }

    private async Task Parse(IReadOnlyList<InputFile> inputs, IReadOnlyDictionary<string, string> keys, IndexProgress progress, ChannelWriter<Work> output, Action<InputError> onError, CancellationToken cancellation)
    {
        var vectorReader = new VectorJsonlReader();
        var sinceCommit = Stopwatch.StartNew();
        foreach (var input in inputs)
        {
            string key = keys[input.Path];
            if (progress.IsDone(key))
            {
                _summary.FilesAlreadyIndexed++;
                if (!_options.Quiet)
                {
                    Console.Error.WriteLine($"{input.Path}: already indexed, skipped");
                }
                continue;
            }
            _summary.Files++;
            long skip = progress.ItemsApplied(key);
            long item = 0;
            long commitEvery = _options.CommitEveryFor(input.Kind);
            var articles = new List<StoredArticle>(_options.BatchSize);
            var sources = new List<(string Path, long Line)>(_options.BatchSize);
            var vectors = new List<LinedVector>(_options.BatchSize);

            async Task FlushBatches()
            {
                if (articles.Count > 0)
                {
                    await output.WriteAsync(new ArticleBatch([.. articles], [.. sources]), cancellation);
                    articles.Clear();
                    sources.Clear();
                }
                if (vectors.Count > 0)
                {
                    await output.WriteAsync(new VectorBatch(input.Path, [.. vectors]), cancellation);
                    vectors.Clear();
                }
            }

            foreach (var record in ReadItems(input, vectorReader, onError))
            {
                item++;
                if (item <= skip)
                {
                    continue;
                }
                switch (record)
                {
                    case LinedArticle a when _options.Shard.Contains(a.Article.Pmid):
                        articles.Add(a.Article);
                        sources.Add((input.Path, a.Line));
                        break;
                    case LinedVector v when _options.Shard.Contains(v.Record.Id):
                        vectors.Add(v);
                        break;
                    case PubMedDeletion d:
                        // Deletions must land after the records before them in the file.
                        await FlushBatches();
                        await output.WriteAsync(new Deletion(d.Pmids.Where(_options.Shard.Contains).ToList()), cancellation);
                        break;
                }
                if (articles.Count >= _options.BatchSize || vectors.Count >= VectorBatchSize)
                {
                    await FlushBatches();
                }
                // Commit by count and by time: with a slow model, --commit-every records can be half an hour of work.
                // The parser waits on the bounded queues, so its clock runs at most a few batches ahead of the writer.
                if (item % commitEvery == 0 || sinceCommit.Elapsed >= _options.CommitInterval)
                {
                    await FlushBatches();
                    await output.WriteAsync(new Checkpoint(key, item, FileDone: false), cancellation);
                    sinceCommit.Restart();
                }
            }
            await FlushBatches();
            await output.WriteAsync(new Checkpoint(key, item, FileDone: true), cancellation);
            sinceCommit.Restart();
        }
    }

    private IEnumerable<object> ReadItems(InputFile input, VectorJsonlReader vectorReader, Action<InputError> onError)
    {
        switch (input.Kind)
        {
            case InputKind.PubMedXml:
                foreach (var item in PubMedXmlReader.Read(input.Path, onError))
                {
                    if (item is PubMedArticle article)
                    {
                        var stored = StoredArticle.From(article);
                        if (RecordLimits.Check(stored) is { } problem)
                        {
                            onError(new InputError(input.Path, article.Line, problem, article.RecordNumber));
                            continue;
                        }
                        yield return new LinedArticle(stored, article.Line);
                    }
                    else
                    {
                        yield return item;
                    }
                }
                break;
            case InputKind.Documents:
                foreach (var (doc, line) in JsonLines.Read(input.Path, onError, JsonlDocumentReader.Parse))
                {
                    var stored = StoredArticle.FromText(doc.Id, doc.Title, doc.Text);
                    if (RecordLimits.Check(stored) is { } problem)
                    {
                        onError(new InputError(input.Path, line, problem));
                        continue;
                    }
                    yield return new LinedArticle(stored, line);
                }
                break;
            case InputKind.Vectors:
                if (_options.NoSplade)
                {
                    onError(new InputError(input.Path, 0, "precomputed vectors make the SPLADE field, which --no-splade leaves out; file skipped"));
                    yield break;
                }
                foreach (var v in vectorReader.Read(input.Path, onError))
                {
                    if (RecordLimits.CheckId(v.Id) is { } problem)
                    {
                        onError(new InputError(input.Path, v.Line, problem));
                        continue;
                    }
                    yield return new LinedVector(v, v.Line);
                }
                break;
            default:
                onError(new InputError(input.Path, 0, "unknown kind of input; file skipped"));
                break;
        }
    }

    private async Task Encode(ChannelReader<Work> input, ChannelWriter<Work> output, CancellationToken cancellation)
    {
        await foreach (var work in input.ReadAllAsync(cancellation))
        {
            if (work is ArticleBatch batch && _options.Encoder is { } encoder)
            {
                var texts = batch.Articles.Select(a => PubMedSchema.SpladeText(a.Title, a.Abstract)).ToList();
                batch.Vectors = encoder.EncodeDocuments(texts);
            }
            else if (work is VectorBatch vectors)
            {
                vectors.Prepared = Prepare(vectors.Records);
            }
            await output.WriteAsync(work, cancellation);
        }
    }

    private void Apply(Work work, IndexWriter writer, IndexProgress progress, Dictionary<string, string> userData, Action<InputError> onError)
    {
        if (work is not VectorBatch)
        {
            // Held documents come before anything else changes the index (or is committed), as if added one by one.
            _bulk?.Flush(writer);
        }
        switch (work)
        {
            case ArticleBatch batch:
                for (int i = 0; i < batch.Articles.Count; i++)
                {
                    var article = batch.Articles[i];
                    var doc = PubMedSchema.CreateDocument(article);
                    if (batch.Vectors is { } vectors)
                    {
                        try
                        {
                            doc.Add(_schema!.CreateField(vectors[i]));
                        }
                        catch (ArgumentException e)
                        {
                            // e.g. an impact above SpladeFieldOptions.MaxImpact: this record only.
                            onError(new InputError(batch.Sources[i].Path, batch.Sources[i].Line, $"'{article.Pmid}' skipped: its SPLADE vector cannot be indexed: {e.Message}"));
                            continue;
                        }
                    }
                    if (article.Title.Length == 0 && article.Abstract.Length == 0)
                    {
                        _summary.EmptyRecords++;
                    }
                    Write(writer, article.Pmid, doc);
                }
                break;
            case VectorBatch batch:
                if (batch.Records.Any(r => _recentlyAdded.Contains(r.Record.Id)))
                {
                    Refresh(writer);
                }
                // Fields were made by the encode stage (Prepare), off this thread.
                WriteVectors(batch, batch.Prepared ?? Prepare(batch.Records), writer, onError);
                if (_bulk is { IsFull: true })
                {
                    _bulk.Flush(writer);
                }
                break;
            case Deletion deletion:
                foreach (var pmid in deletion.Pmids)
                {
                    if (Exists(pmid))
                    {
                        _summary.Deleted++;
                    }
                    else
                    {
                        _summary.DeletionsOfUnknownIds++;
                    }
                    writer.DeleteDocuments(new Term(PubMedSchema.Id, pmid));
                    _recentlyAdded.Remove(pmid);
                    _recentlyDeleted.Add(pmid);
                }
                break;
            case Checkpoint checkpoint:
                if (checkpoint.FileDone)
                {
                    progress.MarkDone(checkpoint.FileKey);
                }
                else
                {
                    progress.MarkPartial(checkpoint.FileKey, checkpoint.Items);
                }
                progress.WriteTo(userData);
                if (_schema is not null)
                {
                    _schema.Commit(writer, userData);
                }
                else
                {
                    writer.SetCommitData(new Dictionary<string, string>(userData));
                    writer.Commit();
                }
                Refresh(writer);
                break;
        }
    }

    /// <summary>
    /// The SPLADE fields of precomputed vectors (run by the encode stage, so that quantizing overlaps parsing and
    /// writing): per record its field, or why it is skipped, and the tokens outside the vocabulary it counts.
    /// </summary>
    private PreparedVector[] Prepare(List<LinedVector> records)
    {
        var prepared = new PreparedVector[records.Count];
        for (int i = 0; i < records.Count; i++)
        {
            int unknown = 0;
            try
            {
                prepared[i] = new PreparedVector(VectorField(records[i].Record, ref unknown), unknown, null);
            }
            catch (ArgumentException e)
            {
                prepared[i] = new PreparedVector(null, unknown, e.Message);
            }
        }
        return prepared;
    }

    /// <summary>
    /// The SPLADE field of a precomputed vector: over the model's vocabulary when there is one (tokens outside
    /// it are counted and skipped, the rest of the vector kept), else with the tokens as given.
    /// </summary>
    private SpladeField VectorField(VectorRecord record, ref int unknownTokens)
    {
        var schema = _schema!;
        var vocabulary = schema.Vocabulary;
        if (vocabulary is null)
        {
            return new SpladeField(record.Weights, schema.Options, schema.Stats);
        }
        var known = record.Weights.Where(p => vocabulary.TryGetId(p.Key, out _)).ToList();
        if (known.Count == 0 && record.Weights.Count > 0)
        {
            // Nothing of it would be indexed: a vector of another model's tokens, most likely.
            throw new ArgumentException($"none of its {record.Weights.Count} tokens is in the model's vocabulary");
        }
        unknownTokens = record.Weights.Count - known.Count;
        return schema.CreateField(known);
    }

    private void Write(IndexWriter writer, string pmid, Document doc) => Write(writer, pmid, doc, Exists(pmid));

    private void Write(IndexWriter writer, string pmid, Document doc, bool exists)
    {
        _options.BeforeWrite?.Invoke(Interlocked.Read(ref _documentsWritten));
        if (exists)
        {
            _summary.Updated++;
            writer.UpdateDocument(new Term(PubMedSchema.Id, pmid), doc);
        }
        else
        {
            // No document has this id (Exists sees the last reader plus what was written since), so an update's
            // delete term would match nothing: adding spares the writer buffering it and applying it at each flush.
            _summary.Added++;
            writer.AddDocument(doc);
        }
        _recentlyAdded.Add(pmid);
        _recentlyDeleted.Remove(pmid);
        CountWritten();
    }

    private void CountWritten()
    {
        long written = Interlocked.Increment(ref _documentsWritten);
        if (_options.CrashAfterDocuments is long crash && written >= crash)
        {
            // Test hook: die like kill -9, with no unwinding, flushing or committing.
            Process.GetCurrentProcess().Kill();
        }
    }

    /// <summary>
    /// Writes a batch of prepared vectors with one writer thread per lane (IndexWriter is thread-safe; each thread
    /// fills its own in-memory segment, so Lucene's inversion, most of the writer's time, can use more cores). A
    /// record's lane is set by its id, so the records of one id are written in file order by one thread; the batch is
    /// finished by all lanes before the next piece of work (another batch, a checkpoint's commit, a deletion), so a
    /// commit holds exactly the records before its checkpoint, as with one thread. Skipped records are reported first,
    /// in file order. What each document becomes (kept stored fields, add or update) is decided as the one-thread path
    /// decides it: the shared sets of recently written and deleted ids are only read while the lanes run, each lane
    /// keeping the ids it wrote in this batch, and are updated once the lanes are done.
    /// </summary>
    private void WriteVectors(VectorBatch batch, PreparedVector[] prepared, IndexWriter writer, Action<InputError> onError)
    {
        foreach (var lane in _lanes)
        {
            lane.Records.Clear();
            lane.Written.Clear();
            lane.Added = lane.Updated = 0;
        }
        for (int i = 0; i < batch.Records.Count; i++)
        {
            var (record, line) = batch.Records[i];
            var (field, unknownTokens, problem) = prepared[i];
            _summary.UnknownTokens += unknownTokens;
            if (field is null)
            {
                onError(new InputError(batch.Path, line, $"vector of '{record.Id}' skipped: {problem}"));
                continue;
            }
            _lanes[LaneOf(record.Id)].Records.Add(i);
        }
        if (_lanes.Length == 1 || batch.Records.Count < 2)
        {
            foreach (var lane in _lanes)
            {
                WriteLane(lane, batch, prepared, writer);
            }
        }
        else
        {
            var writers = new Action[_lanes.Length];
            for (int l = 0; l < _lanes.Length; l++)
            {
                var lane = _lanes[l];
                writers[l] = () => WriteLane(lane, batch, prepared, writer);
            }
            try
            {
                Parallel.Invoke(writers);
            }
            catch (AggregateException e)
            {
                // The first failure, as the one-thread path would throw it (the caller rolls the writer back).
                ExceptionDispatchInfo.Capture(e.Flatten().InnerExceptions[0]).Throw();
            }
        }
        foreach (var lane in _lanes)
        {
            foreach (string id in lane.Written)
            {
                _recentlyAdded.Add(id);
                _recentlyDeleted.Remove(id);
            }
            _summary.Added += lane.Added;
            _summary.Updated += lane.Updated;
            _summary.VectorsAdded += lane.Added + lane.Updated;
        }
    }

    private int LaneOf(string id) => _lanes.Length == 1 ? 0 : (int)((uint)StringComparer.Ordinal.GetHashCode(id) % (uint)_lanes.Length);

    private void WriteLane(WriterLane lane, VectorBatch batch, PreparedVector[] prepared, IndexWriter writer)
    {
        foreach (int i in lane.Records)
        {
            string id = batch.Records[i].Record.Id;
            if (_bulk is not null && _bulk.Contains(id))
            {
                // A later vector of a held document replaces it, as UpdateDocument would.
                Hold(lane, id, prepared[i].Field!);
                continue;
            }
            // As Write would have left the shared sets after this lane's earlier records of the batch.
            bool writtenHere = lane.Written.Contains(id);
            bool deleted = !writtenHere && _recentlyDeleted.Contains(id);
            // One id lookup gives both the stored fields to keep and whether the id is new.
            int found = deleted ? -1 : Find(id, lane);
            bool exists = !deleted && (found >= 0 || writtenHere || _recentlyAdded.Contains(id));
            if (_bulk is not null && !exists)
            {
                // A new id: a vector-only document, held and written with others as one segment.
                Hold(lane, id, prepared[i].Field!);
                continue;
            }
            var doc = found >= 0
                ? PubMedSchema.CreateDocument(PubMedSchema.ReadStored(_reader!.Document(found)))
                : lane.VectorOnly.Document(id);
            doc.Add(prepared[i].Field);
            _options.BeforeWrite?.Invoke(Interlocked.Read(ref _documentsWritten));
            if (exists)
            {
                lane.Updated++;
                writer.UpdateDocument(new Term(PubMedSchema.Id, id), doc);
            }
            else
            {
                // No document has this id (see Write), so an update's delete term would match nothing.
                lane.Added++;
                writer.AddDocument(doc);
            }
            lane.Written.Add(id);
            CountWritten();
        }
    }

    // Holds the vector-only document of id for the bulk writer, counted as an update when it replaces a held one.
    private void Hold(WriterLane lane, string id, SpladeField field)
    {
        _options.BeforeWrite?.Invoke(Interlocked.Read(ref _documentsWritten));
        if (_bulk!.Put(id, field))
        {
            lane.Updated++;
        }
        else
        {
            lane.Added++;
        }
        lane.Written.Add(id);
        CountWritten();
    }

    private void Refresh(IndexWriter writer)
    {
        // The new reader must see every document written so far, since _recentlyAdded forgets them below: held ones
        // too, or a later flush would leave their ids known to neither and a repeat would add a second document.
        _bulk?.Flush(writer);
        // CA2000 does not follow the hand-over to the _reader field below (the old reader is disposed after it).
#pragma warning disable CA2000
        var newer = DirectoryReader.OpenIfChanged(_reader!, writer, applyAllDeletes: true);
#pragma warning restore CA2000
        if (newer is not null)
        {
            var older = _reader!;
            _reader = newer;   // owned by the field before anything can throw
            foreach (var lane in _lanes)
            {
                lane.Lookups = null;
            }
            older.Dispose();
        }
        _recentlyAdded.Clear();
        _recentlyDeleted.Clear();
    }

    private bool Exists(string pmid) =>
        !_recentlyDeleted.Contains(pmid) && (_recentlyAdded.Contains(pmid) || Find(pmid, _lanes[0]) >= 0);

    private int Find(string pmid, WriterLane lane)
    {
        // One terms enumerator (and docs enumerator) per segment of the current reader, reused from lookup to lookup:
        // a new BlockTree enumerator per segment per record (AtomicReader.GetTermDocsEnum) allocated most of the
        // 9.5 GB a 200,000-vector run allocated, and the number of segments grows with the index.
        // Enumerators are not thread-safe: each writer lane has its own.
        var leaves = _reader!.Leaves;
        var lookups = lane.Lookups;
        if (lookups is null)
        {
            lookups = lane.Lookups = new IdLookup[leaves.Count];
            for (int i = 0; i < leaves.Count; i++)
            {
                lookups[i] = new IdLookup(leaves[i].AtomicReader.GetTerms(PubMedSchema.Id)?.GetEnumerator(), leaves[i].AtomicReader.LiveDocs);
            }
        }
        var idBytes = lane.IdBytes;
        idBytes.CopyChars(pmid);
        for (int i = 0; i < leaves.Count; i++)
        {
            var lookup = lookups[i];
            if (lookup.Terms is not null && lookup.Terms.SeekExact(idBytes))
            {
                // Live documents only, as GetTermDocsEnum gives.
                var docs = lookup.Docs = lookup.Terms.Docs(lookup.LiveDocs, lookup.Docs, DocsFlags.NONE);
                if (docs is not null && docs.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
                {
                    return leaves[i].DocBase + docs.DocID;
                }
            }
        }
        return -1;
    }

    // A segment's id terms and live documents, with the docs enumerator last used on them.
    private sealed class IdLookup(TermsEnum? terms, Lucene.Net.Util.IBits? liveDocs)
    {
        public TermsEnum? Terms { get; } = terms;

        public Lucene.Net.Util.IBits? LiveDocs { get; } = liveDocs;

        public DocsEnum? Docs { get; set; }
    }

    // What one writer thread uses: its records of the current batch (indexes into it), the ids it wrote in the batch,
    // its counts, and its own reusable document and id-lookup enumerators.
    private sealed class WriterLane
    {
        public List<int> Records { get; } = [];

        public HashSet<string> Written { get; } = new(StringComparer.Ordinal);

        public long Added { get; set; }

        public long Updated { get; set; }

        public VectorOnlyDocument VectorOnly { get; } = new();

        public Lucene.Net.Util.BytesRef IdBytes { get; } = new();

        public IdLookup[]? Lookups { get; set; }
    }

    private abstract record Work;

    // Sources[i] is the file and line of Articles[i], for reports.
    private sealed record ArticleBatch(List<StoredArticle> Articles, List<(string Path, long Line)> Sources) : Work
    {
        public IReadOnlyList<SparseVector>? Vectors { get; set; }
    }

    private sealed record VectorBatch(string Path, List<LinedVector> Records) : Work
    {
        public PreparedVector[]? Prepared { get; set; }
    }

    // Field is null when the record is skipped, Problem saying why.
    private readonly record struct PreparedVector(SpladeField? Field, int UnknownTokens, string? Problem);

    private sealed record LinedArticle(StoredArticle Article, long Line);

    private sealed record LinedVector(VectorRecord Record, long Line);

    private sealed record Deletion(IReadOnlyList<string> Pmids) : Work;

    private sealed record Checkpoint(string FileKey, long Items, bool FileDone) : Work;
}
