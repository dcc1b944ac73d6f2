using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Util;
using Splade.Lucene.Codecs;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Splade.Lucene.Reindexing;

/// <summary>
/// Rebuilds (or adds) the SPLADE field of every document of any Lucene.NET 4.8 index from its stored text,
/// keeping everything else exactly as it is: other fields (including fields that are indexed but not
/// stored), norms, doc values and deletions. The new field is written to a side index whose documents
/// line up one to one with the index's (same order, deleted ones included, committed as it goes, so a
/// killed run resumes), then both are joined with a <see cref="ParallelAtomicReader"/> and written back in
/// one commit. Until that commit the index is untouched; if the join fails (a full disk, say) the writer
/// is rolled back, so the index stays exactly as it was.
/// </summary>
public sealed class SpladeReindexer
{
    /// <summary>Commit user data key of the side index: the segments file of the index it was built from and a hash of that commit's files, the SPLADE settings, model and text fields (a side index is resumed only when all match).</summary>
    public const string SourceKey = "reindex.source";

    private readonly SpladeReindexerOptions _options;
    // The side index's fields: in term-frequency storage one token per term, written as frequencies by its codec.
    private readonly SpladeFieldOptions _sideOptions;

    /// <summary>Creates a reindexer; the options are validated here, once.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public SpladeReindexer(SpladeReindexerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;
        _sideOptions = options.Splade.Clone();
        _sideOptions.OneTokenTermFrequency = _sideOptions.StorageMode == SpladeStorageMode.TermFrequency;
    }

    /// <summary>Documents encoded by this run (a resumed run does not count what an earlier one did).</summary>
    public long Encoded { get; private set; }

    /// <summary>Runs the whole job: builds (or resumes) the side index, then joins it to the index in one commit.</summary>
    /// <returns>The number of live documents of the index.</returns>
    /// <exception cref="IOException">There is no index, or writing failed; the index is left as it was.</exception>
    /// <exception cref="ArgumentException">No live document stores one of the text fields (nothing is written).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was signalled; the side index keeps its last commit.</exception>
    public long Reindex(CancellationToken cancellation = default)
    {
        var directory = _options.Index;
        if (!IndexCommits.HasCommit(directory))
        {
            throw new IOException($"There is no index in {directory}.");
        }
        using var source = DirectoryReader.Open(directory);
        string snapshot = ResumeKey(source.IndexCommit, directory);
        var atomic = SlowCompositeReaderWrapper.Wrap(source);
        CheckTextFields(atomic, _options.TextFields);

        BuildSideIndex(atomic, _options.Work, snapshot, cancellation);
        cancellation.ThrowIfCancellationRequested();
        using (var side = DirectoryReader.Open(_options.Work))
        {
            if (side.MaxDoc != atomic.MaxDoc)
            {
                throw new IOException($"The side index in {_options.Work} has {side.MaxDoc} documents for {atomic.MaxDoc}; empty it and run again.");
            }
            var joined = new ParallelAtomicReader(new FieldHidingReader(atomic, _options.Splade.FieldName), SlowCompositeReaderWrapper.Wrap(side));

            // CREATE over an open index starts an empty commit without touching the old one (Lucene keeps the
            // segment counter, so no file name clashes); the old commit stays current until Commit below.
            using var keyword = new global::Lucene.Net.Analysis.Core.KeywordAnalyzer();   // IndexWriter does not dispose its analyzer
            var config = _options.CreateJoinWriterConfig?.Invoke() ?? new IndexWriterConfig(LuceneVersion.LUCENE_48, keyword);
            config.OpenMode = OpenMode.CREATE;
            var writer = new IndexWriter(directory, config);
            try
            {
                writer.AddIndexes(joined);
                var userData = new Dictionary<string, string>(source.IndexCommit.UserData, StringComparer.Ordinal);
                foreach (var (k, v) in SpladeIndexSettings.From(_options.Splade, _options.Encoder).ToUserData())
                {
                    userData[k] = v;
                }
                writer.SetCommitData(userData);
                writer.Commit();
            }
            catch
            {
                // Disposing an IndexWriter commits, and a writer opened with CREATE would commit an EMPTY index:
                // roll back instead, which deletes what this writer wrote and leaves the last commit current.
                writer.Rollback();
                throw;
            }
            writer.Dispose();
        }
        foreach (string file in _options.Work.ListAll())
        {
            _options.Work.DeleteFile(file);
        }
        return atomic.NumDocs;
    }

    /// <summary>
    /// What a side index may be resumed for: the index's commit (its segments file, and every file of the commit with
    /// its length, so that another index at the same generation does not match), the SPLADE settings and model of the
    /// field to build, and the text fields. Any change starts the side index afresh.
    /// </summary>
    private string ResumeKey(IndexCommit commit, LuceneDirectory directory)
    {
        var text = new System.Text.StringBuilder();
        foreach (string file in commit.FileNames.OrderBy(f => f, StringComparer.Ordinal))
        {
            text.Append(file).Append(' ').Append(directory.FileLength(file)).Append('\n');
        }
        foreach (var (k, v) in SpladeIndexSettings.From(_options.Splade, _options.Encoder).ToUserData().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            text.Append(k).Append('=').Append(v).Append('\n');
        }
        text.Append("text fields=").Append(string.Join('\u001f', _options.TextFields));
        byte[] hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text.ToString()));
        return commit.SegmentsFileName + " " + Convert.ToHexStringLower(hash);
    }

    /// <summary>
    /// Refuses text fields that no live document stores (a typo would otherwise give every document the
    /// vector of empty text).
    /// </summary>
    private static void CheckTextFields(AtomicReader reader, IReadOnlyList<string> fields)
    {
        if (reader.NumDocs == 0)
        {
            return;
        }
        var missing = new HashSet<string>(fields.Where(f => reader.FieldInfos.FieldInfo(f) is not null), StringComparer.Ordinal);
        var live = reader.LiveDocs;
        for (int d = 0; d < reader.MaxDoc && missing.Count > 0; d++)
        {
            if (live is null || live.Get(d))
            {
                var doc = reader.Document(d, missing);
                missing.RemoveWhere(f => doc.GetValues(f) is { Length: > 0 });
            }
        }
        missing.UnionWith(fields.Where(f => reader.FieldInfos.FieldInfo(f) is null));
        if (missing.Count > 0)
        {
            var stored = new SortedSet<string>(StringComparer.Ordinal);
            for (int d = 0; d < reader.MaxDoc; d++)
            {
                if (live is null || live.Get(d))
                {
                    foreach (var f in reader.Document(d).Fields)
                    {
                        stored.Add(f.Name);
                    }
                    break;
                }
            }
            var names = string.Join(", ", fields.Where(missing.Contains).Select(f => $"'{f}'"));
            throw new ArgumentException(
                $"No document stores the text field{(missing.Count > 1 ? "s" : "")} {names}; stored fields of the first document: {(stored.Count > 0 ? string.Join(", ", stored) : "none")}.",
                nameof(fields));
        }
    }

    private void BuildSideIndex(AtomicReader source, LuceneDirectory work, string snapshot, CancellationToken cancellation)
    {
        using var keyword = new global::Lucene.Net.Analysis.Core.KeywordAnalyzer();   // IndexWriter does not dispose its analyzer
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, keyword)
        {
            // Log merges only join neighbouring segments, so document order (the alignment) survives merging.
            MergePolicy = new LogDocMergePolicy(),
            OpenMode = OpenMode.CREATE_OR_APPEND,
            // Converts the one-token fields at flush, so the side index (and the join) hold docs and frequencies.
            Codec = _sideOptions.OneTokenTermFrequency
                ? new SpladeCodec([_sideOptions.FieldName], [_sideOptions.FieldName])
                : new SpladeCodec(_sideOptions.FieldName),
        };
        // A side index killed while writing its first commit is started afresh, like one that does not exist.
        IndexCommits.RemoveUnfinishedFirstCommit(work);
        if (IndexCommits.HasCommit(work))
        {
            using var existing = DirectoryReader.Open(work);
            if (!existing.IndexCommit.UserData.TryGetValue(SourceKey, out var s) || s != snapshot)
            {
                // The index changed since the side index was started: its alignment is lost.
                config.OpenMode = OpenMode.CREATE;
            }
        }
        using var writer = new IndexWriter(work, config);
        try
        {
            Fill(writer, source, snapshot, cancellation);
        }
        catch
        {
            // Keep the last commit of the side index (whose progress matches its documents) for the next run.
            writer.Rollback();
            throw;
        }
    }

    private void Fill(IndexWriter writer, AtomicReader source, string snapshot, CancellationToken cancellation)
    {
        int start = writer.MaxDoc;
        int maxDoc = source.MaxDoc;
        var live = source.LiveDocs;
        var userData = new Dictionary<string, string> { [SourceKey] = snapshot };
        var fieldsToLoad = new HashSet<string>(_options.TextFields, StringComparer.Ordinal);
        var stats = new SpladeIndexingStats();
        int sinceCommit = 0;
        for (int batchStart = start; batchStart < maxDoc; batchStart += _options.BatchSize)
        {
            cancellation.ThrowIfCancellationRequested();
            int count = Math.Min(_options.BatchSize, maxDoc - batchStart);
            var texts = new List<string>(count);
            var liveRows = new List<int>(count);
            for (int d = batchStart; d < batchStart + count; d++)
            {
                if (live is null || live.Get(d))
                {
                    var stored = source.Document(d, fieldsToLoad);
                    texts.Add(string.Join(' ', _options.TextFields.SelectMany(f => stored.GetValues(f) ?? []).Where(v => v.Length > 0)));
                    liveRows.Add(d);
                }
            }
            var vectors = _options.Encoder.EncodeDocuments(texts);
            int next = 0;
            for (int d = batchStart; d < batchStart + count; d++)
            {
                // A deleted document still needs its (empty) place, or every later one would shift.
                var doc = new Document();
                if (next < liveRows.Count && liveRows[next] == d)
                {
                    doc.Add(new SpladeField(vectors[next], _options.Encoder.Vocabulary, _sideOptions, stats));
                    next++;
                }
                writer.AddDocument(doc);
            }
            Encoded += texts.Count;
            sinceCommit += count;
            if (sinceCommit >= _options.CommitEvery)
            {
                writer.SetCommitData(userData);
                writer.Commit();
                sinceCommit = 0;
            }
            _options.Progress?.Report(batchStart + count);
        }
        writer.SetCommitData(userData);
        writer.Commit();
    }
}
