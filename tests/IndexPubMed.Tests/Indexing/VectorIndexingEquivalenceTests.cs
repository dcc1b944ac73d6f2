using System.Globalization;
using System.Text;
using IndexPubMed.Indexing;
using IndexPubMed.Tests.Commands;
using IndexPubMed.Tests.Input;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Util;
using Splade.Lucene.Documents;
using Splade.Lucene.Formats;
using Splade.Lucene.Index;
using FSDirectory = Lucene.Net.Store.FSDirectory;

namespace IndexPubMed.Tests.Indexing;

/// <summary>
/// The CLI's fast path for precomputed vectors (fields made in the encode stage, one id lookup, AddDocument for new
/// ids, reused fields for vector-only documents, large batches) builds the index the simple path builds: per record,
/// a fresh reader to find the id, the stored fields kept, <c>PubMedSchema.CreateDocument</c> + a new SpladeField,
/// <c>UpdateDocument</c>. Compared: live documents by id (every stored field), every term of every field with its
/// documents, frequencies and positions, norms, the id doc values and the field infos.
/// </summary>
public sealed class VectorIndexingEquivalenceTests : IDisposable
{
    private readonly TempDir _temp = new();

    public void Dispose() => _temp.Dispose();

    // One writer thread in term-frequency storage holds new ids' documents and joins them (VectorBulkWriter) unless
    // bulk is false; other cases add each document.
    [Theory]
    [InlineData("tf", 11, 2, true)]
    [InlineData("payload", 7, 2, true)]
    [InlineData("tf", 1000, 2, true)]
    [InlineData("tf", 11, 1, true)]
    [InlineData("tf", 1000, 1, true)]
    [InlineData("tf", 11, 1, false)]
    [InlineData("payload", 1000, 1, true)]
    [InlineData("tf", 13, 3, true)]
    [InlineData("tf", 11, 1, true, 25L)]
    [InlineData("tf", 1000, 1, true, 25L)]
    public void TheCliBuildsTheIndexTheSimplePathBuilds(string storage, int commitEvery, int writerThreads, bool bulk, long? bulkMaxPostings = null)
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        string documents = _temp.Write("docs.jsonl", string.Concat(Enumerable.Range(0, 30).Select(i =>
            $"{{\"_id\": \"d{i}\", \"title\": \"title {i} of {Word(random)}\", \"text\": \"{Word(random)} {Word(random)} text {i}\"}}\n")));
        // Ids: some with text already indexed, new ones, repeats within a file (one batch) and across files.
        var ids = Enumerable.Range(0, 80).Select(_ => random.Next(4) == 0 ? $"d{random.Next(30)}" : $"v{random.Next(60)}").ToList();
        string first = _temp.Write("v1.jsonl", VectorLines(ids.Take(50), random) + "not json\n"
            + "{\n  \"id\": \"pretty\",\n  \"vector\": {\"t1\": 0.5, \"t2\": 1.25}\n}\n" + "{\"id\": \"empty\", \"vector\": {}}\n");
        string second = _temp.Write("v2.jsonl", VectorLines(ids.Skip(50), random) + "{\"id\": \"zero\", \"vector\": {\"t3\": 0.001}}\n");

        string fast = Path.Combine(_temp.Path, "fast"), simple = Path.Combine(_temp.Path, "simple");
        foreach (string dir in new[] { fast, simple })
        {
            var built = Cli.Run("index", "--index", dir, "--no-splade", "--quiet", documents);
            Assert.True(built.Exit == 0, built.Error);
        }
        string[] args = ["index", "--index", fast, "--storage", storage, "--quiet", "--commit-every", commitEvery.ToString(CultureInfo.InvariantCulture),
            "--writer-threads", writerThreads.ToString(CultureInfo.InvariantCulture), "--vectors", first, second];
        if (bulkMaxPostings is long max)
        {
            args = [.. args, "--bulk-max-postings", max.ToString(CultureInfo.InvariantCulture)];
        }
        var cli = Cli.Run(bulk ? args : [.. args, "--no-bulk-vectors"]);
        Assert.True(cli.Exit == 1, cli.Error);   // the line that is not JSON is reported
        IndexSimply(simple, storage, [first, second]);

