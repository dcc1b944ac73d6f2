using System.Globalization;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Payloads;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Search;
using Splade.Lucene.Tests.Support;

namespace Splade.Lucene.Tests.Search.Hybrid;

/// <summary>
/// Impacts far above the library's own cap (65,535) can come from a field indexed another way, e.g. payloads written
/// by an application's own token stream; the pruned hybrid must stay exact with them. A block maximum times a
/// sub-block bound of 255 overflowed an int from 8,421,505 on, and the hybrid then skipped the block's documents.
/// </summary>
public sealed class LargeImpactHybridTests
{
    [Fact]
    public void HybridPruningIsExactWithImpactsAboveEightMillion()
    {
        using var dir = new RAMDirectory();
        using (var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, new global::Lucene.Net.Analysis.Core.WhitespaceAnalyzer(LuceneVersion.LUCENE_48))))
        {
            for (int d = 0; d < 3000; d++)
            {
                var impacts = new PayloadImpactStream("x", d % 100 == 7 ? 10_000_000 : 1 + (d % 50));
                writer.AddDocument(new Document
                {
                    new TextField("text", "w" + (d % 5).ToString(CultureInfo.InvariantCulture), Field.Store.NO),
                    new TextField("splade", impacts),
                });
            }
            writer.Commit();
        }
        using var reader = DirectoryReader.Open(dir);
        var searcher = new IndexSearcher(reader) { Similarity = new SpladePerFieldSimilarity("splade") };
        var splade = new SpladeQuery("splade", [KeyValuePair.Create("x", 1f)], new SpladeQueryOptions { Evaluation = SpladeEvaluation.MaxScore });
        var hybrid = HybridQuery.Create(new TermQuery(new Term("text", "w1")), splade, 1f, 1f);

        ExactSearchAssert.SameHits(searcher.Search(splade, 10).ScoreDocs, SpladeSearcher.Search(searcher, splade, 10).ScoreDocs, "SPLADE only");
        var stats = new SpladeSearchStats();
        var pruned = SpladeSearcher.SearchHybrid(searcher, hybrid, 10, stats).ScoreDocs;
        Assert.True(stats.SegmentsPruned > 0, "the pruned hybrid path was not taken");
        ExactSearchAssert.SameHits(searcher.Search(hybrid, 10).ScoreDocs, pruned, "hybrid");
    }

    // One token whose impact is an int payload, as SpladeStorageMode.Payload stores it.
    private sealed class PayloadImpactStream : TokenStream
    {
        private readonly ICharTermAttribute _term;
        private readonly IPayloadAttribute _payload;
        private readonly string _token;
        private readonly int _impact;
        private bool _done;

        public PayloadImpactStream(string token, int impact)
        {
            _term = AddAttribute<ICharTermAttribute>();
            _payload = AddAttribute<IPayloadAttribute>();
            _token = token;
            _impact = impact;
        }

        public override void Reset()
        {
            base.Reset();
            _done = false;
        }

        public override bool IncrementToken()
        {
            if (_done)
            {
                return false;
            }
            ClearAttributes();
            _term.SetEmpty().Append(_token);
            _payload.Payload = new BytesRef(PayloadHelper.EncodeInt32(_impact));
            _done = true;
            return true;
        }
    }
}
