using System.Globalization;
using System.Text;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Codecs;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Splade.Lucene.Tests.Index;

/// <summary>
/// A <see cref="SpladeFieldBatch"/> joined with the documents' other fields and added with AddIndexes gives the index
/// AddDocument gives: same terms, statistics, frequencies, persisted bounds and search results, segment by segment,
/// with replaced and empty documents, deletes, a batch reused after Clear, and merges.
/// </summary>
public sealed class SpladeFieldBatchTests
{
    private const string Field = RandomSpladeCorpus.FieldName;

    private readonly ITestOutputHelper _output;

    public SpladeFieldBatchTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void AJoinedBatchIndexesWhatAddDocumentIndexes()
    {
        var random = TestRandom.Create(_output);
        var corpus = new RandomSpladeCorpus(random, 2400, deleteFraction: 0.1);
        var queries = Enumerable.Range(0, 6).Select(_ => corpus.RandomQuery(random, 5, 60)).ToList();
        var options = new SpladeFieldOptions { FieldName = Field, Scale = RandomSpladeCorpus.Scale, OneTokenTermFrequency = true };
        // Segment boundaries of both indexes: one AddDocument flush per batch.
        int[] ends = [700, 1900, 2400];
        var empty = SparseVector.Create(Array.Empty<int>(), Array.Empty<float>());

        using var expected = new RAMDirectory();
        using (var writer = new IndexWriter(expected, Config()))
        {
            int from = 0;
            foreach (int end in ends)
            {
                for (int d = from; d < end; d++)
                {
                    writer.AddDocument(new Document { Id(d), new SpladeField(d % 97 == 5 ? empty : corpus.Docs[d], corpus.Vocabulary, options) });
                }
                writer.Commit();
                from = end;
            }
            Delete(writer, corpus);
        }

        using var actual = new RAMDirectory();
        using (var writer = new IndexWriter(actual, Config()))
        {
            var batch = new SpladeFieldBatch(options);
            int from = 0;
            foreach (int end in ends)
            {
                using var others = new RAMDirectory();
                using (var side = new IndexWriter(others, Config()))
                {
                    for (int d = from; d < end; d++)
                    {
                        side.AddDocument(new Document { Id(d) });
                        // Every 11th is first given another document's vector, then replaced by its own.
                        var field = new SpladeField(d % 11 == 0 ? corpus.Docs[(d * 7 + 3) % corpus.Docs.Length] : corpus.Docs[d], corpus.Vocabulary, options);
                        Assert.Equal(d - from, batch.Add(field));
                        if (d % 11 == 0 || d % 97 == 5)
                        {
                            batch.Replace(d - from, new SpladeField(d % 97 == 5 ? empty : corpus.Docs[d], corpus.Vocabulary, options));
                        }
                    }
                    side.Commit();
                }
                Assert.Equal(end - from, batch.Count);
                using var sideReader = DirectoryReader.Open(others);
                using var splade = batch.CreateReader();
                Assert.Equal(batch.PostingCount, splade.GetTerms(Field).SumDocFreq);
                writer.AddIndexes(new ParallelAtomicReader(false, sideReader.Leaves[0].AtomicReader, splade));
                batch.Clear();
                Assert.Equal(0, batch.Count);
                Assert.Equal(0, batch.PostingCount);
                from = end;
            }
            Delete(writer, corpus);
        }
        SameIndexAssert.SameIndex(_output, expected, actual, corpus.Vocabulary, queries, "batches", checkIndex: true);

        foreach (var d in new[] { expected, actual })
        {
            using var w = new IndexWriter(d, Config(merge: true));
            w.ForceMerge(1);
            w.Commit();
        }
        SameIndexAssert.SameIndex(_output, expected, actual, corpus.Vocabulary, queries, "merged", checkIndex: true);
    }

