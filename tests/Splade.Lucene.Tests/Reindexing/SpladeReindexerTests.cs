using System.Globalization;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using Splade.Lucene.Reindexing;
using Splade.Lucene.Tests.Support;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Splade.Lucene.Tests.Reindexing;

/// <summary>
/// <see cref="SpladeReindexer"/>: the new field is right, everything else is kept, and a failure at any
/// point (a full disk, a typo in the text fields) leaves the index exactly as it was.
/// </summary>
public sealed class SpladeReindexerTests
{
    private const int Documents = 40;

    [Fact]
    public void RebuildsTheFieldWithTheNewScaleAndKeepsEverythingElse()
    {
        var encoder = new FakeSparseEncoder(modelId: "model-b");
        using var index = BuildIndex();
        using var work = new RAMDirectory();
        var before = Snapshot(index);

        long live = new SpladeReindexer(Options(index, work, encoder, scale: 50)).Reindex();

        Assert.Equal(Documents - 1, live);
        var after = Snapshot(index);
        Assert.Equal(before.Keys, after.Keys);
        Assert.Equal(before.Tags, after.Tags);
        Assert.Equal(Expected(encoder, 50), after.Splade);
        using var reader = DirectoryReader.Open(index);
        var settings = SpladeIndexSettings.Read(reader, "splade")!;
        Assert.Equal(50f, settings.Scale);
        Assert.Equal("model-b", settings.ModelId);
        Assert.Equal("kept", reader.IndexCommit.UserData["app.progress"]);
        Assert.Empty(work.ListAll());
        // The side index is written as one token per term and converted by its codec: docs and frequencies, as before.
        Assert.All(reader.Leaves, l =>
        {
            var info = l.AtomicReader.FieldInfos.FieldInfo("splade");
            Assert.True(info.IndexOptions == IndexOptions.DOCS_AND_FREQS && !info.HasPayloads, $"field info {info.IndexOptions}, payloads {info.HasPayloads}");
        });
    }

    /// <summary>
    /// Issue 9: reindex on a nearly full disk emptied the index for good (the join writer, opened with CREATE,
    /// committed an empty index when disposed after AddIndexes threw). Every failure point of the join, from
    /// the first byte to the last byte of the commit, must leave the same documents, settings and files.
    /// </summary>
    [Fact]
    public void ADiskFullAtAnyPointOfTheJoinLeavesTheIndexExactlyAsItWas()
    {
        var encoder = new FakeSparseEncoder(modelId: "model-b");
        using var inner = BuildIndex();
        using var work = new RAMDirectory();
        var before = Snapshot(inner);
        var filesBefore = inner.ListAll().Where(f => f != IndexWriter.WRITE_LOCK_NAME).Order().ToArray();

        int failures = 0;
        for (long budget = 0; ; budget = Math.Max(budget + 1, budget * 5 / 4))
        {
            using var disk = new DiskFullDirectory(inner, budget);
            try
            {
                new SpladeReindexer(Options(disk, work, encoder, scale: 50)).Reindex();
            }
            catch (IOException e) when (disk.Failed)
            {
                Assert.Contains("No space left on device", e.Message);
                failures++;
                var now = Snapshot(inner);
                Assert.Equal(before.Keys, now.Keys);
                Assert.Equal(before.Splade, now.Splade);
                Assert.Equal(before.Settings, now.Settings);
                Assert.Equal(filesBefore, inner.ListAll().Where(f => f != IndexWriter.WRITE_LOCK_NAME).Order().ToArray());
                continue;
            }
            Assert.False(disk.Failed);
            break;
        }

        Assert.True(failures > 10, $"only {failures} failure points were tried");
        var after = Snapshot(inner);
        Assert.Equal(before.Keys, after.Keys);
        Assert.Equal(Expected(encoder, 50), after.Splade);
        Assert.Contains("scale=50", after.Settings);
    }

