using System.Globalization;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Codecs;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;
using Directory = Lucene.Net.Store.Directory;

namespace Splade.Lucene.Tests.Support;

/// <summary>
/// A corpus made of ties: a few terms, each in about 30% of the documents with an impact of 1 to 3, so that with equal
/// query weights thousands of documents share each score and every top-k cut falls inside a tie. Each document has a
/// random unique external id ("docNNNNNN-d", not in document order).
/// </summary>
public sealed class TiedSpladeCorpus
{
    public TiedSpladeCorpus(Random random, int docCount, int termCount)
    {
        Vocabulary = FakeSparseEncoder.BertVocabulary;
        Terms = Enumerable.Range(2000, termCount).ToArray();
        Docs = new SparseVector[docCount];
        Ids = new string[docCount];
        for (int d = 0; d < docCount; d++)
        {
            var chosen = Terms.Where(_ => random.NextDouble() < 0.3).ToArray();
            if (chosen.Length == 0)
            {
                chosen = [Terms[random.Next(Terms.Length)]];
            }
            Docs[d] = SparseVector.Create(chosen, chosen.Select(_ => random.Next(1, 4) / 100f).ToArray());
            Ids[d] = "doc" + random.Next(1_000_000).ToString("D6", CultureInfo.InvariantCulture) + "-" + d.ToString(CultureInfo.InvariantCulture);
        }
    }

    public Vocabulary Vocabulary { get; }

    public int[] Terms { get; }

    public SparseVector[] Docs { get; }

    public string[] Ids { get; }

    /// <summary>About half of the terms (at least one), all with weight 1 (even <paramref name="q"/>) or 0.3 (odd).</summary>
    public SparseVector Query(Random random, int q)
    {
        var terms = Terms.Where(_ => random.NextDouble() < 0.5).DefaultIfEmpty(Terms[0]).ToArray();
        float weight = q % 2 == 0 ? 1f : 0.3f;
        return SparseVector.Create(terms, terms.Select(_ => weight).ToArray());
    }

    /// <summary>Every matching document as (external id, score), best first, ties by id; terms summed in ordinal term order.</summary>
    public List<(string Id, float Score)> BruteForceById(SparseVector query)
    {
        var weights = Enumerable.Range(0, query.Count).ToDictionary(i => query.Indices[i], i => query.Values[i]);
        var order = weights.Keys.OrderBy(id => Vocabulary[id], StringComparer.Ordinal).ToArray();
        var hits = new List<(string, float)>();
        for (int d = 0; d < Docs.Length; d++)
        {
            var impacts = Enumerable.Range(0, Docs[d].Count).ToDictionary(i => Docs[d].Indices[i], i => (int)Math.Round(Docs[d].Values[i] * RandomSpladeCorpus.Scale));
            float score = 0f;
            bool matched = false;
            foreach (int t in order)
            {
                if (impacts.TryGetValue(t, out int impact))
                {
                    score += weights[t] * (float)impact;
                    matched = true;
                }
            }
            if (matched)
            {
                hits.Add((Ids[d], score));
            }
        }
        return hits.OrderByDescending(h => h.Item2).ThenBy(h => h.Item1, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// Indexes the documents in <paramref name="order"/> (default: as generated) with the id stored, indexed and as
    /// sorted doc values; segments of <paramref name="maxBufferedDocs"/> and no merging unless <paramref name="forceMerge"/>;
    /// written with <see cref="SpladeCodec"/> when <paramref name="codec"/>; then every <paramref name="deleteEvery"/>-th
    /// document of the generated order (0: none) is deleted.
    /// </summary>
    public Directory BuildIndex(SpladeStorageMode mode, int maxBufferedDocs, int[]? order = null, bool codec = false, bool forceMerge = false, int deleteEvery = 0)
    {
        var dir = new RAMDirectory();
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))
        {
            MaxBufferedDocs = maxBufferedDocs,
            MergePolicy = forceMerge ? new LogDocMergePolicy() : NoMergePolicy.COMPOUND_FILES,
        };
        if (codec)
        {
            config.Codec = new SpladeCodec(RandomSpladeCorpus.FieldName);
        }
        var options = new SpladeFieldOptions { FieldName = RandomSpladeCorpus.FieldName, StorageMode = mode, Scale = RandomSpladeCorpus.Scale };
        using var writer = new IndexWriter(dir, config);
        foreach (int d in order ?? Enumerable.Range(0, Docs.Length))
        {
            writer.AddDocument(new Document
            {
                new StringField("id", Ids[d], Field.Store.YES),
                new SortedDocValuesField("id", new BytesRef(Ids[d])),
                new SpladeField(Docs[d], Vocabulary, options),
            });
        }
        for (int d = 0; deleteEvery > 0 && d < Docs.Length; d += deleteEvery)
        {
            writer.DeleteDocuments(new Term("id", Ids[d]));
        }
        if (forceMerge)
        {
            writer.ForceMerge(1);
        }
        writer.Commit();
        return dir;
    }
}
