using System.Globalization;
using System.Text;
using Splade.Lucene.Formats;
using Splade.Lucene.Index;

namespace Splade.Lucene.Tests.Formats;

/// <summary>
/// The fast paths of vector reading return exactly what the simple paths return: <see cref="JsonVectorReader"/>'s
/// one-object-per-line parse and the splitter's vectorized runs against the byte-at-a-time splitter (records, lines,
/// every error message) on random files mixing good, damaged and pretty-printed records, read in random chunks; the
/// one-division weight parser against the general float parser; the quantization of a vector read from a file
/// (distinct tokens) against the general token quantization.
/// </summary>
public sealed class JsonVectorReaderFastPathTests
{
    [Fact]
    public void ReadingGivesWhatTheByteAtATimeSplitterAndParseGive()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int file = 0; file < 300; file++)
        {
            byte[] bytes = RandomFile(random);
            int chunk = random.Next(4) == 0 ? 1 + random.Next(7) : 1 << 20;
            var expected = Reference(bytes, chunk, JsonVectorReader.DefaultMaxObjectBytes);
            var actual = new List<string>();
            foreach (var record in new JsonVectorReader().Read(new ChunkedStream(bytes, chunk, random.Next()), "f", e => actual.Add($"E {e.Line} {e.Message}")))
            {
                actual.Add(Describe(record));
            }
            Assert.True(expected.SequenceEqual(actual), $"seed {seed}, file {file}:\n{Encoding.UTF8.GetString(bytes)}\nexpected:\n{string.Join("\n", expected)}\nactual:\n{string.Join("\n", actual)}");
        }
    }

    [Fact]
    public void TheSplitterCutsWhatTheByteAtATimeSplitterCuts()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int file = 0; file < 300; file++)
        {
            byte[] bytes = RandomFile(random);
            int max = random.Next(3) == 0 ? 1 + random.Next(120) : 1 << 20;
            int chunk = 1 + random.Next(random.Next(2) == 0 ? 9 : 100_000);
            var reference = new ReferenceJsonObjectSplitter(new ChunkedStream(bytes, chunk, 1), max);
            var splitter = new JsonObjectSplitter(new ChunkedStream(bytes, chunk, 2), max);
            while (true)
            {
                bool more = reference.Next(out var json, out long line, out string? error);
                Assert.Equal(more, splitter.Next(out var json2, out long line2, out string? error2));
                if (!more)
                {
                    break;
                }
                string context = $"seed {seed}, file {file}, max {max}, chunk {chunk}";
                Assert.True(line == line2, context);
                Assert.True(error == error2, $"{context}: {error} / {error2}");
                Assert.True(json.Span.SequenceEqual(json2.Span), context);
            }
        }
    }

    [Fact]
    public void PlainDecimalsParseToTheFloatTheGeneralParserGives()
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        var texts = new List<string> { "0", "-0", "0.0", "1", "3.5", "0.05415167", "123456789012345", "0.000000000000000000001", "1234567890123456", "0.1234567890123456" };
        for (int i = 0; i < 300_000; i++)
        {
            float f = BitConverter.Int32BitsToSingle(random.Next()) is var x && float.IsFinite(x) ? x : 1f;
            texts.Add(f.ToString("R", CultureInfo.InvariantCulture));
            texts.Add((random.NextDouble() * Math.Pow(10, random.Next(-8, 8))).ToString("F" + random.Next(0, 17), CultureInfo.InvariantCulture));
            // Random digit strings: up to 20 digits, a point anywhere (halfway cases included by chance).
            var digits = new string(Enumerable.Range(0, 1 + random.Next(20)).Select(_ => (char)('0' + random.Next(10))).ToArray()).TrimStart('0');
            digits = digits.Length == 0 ? "0" : digits;
            int point = random.Next(digits.Length);
            texts.Add((random.Next(2) == 0 ? "-" : "") + (point == 0 ? digits : digits[..point] + "." + (digits[point..].Length > 0 ? digits[point..] : "0")));
        }
        int fast = 0;
        foreach (string text in texts)
        {
            if (DecimalFloatParser.TryParse(Encoding.ASCII.GetBytes(text), out float value))
            {
                fast++;
                float expected = float.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(value), $"seed {seed}: {text} gave {value:R}, the general parser {expected:R}");
            }
        }
        Assert.True(fast > texts.Count / 2, $"only {fast} of {texts.Count} took the fast path");
        Assert.False(DecimalFloatParser.TryParse("1e-5"u8, out _));
        Assert.False(DecimalFloatParser.TryParse("-"u8, out _));
        Assert.False(DecimalFloatParser.TryParse(""u8, out _));
    }

    [Theory]
    [InlineData(InvalidEntryHandling.Skip)]
    [InlineData(InvalidEntryHandling.Throw)]
    public void DistinctTokensQuantizeAsTheGeneralPath(InvalidEntryHandling handling)
    {
        int seed = Environment.TickCount;
        var random = new Random(seed);
        for (int v = 0; v < 2000; v++)
        {
            var weights = new Dictionary<string, float>(StringComparer.Ordinal);
            int n = random.Next(120);
            for (int i = 0; i < n; i++)
            {
                string token = random.Next(60) == 0 ? "" : random.Next(3) == 0 ? $"##t{random.Next(500)}" : $"t{random.Next(3000)}é";
                weights[token] = random.Next(40) switch
                {
                    0 => -1f,
                    1 => 0f,
                    2 => float.NaN,
                    3 => 0.001f,
                    4 => 1e9f,
                    _ => (float)(random.NextDouble() * 3.5),
                };
            }
            var options = new SpladeFieldOptions { InvalidEntries = handling, MaxTerms = random.Next(4) == 0 ? 1 + random.Next(60) : null };
            bool normalize = random.Next(5) == 0;
            // A list is not a Dictionary: the general path, with its duplicate check.
            string expected = Quantize(stats => ImpactQuantizer.Quantize(weights.ToList(), null, options, normalize, stats));
            string actual = Quantize(stats => ImpactQuantizer.Quantize(weights, null, options, normalize, stats));
            Assert.True(expected == actual, $"seed {seed}, vector {v}:\n{expected}\n{actual}");
        }
    }

    // The terms and impacts (or the exception) and the counters.
    private static string Quantize(Func<SpladeIndexingStats, QuantizedTerms> quantize)
    {
        var stats = new SpladeIndexingStats();
        try
        {
            var terms = quantize(stats);
            return $"{string.Join(" ", terms.Terms.Zip(terms.Impacts, (t, i) => $"{t}:{i}"))} | {stats}";
        }
        catch (ArgumentException e)
        {
            return $"throws {e.Message} | {stats}";
        }
    }

    // What ReadStream did before the fast path: the byte-at-a-time splitter, then Parse of each object.
    private static List<string> Reference(byte[] bytes, int chunk, int max)
    {
        var result = new List<string>();
        var reader = new JsonVectorReader();
        var splitter = new ReferenceJsonObjectSplitter(new ChunkedStream(bytes, chunk, 3), max);
        while (splitter.Next(out var json, out long line, out string? error))
        {
            if (error is not null)
            {
                result.Add($"E {line} {error}");
                continue;
            }
            try
            {
                result.Add(Describe(reader.Parse(json.Span, line)));
            }
            catch (FormatException e)
            {
                result.Add($"E {line} {e.Message}");
            }
        }
        return result;
    }

    private static string Describe(VectorRecord r) =>
        $"R {r.Line} {r.Id} {string.Join(",", r.Weights.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key}={BitConverter.SingleToInt32Bits(p.Value)}")))}";

    private static byte[] RandomFile(Random random)
    {
        var sb = new StringBuilder();
        if (random.Next(10) == 0)
        {
            sb.Append('\uFEFF');
        }
        if (random.Next(8) == 0)
        {
            sb.Append("[\n");
        }
        int records = random.Next(1, 25);
        for (int r = 0; r < records; r++)
        {
            string obj = Object(random, r);
            switch (random.Next(16))
            {
                case 0: sb.Append(obj).Append("  \r\n"); break;                        // trailing blanks
                case 1: sb.Append(obj).Append(' ').Append(Object(random, r + 100)).Append('\n'); break; // two on one line
                case 2: sb.Append(obj).Append(" x\n"); break;                           // text after it
                case 3: sb.Append(obj.Replace(", ", ",\n  ")).Append('\n'); break;      // pretty-printed
                case 4: sb.Append(obj[..random.Next(1, obj.Length)]).Append('\n'); break; // truncated
                case 5: sb.Append(obj.Replace("\"id\"", "\"i\nd\"")).Append('\n'); break; // line break in a string
                case 6: sb.Append("garbage ").Append(r).Append('\n'); break;
                case 7: sb.Append("\n  \n"); break;
                case 8: sb.Append(obj).Append(",\n"); break;                            // as in an array
                case 9: sb.Append("  ").Append(obj).Append('\n'); break;                // indented
                case 10: sb.Append(obj.Replace("\"vector\"", "\"pad\": \"" + new string('p', 70_000) + "\", \"vector\"")).Append('\n'); break; // longer than the buffer
                default: sb.Append(obj).Append('\n'); break;
            }
        }
        if (random.Next(4) == 0 && sb.Length > 0 && sb[^1] == '\n')
        {
            sb.Length--;   // no line break at the end
        }
        if (random.Next(8) == 0)
        {
            sb.Append("\n]");
        }
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string Object(Random random, int r)
    {
        string[] numbers = ["0.05415167", "1", "3.5", "-0.5", "1e-3", "2.5E2", "0", "123456789012345678", "0.10000000149011612", "\"1.5\"", "null", "1.7976931348623157e309"];
        var entries = Enumerable.Range(0, random.Next(6)).Select(i => random.Next(12) switch
        {
            0 => $"\"caf\\u00e9{i}\": 1.5",
            1 => $"\"br{{ace{i}\": 0.25",
            2 => $"\"q\\\"uote{i}\": 0.75",
            3 => $"\"t{i}\": {{\"nested\": [1, {{\"a\": 2}}]}}",
            4 => $"\"\\ud800\": 1",
            _ => $"\"t{random.Next(50)}\": {numbers[random.Next(numbers.Length)]}",
        });
        string id = random.Next(10) == 0 ? r.ToString(CultureInfo.InvariantCulture) : $"\"d{r}\"";
        string extra = random.Next(5) == 0 ? ", \"contents\": \"text {with} braces\"" : "";
        return random.Next(12) switch
        {
            0 => $"{{\"vector\": {{\"a\": 1}}{extra}}}",
            1 => $"{{\"id\": {id}{extra}}}",
            _ => $"{{\"id\": {id}{extra}, \"vector\": {{{string.Join(", ", entries)}}}}}",
        };
    }

    /// <summary>Returns at most <c>chunk</c> bytes per read (a random count up to it), as pipes and decompressors may.</summary>
    private sealed class ChunkedStream(byte[] bytes, int chunk, int seed) : MemoryStream(bytes)
    {
        private readonly Random _random = new(seed);

        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1 + _random.Next(chunk)));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1 + _random.Next(chunk))]);
    }
}
