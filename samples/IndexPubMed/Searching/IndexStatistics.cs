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
        if (!DirectoryReader.IndexExists(directory))
        {
            throw new SearchSetupException($"'{full}' holds no Lucene index.");
        }
        using var reader = DirectoryReader.Open(directory);
        var userData = reader.IndexCommit.UserData;
        var progress = IndexProgress.Read(userData);
        // Only the files of the open commit: a writer's unreferenced leftovers are not part of the index.
        long size = reader.IndexCommit.FileNames.Sum(f => directory.FileLength(f));
        var splade = SpladeIndexSettings.Read(reader, PubMedSchema.Splade);
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
        };
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
