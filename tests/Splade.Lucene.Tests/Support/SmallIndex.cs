using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Store;
using Lucene.Net.Util;
using Splade.Lucene.Analysis;
using Splade.Lucene.Documents;
using Splade.Lucene.Index;

namespace Splade.Lucene.Tests.Support;

/// <summary>A tiny index of (title, body) documents: BM25 text in "title", the fake encoder's SPLADE vector of body in "splade".</summary>
public static class SmallIndex
{
    public static readonly string[] Bodies =
    [
        "aspirin heart attack prevention",
        "heart surgery outcomes",
        "cat and dog allergies",
        "aspirin dosage for children",
        "prevention of stroke and heart disease",
        "dog training the cat",
        "attack of the killer tomatoes",
        "the heart of the matter",
    ];

    public static Analyzer CreateAnalyzer(FakeSparseEncoder encoder, SpladeStorageMode mode) =>
        new PerFieldAnalyzerWrapper(new StandardAnalyzer(LuceneVersion.LUCENE_48), new Dictionary<string, Analyzer>
        {
            ["splade"] = new SpladeAnalyzer(encoder, new SpladeFieldOptions { StorageMode = mode }),
        });

    public static RAMDirectory Build(FakeSparseEncoder encoder, SpladeStorageMode mode = SpladeStorageMode.TermFrequency)
    {
        var dir = new RAMDirectory();
        using var writer = new IndexWriter(dir, new IndexWriterConfig(LuceneVersion.LUCENE_48, CreateAnalyzer(encoder, mode)) { MaxBufferedDocs = 3 });
        for (int i = 0; i < Bodies.Length; i++)
        {
            writer.AddDocument(new Document
            {
                new StringField("id", i.ToString(System.Globalization.CultureInfo.InvariantCulture), Field.Store.YES),
                new TextField("title", Bodies[i], Field.Store.NO),
                new Field("splade", Bodies[i], SpladeField.GetFieldType(mode)),
            });
        }
        SpladeIndexSettings.From(new SpladeFieldOptions { StorageMode = mode }, encoder).Write(writer);
        writer.Commit();
        return dir;
    }
}