    [Theory]
    [InlineData("nosuchfield")]
    [InlineData("tag")]   // indexed but not stored
    public void TextFieldsThatNoDocumentStoresAreRefusedBeforeAnythingIsWritten(string field)
    {
        var encoder = new FakeSparseEncoder(modelId: "model-b");
        using var index = BuildIndex();
        using var work = new RAMDirectory();
        var before = Snapshot(index);
        var options = Options(index, work, encoder, scale: 100, textFields: ["body", field]);

        var e = Assert.Throws<ArgumentException>(() => new SpladeReindexer(options).Reindex());

        Assert.Contains($"'{field}'", e.Message);
        Assert.DoesNotContain("'body'", e.Message);
        Assert.Contains("body", e.Message);   // the stored fields are listed as a hint
        Assert.Equal(before.Splade, Snapshot(index).Splade);
        Assert.Equal(before.Settings, Snapshot(index).Settings);
        Assert.Empty(work.ListAll());
        Assert.Equal(0, encoder.DocumentCalls);
    }

    [Fact]
    public void OptionsAreValidatedOnceWithTheBadValueNamed()
    {
        using var index = new RAMDirectory();
        using var work = new RAMDirectory();
        var encoder = new FakeSparseEncoder();
        var e = Assert.Throws<ArgumentException>(() => new SpladeReindexer(new SpladeReindexerOptions
        {
            Index = index, Work = work, Encoder = encoder, Splade = new SpladeFieldOptions(), TextFields = ["body"], BatchSize = 0,
        }));
        Assert.Contains("BatchSize", e.Message);
        Assert.Throws<ArgumentException>(() => new SpladeReindexer(new SpladeReindexerOptions
        {
            Index = index, Work = index, Encoder = encoder, Splade = new SpladeFieldOptions(), TextFields = ["body"],
        }));
        Assert.Throws<ArgumentException>(() => new SpladeReindexer(new SpladeReindexerOptions
        {
            Index = index, Work = work, Encoder = encoder, Splade = new SpladeFieldOptions(), TextFields = ["splade"],
        }));
    }

    // A run stopped half-way leaves a side index for the next run to resume; a next run with other settings (here the
    // scale) must start afresh, or the first documents would keep the stopped run's impacts.
    [Fact]
    public void AnInterruptedRunIsNotResumedWithOtherSettings()
    {
        var encoder = new FakeSparseEncoder(modelId: "model-b");
        using var index = BuildIndex();
        using var work = new RAMDirectory();
        using var stop = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => new SpladeReindexer(StoppedAfter(21, Options(index, work, encoder, scale: 30), stop)).Reindex(stop.Token));
        Assert.NotEmpty(work.ListAll());

        var rerun = new SpladeReindexer(Options(index, work, encoder, scale: 50));
        rerun.Reindex();

