using System.Text;
using Splade.Encoder;
using Splade.Lucene.Formats;
using Splade.Lucene.Tests.Support;

namespace Splade.Lucene.Tests.Formats;

/// <summary><see cref="JsonVectorWriter"/> writes one object per line that <see cref="JsonVectorReader"/> reads back exactly.</summary>
public sealed class JsonVectorWriterTests
{
    [Fact]
    public void WhatIsWrittenIsReadBackBitForBit()
    {
        var encoder = new FakeSparseEncoder();
        var texts = new[] { "aspirin heart attack", "café + <b>tags</b> & \"quotes\"", "" };
        using var stream = new MemoryStream();
        using (var writer = new JsonVectorWriter(stream, leaveOpen: true))
        {
            for (int i = 0; i < texts.Length; i++)
            {
                writer.Write("d" + i, encoder.EncodeDocument(texts[i]), encoder.Vocabulary, inputIds: i == 0 ? [101, 102] : null);
            }
            writer.Write("tokens", [new("anything goes", 0.1f), new("##x", 3.5f)], contents: "some text");
            Assert.Equal(4, writer.Count);
        }
        string text = Encoding.UTF8.GetString(stream.ToArray());
        Assert.Equal(4, text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("\"input_ids\":[101,102]", text);

        stream.Position = 0;
        var records = new JsonVectorReader().Read(stream, "mem", e => Assert.Fail(e.ToString())).ToList();
        Assert.Equal(["d0", "d1", "d2", "tokens"], records.Select(r => r.Id));
        for (int i = 0; i < texts.Length; i++)
        {
            var v = encoder.EncodeDocument(texts[i]);
            var expected = Enumerable.Range(0, v.Count).ToDictionary(j => encoder.Vocabulary[v.Indices[j]], j => v.Values[j]);
            Assert.Equal(expected, records[i].Weights);
        }
        Assert.Equal(new Dictionary<string, float> { ["anything goes"] = 0.1f, ["##x"] = 3.5f }, records[3].Weights);
    }

    [Fact]
    public void BadIdsAndWeightsAreRefusedNamingThem()
    {
        using var writer = new JsonVectorWriter(new MemoryStream());
        Assert.Contains("id", Assert.Throws<ArgumentException>(() => writer.Write("", [new("a", 1f)])).Message);
        Assert.Contains("'a'", Assert.Throws<ArgumentException>(() => writer.Write("x", [new("a", float.NaN)])).Message);
        var vocabulary = Vocabulary.Create(["a", "b"]);
        Assert.Contains("7", Assert.Throws<ArgumentException>(() => writer.Write("x", SparseVector.Create([7], [1f]), vocabulary)).Message);
    }
}
