using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Index;
using Directory = Lucene.Net.Store.Directory;

namespace IndexPubMed.Indexing;

/// <summary>
/// Joins indexes built in parallel (for example by <c>index --shard K/N</c> on N machines) into one with
/// <see cref="IndexWriter.AddIndexes(Directory[])"/>, which copies their segments without re-analysing or
/// re-encoding anything. Refuses inputs whose SPLADE settings (storage mode, scale, model, similarity,
/// long-text handling) differ. Keeps PMIDs unique: the inputs are applied in the order given, after what
/// the output already holds, and a PMID found again in a later input replaces the earlier document, as a
/// later file replaces an earlier one in <c>index</c> (indexes do not record when each document was
/// written, so the order of the inputs is what "newer" means; shards made by <c>--shard</c> never share a PMID).
/// </summary>
internal sealed class IndexMerger
{
    /// <summary>Commit user data key of the share an index holds (<c>K/N</c>), written by <c>index --shard</c>.</summary>
    public const string ShardKey = "indexpubmed.shard";

    private const string DoneFilesKey = "indexpubmed.done_files";

    public IndexMerger(string output, IReadOnlyList<string> inputs)
    {
        Output = output;
        Inputs = inputs;
    }

    public string Output { get; }

    public IReadOnlyList<string> Inputs { get; }

    /// <summary>Documents replaced because a later input held the same PMID.</summary>
    public long Replaced { get; private set; }

    /// <summary>Documents added from the inputs.</summary>
    public long Added { get; private set; }

