using System.Globalization;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Codecs;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Directory = Lucene.Net.Store.Directory;
using Lucene.Net.Util;
using Splade.Encoder;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;

namespace Splade.Lucene.Tests.Support;

/// <summary>
/// Random sparse document vectors over the BERT vocabulary (skewed towards a popular subset so queries
/// match), a deleted subset, index builders and a brute-force scorer that is independent of the library.
/// </summary>
public sealed class RandomSpladeCorpus
{
    public const string FieldName = "splade";
    public const float Scale = 100f;

    private readonly int[] _popular;
    private readonly Dictionary<int, int>[] _impacts;

    public RandomSpladeCorpus(Random random, int docCount, double deleteFraction = 0.05)
    {
        Vocabulary = FakeSparseEncoder.BertVocabulary;
        _popular = Enumerable.Range(0, 1500).Select(_ => random.Next(Vocabulary.Count)).Distinct().ToArray();
        Docs = new SparseVector[docCount];
        Deleted = new bool[docCount];
        _impacts = new Dictionary<int, int>[docCount];
        for (int d = 0; d < docCount; d++)
        {
            var weights = new Dictionary<int, float>();
            int n = random.Next(20, 121);
            for (int i = 0; i < n; i++)
            {
                // Mostly small weights, like real SPLADE output; 0.001 rounds to impact 0 and is dropped.
                float w = Math.Max(0.001f, (float)(3.5 * Math.Pow(random.NextDouble(), 2.5)));
                weights[RandomId(random)] = w;
            }
            Docs[d] = SparseVector.Create(weights.Keys.ToArray(), weights.Values.ToArray());
            Deleted[d] = random.NextDouble() < deleteFraction;
            _impacts[d] = new Dictionary<int, int>();
            for (int i = 0; i < Docs[d].Count; i++)
            {
                int impact = (int)Math.Round((double)Docs[d].Values[i] * Scale, MidpointRounding.AwayFromZero);
                if (impact > 0)
                {
                    _impacts[d][Docs[d].Indices[i]] = impact;
                }
            }
        }
    }

    public Vocabulary Vocabulary { get; }

    public SparseVector[] Docs { get; }

    public bool[] Deleted { get; }

    public SparseVector RandomQuery(Random random, int minTerms = 5, int maxTerms = 40)
    {
        var weights = new Dictionary<int, float>();
        int n = random.Next(minTerms, maxTerms + 1);
        while (weights.Count < n)
        {
            weights[RandomId(random)] = (float)(3.5 * (1 - random.NextDouble()));
        }
        return SparseVector.Create(weights.Keys.ToArray(), weights.Values.ToArray());
    }

    /// <summary>Every live matching document with its score, best first, ties by doc id; terms summed in ordinal term order.</summary>
    public List<(int Doc, float Score)> BruteForce(SparseVector query)
    {
        var terms = Enumerable.Range(0, query.Count)
            .Select(i => (Id: query.Indices[i], Token: Vocabulary[query.Indices[i]], Weight: query.Values[i]))
            .OrderBy(t => t.Token, StringComparer.Ordinal)
            .ToArray();
        var hits = new List<(int, float)>();
        for (int d = 0; d < Docs.Length; d++)
        {
            if (Deleted[d])
            {
                continue;
            }
            float score = 0f;
            bool matched = false;
            foreach (var t in terms)
            {
                if (_impacts[d].TryGetValue(t.Id, out int impact))
                {
                    score += t.Weight * (float)impact;
                    matched = true;
                }
            }
            if (matched)
            {
                hits.Add((d, score));
            }
        }
        hits.Sort((a, b) => a.Item2 != b.Item2 ? b.Item2.CompareTo(a.Item2) : a.Item1.CompareTo(b.Item1));
        return hits;
    }

    /// <summary>
    /// Indexes every document in order (doc id = position) with a stored "id" and "title" field, then deletes
    /// the deleted ones. Small <paramref name="maxBufferedDocs"/> and no merging give many segments.
    /// </summary>
    public Directory BuildIndex(SpladeStorageMode mode, int maxBufferedDocs, Func<int, string>? title = null, Codec? codec = null)
    {
        var dir = new RAMDirectory();
        var config = new IndexWriterConfig(LuceneVersion.LUCENE_48, new WhitespaceAnalyzer(LuceneVersion.LUCENE_48))
        {
            MaxBufferedDocs = maxBufferedDocs,
            RAMBufferSizeMB = 256,
            MergePolicy = NoMergePolicy.COMPOUND_FILES,
        };
        if (codec is not null)
        {
            config.Codec = codec;
        }
        var options = new SpladeFieldOptions { FieldName = FieldName, StorageMode = mode, Scale = Scale };
        using (var writer = new IndexWriter(dir, config))
        {
            var id = new StringField("id", "", Field.Store.YES);
            var titleField = new TextField("title", "", Field.Store.NO);
            SpladeField? splade = null;
            for (int d = 0; d < Docs.Length; d++)
            {
                if (splade is null)
                {
                    splade = new SpladeField(Docs[d], Vocabulary, options);
                }
                else
                {
                    splade.SetVector(Docs[d]);
                }
                id.SetStringValue(d.ToString(CultureInfo.InvariantCulture));
                var doc = new Document { id, splade };
                if (title is not null)
                {
                    titleField.SetStringValue(title(d));
                    doc.Add(titleField);
                }
                writer.AddDocument(doc);
            }
            for (int d = 0; d < Docs.Length; d++)
            {
                if (Deleted[d])
                {
                    writer.DeleteDocuments(new Term("id", d.ToString(CultureInfo.InvariantCulture)));
                }
            }
            SpladeIndexSettings.From(options, "random").Write(writer);
            writer.Commit();
        }
        return dir;
    }

    private int RandomId(Random random) =>
        random.NextDouble() < 0.8
            ? _popular[(int)(_popular.Length * Math.Pow(random.NextDouble(), 2))]
            : random.Next(Vocabulary.Count);
}