    [Fact]
    public void DeletesKeepTheirOrderAroundTheBatch()
    {
        // A delete buffered before AddIndexes deletes the document before it, not the batch's document of the same id
        // (as UpdateDocument would); a delete after it deletes the batch's document too.
        var options = new SpladeFieldOptions { FieldName = Field };
        using var dir = new RAMDirectory();
        using var writer = new IndexWriter(dir, Config());
        writer.AddDocument(new Document { Id(1), new SpladeField([KeyValuePair.Create("old", 1f)], options) });
        writer.AddDocument(new Document { Id(2), new SpladeField([KeyValuePair.Create("old", 1f)], options) });
        writer.Commit();
        writer.DeleteDocuments(new Term("id", "1"));

        var batch = new SpladeFieldBatch(options);
        batch.Add(new SpladeField([KeyValuePair.Create("new", 1f)], options));
        batch.Add(new SpladeField([KeyValuePair.Create("new", 2f)], options));
        using var others = new RAMDirectory();
        using (var side = new IndexWriter(others, Config()))
        {
            side.AddDocument(new Document { Id(1) });
            side.AddDocument(new Document { Id(3) });
            side.Commit();
        }
        using (var sideReader = DirectoryReader.Open(others))
        using (var splade = batch.CreateReader())
        {
            writer.AddIndexes(new ParallelAtomicReader(false, sideReader.Leaves[0].AtomicReader, splade));
        }
        writer.Commit();
        Assert.Equal(["2 old", "1 new", "3 new"], Live(dir));

        writer.DeleteDocuments(new Term("id", "3"));
        writer.Commit();
        Assert.Equal(["2 old", "1 new"], Live(dir));
    }

    // Live documents in order, as "id term" of their single SPLADE term.
    private static List<string> Live(LuceneDirectory dir)
    {
        using var reader = DirectoryReader.Open(dir);
        var live = MultiFields.GetLiveDocs(reader);
        var result = new List<string>();
        foreach (string term in new[] { "old", "new" })
        {
            var docs = MultiFields.GetTermDocsEnum(reader, live, Field, new BytesRef(term));
            while (docs.NextDoc() != DocIdSetIterator.NO_MORE_DOCS)
            {
                result.Add($"{reader.Document(docs.DocID).Get("id")} {term}");
            }
        }
        return result;
    }

    [Fact]
    public void TermsAreInLuceneByteOrderAndSeekable()
    {
        // UTF-16 order puts the surrogate pair of U+1D6FC before U+E000; UTF-8 (Lucene's) order puts it after.
        string[] tokens = ["b", "a", "\uE000x", "\U0001D6FC", "é", "ab", "\uFFFD"];
        var options = new SpladeFieldOptions { FieldName = Field };
        var batch = new SpladeFieldBatch(options);
        batch.Add(new SpladeField(tokens.Select((t, i) => KeyValuePair.Create(t, 0.5f + i)), options));
        batch.Add(new SpladeField([KeyValuePair.Create("a", 2f), KeyValuePair.Create("\U0001D6FC", 0.25f)], options));
        using var reader = batch.CreateReader();

        var terms = reader.GetTerms(Field);
        var byBytes = tokens.OrderBy(t => Encoding.UTF8.GetBytes(t), Comparer<byte[]>.Create((x, y) => x.AsSpan().SequenceCompareTo(y))).ToList();
        var listed = new List<string>();
        var e = terms.GetEnumerator();
        while (e.MoveNext())
        {
            listed.Add(e.Term.Utf8ToString());
        }
        Assert.Equal(byBytes, listed);
        Assert.NotEqual(tokens.OrderBy(t => t, StringComparer.Ordinal).ToList(), listed);
        Assert.Equal(tokens.Length, terms.Count);
        Assert.Equal(2, terms.DocCount);
        Assert.Equal(9, terms.SumDocFreq);

        var seek = terms.GetEnumerator();
        Assert.Equal(TermsEnum.SeekStatus.FOUND, seek.SeekCeil(new BytesRef("\U0001D6FC")));
        Assert.Equal(2, seek.DocFreq);
        var docs = seek.Docs(null, null, DocsFlags.FREQS);
        Assert.Equal(2, docs.GetCost());  // the document frequency, before and while iterating
        Assert.Equal(0, docs.NextDoc());
        Assert.Equal(350, docs.Freq);     // weight 0.5 + 3 (tokens[3]) x scale 100
        Assert.Equal(2, docs.GetCost());
        Assert.Equal(1, docs.NextDoc());
        Assert.Equal(25, docs.Freq);
        Assert.Equal(DocIdSetIterator.NO_MORE_DOCS, docs.NextDoc());
        Assert.Equal(375, seek.TotalTermFreq);
        Assert.Equal(TermsEnum.SeekStatus.NOT_FOUND, seek.SeekCeil(new BytesRef("aa")));
        Assert.Equal("ab", seek.Term.Utf8ToString());
        Assert.Equal(TermsEnum.SeekStatus.END, seek.SeekCeil(new BytesRef("\U0010FFFF")));
        Assert.Null(seek.DocsAndPositions(null, null));
    }

