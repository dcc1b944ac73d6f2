using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests.Search;

/// <summary>
/// With <see cref="SpladeQueryOptions.TieBreakField"/>, the top k is chosen by score then external id, so two
/// different segment layouts of the same corpus (another indexing order, other segment sizes, merged or not)
/// give identical top k, pruned or exhaustive, equal to a brute-force ranking by (score desc, id asc).
/// </summary>
public sealed class TieBreakByIdTests
{
    private readonly ITestOutputHelper _output;

    public TieBreakByIdTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void SameTopKWhateverTheSegmentLayout(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        var corpus = new TiedSpladeCorpus(random, 9000, termCount: 10);
        var shuffled = Enumerable.Range(0, corpus.Docs.Length).OrderBy(_ => random.Next()).ToArray();
        using var a = corpus.BuildIndex(mode, maxBufferedDocs: 2500);
        using var b = corpus.BuildIndex(mode, maxBufferedDocs: 1700, order: shuffled, codec: true, forceMerge: true);
        using var ra = DirectoryReader.Open(a);
        using var rb = DirectoryReader.Open(b);
        Assert.Equal(4, ra.Leaves.Count);
        Assert.Single(rb.Leaves);
        var searchers = new[] { new IndexSearcher(ra), new IndexSearcher(ra, TaskScheduler.Default), new IndexSearcher(rb) };
        int tiesAtCut = 0;
        var mixed = new SpladeSearchStats();
        var fromMemory = new SpladeSearchStats();
        for (int q = 0; q < 8; q++)
        {
            var vector = corpus.Query(random, q);
            var expected = corpus.BruteForceById(vector);
            // k = 2: the per-segment chooser (Auto) prunes the 2,500-document segments and evaluates the 1,500-document one
            // term at a time, in the same search.
            foreach (int k in new[] { 2, 10, 1000 })
            {
                var want = expected.Take(k).ToList();
                tiesAtCut += want.Count == k && expected.Count > k && expected[k].Score == want[^1].Score ? 1 : 0;
                // Auto without in-memory postings: the chooser's mix; with them (the default): term at a time from memory.
                foreach (var (exhaustive, evaluation, inMemory) in new[] { (false, SpladeEvaluation.MaxScore, true), (true, SpladeEvaluation.MaxScore, true), (false, SpladeEvaluation.Auto, false), (false, SpladeEvaluation.Auto, true) })
                {
                    var options = new SpladeQueryOptions { TieBreakField = "id", Exhaustive = exhaustive, Evaluation = evaluation, InMemoryPostings = inMemory };
                    var query = new SpladeQuery(RandomSpladeCorpus.FieldName, vector, corpus.Vocabulary, options);
                    for (int s = 0; s < searchers.Length; s++)
                    {
                        var top = SpladeSearcher.Search(searchers[s], query, k, evaluation == SpladeEvaluation.Auto && k == 2 && s == 0 ? (inMemory ? fromMemory : mixed) : null);
                        var reader = searchers[s].IndexReader;
                        var got = top.ScoreDocs.Select(h => (reader.Document(h.Doc).Get("id"), h.Score)).ToList();
                        Assert.True(want.SequenceEqual(got), $"query {q} k={k} exhaustive={exhaustive} {evaluation} searcher {s}: first difference at {FirstDifference(want, got)}");
                        Assert.Equal(want[0].Score, top.MaxScore);
                    }
                }
            }
        }
        Assert.True(tiesAtCut >= 8, $"only {tiesAtCut} cuts fell inside a tie");
        Assert.True(mixed.SegmentsPruned > 0 && mixed.SegmentsExhaustive > 0 && mixed.SegmentsInMemory == 0, $"the chooser did not mix: {mixed}");
        Assert.True(fromMemory.SegmentsInMemory > 0 && fromMemory.SegmentsPruned + fromMemory.SegmentsExhaustive == 0, $"not from memory: {fromMemory}");
    }

    [Fact]
    public void AFieldWithoutDocValuesIsRefused()
    {
        using var dir = new RAMDirectory();
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
        {
            writer.AddDocument(new Document { new StringField("id", "x", Field.Store.YES), new TextField(RandomSpladeCorpus.FieldName, "a", Field.Store.NO) });
        }
        using var reader = DirectoryReader.Open(dir);
        var query = new SpladeQuery(RandomSpladeCorpus.FieldName, [new KeyValuePair<string, float>("a", 1f)], new SpladeQueryOptions { TieBreakField = "id" });
        var e = Assert.Throws<ArgumentException>(() => SpladeSearcher.Search(new IndexSearcher(reader), query, 5));
        Assert.Contains("'id'", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new SpladeQueryOptions { TieBreakField = "" }.Validate());
    }

    private static string FirstDifference(List<(string, float)> want, List<(string, float)> got)
    {
        for (int i = 0; i < Math.Max(want.Count, got.Count); i++)
        {
            var w = i < want.Count ? want[i].ToString() : "none";
            var g = i < got.Count ? got[i].ToString() : "none";
            if (w != g)
            {
                return $"rank {i}: expected {w}, got {g}";
            }
        }
        return "none";
    }
}