        Assert.Equal(Dump(simple), Dump(fast));
        Assert.True(random.Next() >= 0, $"seed {seed}");
    }

    [Fact]
    public void TheReusedVectorOnlyDocumentHasTheFieldsOfCreateDocument()
    {
        var reused = new VectorOnlyDocument();
        foreach (string id in new[] { "a", "PMID123", "", "ü-ß" })
        {
            var expected = PubMedSchema.CreateDocument(StoredArticle.FromText(id, "", ""));
            var actual = reused.Document(id);
            Assert.Equal(expected.Fields.Count, actual.Fields.Count);
            for (int i = 0; i < expected.Fields.Count; i++)
            {
                IIndexableField e = expected.Fields[i], a = actual.Fields[i];
                Assert.Equal(e.GetType(), a.GetType());
                Assert.Equal(e.Name, a.Name);
                Assert.Equal(e.GetStringValue(), a.GetStringValue());
                Assert.Equal(e.GetBinaryValue(), a.GetBinaryValue());
                Assert.Equal(e.IndexableFieldType.IsIndexed, a.IndexableFieldType.IsIndexed);
                Assert.Equal(e.IndexableFieldType.IsStored, a.IndexableFieldType.IsStored);
                Assert.Equal(e.IndexableFieldType.IsTokenized, a.IndexableFieldType.IsTokenized);
                Assert.Equal(e.IndexableFieldType.OmitNorms, a.IndexableFieldType.OmitNorms);
                Assert.Equal(e.IndexableFieldType.IndexOptions, a.IndexableFieldType.IndexOptions);
                Assert.Equal(e.IndexableFieldType.DocValueType, a.IndexableFieldType.DocValueType);
            }
        }
    }

    [Fact]
    public void HeldVectorsKeepTheirPlaceAmongTextUpdatesAndDeletions()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        // In order: new vectors (held, then written at the file's end), an update file replacing one of them by text
        // and deleting two, vectors again (a deleted id back, a replaced one, new ones, repeats in the file).
        string v1 = _temp.Write("v1.jsonl", VectorLines(["101", "102", "103", "104", "105", "101"], random));
        string update = _temp.Write("update.xml", $$"""
            <?xml version="1.0" encoding="UTF-8"?>
            <PubmedArticleSet>
            <PubmedArticle><MedlineCitation Status="Publisher" Owner="NLM"><PMID Version="1">102</PMID><Article><Journal><Title>J</Title><JournalIssue><PubDate><Year>2026</Year></PubDate></JournalIssue></Journal><ArticleTitle>Replaced by text</ArticleTitle><Abstract><AbstractText>An abstract.</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>
            <DeleteCitation><PMID Version="1">103</PMID><PMID Version="1">104</PMID></DeleteCitation>
            </PubmedArticleSet>
            """);
        string v2 = _temp.Write("v2.jsonl", VectorLines(["104", "102", "106", "105", "107", "106"], random));
        string bulk = Path.Combine(_temp.Path, "bulk"), plain = Path.Combine(_temp.Path, "plain");
        foreach (var (dir, extra) in new[] { (bulk, Array.Empty<string>()), (plain, new[] { "--no-bulk-vectors" }) })
        {
            var run = Cli.Run(["index", "--index", dir, "--storage", "tf", "--quiet", .. extra, v1, update, v2]);
            Assert.True(run.Exit == 0, run.Error);
        }

        string dump = Dump(bulk);
        Assert.Equal(Dump(plain), dump);
        foreach (string id in new[] { "101", "102", "104", "105", "106", "107" })
        {
            Assert.Contains($"doc {id}:", dump);
        }
        Assert.DoesNotContain("doc 103:", dump);
        Assert.Contains("title=Replaced by text", dump);
        Assert.True(random.Next() >= 0, $"seed {seed}");
    }

    // A file of several batches (512 records each) with no commit inside: a batch repeating an id of an earlier one
    // reopens the reader while other new ids are held, and then the held documents are written because the buffer is
    // full. A later repeat of one of those ids must replace its document, not add a second one.
    // About 13 terms a record (VectorLines), 6,800 postings a batch: held documents are written after every batch
    // (20), after every second one (10,000) or third one (16,000), or only before the commit (the default cap).
    [Theory]
    [InlineData(20L)]
    [InlineData(10_000L)]
    [InlineData(16_000L)]
    [InlineData(null)]
    public void RepeatsAcrossBatchesReplaceHeldAndFlushedDocuments(long? bulkMaxPostings)
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        // Four batches of new ids; batch 1 opens with a repeat of one of batch 0's (the reader is reopened while
        // batch 0 is held), batches 2 and 3 with repeats of others of batch 0 and 1 and of a random earlier id.
        var ids = new List<string>();
        for (int b = 0; b < 4; b++)
        {
            for (int j = 0; j < 512; j++)
            {
                ids.Add(b switch
                {
                    1 when j == 0 => "b0-0",
                    2 when j < 4 => $"b0-{j + 1}",
                    3 when j < 4 => $"b1-{j + 1}",
                    > 1 when j == 4 => ids[random.Next(ids.Count)],
                    _ => $"b{b}-{j}",
                });
            }
        }
        string vectors = _temp.Write("v.jsonl", VectorLines(ids, random));
        string bulk = Path.Combine(_temp.Path, "bulk"), plain = Path.Combine(_temp.Path, "plain");
        string[] args = ["--storage", "tf", "--quiet", "--commit-every", "100000", vectors];
        if (bulkMaxPostings is long max)
        {
            args = ["--bulk-max-postings", max.ToString(CultureInfo.InvariantCulture), .. args];
        }
        var run = Cli.Run(["index", "--index", bulk, .. args]);
        Assert.True(run.Exit == 0, run.Error);
        run = Cli.Run(["index", "--index", plain, "--no-bulk-vectors", .. args]);
        Assert.True(run.Exit == 0, run.Error);

        using (var directory = FSDirectory.Open(bulk))
        using (var reader = DirectoryReader.Open(directory))
        {
            Assert.True(reader.NumDocs == ids.Distinct().Count(), $"seed {seed}: {reader.NumDocs} live documents for {ids.Distinct().Count()} ids");
        }
        Assert.Equal(Dump(plain), Dump(bulk));
        Assert.True(random.Next() >= 0, $"seed {seed}");
    }

    private static string Word(Random random) => new(Enumerable.Range(0, random.Next(2, 7)).Select(_ => (char)('a' + random.Next(6))).ToArray());

    private static string VectorLines(IEnumerable<string> ids, Random random) => string.Concat(ids.Select(id =>
        $"{{\"id\": \"{id}\", \"vector\": {{{string.Join(", ", Enumerable.Range(0, 40).Where(_ => random.Next(3) == 0).Select(t => string.Create(CultureInfo.InvariantCulture, $"\"t{t}\": {random.NextDouble() * 3:0.######}")))}}}}}\n"));

    // The simple path: what the CLI did per record before the fast path.
    private static void IndexSimply(string path, string storage, string[] files)
    {
        var options = new SpladeFieldOptions
        {
            FieldName = PubMedSchema.Splade,
            StorageMode = storage == "tf" ? SpladeStorageMode.TermFrequency : SpladeStorageMode.Payload,
            OneTokenTermFrequency = true,
        };
        using var dir = FSDirectory.Open(path);
        using var analyzer = PubMedSchema.CreateAnalyzer();
        using var writer = new IndexWriter(dir, Bm25Index.CreateWriterConfig(analyzer, splade: options));
        var schema = SpladeFieldSchema.OpenOrCreate(writer, options, null, "", allowDocumentsWithoutField: true);
        var reader = new JsonVectorReader();
        foreach (string file in files)
        {
            foreach (var record in reader.Read(file, _ => { }))
            {
                using var current = DirectoryReader.Open(writer, applyAllDeletes: true);
                StoredArticle? stored = null;
                var term = new Term(PubMedSchema.Id, record.Id);
                foreach (var leaf in current.Leaves)
                {
                    var docs = leaf.AtomicReader.GetTermDocsEnum(term);
                    if (docs is not null && docs.NextDoc() != Lucene.Net.Search.DocIdSetIterator.NO_MORE_DOCS)
                    {
                        stored = PubMedSchema.ReadStored(leaf.AtomicReader.Document(docs.DocID));
                    }
                }
                var doc = PubMedSchema.CreateDocument(stored ?? StoredArticle.FromText(record.Id, "", ""));
                doc.Add(new SpladeField(record.Weights, schema.Options, schema.Stats));
                writer.UpdateDocument(term, doc);
            }
        }
        schema.Commit(writer);
    }

    // Everything searches and reads see, keyed by id (document numbers differ with segment layouts).
    private static string Dump(string path)
    {
        using var dir = FSDirectory.Open(path);
        using var reader = DirectoryReader.Open(dir);
        var sb = new StringBuilder();
        var live = MultiFields.GetLiveDocs(reader);
        var idOf = new string[reader.MaxDoc];
        var perId = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        for (int d = 0; d < reader.MaxDoc; d++)
        {
            if (live is not null && !live.Get(d))
            {
                continue;
            }
            var doc = reader.Document(d);
            idOf[d] = doc.Get(PubMedSchema.Id);
            Assert.True(perId.TryAdd(idOf[d], doc.Fields.Select(f => $"{f.Name}={f.GetStringValue()}").ToList()), $"{idOf[d]} twice");
        }
        foreach (var (id, fields) in perId)
        {
            sb.AppendLine(CultureInfo.InvariantCulture, $"doc {id}: {string.Join(" | ", fields)}");
        }
        var infos = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var leaf in reader.Leaves)
        {
            var atomic = leaf.AtomicReader;
            foreach (var info in atomic.FieldInfos)
            {
                if (atomic.GetDocCount(info.Name) > 0 || info.HasDocValues)
                {
                    infos.Add($"{info.Name} indexed {info.IsIndexed} {info.IndexOptions} norms {info.HasNorms} payloads {info.HasPayloads} dv {info.DocValuesType}");
                }
            }
            var ids = atomic.GetSortedDocValues(PubMedSchema.Id);
            for (int d = 0; d < atomic.MaxDoc; d++)
            {
                if (idOf[leaf.DocBase + d] is { } id)
                {
                    var bytes = new BytesRef();
                    ids.Get(d, bytes);
                    Assert.Equal(id, bytes.Utf8ToString());
                }
            }
        }
        sb.AppendLine(string.Join("\n", infos));
        var fieldsOfIndex = MultiFields.GetFields(reader);
        foreach (string field in fieldsOfIndex.OrderBy(f => f, StringComparer.Ordinal))
        {
            var norms = MultiDocValues.GetNormValues(reader, field);
            if (norms is not null)
            {
                sb.AppendLine(CultureInfo.InvariantCulture, $"norms {field}: {string.Join(",", perId.Keys.Select(id => norms.Get(Array.IndexOf(idOf, id))))}");
            }
            var termsEnum = fieldsOfIndex.GetTerms(field).GetEnumerator();
            while (termsEnum.MoveNext())
            {
                var postings = new List<string>();
                var docs = termsEnum.DocsAndPositions(live, null);
                if (docs is null)
                {
                    var plain = termsEnum.Docs(live, null, DocsFlags.FREQS);
                    while (plain.NextDoc() != Lucene.Net.Search.DocIdSetIterator.NO_MORE_DOCS)
                    {
                        postings.Add($"{idOf[plain.DocID]}x{plain.Freq}");
                    }
                }
                else
                {
                    while (docs.NextDoc() != Lucene.Net.Search.DocIdSetIterator.NO_MORE_DOCS)
                    {
                        var positions = Enumerable.Range(0, docs.Freq).Select(_ => $"{docs.NextPosition()}:{docs.GetPayload()}");
                        postings.Add($"{idOf[docs.DocID]}x{docs.Freq}@{string.Join(";", positions)}");
                    }
                }
                postings.Sort(StringComparer.Ordinal);
                if (postings.Count > 0)
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"{field}:{termsEnum.Term.Utf8ToString()} {string.Join(" ", postings)}");
                }
            }
        }
        return sb.ToString();
    }
}
