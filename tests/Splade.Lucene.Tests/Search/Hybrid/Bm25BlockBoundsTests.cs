using System.Text;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;
using Xunit.Abstractions;

namespace Splade.Lucene.Tests.Search.Hybrid;

/// <summary>
/// The text terms' sub-block bounds of the pruned hybrid (<see cref="Bm25BlockBounds"/>, turned into scores by
/// <see cref="Bm25Clause.Bound"/>) must bound every posting's score in the sub-block, for any similarity the pruned
/// hybrid accepts and any boost, and (the point of keeping the Pareto frontier) must be the best posting's score
/// itself, up to the padding, in every sub-block whose frontier fits in <see cref="Bm25BlockBounds.MaxFrontier"/> points.
/// </summary>
public sealed class Bm25BlockBoundsTests
{
    private const string FieldName = "text";
    private const double Pad = 1.0 + (1.0 / (1 << 20));

    private readonly ITestOutputHelper _output;

    public Bm25BlockBoundsTests(ITestOutputHelper output) => _output = output;

    public static TheoryData<string, float> Similarities => new()
    {
        { "bm25", 1f },
        { "bm25", 0.37f },
        { "bm25-k1-3-b-0.2", 2.5f },
        { "tfidf", 1f },
        { "tfidf", 7f },
    };

    [Theory]
    [MemberData(nameof(Similarities))]
    public void SubBlockBoundsHoldAndAreTight(string similarity, float boost)
    {
        var random = TestRandom.Create(_output);
        Similarity sim = similarity switch
        {
            "bm25" => new BM25Similarity(),
            "bm25-k1-3-b-0.2" => new BM25Similarity(3f, 0.2f),
            _ => new DefaultSimilarity(),
        };
        using var dir = new RAMDirectory();
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))
        {
            MaxBufferedDocs = 1500,
            MergePolicy = NoMergePolicy.COMPOUND_FILES,
            Similarity = sim,
        };
        using (var writer = new IndexWriter(dir, config))
        {
            var sb = new StringBuilder();
            for (int d = 0; d < 3500; d++)
            {
                sb.Clear();
                // Lengths 1 to 300 and repeated words: frequencies and norms vary independently within a sub-block.
                int length = 1 + (int)(299 * Math.Pow(random.NextDouble(), 3));
                for (int i = 0; i < length; i++)
                {
                    sb.Append('w').Append((int)Math.Floor(Math.Pow(61, random.NextDouble()) - 1)).Append(' ');
                }
                writer.AddDocument(new Document { new TextField(FieldName, sb.ToString(), global::Lucene.Net.Documents.Field.Store.NO), new StringField("id", d.ToString(System.Globalization.CultureInfo.InvariantCulture), global::Lucene.Net.Documents.Field.Store.NO) });
            }
            // Deleted documents stay in the postings the bounds are computed from.
            for (int d = 0; d < 3500; d += 9)
            {
                writer.DeleteDocuments(new Term("id", d.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            }
            writer.Commit();
        }
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader) { Similarity = sim };
        long subBlocks = 0, tight = 0, frontierPoints = 0;
        for (int w = 0; w < 60; w++)
        {
            var term = new Term(FieldName, "w" + w);
            var context = TermContext.Build(searcher.TopReaderContext, term);
            if (context.DocFreq == 0)
            {
                continue;
            }
            var weight = sim.ComputeWeight(boost, searcher.CollectionStatistics(FieldName), searcher.TermStatistics(term, context));
            weight.Normalize(0.8f, 1.3f);
            foreach (var leaf in reader.Leaves)
            {
                var termsEnum = leaf.AtomicReader.GetTerms(FieldName).GetEnumerator();
                if (!termsEnum.SeekExact(term.Bytes))
                {
                    continue;
                }
                var bounds = Bm25BlockBounds.Compute(leaf.AtomicReader, FieldName, termsEnum);
                var scorer = sim.GetSimScorer(weight, leaf);
                var clause = new Bm25Clause(termsEnum.Docs(null, null, DocsFlags.FREQS), scorer, bounds);
                // The true best score per sub-block, over every posting (deleted ones included).
                var best = new double[bounds.MaxFreq.Length];
                Array.Fill(best, -1);
                var points = new HashSet<(int Freq, int Norm)>[best.Length];
                var norms = leaf.AtomicReader.GetNormValues(FieldName);
                var docs = termsEnum.Docs(null, null, DocsFlags.FREQS);
                int doc;
                while ((doc = docs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                {
                    int sub = doc >> SegmentImpactBounds.SubBlockShift;
                    best[sub] = Math.Max(best[sub], scorer.Score(doc, docs.Freq));
                    (points[sub] ??= []).Add((docs.Freq, (int)(norms.Get(doc) & 0xFF)));
                }
                for (int sub = 0; sub < best.Length; sub++)
                {
                    double bound = clause.Bound(sub);
                    if (best[sub] < 0)
                    {
                        Assert.Equal(-1, bound);
                        continue;
                    }
                    Assert.True(bound >= best[sub], $"w{w} sub-block {sub}: bound {bound:R} below the best score {best[sub]:R}");
                    subBlocks++;
                    frontierPoints += bounds.Start[sub + 1] - bounds.Start[sub];
                    Assert.InRange(bounds.Start[sub + 1] - bounds.Start[sub], 1, Bm25BlockBounds.MaxFrontier);
                    // The Pareto-optimal (frequency, norm) pairs: when they fit, the bound is the best score itself.
                    var p = points[sub];
                    int frontier = p.Count(a => !p.Any(b => b != a && b.Freq >= a.Freq && b.Norm >= a.Norm));
                    if (frontier <= Bm25BlockBounds.MaxFrontier)
                    {
                        Assert.True(bound <= best[sub] * Pad * (1 + 1e-6), $"w{w} sub-block {sub}: bound {bound:R}, best score {best[sub]:R}, {frontier} frontier points");
                        tight++;
                    }
                }
            }
        }
        _output.WriteLine($"{subBlocks} sub-blocks, {tight} with a frontier that fits (bound = best score), {frontierPoints / (double)subBlocks:F2} points kept each");
        Assert.True(subBlocks > 500);
        Assert.True(tight >= subBlocks / 2, $"only {tight} of {subBlocks} sub-blocks have a frontier of at most {Bm25BlockBounds.MaxFrontier} points");
    }
}