        Assert.Equal(Documents, rerun.Encoded + 1);   // every live document encoded again (one is deleted)
        Assert.Equal(Expected(encoder, 50), Snapshot(index).Splade);
    }

    // With the same settings the side index is resumed: the committed documents are not encoded again.
    [Fact]
    public void AnInterruptedRunIsResumedWithTheSameSettings()
    {
        var encoder = new FakeSparseEncoder(modelId: "model-b");
        using var index = BuildIndex();
        using var work = new RAMDirectory();
        using var stop = new CancellationTokenSource();
        Assert.Throws<OperationCanceledException>(() => new SpladeReindexer(StoppedAfter(21, Options(index, work, encoder, scale: 50), stop)).Reindex(stop.Token));

        var rerun = new SpladeReindexer(Options(index, work, encoder, scale: 50));
        rerun.Reindex();

        Assert.True(rerun.Encoded < Documents - 1 - 10, $"the rerun encoded {rerun.Encoded} documents: it did not resume");
        Assert.Equal(Expected(encoder, 50), Snapshot(index).Splade);
    }

    // The options with a progress that signals stop once that many documents are done (reported on the reindexer's thread).
    private static SpladeReindexerOptions StoppedAfter(long documents, SpladeReindexerOptions o, CancellationTokenSource stop) => new()
    {
        Index = o.Index, Work = o.Work, Encoder = o.Encoder, Splade = o.Splade, TextFields = o.TextFields,
        BatchSize = o.BatchSize, CommitEvery = o.CommitEvery,
        Progress = new SyncProgress(done => { if (done >= documents) stop.Cancel(); }),
    };

    private sealed class SyncProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }

    private static SpladeReindexerOptions Options(LuceneDirectory index, LuceneDirectory work, FakeSparseEncoder encoder, float scale, string[]? textFields = null) => new()
    {
        Index = index,
        Work = work,
        Encoder = encoder,
        Splade = new SpladeFieldOptions { FieldName = "splade", Scale = scale },
        TextFields = textFields ?? ["title", "body"],
        BatchSize = 7,
        CommitEvery = 10,
    };

    private static string Title(int i) => "title " + i.ToString(CultureInfo.InvariantCulture);

    private static string Body(int i) => SmallIndex.Bodies[i % SmallIndex.Bodies.Length] + " number" + i.ToString(CultureInfo.InvariantCulture);

    /// <summary>An index with a SPLADE field from the fake model "model-a" at scale 100, an unstored indexed field, a deletion and app commit data.</summary>
    private static RAMDirectory BuildIndex()
    {
        var old = new FakeSparseEncoder(modelId: "model-a");
        var splade = new SpladeFieldOptions { FieldName = "splade" };
        var dir = new RAMDirectory();
        using var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new StandardAnalyzer(LuceneVersion.LUCENE_48)) { MaxBufferedDocs = 9 });
        for (int i = 0; i < Documents; i++)
        {
            writer.AddDocument(new Document
            {
                new StringField("key", "k" + i.ToString(CultureInfo.InvariantCulture), Field.Store.YES),
                new TextField("title", Title(i), Field.Store.YES),
                new TextField("body", Body(i), Field.Store.YES),
                new StringField("tag", i % 3 == 0 ? "three" : "other", Field.Store.NO),
                new SpladeField(old.EncodeDocument("stale " + Body(i)), old.Vocabulary, splade),
            });
        }
        writer.DeleteDocuments(new Term("key", "k5"));
        writer.SetCommitData(new Dictionary<string, string> { ["app.progress"] = "kept" });
        SpladeIndexSettings.From(splade, old).Write(writer);
        writer.Commit();
        return dir;
    }

    /// <summary>Live key -> SPLADE term -> impact, for the new vectors of title + body.</summary>
    private static SortedDictionary<string, string> Expected(FakeSparseEncoder encoder, float scale)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        for (int i = 0; i < Documents; i++)
        {
            if (i == 5)
            {
                continue;
            }
            var v = encoder.EncodeDocument(Title(i) + " " + Body(i));
            var terms = new SortedDictionary<string, int>(StringComparer.Ordinal);
            for (int j = 0; j < v.Count; j++)
            {
                int impact = (int)Math.Round((double)v.Values[j] * scale, MidpointRounding.AwayFromZero);
                if (impact > 0)
                {
                    terms[encoder.Vocabulary[v.Indices[j]]] = impact;
                }
            }
            result["k" + i.ToString(CultureInfo.InvariantCulture)] = string.Join(' ', terms.Select(t => $"{t.Key}={t.Value}"));
        }
        return result;
    }

    private sealed record IndexSnapshot(string Keys, string Tags, SortedDictionary<string, string> Splade, string Settings);

    private static IndexSnapshot Snapshot(LuceneDirectory dir)
    {
        using var reader = DirectoryReader.Open(dir);
        var live = MultiFields.GetLiveDocs(reader);
        var splade = new SortedDictionary<string, SortedDictionary<string, int>>(StringComparer.Ordinal);
        var terms = MultiFields.GetTerms(reader, "splade");
        var te = terms!.GetEnumerator();
        while (te.MoveNext())
        {
            var docs = te.Docs(live, null);
            while (docs.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
            {
                string key = reader.Document(docs.DocID).Get("key");
                if (!splade.TryGetValue(key, out var map))
                {
                    splade[key] = map = new SortedDictionary<string, int>(StringComparer.Ordinal);
                }
                map[te.Term.Utf8ToString()] = docs.Freq;
            }
        }
        var searcher = new IndexSearcher(reader);
        string Keys(Query q) => string.Join(',', searcher.Search(q, 1000).ScoreDocs.Select(h => reader.Document(h.Doc).Get("key")).Order(StringComparer.Ordinal));
        return new IndexSnapshot(
            Keys(new MatchAllDocsQuery()),
            Keys(new TermQuery(new Term("tag", "three"))),
            new SortedDictionary<string, string>(splade.ToDictionary(p => p.Key, p => string.Join(' ', p.Value.Select(t => $"{t.Key}={t.Value}"))), StringComparer.Ordinal),
            string.Join(';', reader.IndexCommit.UserData.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}")));
    }
}
