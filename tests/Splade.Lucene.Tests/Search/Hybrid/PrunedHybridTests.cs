using System.Globalization;
using System.Text;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;
using Directory = Lucene.Net.Store.Directory;

namespace Splade.Lucene.Tests.Search.Hybrid;

/// <summary>
/// SpladeSearcher.SearchHybrid must return exactly what the exhaustive hybrid BooleanQuery returns through
/// <c>searcher.Search(hybrid, k)</c>: the same documents in the same order with bit-identical scores, for every k,
/// storage mode, weight pair (zero on either side), BM25 query shape and index shape.
/// </summary>
public sealed class PrunedHybridTests
{
    private const string Text = "text";
    private const string Id = "id";
    private static readonly int[] Ks = [1, 10, 100, 1000];

    // The pruning scorer at every k (the per-segment chooser would evaluate these small segments exhaustively at large k).
    private static readonly SpladeQueryOptions MaxScore = new() { Evaluation = SpladeEvaluation.MaxScore };

    private static readonly (float Bm25, float Splade)[] Weights = [(1f, 1f), (0f, 1f), (1f, 0f), (40f, 0.5f), (300f, 1f), (0.25f, 3f)];

    private readonly ITestOutputHelper _output;

    public PrunedHybridTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void PrunedHybridIsTheExhaustiveHybrid(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        var corpus = new HybridCorpus(random, 9000);
        using var dir = corpus.Build(mode, maxBufferedDocs: 3000, deleteFraction: 0.05);
        using var reader = DirectoryReader.Open(dir);
        Assert.Equal(3, reader.Leaves.Count);
        Assert.True(reader.HasDeletions);
        var stats = new SpladeSearchStats();
        int compared = CompareAll(Searcher(reader), corpus, random, queries: 6, stats);
        _output.WriteLine($"{compared} comparisons; pruned: {stats}");
        Assert.True(stats.SegmentsPruned > 0);
        Assert.Equal(0, stats.SegmentsExhaustive);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(9)]
    public void SmallerWindowsAreExactToo(int shift)
    {
        var random = TestRandom.Create(_output);
        var corpus = new HybridCorpus(random, 7000);
        using var dir = corpus.Build(SpladeStorageMode.Payload, maxBufferedDocs: 2500, deleteFraction: 0.05);
        using var reader = DirectoryReader.Open(dir);
        // Only this class sets the window size, and xunit runs a class's tests one at a time.
        HybridMaxScoreBulkScorer.WindowShift = shift;
        try
        {
            CompareAll(Searcher(reader), corpus, random, queries: 3);
        }
        finally
        {
            HybridMaxScoreBulkScorer.WindowShift = SegmentImpactBounds.BlockShift;
        }
    }

