using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Search;

namespace Splade.Lucene.Tests.Search;

/// <summary>
/// Two threads making the first copy of the same term at once, under a cap with room for one copy: each reserves the
/// term's worst-case size, so the second sees the cap exceeded. That refusal must not be remembered (it was, and the
/// term stayed out of memory for the life of the segment although it fits).
/// </summary>
public sealed class InMemoryPostingsRaceTests
{
    [Fact]
    public void ConcurrentFirstLoadsOfATermThatFits_KeepIt()
    {
        const int docs = 300_000;
        using var dir = new RAMDirectory();
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48)) { MaxBufferedDocs = 1_000_000, RAMBufferSizeMB = 512 };
        using (var writer = new IndexWriter(dir, config))
        {
            var field = new TextField("f", "", Field.Store.NO);
            var doc = new Document { field };
            for (int d = 0; d < docs; d++)
            {
                field.SetStringValue(d % 3 == 0 ? "a a b" : "a");
                writer.AddDocument(doc);
            }
            writer.Commit();
        }
        for (int round = 0; round < 10; round++)
        {
            // A new reader is a new segment core, so a new cache.
            using var reader = DirectoryReader.Open(dir);
            var segment = reader.Leaves.Single().AtomicReader;
            var cache = SegmentInMemoryPostings.For(segment);
            long cap = InMemoryTermPostings.MaxBytesOf(docs, InMemoryTermPostings.Blocks(segment.MaxDoc)) * 3 / 2;
            var results = new InMemoryTermPostings[2];
            using var barrier = new Barrier(2);
            var threads = Enumerable.Range(0, 2).Select(i => new Thread(() =>
            {
                var terms = segment.GetTerms("f")!.GetEnumerator();
                Assert.True(terms.SeekExact(new BytesRef("a")));
                barrier.SignalAndWait();
                results[i] = cache.Load("f", "a", terms, false, cap);
            })).ToList();
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());

            Assert.True(results.Any(r => r.Count == docs), $"round {round}: neither load kept the term");
            Assert.Equal(docs, cache.Peek("f", "a")!.Count);
            Assert.Equal(0, cache.Refused);
            Assert.Equal(cache.Peek("f", "a")!.Bytes, cache.Bytes);
        }
    }
}