    /// <summary>Runs the merge and commits once at the end.</summary>
    /// <exception cref="SpladeIndexMismatchException">An input's SPLADE settings differ from the others'.</exception>
    /// <exception cref="IOException">An input is missing or not an index, or the output is locked.</exception>
    public void Run(Action<string> log)
    {
        // "a/" and "a" are one folder: compared without a trailing separator.
        static string Canonical(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var full = Inputs.Select(Canonical).ToList();
        if (full.Contains(Canonical(Output), StringComparer.Ordinal))
        {
            throw new IOException($"The output index {Output} is also an input.");
        }
        if (full.Distinct(StringComparer.Ordinal).Count() != full.Count)
        {
            throw new IOException("An input index is given twice.");
        }
        var directories = new List<Directory>();
        try
        {
            var userData = new List<IDictionary<string, string>>();
            foreach (var path in full)
            {
                if (!System.IO.Directory.Exists(path))
                {
                    throw new IOException($"The input index {path} does not exist.");
                }
                var dir = FSDirectory.Open(path);
                directories.Add(dir);
                if (!IndexCommits.HasCommit(dir))
                {
                    throw new IOException($"{path} is not a Lucene index.");
                }
                userData.Add(SegmentInfosUserData(dir));
            }

            using var indexLock = IndexLock.Acquire(Output);
            using var outDir = FSDirectory.Open(Output);
            using var analyzer = PubMedSchema.CreateAnalyzer();
            using var writer = new IndexWriter(outDir, Bm25Index.CreateWriterConfig(analyzer));
            try
            {
                Merge(writer, full, directories, userData, log);
            }
            catch
            {
                // Disposing an IndexWriter commits (Lucene 4.8): roll back instead, so that a failed merge leaves the
                // output at its last commit, not with the deletes and inputs done so far.
                writer.Rollback();
                throw;
            }
        }
        finally
        {
            foreach (var d in directories)
            {
                d.Dispose();
            }
        }
    }

    private void Merge(IndexWriter writer, List<string> full, List<Directory> directories, List<IDictionary<string, string>> userData, Action<string> log)
    {
        var outData = new Dictionary<string, string>(writer.CommitData ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        bool outputEmpty = writer.MaxDoc == 0;

        // Every input, and the output unless it is empty, must have the same SPLADE settings (or none).
        var reference = outputEmpty ? SpladeIndexSettings.Read(userData[0], PubMedSchema.Splade) : SpladeIndexSettings.Read(outData, PubMedSchema.Splade);
        string referenceName = outputEmpty ? full[0] : Output;
        for (int i = 0; i < full.Count; i++)
        {
            var settings = SpladeIndexSettings.Read(userData[i], PubMedSchema.Splade);
            if (!Equals(settings, reference))
            {
                throw new SpladeIndexMismatchException(PubMedSchema.Splade, "settings", $"{reference?.ToString() ?? "no SPLADE field"} ({referenceName})",
                    $"{settings?.ToString() ?? "no SPLADE field"} ({full[i]}): merge only indexes built with the same model, --storage, --scale and --long-text");
            }
        }

        for (int i = 0; i < full.Count; i++)
        {
            using (var current = DirectoryReader.Open(writer, applyAllDeletes: true))
            using (var input = DirectoryReader.Open(directories[i]))
            {
                var duplicates = DuplicateIds(input, current);
                if (duplicates.Count > 0)
                {
                    writer.DeleteDocuments(duplicates.Select(id => new Term(PubMedSchema.Id, id)).ToArray());
                    Replaced += duplicates.Count;
                    log($"{full[i]}: {duplicates.Count:N0} PMIDs already merged from earlier inputs; this input's documents replace them");
                }
                Added += input.NumDocs;
            }
            writer.AddIndexes(directories[i]);
            log($"{full[i]}: merged");
        }

        if (reference is not null)
        {
            foreach (var (k, v) in reference.ToUserData())
            {
                outData[k] = v;
            }
        }
        outData[DoneFilesKey] = string.Join('\n', DoneFiles(userData, outputEmpty ? [] : Split(outData.GetValueOrDefault(DoneFilesKey)), log).Order(StringComparer.Ordinal));
        outData.Remove(ShardKey);
        writer.SetCommitData(outData);
        writer.Commit();
    }

    private static IDictionary<string, string> SegmentInfosUserData(Directory dir)
    {
        var infos = new SegmentInfos();
        infos.Read(dir);
        return infos.UserData;
    }

    private static string? Get(IDictionary<string, string> data, string key) => data.TryGetValue(key, out var v) ? v : null;

    private static string[] Split(string? list) => (list ?? "").Split('\n', StringSplitOptions.RemoveEmptyEntries);

    // Files an input finished count as indexed in the merge when the inputs hold different files (union);
    // shards of one --shard K/N split count a file only when all N shards are merged and all finished it.
    private static HashSet<string> DoneFiles(List<IDictionary<string, string>> inputs, IEnumerable<string> outputDone, Action<string> log)
    {
        var done = new HashSet<string>(outputDone, StringComparer.Ordinal);
        var shards = inputs.Select(d => d.TryGetValue(ShardKey, out var s) ? s : null).ToList();
        if (shards.All(s => s is null))
        {
            if (inputs.Count + (done.Count > 0 ? 1 : 0) > 1)
            {
                log("warning: the inputs are indexes of different files, not the shards of one --shard split: a PMID deleted (DeleteCitation) while building one input stays in any other input that holds it; apply update files with index on the merged index (docs/SCALING.md)");
            }
            foreach (var d in inputs)
            {
                done.UnionWith(Split(Get(d, DoneFilesKey)));
            }
            return done;
        }
        var counts = shards.Select(s => s?.Split('/') is [_, var n] ? n : "?").Distinct().ToList();
        var present = shards.Where(s => s is not null).Select(s => s!).ToHashSet(StringComparer.Ordinal);
        if (shards.Any(s => s is null) || counts.Count != 1 || !int.TryParse(counts[0], out int count)
            || !Enumerable.Range(0, count).All(k => present.Contains(FormattableString.Invariant($"{k}/{count}"))))
        {
            log($"warning: the inputs are not all the shards of one --shard K/N split ({string.Join(", ", shards.Select(s => s ?? "unsharded"))}); no input file is recorded as done, so a later index run re-reads them all (updates are idempotent)");
            return done;
        }
        var common = new HashSet<string>(Split(Get(inputs[0], DoneFilesKey)), StringComparer.Ordinal);
        foreach (var d in inputs.Skip(1))
        {
            common.IntersectWith(Split(Get(d, DoneFilesKey)));
        }
        done.UnionWith(common);
        return done;
    }

    // PMIDs live in 'input' that are also live in 'current'.
    private static List<string> DuplicateIds(DirectoryReader input, DirectoryReader current)
    {
        var duplicates = new List<string>();
        if (current.NumDocs == 0)
        {
            return duplicates;
        }
        var currentLive = MultiFields.GetLiveDocs(current);
        var currentTerms = MultiFields.GetTerms(current, PubMedSchema.Id)?.GetEnumerator();
        if (currentTerms is null)
        {
            return duplicates;
        }
        var inputLive = MultiFields.GetLiveDocs(input);
        var terms = MultiFields.GetTerms(input, PubMedSchema.Id);
        if (terms is null)
        {
            return duplicates;
        }
        var inputTerms = terms.GetEnumerator();
        DocsEnum? docs = null;
        while (inputTerms.MoveNext())
        {
            var id = inputTerms.Term;
            docs = inputTerms.Docs(inputLive, docs, DocsFlags.NONE);
            if (docs.NextDoc() == DocIdSetIterator.NO_MORE_DOCS)
            {
                continue;
            }
            if (currentTerms.SeekExact(id))
            {
                var existing = currentTerms.Docs(currentLive, null, DocsFlags.NONE);
                if (existing.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
                {
                    duplicates.Add(id.Utf8ToString());
                }
            }
        }
        return duplicates;
    }
}
