using System.Globalization;
using System.Text;
using IndexPubMed.Indexing;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Splade.Lucene.Index;

namespace IndexPubMed.Searching;

/// <summary>What the <c>stats</c> command reports about an index: documents, segments, size, recorded settings and field statistics.</summary>
internal sealed class IndexStatistics
{
    private static readonly string[] TextFields = [PubMedSchema.Contents, PubMedSchema.Title, PubMedSchema.Abstract];

    public required string Path { get; init; }

    public int LiveDocuments { get; init; }

    public int DeletedDocuments { get; init; }

    public int Segments { get; init; }

    public long SizeBytes { get; init; }

    public int FilesDone { get; init; }

    public string? UnfinishedFile { get; init; }

    public long UnfinishedFileItems { get; init; }

    public SpladeIndexSettings? Splade { get; init; }

    public FieldStatistics? SpladeField { get; init; }

    public required IReadOnlyList<FieldStatistics> Bm25Fields { get; init; }

    public required IReadOnlyDictionary<string, string> UserData { get; init; }

    /// <summary>Segments whose SPLADE impact bounds are persisted (a <c>.sib</c> file, written by SpladeCodec).</summary>
    public int SegmentsWithPersistedBounds { get; init; }

    /// <summary>Bytes of the <c>.sib</c> files (also inside compound files).</summary>
    public long PersistedBoundsBytes { get; init; }

    /// <summary>
    /// Upper bound of the memory the pruning scorer's high-impact tiers take once every common term (1,024 or more
    /// postings in a segment) has been queried: 4 bytes per posting of those terms plus 4 per 2,048 documents each.
    /// </summary>
    public long TierBytesAtMost { get; init; }

    /// <summary>(segment, term) pairs that can get a tier.</summary>
    public long TierTermsAtMost { get; init; }

    /// <summary>Postings of the SPLADE field in all segments (deleted documents included).</summary>
    public long SpladePostings { get; init; }

    /// <summary>
    /// Upper bound of the memory of the in-memory postings (<c>SpladeQueryOptions.InMemoryPostings</c>) once every term
    /// has been queried: 4 bytes per posting (3 for postings whose impact fits a byte) plus 4 per 65,536 documents per
    /// term, each segment capped at <c>SpladeQueryOptions.DefaultMaxInMemoryPostingsBytesPerSegment</c>.
    /// </summary>
    public long InMemoryBytesAtMost { get; init; }

    /// <summary>Reads the statistics of the index in <paramref name="indexDirectory"/>.</summary>
    /// <exception cref="SearchSetupException">The folder is missing or holds no index.</exception>
    public static IndexStatistics Read(string indexDirectory)
    {
        string full = System.IO.Path.GetFullPath(indexDirectory);
        if (!System.IO.Directory.Exists(full))
        {
            throw new SearchSetupException($"index folder '{full}' does not exist.");
        }
        using var directory = FSDirectory.Open(full);
        if (!IndexCommits.HasCommit(directory))
        {
            throw new SearchSetupException($"'{full}' holds no Lucene index.");
        }
        using var reader = DirectoryReader.Open(directory);
        var userData = reader.IndexCommit.UserData;
        var progress = IndexProgress.Read(userData);
        // Only the files of the open commit: a writer's unreferenced leftovers are not part of the index.
        long size = reader.IndexCommit.FileNames.Sum(f => directory.FileLength(f));
        var splade = SpladeIndexSettings.Read(reader, PubMedSchema.Splade);
        var (persistedSegments, persistedBytes) = PersistedBounds(reader, directory);
        var (tierTerms, tierBytes) = TierUpperBound(reader, PubMedSchema.Splade);
        var (postings, inMemoryBytes) = InMemoryUpperBound(reader, PubMedSchema.Splade);
        return new IndexStatistics
        {
            Path = full,
            LiveDocuments = reader.NumDocs,
            DeletedDocuments = reader.NumDeletedDocs,
            Segments = reader.Leaves.Count,
            SizeBytes = size,
            FilesDone = progress.DoneCount,
            UnfinishedFile = progress.CurrentFile,
            UnfinishedFileItems = progress.CurrentItems,
            Splade = splade,
            SpladeField = Statistics(reader, PubMedSchema.Splade),
            Bm25Fields = TextFields.Select(f => Statistics(reader, f)).OfType<FieldStatistics>().ToList(),
            UserData = new Dictionary<string, string>(userData, StringComparer.Ordinal),
            SegmentsWithPersistedBounds = persistedSegments,
            PersistedBoundsBytes = persistedBytes,
            TierTermsAtMost = tierTerms,
            TierBytesAtMost = tierBytes,
            SpladePostings = postings,
            InMemoryBytesAtMost = inMemoryBytes,
        };
    }

