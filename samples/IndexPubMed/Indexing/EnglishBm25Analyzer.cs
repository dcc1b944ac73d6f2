using System.Diagnostics.CodeAnalysis;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Util;

namespace IndexPubMed.Indexing;

/// <summary>
/// The English analysis Anserini applies to its BM25 indexes and queries
/// (<c>DefaultEnglishAnalyzer.newDefaultInstance()</c>): UAX#29 <see cref="StandardTokenizer"/>,
/// possessive removal, lower-casing, Lucene's default English stop words, Porter stemming.
/// </summary>
/// <remarks>
/// Unlike Lucene's own <see cref="EnglishAnalyzer"/> there is no <c>StandardFilter</c> (a no-op
/// in 4.x anyway) and no stem-exclusion set. The same instance must analyse documents and
/// queries so that query terms match indexed terms.
/// </remarks>
public sealed class EnglishBm25Analyzer : StopwordAnalyzerBase
{
    /// <summary>The Lucene version whose tokenizer rules and filter behaviour are used.</summary>
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>Creates the analyzer with Lucene's 33 default English stop words.</summary>
    public EnglishBm25Analyzer()
        // Lucene 4.8's EnglishAnalyzer.DefaultStopSet is the same 33-word list that Lucene 9's
        // EnglishAnalyzer.ENGLISH_STOP_WORDS_SET (Anserini's choice) holds.
        : base(Version, EnglishAnalyzer.DefaultStopSet)
    {
    }

    /// <inheritdoc />
    [SuppressMessage("Reliability", "CA2000:Dispose objects before losing scope",
        Justification = "The tokenizer and filters are owned by the returned TokenStreamComponents, which Lucene disposes.")]
    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var source = new StandardTokenizer(Version, reader);
        TokenStream result = new EnglishPossessiveFilter(Version, source);
        result = new LowerCaseFilter(Version, result);
        result = new StopFilter(Version, result, m_stopwords);
        result = new PorterStemFilter(result);
        return new TokenStreamComponents(source, result);
    }

    /// <summary>Returns the terms <paramref name="text"/> analyses to, in order, duplicates kept.</summary>
    public IReadOnlyList<string> Analyze(string fieldName, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var terms = new List<string>();
        using var stream = GetTokenStream(fieldName, text);
        var term = stream.AddAttribute<Lucene.Net.Analysis.TokenAttributes.ICharTermAttribute>();
        stream.Reset();
        while (stream.IncrementToken())
        {
            terms.Add(term.ToString());
        }
        stream.End();
        return terms;
    }
}
