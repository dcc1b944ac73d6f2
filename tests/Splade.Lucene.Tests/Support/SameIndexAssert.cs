using Lucene.Net.Index;
using Lucene.Net.Search;
using Splade.Encoder;
using Splade.Lucene.Codecs;
using Splade.Lucene.Search;
using Xunit.Abstractions;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Splade.Lucene.Tests.Support;

/// <summary>
/// Two indexes of the same SPLADE term-frequency field are the same index: segment by segment, the same field infos
/// (<c>DOCS_AND_FREQS</c>, no payloads or norms), term statistics, postings and frequencies, persisted impact bounds,
/// and the same hits (exhaustive and pruned, bit-identical scores) for every query at k = 1, 10, 100 and 1000.
/// </summary>
internal static class SameIndexAssert
{
    private const string Field = RandomSpladeCorpus.FieldName;

    public static void SameIndex(ITestOutputHelper output, LuceneDirectory expected, LuceneDirectory actual, Vocabulary? vocabulary, IReadOnlyList<SparseVector> queries, string what, bool checkIndex = false)
    {
        if (checkIndex)
        {
            foreach (var d in new[] { expected, actual })
            {
                var status = new CheckIndex(d).DoCheckIndex();
                Assert.True(status.Clean, $"{what}: CheckIndex not clean");
            }
        }
        using var e = DirectoryReader.Open(expected);
        using var a = DirectoryReader.Open(actual);
        SameIndex(output, e, a, vocabulary, queries, what);
    }

    public static void SameIndex(ITestOutputHelper output, DirectoryReader expected, DirectoryReader actual, Vocabulary? vocabulary, IReadOnlyList<SparseVector> queries, string what)
    {
        Assert.Equal(expected.MaxDoc, actual.MaxDoc);
        Assert.Equal(expected.NumDocs, actual.NumDocs);
        Assert.True(expected.Leaves.Count == actual.Leaves.Count, $"{what}: {actual.Leaves.Count} segments, expected {expected.Leaves.Count}");
        long postings = 0;
        int persistedTerms = 0;
        for (int l = 0; l < expected.Leaves.Count; l++)
        {
            var er = expected.Leaves[l].AtomicReader;
            var ar = actual.Leaves[l].AtomicReader;
            string where = $"{what}, segment {l}";
            AssertTermFrequencyField(er.FieldInfos.FieldInfo(Field), where + " (expected)");
            AssertTermFrequencyField(ar.FieldInfos.FieldInfo(Field), where);
            var et = er.GetTerms(Field);
            var at = ar.GetTerms(Field);
            Assert.True(et.SumTotalTermFreq == at.SumTotalTermFreq, $"{where}: sumTotalTermFreq {at.SumTotalTermFreq}, expected {et.SumTotalTermFreq}");
            Assert.True(et.SumDocFreq == at.SumDocFreq, $"{where}: sumDocFreq");
            Assert.True(et.DocCount == at.DocCount, $"{where}: docCount");
            Assert.True(et.Count == at.Count, $"{where}: term count");
            Assert.False(at.HasPositions || at.HasPayloads || at.HasOffsets, $"{where}: positions, payloads or offsets");
            var eb = (et as PersistedBoundsTerms)?.Bounds;
            var ab = (at as PersistedBoundsTerms)?.Bounds;
            Assert.True(eb is not null && ab is not null, $"{where}: no persisted bounds");
            var eCache = SegmentImpactBounds.For(er);
            var aCache = SegmentImpactBounds.For(ar);
            var ee = et.GetEnumerator();
            var ae = at.GetEnumerator();
            DocsEnum? eDocs = null, aDocs = null;
            while (ee.MoveNext())
            {
                Assert.True(ae.MoveNext(), $"{where}: terms end early");
                Assert.True(ee.Term.Equals(ae.Term), $"{where}: term {ae.Term.Utf8ToString()}, expected {ee.Term.Utf8ToString()}");
                string term = ee.Term.Utf8ToString();
                Assert.True(ee.DocFreq == ae.DocFreq && ee.TotalTermFreq == ae.TotalTermFreq,
                    $"{where}: term {term} df {ae.DocFreq} ttf {ae.TotalTermFreq}, expected {ee.DocFreq} {ee.TotalTermFreq}");
                Assert.Null(ae.DocsAndPositions(null, null));
                eDocs = ee.Docs(null, eDocs, DocsFlags.FREQS);
                aDocs = ae.Docs(null, aDocs, DocsFlags.FREQS);
                int doc;
                while ((doc = eDocs.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                {
                    Assert.Equal(doc, aDocs.NextDoc());
                    Assert.True(eDocs.Freq == aDocs.Freq, $"{where}: term {term} doc {doc} freq {aDocs.Freq}, expected {eDocs.Freq}");
                    postings++;
                }
                Assert.Equal(DocIdSetIterator.NO_MORE_DOCS, aDocs.NextDoc());
                var ebt = eCache.FromPersisted(eb!, term, ee, payloads: false, wantTier: false);
                var abt = aCache.FromPersisted(ab!, term, ae, payloads: false, wantTier: false);
                Assert.True((ebt is null) == (abt is null), $"{where}: term {term} persisted in one index only");
                if (ebt is not null)
                {
                    Assert.True(ebt.BlockMax.AsSpan().SequenceEqual(abt!.BlockMax) && ebt.SubBlockMax.AsSpan().SequenceEqual(abt.SubBlockMax) && ebt.Tau == abt.Tau,
                        $"{where}: term {term} persisted bounds differ");
                    persistedTerms++;
                }
            }
            Assert.False(ae.MoveNext(), $"{where}: extra terms");
        }
        Assert.True(postings > 0, $"{what}: no postings compared");
        output.WriteLine($"{what}: {expected.Leaves.Count} segments, {postings} postings and {persistedTerms} persisted term bounds identical");

        if (vocabulary is null)
        {
            return;
        }
        var es = new IndexSearcher(expected);
        var asq = new IndexSearcher(actual);
        foreach (var (vector, q) in queries.Select((v, i) => (v, i)))
        {
            var exhaustive = new SpladeQuery(Field, vector, vocabulary);
            var pruned = new SpladeQuery(Field, vector, vocabulary, new SpladeQueryOptions { Evaluation = SpladeEvaluation.MaxScore });
            foreach (int k in ExactSearchAssert.Ks)
            {
                var reference = es.Search(exhaustive, k).ScoreDocs;
                ExactSearchAssert.SameHits(reference, asq.Search(exhaustive, k).ScoreDocs, $"{what} query {q} k={k} exhaustive");
                ExactSearchAssert.SameHits(reference, SpladeSearcher.Search(asq, pruned, k).ScoreDocs, $"{what} query {q} k={k} pruned");
            }
        }
    }

    internal static void AssertTermFrequencyField(FieldInfo info, string where)
    {
        Assert.NotNull(info);
        Assert.True(info.IsIndexed && info.IndexOptions == IndexOptions.DOCS_AND_FREQS && !info.HasPayloads && !info.HasNorms,
            $"{where}: field info {info.IndexOptions}, payloads {info.HasPayloads}, norms {info.HasNorms}");
    }
}