    [Fact]
    public void PrunedHybridAgreesAfterMergeReopenAndWithParallelSegments()
    {
        var random = TestRandom.Create(_output);
        var corpus = new HybridCorpus(random, 8000);
        using var dir = corpus.Build(SpladeStorageMode.TermFrequency, maxBufferedDocs: 900, deleteFraction: 0.15);
        using (var reader = DirectoryReader.Open(dir))
        {
            Assert.True(reader.Leaves.Count >= 8);
            CompareAll(Searcher(reader), corpus, random, queries: 3);
            var parallel = new IndexSearcher(reader, TaskScheduler.Default) { Similarity = Similarity() };
            CompareAll(parallel, corpus, random, queries: 3);
        }
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
        {
            // More deletes after the bounds of these segments were cached: they stay upper bounds.
            for (int d = 1; d < corpus.Count; d += 11)
            {
                writer.DeleteDocuments(new Term(Id, HybridCorpus.IdOf(d)));
            }
            writer.Commit();
        }
        using (var reader = DirectoryReader.Open(dir))
        {
            CompareAll(Searcher(reader), corpus, random, queries: 3);
        }
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
        {
            writer.ForceMerge(1);
            writer.Commit();
        }
        using (var reader = DirectoryReader.Open(dir))
        {
            Assert.Single(reader.Leaves);
            CompareAll(Searcher(reader), corpus, random, queries: 3);
        }
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void TiesAreBrokenByTheIdFieldWhenTieBreakFieldIsSet(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        // Tiny vocabularies on both sides: thousands of documents share each score.
        var corpus = new HybridCorpus(random, 6000, words: 6, spladeTerms: 4, maxImpact: 3);
        using var dir = corpus.Build(mode, maxBufferedDocs: 2000, deleteFraction: 0.1, shuffleIds: true);
        using var reader = DirectoryReader.Open(dir);
        var searcher = Searcher(reader);
        var options = new SpladeQueryOptions { Evaluation = SpladeEvaluation.MaxScore, TieBreakField = Id };
        var ids = MultiDocValues.GetSortedValues(reader, Id);
        for (int q = 0; q < 4; q++)
        {
            var hybrid = HybridQuery.Create(corpus.Bm25Query(random), corpus.SpladeQuery(random, options), q % 2 == 0 ? 1f : 0f, 1f);
            // Every hit, by score, then id, then doc id.
            var all = searcher.Search(hybrid, reader.MaxDoc).ScoreDocs
                .Select(h => (h.Doc, h.Score, Id: IdOf(ids, h.Doc)))
                .OrderByDescending(h => h.Score).ThenBy(h => h.Id, StringComparer.Ordinal).ThenBy(h => h.Doc)
                .ToList();
            Assert.True(all.Count > 1000);
            foreach (int k in Ks)
            {
                var pruned = SpladeSearcher.SearchHybrid(searcher, hybrid, k);
                AssertSame(all.Take(k).Select(h => (h.Doc, h.Score)).ToArray(), pruned.ScoreDocs, $"query {q} k={k}");
            }
        }
    }

    [Fact]
    public void SingleTermEmptyAndRepeatedTermBm25QueriesAgree()
    {
        var random = TestRandom.Create(_output);
        var corpus = new HybridCorpus(random, 5000);
        using var dir = corpus.Build(SpladeStorageMode.TermFrequency, maxBufferedDocs: 2000, deleteFraction: 0.05);
        using var reader = DirectoryReader.Open(dir);
        var searcher = Searcher(reader);
        var analyzer = new WhitespaceAnalyzer(LuceneVersion.LUCENE_48);
        var bm25Queries = new List<Query>
        {
            // One term: the inner BooleanQuery rewrites to a boosted TermQuery.
            BagOfWordsQuery.Build(analyzer, Text, "w3"),
            BagOfWordsQuery.Build(analyzer, Text, "w1 w1 w1 w40"),
            // No indexed term at all, and a term missing from the index among others.
            BagOfWordsQuery.Build(analyzer, Text, "nosuchword"),
            BagOfWordsQuery.Build(analyzer, Text, "w2 nosuchword w17"),
            new BooleanQuery(),
        };
        // The same term in two clauses (not what BagOfWordsQuery builds, but a valid disjunction).
        var twice = new BooleanQuery(disableCoord: true)
        {
            { new TermQuery(new Term(Text, "w5")), Occur.SHOULD },
            { new TermQuery(new Term(Text, "w9")) { Boost = 2f }, Occur.SHOULD },
            { new TermQuery(new Term(Text, "w5")) { Boost = 0.5f }, Occur.SHOULD },
        };
        twice.Boost = 1.7f;
        bm25Queries.Add(twice);
        var stats = new SpladeSearchStats();
        foreach (var bm25 in bm25Queries)
        {
            foreach (var (wb, ws) in Weights)
            {
                var hybrid = HybridQuery.Create(bm25, corpus.SpladeQuery(random, MaxScore), wb, ws);
                foreach (int k in Ks)
                {
                    CompareOne(searcher, hybrid, k, $"{bm25} {wb}/{ws} k={k}", stats);
                }
            }
        }
        Assert.Equal(0, stats.SegmentsExhaustive);
    }

    [Fact]
    public void CoordAndQueryNormOfAnotherSimilarityAreReproduced()
    {
        var random = TestRandom.Create(_output);
        var corpus = new HybridCorpus(random, 5000);
        using var dir = corpus.Build(SpladeStorageMode.TermFrequency, maxBufferedDocs: 2500, deleteFraction: 0.05);
        using var reader = DirectoryReader.Open(dir);
        // DefaultSimilarity everywhere: TF-IDF text scores, coord overlap/max and a query norm below 1 (SpladeQuery
        // scores by itself); the BM25 side keeps coord on.
        var searcher = new IndexSearcher(reader) { Similarity = new DefaultSimilarity() };
        var stats = new SpladeSearchStats();
        for (int q = 0; q < 4; q++)
        {
            var bm25 = new BooleanQuery(disableCoord: false);
            foreach (var clause in corpus.Bm25Query(random).Clauses)
            {
                bm25.Add(clause);
            }
            var hybrid = HybridQuery.Create(bm25, corpus.SpladeQuery(random, MaxScore), 3f, 0.01f);
            var coordOn = new BooleanQuery(disableCoord: false) { { bm25, Occur.SHOULD }, { corpus.SpladeQuery(random, MaxScore), Occur.SHOULD } };
            foreach (int k in Ks)
            {
                CompareOne(searcher, hybrid, k, $"query {q} k={k}", stats);
                CompareOne(searcher, coordOn, k, $"coord query {q} k={k}", stats);
            }
        }
        Assert.Equal(0, stats.SegmentsExhaustive);
    }

    [Fact]
    public void SegmentsChosenForPruningAndForExhaustiveEvaluationShareOneSearch()
    {
        var random = TestRandom.Create(_output);
        // Segments of 3,000, 3,000 and 600 documents: with the default chooser (pruning from 1,000 documents per k),
        // k = 1 and 3 prune the large ones and evaluate the small one exhaustively, in one search and one top k.
        var corpus = new HybridCorpus(random, 6600);
        using var dir = corpus.Build(SpladeStorageMode.TermFrequency, maxBufferedDocs: 3000, deleteFraction: 0.05, shuffleIds: true);
        using var reader = DirectoryReader.Open(dir);
        Assert.Equal([3000, 3000, 600], reader.Leaves.Select(l => l.AtomicReader.MaxDoc));
        var searcher = Searcher(reader);
        var stats = new SpladeSearchStats();
        var tieBreak = new SpladeQueryOptions { TieBreakField = Id };
        var ids = MultiDocValues.GetSortedValues(reader, Id);
        for (int q = 0; q < 6; q++)
        {
            var bm25 = corpus.Bm25Query(random);
            foreach (int k in new[] { 1, 3 })
            {
                CompareOne(searcher, HybridQuery.Create(bm25, corpus.SpladeQuery(random, new SpladeQueryOptions()), 1f, 0.05f), k, $"query {q} k={k}", stats);
                var hybrid = HybridQuery.Create(bm25, corpus.SpladeQuery(random, tieBreak), 1f, 0.05f);
                var all = searcher.Search(hybrid, reader.MaxDoc).ScoreDocs
                    .OrderByDescending(h => h.Score).ThenBy(h => IdOf(ids, h.Doc), StringComparer.Ordinal).ThenBy(h => h.Doc)
                    .Take(k).Select(h => (h.Doc, h.Score)).ToArray();
                AssertSame(all, SpladeSearcher.SearchHybrid(searcher, hybrid, k, stats).ScoreDocs, $"query {q} k={k} ties by id");
            }
        }
        _output.WriteLine(stats.ToString());
        Assert.True(stats.SegmentsPruned > 0 && stats.SegmentsExhaustive > 0, stats.ToString());
    }

    [Fact]
    public void ExhaustiveOptionAndUnrecognisedShapesAreEvaluatedExhaustively()
    {
        var random = TestRandom.Create(_output);
        var corpus = new HybridCorpus(random, 3000);
        using var dir = corpus.Build(SpladeStorageMode.TermFrequency, maxBufferedDocs: 3000, deleteFraction: 0);
        using var reader = DirectoryReader.Open(dir);
        var searcher = Searcher(reader);
        var stats = new SpladeSearchStats();
        var exhaustive = HybridQuery.Create(corpus.Bm25Query(random), corpus.SpladeQuery(random, new SpladeQueryOptions { Exhaustive = true }), 1f, 1f);
        CompareOne(searcher, exhaustive, 10, "exhaustive option", stats);
        var required = corpus.Bm25Query(random);
        required.Add(new TermQuery(new Term(Text, "w0")), Occur.MUST);
        CompareOne(searcher, HybridQuery.Create(required, corpus.SpladeQuery(random, MaxScore), 1f, 1f), 10, "required clause", stats);
        var phrase = new BooleanQuery { { new PhraseQuery { new Term(Text, "w0"), new Term(Text, "w1") }, Occur.SHOULD }, { new TermQuery(new Term(Text, "w2")), Occur.SHOULD } };
        CompareOne(searcher, HybridQuery.Create(phrase, corpus.SpladeQuery(random, MaxScore), 1f, 1f), 10, "phrase clause", stats);
        Assert.Equal(0, stats.SegmentsPruned);
    }

    [Theory]
    [InlineData(SpladeStorageMode.TermFrequency)]
    [InlineData(SpladeStorageMode.Payload)]
    public void HighImpactTiersOfSpladeTermsAreUsedAndExactAcrossDeletesAndCaps(SpladeStorageMode mode)
    {
        var random = TestRandom.Create(_output);
        // Segments of 6,000 documents: the common SPLADE terms have far more than TierMinDocFreq postings, so they get
        // tiers (built without deletions, which the scorer must filter out).
        var corpus = new HybridCorpus(random, 12_000);
        using var dir = corpus.Build(mode, maxBufferedDocs: 6000, deleteFraction: 0.05);
        var reader = DirectoryReader.Open(dir);
        try
        {
            Assert.Equal(2, reader.Leaves.Count);
            long tierBefore = HybridMaxScoreBulkScorer.TierEntriesRead;
            var stats = new SpladeSearchStats();
            var queries = Enumerable.Range(0, 5).Select(_ => (Bm25: corpus.Bm25Query(random), Splade: corpus.SpladeQuery(random, MaxScore))).ToArray();
            // The tier-less pruned search (tiers off) and a capped one (some terms refused) must agree too.
            var noTiers = new SpladeQueryOptions { Evaluation = SpladeEvaluation.MaxScore, ImpactTiers = false };
            for (int round = 0; round < 2; round++)
            {
                var searcher = Searcher(reader);
                foreach (var (bm25, splade) in queries)
                {
                    foreach (var (wb, ws) in Weights)
                    {
                        foreach (int k in Ks)
                        {
                            CompareOne(searcher, HybridQuery.Create(bm25, splade, wb, ws), k, $"round {round} {wb}/{ws} k={k}", stats);
                            CompareOne(searcher, HybridQuery.Create(bm25, new SpladeQuery(splade.Field, splade.TermWeights, noTiers), wb, ws), k, $"no tiers, round {round} {wb}/{ws} k={k}", stats);
                        }
                    }
                }
                // More deletes on the same segment cores: the cached tiers now hold deleted documents.
                using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
                {
                    for (int d = round; d < corpus.Count; d += 7)
                    {
                        writer.DeleteDocuments(new Term(Id, HybridCorpus.IdOf(d)));
                    }
                    writer.Commit();
                }
                var reopened = DirectoryReader.OpenIfChanged(reader);
                Assert.NotNull(reopened);
                Assert.Equal(reader.Leaves.Select(l => l.AtomicReader.CoreCacheKey), reopened.Leaves.Select(l => l.AtomicReader.CoreCacheKey));
                reader.Dispose();
                reader = reopened;
            }
            long tierEntries = HybridMaxScoreBulkScorer.TierEntriesRead - tierBefore;
            _output.WriteLine($"tier entries read {tierEntries}; pruned: {stats}");
            Assert.True(tierEntries > 0, "no SPLADE term was read from its high tier");
            Assert.Equal(0, stats.SegmentsExhaustive);
        }
        finally
        {
            reader.Dispose();
        }
    }

    [Fact]
    public void TierMemoryCapsKeepThePrunedHybridExact()
    {
        var random = TestRandom.Create(_output);
        var corpus = new HybridCorpus(random, 8000);
        using var dir = corpus.Build(SpladeStorageMode.TermFrequency, maxBufferedDocs: 4000, deleteFraction: 0.05);
        foreach (long? cap in new long?[] { 0, 20_000, null })
        {
            // A fresh reader per cap (tiers are cached per segment core): 0 builds none, 20 KB some, null all.
            using var reader = DirectoryReader.Open(dir);
            var searcher = Searcher(reader);
            var options = new SpladeQueryOptions { Evaluation = SpladeEvaluation.MaxScore, MaxTierBytesPerSegment = cap };
            for (int q = 0; q < 4; q++)
            {
                var hybrid = HybridQuery.Create(corpus.Bm25Query(random), corpus.SpladeQuery(random, options), 1f, 0.3f);
                foreach (int k in Ks)
                {
                    CompareOne(searcher, hybrid, k, $"cap {cap} query {q} k={k}", null);
                    CompareOne(searcher, hybrid, k, $"cap {cap} query {q} k={k}, again", null);
                }
            }
        }
    }

    [Fact]
    public void PruningScoresFewerDocumentsThanExhaustive()
    {
        var random = TestRandom.Create(_output);
        var corpus = new HybridCorpus(random, 12_000);
        using var dir = corpus.Build(SpladeStorageMode.TermFrequency, maxBufferedDocs: 20_000, deleteFraction: 0);
        using var reader = DirectoryReader.Open(dir);
        var searcher = Searcher(reader);
        var stats = new SpladeSearchStats();
        long matching = 0;
        for (int q = 0; q < 8; q++)
        {
            var hybrid = HybridQuery.Create(corpus.Bm25Query(random), corpus.SpladeQuery(random, MaxScore), 20f, 1f);
            matching += searcher.Search(hybrid, 1).TotalHits;
            CompareOne(searcher, hybrid, 10, $"query {q}", stats);
        }
        _output.WriteLine($"matching {matching}; pruned: {stats}");
        Assert.True(stats.DocumentsScored * 2 < matching, $"scored {stats.DocumentsScored} of {matching}");
    }

    private static IndexSearcher Searcher(IndexReader reader) => new(reader) { Similarity = Similarity() };

    private static SpladePerFieldSimilarity Similarity() => new(HybridCorpus.SpladeField);

    private int CompareAll(IndexSearcher searcher, HybridCorpus corpus, Random random, int queries, SpladeSearchStats? stats = null)
    {
        int compared = 0;
        for (int q = 0; q < queries; q++)
        {
            var bm25 = corpus.Bm25Query(random);
            var splade = corpus.SpladeQuery(random, MaxScore);
            foreach (var (wb, ws) in Weights)
            {
                var hybrid = HybridQuery.Create(bm25, splade, wb, ws);
                foreach (int k in Ks)
                {
                    CompareOne(searcher, hybrid, k, $"query {q} ({bm25}) weights {wb}/{ws} k={k}", stats);
                    compared++;
                }
            }
        }
        return compared;
    }

    private static void CompareOne(IndexSearcher searcher, BooleanQuery hybrid, int k, string what, SpladeSearchStats? stats)
    {
        var expected = searcher.Search(hybrid, k);
        var actual = SpladeSearcher.SearchHybrid(searcher, hybrid, k, stats);
        AssertSame(expected.ScoreDocs.Select(h => (h.Doc, h.Score)).ToArray(), actual.ScoreDocs, what);
        if (expected.ScoreDocs.Length > 0)
        {
            Assert.Equal(expected.MaxScore, actual.MaxScore);
        }
    }

    private static string IdOf(SortedDocValues ids, int doc)
    {
        var scratch = new BytesRef();
        ids.Get(doc, scratch);
        return scratch.Utf8ToString();
    }

    private static void AssertSame((int Doc, float Score)[] expected, ScoreDoc[] actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} hits, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(
                expected[i].Doc == actual[i].Doc && BitConverter.SingleToInt32Bits(expected[i].Score) == BitConverter.SingleToInt32Bits(actual[i].Score),
                $"{what}: rank {i}: got doc {actual[i].Doc} score {actual[i].Score:R}, expected doc {expected[i].Doc} score {expected[i].Score:R}");
        }
    }

    /// <summary>Documents with Zipf-distributed text and random SPLADE vectors, and random queries for both.</summary>
    private sealed class HybridCorpus
    {
        public const string SpladeField = "splade";

        private readonly Random _random;
        private readonly int _words;
        private readonly int _spladeTerms;
        private readonly int _maxImpact;
        private readonly Vocabulary _vocabulary = FakeSparseEncoder.BertVocabulary;
        private readonly string[] _texts;
        private readonly SparseVector[] _vectors;

        public HybridCorpus(Random random, int count, int words = 800, int spladeTerms = 600, int maxImpact = 300)
        {
            _random = random;
            _words = words;
            _spladeTerms = spladeTerms;
            _maxImpact = maxImpact;
            _texts = new string[count];
            _vectors = new SparseVector[count];
            var sb = new StringBuilder();
            for (int d = 0; d < count; d++)
            {
                sb.Clear();
                // Lengths from 1 to 120 words, so the BM25 length norm varies a lot.
                int length = 1 + (int)(119 * Math.Pow(random.NextDouble(), 2));
                for (int i = 0; i < length; i++)
                {
                    sb.Append('w').Append(Zipf(words)).Append(' ');
                }
                _texts[d] = sb.ToString();
                var weights = new Dictionary<int, float>();
                int n = random.Next(1, Math.Min(spladeTerms, 60));
                for (int i = 0; i < n; i++)
                {
                    weights[SpladeId(Zipf(spladeTerms))] = random.Next(1, maxImpact + 1) / RandomSpladeCorpusScale;
                }
                _vectors[d] = SparseVector.Create(weights.Keys.ToArray(), weights.Values.ToArray());
            }
        }

        private const float RandomSpladeCorpusScale = 100f;

        public int Count => _texts.Length;

        public static string IdOf(int d) => "doc" + d.ToString("D6", CultureInfo.InvariantCulture);

        public Directory Build(SpladeStorageMode mode, int maxBufferedDocs, double deleteFraction, bool shuffleIds = false)
        {
            var dir = new RAMDirectory();
            var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))
            {
                MaxBufferedDocs = maxBufferedDocs,
                RAMBufferSizeMB = 256,
                MergePolicy = NoMergePolicy.COMPOUND_FILES,
                Similarity = new SpladePerFieldSimilarity(SpladeField),
            };
            var options = new SpladeFieldOptions { FieldName = SpladeField, StorageMode = mode, Scale = RandomSpladeCorpusScale };
            // Shuffled ids make the id order differ from the document order, so tie-breaking by id is visible.
            var order = Enumerable.Range(0, Count).ToArray();
            if (shuffleIds)
            {
                _random.Shuffle(order);
            }
            using (var writer = new IndexWriter(dir, config))
            {
                for (int d = 0; d < Count; d++)
                {
                    string id = IdOf(order[d]);
                    writer.AddDocument(new Document
                    {
                        new StringField(Id, id, Field.Store.NO),
                        new SortedDocValuesField(Id, new BytesRef(id)),
                        new TextField(Text, _texts[d], Field.Store.NO),
                        new SpladeField(_vectors[d], _vocabulary, options),
                    });
                }
                for (int d = 0; d < Count; d++)
                {
                    if (_random.NextDouble() < deleteFraction)
                    {
                        writer.DeleteDocuments(new Term(Id, IdOf(order[d])));
                    }
                }
                writer.Commit();
            }
            return dir;
        }

        /// <summary>2 to 8 words, some repeated (boosted clauses), some rare or absent from the index.</summary>
        public BooleanQuery Bm25Query(Random random)
        {
            int n = random.Next(2, 9);
            var words = new List<string>();
            for (int i = 0; i < n; i++)
            {
                words.Add(random.NextDouble() < 0.1 ? "absent" + random.Next(3) : "w" + Zipf(_words));
            }
            if (random.NextDouble() < 0.5)
            {
                words.Add(words[0]);
            }
            return BagOfWordsQuery.Build(new WhitespaceAnalyzer(LuceneVersion.LUCENE_48), Text, string.Join(' ', words));
        }

        public SpladeQuery SpladeQuery(Random random, SpladeQueryOptions options)
        {
            var weights = new Dictionary<int, float>();
            int n = random.Next(1, Math.Min(_spladeTerms, 30) + 1);
            while (weights.Count < n)
            {
                weights[SpladeId(Zipf(_spladeTerms))] = _maxImpact <= 3 ? 1f : (float)(3 * (1 - random.NextDouble()));
            }
            return new SpladeQuery(SpladeField, SparseVector.Create(weights.Keys.ToArray(), weights.Values.ToArray()), _vocabulary, options);
        }

        // Vocabulary ids 1000.. (ordinary word pieces of the BERT vocabulary).
        private static int SpladeId(int rank) => 1000 + rank;

        private int Zipf(int n) => (int)Math.Min(n - 1, Math.Floor(Math.Pow(n + 1, _random.NextDouble()) - 1));
    }
}
