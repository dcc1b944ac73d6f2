using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Payloads;
using Lucene.Net.Analysis.TokenAttributes;

namespace Splade.Lucene.Tests.Support;

/// <summary>Token stream assertions in the spirit of Lucene's BaseTokenStreamTestCase.</summary>
public static class AssertTokenStream
{
    /// <summary>
    /// Consumes <paramref name="ts"/> with the full contract (Reset, IncrementToken until false, End, Dispose)
    /// and checks the term texts, that ClearAttributes ran before every new token (a repeat of the
    /// previous token may leave the attributes alone), the payloads when given, and the End state.
    /// </summary>
    public static void Contents(TokenStream ts, IReadOnlyList<string> terms, IReadOnlyList<int>? payloads = null)
    {
        var check = ts.AddAttribute<ICheckClearAttributesAttribute>();
        var term = ts.GetAttribute<ICharTermAttribute>();
        var posInc = ts.AddAttribute<IPositionIncrementAttribute>();
        var payload = ts.AddAttribute<IPayloadAttribute>();
        ts.Reset();
        int i = 0;
        string? previous = null;
        while (ts.IncrementToken())
        {
            Assert.True(i < terms.Count, $"More tokens than expected: extra token {i} '{term}'.");
            string text = term.ToString();
            Assert.Equal(terms[i], text);
            bool cleared = check.GetAndResetClearCalled();
            if (text != previous)
            {
                Assert.True(cleared, $"ClearAttributes() was not called before token {i} '{text}'.");
            }
            Assert.Equal(1, posInc.PositionIncrement);
            if (payloads is not null)
            {
                Assert.NotNull(payload.Payload);
                Assert.Equal(4, payload.Payload.Length);
                Assert.Equal(payloads[i], PayloadHelper.DecodeInt32(payload.Payload.Bytes, payload.Payload.Offset));
            }
            previous = text;
            i++;
        }
        Assert.Equal(terms.Count, i);
        ts.End();
        Assert.True(check.GetAndResetClearCalled(), "End() did not clear the attributes.");
        Assert.Equal(0, posInc.PositionIncrement);
        ts.Dispose();
    }

    /// <summary>Contents of one analysis of <paramref name="text"/>, checked twice to prove the analyzer's stream is reusable.</summary>
    public static void AnalyzesTo(Analyzer analyzer, string field, string text, IReadOnlyList<string> terms, IReadOnlyList<int>? payloads = null)
    {
        Contents(analyzer.GetTokenStream(field, text), terms, payloads);
        Contents(analyzer.GetTokenStream(field, text), terms, payloads);
    }

    /// <summary>The token sequence of term-frequency mode: each term repeated impact times.</summary>
    public static string[] Repeated(IReadOnlyList<string> terms, IReadOnlyList<int> impacts) =>
        terms.SelectMany((t, i) => Enumerable.Repeat(t, impacts[i])).ToArray();
}