    // The .sib files of the open commit's segments, read from the compound file when the segment has one.
    private static (int Segments, long Bytes) PersistedBounds(DirectoryReader reader, Lucene.Net.Store.Directory directory)
    {
        int segments = 0;
        long bytes = 0;
        foreach (var leaf in reader.Leaves)
        {
            if (leaf.AtomicReader is not SegmentReader segment)
            {
                continue;
            }
            var info = segment.SegmentInfo.Info;
            long found = 0;
            bool any = false;
            if (info.UseCompoundFile)
            {
                using var cfs = new CompoundFileDirectory(directory, IndexFileNames.SegmentFileName(info.Name, "", IndexFileNames.COMPOUND_FILE_EXTENSION), IOContext.READ_ONCE, false);
                foreach (string f in cfs.ListAll().Where(IsBoundsFile))
                {
                    found += cfs.FileLength(f);
                    any = true;
                }
            }
            else
            {
                foreach (string f in info.GetFiles().Where(IsBoundsFile))
                {
                    found += directory.FileLength(f);
                    any = true;
                }
            }
            segments += any ? 1 : 0;
            bytes += found;
        }
        return (segments, bytes);
    }

    private static bool IsBoundsFile(string name) => name.EndsWith(".sib", StringComparison.Ordinal);

    // Mirrors SegmentImpactBounds: terms with at least 1,024 postings in a segment may keep a tier of the postings above
    // their 15th-percentile impact (fewer than all of them), 4 bytes each, plus 4 bytes per block of 2,048 documents.
    private static (long Terms, long Bytes) TierUpperBound(IndexReader reader, string field)
    {
        long terms = 0, bytes = 0;
        foreach (var leaf in reader.Leaves)
        {
            var fieldTerms = leaf.AtomicReader.GetTerms(field);
            if (fieldTerms is null)
            {
                continue;
            }
            long blocks = (leaf.AtomicReader.MaxDoc + 2047) / 2048;
            var e = fieldTerms.GetEnumerator();
            while (e.MoveNext())
            {
                if (e.DocFreq >= 1024)
                {
                    terms++;
                    bytes += (4L * e.DocFreq) + (4 * (blocks + 1));
                }
            }
        }
        return (terms, bytes);
    }

    private const long InMemoryCapMiB = global::Splade.Lucene.Search.SpladeQueryOptions.DefaultMaxInMemoryPostingsBytesPerSegment / 1048576;

    // Mirrors InMemoryTermPostings: at most 4 bytes per posting plus a start index per 65,536 documents per term in
    // larger segments, under the default per-segment cap.
    private static (long Postings, long Bytes) InMemoryUpperBound(IndexReader reader, string field)
    {
        long postings = 0, bytes = 0;
        foreach (var leaf in reader.Leaves)
        {
            var fieldTerms = leaf.AtomicReader.GetTerms(field);
            if (fieldTerms is null)
            {
                continue;
            }
            long blocks = (leaf.AtomicReader.MaxDoc + 65535L) / 65536;
            long segment = 0;
            var e = fieldTerms.GetEnumerator();
            while (e.MoveNext())
            {
                postings += e.DocFreq;
                segment += (4L * e.DocFreq) + (blocks > 1 ? 4 * (blocks + 1) : 0);
            }
            bytes += Math.Min(segment, global::Splade.Lucene.Search.SpladeQueryOptions.DefaultMaxInMemoryPostingsBytesPerSegment);
        }
        return (postings, bytes);
    }