    [Fact]
    public void TheReaderIsASnapshot()
    {
        var options = new SpladeFieldOptions { FieldName = Field };
        var batch = new SpladeFieldBatch(options);
        batch.Add(new SpladeField([KeyValuePair.Create("x", 1f)], options));
        using var reader = batch.CreateReader();
        batch.Clear();
        batch.Add(new SpladeField([KeyValuePair.Create("y", 1f)], options));
        batch.Add(new SpladeField([KeyValuePair.Create("z", 1f)], options));

        Assert.Equal(1, reader.MaxDoc);
        var e = reader.GetTerms(Field).GetEnumerator();
        Assert.True(e.MoveNext());
        Assert.Equal("x", e.Term.Utf8ToString());
        Assert.False(e.MoveNext());
        Assert.Equal(2, batch.CreateReader().MaxDoc);
    }

    [Fact]
    public void BadArgumentsAreNamed()
    {
        var payload = new SpladeFieldOptions { FieldName = Field, StorageMode = SpladeStorageMode.Payload };
        var e = Assert.Throws<ArgumentException>(() => new SpladeFieldBatch(payload));
        Assert.Contains("Payload", e.Message);

        var options = new SpladeFieldOptions { FieldName = Field };
        var batch = new SpladeFieldBatch(options);
        var other = new SpladeFieldOptions { FieldName = "other" };
        e = Assert.Throws<ArgumentException>(() => batch.Add(new SpladeField([KeyValuePair.Create("x", 1f)], other)));
        Assert.Contains("'other'", e.Message);
        Assert.Contains($"'{Field}'", e.Message);
        e = Assert.Throws<ArgumentException>(() => batch.Add(new SpladeField([KeyValuePair.Create("x", 1f)], new SpladeFieldOptions { FieldName = Field, StorageMode = SpladeStorageMode.Payload })));
        Assert.Contains("Payload", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => batch.Replace(0, new SpladeField([KeyValuePair.Create("x", 1f)], options)));
        Assert.Throws<ArgumentNullException>(() => batch.Add(null!));
        Assert.Equal(0, batch.Count);
    }

    private static StringField Id(int d) => new("id", d.ToString(CultureInfo.InvariantCulture), global::Lucene.Net.Documents.Field.Store.YES);

    private static void Delete(IndexWriter writer, RandomSpladeCorpus corpus)
    {
        for (int d = 0; d < corpus.Docs.Length; d++)
        {
            if (corpus.Deleted[d])
            {
                writer.DeleteDocuments(new Term("id", d.ToString(CultureInfo.InvariantCulture)));
            }
        }
        SpladeIndexSettings.From(new SpladeFieldOptions { FieldName = Field, Scale = RandomSpladeCorpus.Scale }, "random").Write(writer);
        writer.Commit();
    }

    // No merges (one segment per flush or batch) until asked for.
    private static IndexWriterConfig Config(bool merge = false) => new(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))
    {
        MaxBufferedDocs = IndexWriterConfig.DISABLE_AUTO_FLUSH,
        RAMBufferSizeMB = 256,
        MergePolicy = merge ? new TieredMergePolicy() : NoMergePolicy.NO_COMPOUND_FILES,
        Codec = new SpladeCodec([Field], [Field]),
    };
}
