using System.Diagnostics;
using IndexPubMed.Commands;
using IndexPubMed.Indexing;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;

namespace IndexPubMed.Reindexing;

/// <summary>
/// Rebuilds (or adds) the SPLADE field of every document of an index, keeping everything else exactly
/// as it is, including fields that are indexed but not stored. The new field is written to a side index
/// whose documents line up one to one with the original's (same order, deleted ones included, committed
/// as it goes, so a killed run resumes), then both are joined with a ParallelAtomicReader and written
/// back in one commit: until that commit the index is untouched.
/// </summary>
internal sealed class SpladeReindexer
{
    private const string SourceKey = "reindex.source";
    private readonly SpladeReindexerOptions _options;

    public SpladeReindexer(SpladeReindexerOptions options) => _options = options;

    /// <summary>Documents encoded by this run (a resumed run does not count what an earlier one did).</summary>
    public long Encoded { get; private set; }

    public long Reindex()
    {
        string indexPath = _options.IndexDirectory;
        string workPath = Path.GetFullPath(indexPath).TrimEnd(Path.DirectorySeparatorChar) + ".splade-reindex";
        using var indexLock = IndexLock.Acquire(indexPath);
        using var directory = FSDirectory.Open(indexPath);
        if (!DirectoryReader.IndexExists(directory))
        {
            throw new IOException($"There is no index in {indexPath}.");
        }
        using var source = DirectoryReader.Open(directory);
        string snapshot = source.IndexCommit.SegmentsFileName;
        var atomic = SlowCompositeReaderWrapper.Wrap(source);

        using (var work = FSDirectory.Open(workPath))
        {
            BuildSideIndex(atomic, work, snapshot);
            using var side = DirectoryReader.Open(work);
            if (side.MaxDoc != atomic.MaxDoc)
            {
                throw new InvalidOperationException($"The side index has {side.MaxDoc} documents for {atomic.MaxDoc}; delete {workPath} and run again.");
            }
            var joined = new ParallelAtomicReader(new FieldHidingReader(atomic, _options.Splade.FieldName), SlowCompositeReaderWrapper.Wrap(side));

            // CREATE over an open index starts an empty commit without touching the old one (Lucene keeps the
            // segment counter, so no file name clashes); the old commit stays current until Commit below.
            using var analyzer = PubMedSchema.CreateAnalyzer();   // IndexWriter does not dispose its analyzer
            var config = Bm25Index.CreateWriterConfig(analyzer);
            config.OpenMode = OpenMode.CREATE;
            using var writer = new IndexWriter(directory, config);
            writer.AddIndexes(joined);
            var userData = new Dictionary<string, string>(source.IndexCommit.UserData, StringComparer.Ordinal);
            foreach (var (k, v) in SpladeIndexSettings.From(_options.Splade, _options.Encoder).ToUserData())
            {
                userData[k] = v;
            }
            writer.SetCommitData(userData);
            writer.Commit();
        }
        System.IO.Directory.Delete(workPath, recursive: true);
        return atomic.NumDocs;
    }

    private void BuildSideIndex(AtomicReader source, Lucene.Net.Store.Directory work, string snapshot)
    {
        using var keyword = new Lucene.Net.Analysis.Core.KeywordAnalyzer();   // IndexWriter does not dispose its analyzer
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, keyword)
        {
            // Log merges only join neighbouring segments, so document order (the alignment) survives merging.
            MergePolicy = new LogDocMergePolicy(),
            OpenMode = OpenMode.CREATE_OR_APPEND,
        };
        bool fresh = !DirectoryReader.IndexExists(work);
        if (!fresh)
        {
            using var existing = DirectoryReader.Open(work);
            if (!existing.IndexCommit.UserData.TryGetValue(SourceKey, out var s) || s != snapshot)
            {
                // The index changed since the side index was started: its alignment is lost.
                config.OpenMode = OpenMode.CREATE;
            }
        }
        using var writer = new IndexWriter(work, config);
        int start = writer.MaxDoc;
        int maxDoc = source.MaxDoc;
        var live = source.LiveDocs;
        var progress = new Progress("documents", maxDoc, _options.Quiet);
        var userData = new Dictionary<string, string> { [SourceKey] = snapshot };
        var fieldsToLoad = new HashSet<string>(_options.TextFields);
        var stats = new SpladeIndexingStats();
        int sinceCommit = 0;
        for (int batchStart = start; batchStart < maxDoc; batchStart += _options.BatchSize)
        {
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
                    doc.Add(new SpladeField(vectors[next], _options.Encoder.Vocabulary, _options.Splade, stats));
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
            if (_options.CrashAfterDocuments is long crash && Encoded >= crash)
            {
                Process.GetCurrentProcess().Kill();
            }
            progress.Report(batchStart + count);
        }
        writer.SetCommitData(userData);
        writer.Commit();
        progress.Finish(maxDoc);
    }
}