    /// <summary>Statistics of <paramref name="field"/>, or null when no document has it.</summary>
    public static FieldStatistics? Statistics(IndexReader reader, string field)
    {
        var terms = MultiFields.GetTerms(reader, field);
        if (terms is null)
        {
            return null;
        }
        long distinct = 0;
        var e = terms.GetEnumerator();
        // MultiTerms does not know its distinct count (segments share terms): count by walking the dictionary.
        while (e.MoveNext())
        {
            distinct++;
        }
        return new FieldStatistics(field, terms.DocCount, distinct, terms.SumDocFreq, terms.SumTotalTermFreq);
    }

    /// <summary>The report as text.</summary>
    public string Format()
    {
        var c = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"index              {Path}");
        sb.AppendLine(c, $"documents          {LiveDocuments:N0}");
        sb.AppendLine(c, $"deleted documents  {DeletedDocuments:N0}");
        sb.AppendLine(c, $"segments           {Segments:N0}");
        sb.AppendLine(c, $"size on disk       {SizeBytes:N0} bytes ({SizeBytes / 1048576.0:F1} MiB)");
        sb.Append(c, $"input files done   {FilesDone:N0}");
        if (UnfinishedFile is { Length: > 0 } u)
        {
            sb.Append(c, $" (unfinished: {u.Split('|')[0]} after {UnfinishedFileItems:N0} items)");
        }
        sb.AppendLine();
        if (Splade is null)
        {
            sb.AppendLine("SPLADE             none (BM25 fields only)");
        }
        else
        {
            sb.AppendLine(c, $"SPLADE settings    field {Splade.FieldName}, storage {Splade.StorageMode}, scale {Splade.Scale.ToString("R", c)}, similarity {Splade.SimilarityFunction}, long texts {(Splade.DocumentEncoding.Length > 0 ? Splade.DocumentEncoding : "truncate")}");
            sb.AppendLine(c, $"SPLADE model       {(Splade.ModelId.Length > 0 ? Splade.ModelId : "(unknown)")}");
        }
        if (SpladeField is { } s)
        {
            sb.AppendLine(c, $"SPLADE field       {s.DocCount:N0} documents, {s.DistinctTerms:N0} distinct terms, {s.TermsPerDocument:F1} active terms/document");
            if (Splade?.StorageMode == SpladeStorageMode.TermFrequency && s.SumTotalTermFreq >= 0)
            {
                sb.AppendLine(c, $"SPLADE impact      total {s.SumTotalTermFreq:N0}, {s.TokensPerDocument:F1}/document, {(double)s.SumTotalTermFreq / Math.Max(s.SumDocFreq, 1):F1}/posting");
            }
        }
        if (SpladeField is not null)
        {
            sb.AppendLine(c, $"impact bounds      persisted in {SegmentsWithPersistedBounds:N0} of {Segments:N0} segments, {PersistedBoundsBytes:N0} bytes ({PersistedBoundsBytes / 1048576.0:F1} MiB){(SegmentsWithPersistedBounds < Segments ? "; other segments compute them on first use (reindex to persist)" : "")}");
            sb.AppendLine(c, $"tier memory        at most {TierBytesAtMost:N0} bytes ({TierBytesAtMost / 1048576.0:F1} MiB) once all {TierTermsAtMost:N0} common (segment, term) pairs are queried; SpladeQueryOptions.MaxTierBytesPerSegment caps it");
            sb.AppendLine(c, $"in-memory postings at most {InMemoryBytesAtMost:N0} bytes ({InMemoryBytesAtMost / 1048576.0:F1} MiB) for {SpladePostings:N0} postings once every term is queried (3-4 bytes each); SpladeQueryOptions.MaxInMemoryPostingsBytesPerSegment caps it per segment (default {InMemoryCapMiB} MiB)");
        }
        foreach (var f in Bm25Fields)
        {
            sb.AppendLine(c, $"BM25 {f.Field,-13} {f.DocCount:N0} documents, {f.DistinctTerms:N0} distinct terms, {f.SumTotalTermFreq:N0} tokens, {f.TokensPerDocument:F1} tokens/document");
        }
        var other = UserData.Keys.Where(k => !k.StartsWith("splade.", StringComparison.Ordinal) && !k.StartsWith("indexpubmed.", StringComparison.Ordinal)).Order(StringComparer.Ordinal).ToList();
        foreach (var k in other)
        {
            sb.AppendLine(c, $"commit data        {k} = {UserData[k]}");
        }
        return sb.ToString();
    }
}
