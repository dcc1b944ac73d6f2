using System.IO.Compression;
using System.Text;

namespace IndexPubMed.Tests.Support;

/// <summary>
/// Seeded byte-level mutations of input files for the fuzz tests: truncation, flipped bytes, invalid UTF-8, lone
/// surrogates, deep nesting, values inflated past Lucene's 32,766-byte term limit, joined and repeated lines, gzip.
/// Each mutation reports the first byte offset it changed, so that a test knows which records are untouched.
/// </summary>
internal sealed class Mutator(Random random, bool xml)
{
    private static readonly byte[][] InvalidUtf8 = [[0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82]];

    /// <summary>A mutated copy: its bytes, the first offset that differs from the input (its length if none), what was done, and whether it is gzip.</summary>
    public sealed record Result(byte[] Bytes, int FirstChange, string What, bool Gzip);

    public Result Mutate(byte[] input)
    {
        int kinds = random.Next(1, 3);
        byte[] bytes = input;
        int first = input.Length;
        var what = new List<string>();
        for (int k = 0; k < kinds; k++)
        {
            var (next, at, name) = One(bytes);
            bytes = next;
            first = Math.Min(first, at);
            what.Add(name);
        }
        if (random.Next(8) == 0)
        {
            var gz = Gzip(bytes);
            bool cut = random.Next(2) == 0;
            if (cut)
            {
                gz = gz[..random.Next(10, gz.Length)];
                first = 0; // no promise about what a truncated gzip stream still holds
            }
            what.Add(cut ? "gzip truncated" : "gzip");
            return new Result(gz, first, string.Join(", ", what), true);
        }
        return new Result(bytes, first, string.Join(", ", what), false);
    }

    private (byte[] Bytes, int At, string What) One(byte[] b)
    {
        switch (random.Next(9))
        {
            case 0:
                {
                    int at = random.Next(b.Length + 1);
                    return (b[..at], at, $"truncated at {at}");
                }
            case 1:
                {
                    var copy = (byte[])b.Clone();
                    int n = random.Next(1, 5);
                    int first = copy.Length;
                    for (int i = 0; i < n && copy.Length > 0; i++)
                    {
                        int at = random.Next(copy.Length);
                        copy[at] ^= (byte)random.Next(1, 256);
                        first = Math.Min(first, at);
                    }
                    return (copy, first, $"{n} bytes flipped from {first}");
                }
            case 2:
                {
                    int at = AfterAny(b, xml ? ">"u8 : "\""u8);
                    return (Insert(b, at, InvalidUtf8[random.Next(InvalidUtf8.Length)]), at, $"invalid UTF-8 at {at}");
                }
            case 3:
                {
                    int at = AfterAny(b, xml ? ">"u8 : "\""u8);
                    string s = xml ? (random.Next(2) == 0 ? "&#xD800;" : "&#0;") : (random.Next(2) == 0 ? "\\ud800" : "\\udfff\\ud800");
                    return (Insert(b, at, Encoding.ASCII.GetBytes(s)), at, $"lone surrogate at {at}");
                }
            case 4:
                {
                    int depth = random.Next(2) == 0 ? random.Next(50, 400) : random.Next(10_000, 200_000);
                    int at = AfterAny(b, xml ? ">"u8 : ":"u8);
                    string open = xml ? "<i>" : "[", close = xml ? "</i>" : "]";
                    var nested = Encoding.ASCII.GetBytes(new StringBuilder().Insert(0, open, depth).Append(xml ? "x" : "1").Append(new StringBuilder().Insert(0, close, depth)).ToString());
                    return (Insert(b, at, nested), at, $"nested {depth} deep at {at}");
                }
            case 5:
                {
                    // Inflate a value past Lucene's term limit: a journal title or PMID in XML, an id in JSON.
                    var markers = xml ? new[] { "<Title>"u8.ToArray(), "<PMID Version=\"1\">"u8.ToArray(), "<Language>"u8.ToArray() } : new[] { "\"_id\": \""u8.ToArray(), "\"id\": \""u8.ToArray() };
                    var marker = markers[random.Next(markers.Length)];
                    int at = AfterMarker(b, marker);
                    if (at < 0)
                    {
                        goto case 1;
                    }
                    byte fill = xml && marker[1] == (byte)'P' ? (byte)'9' : (byte)'a';
                    return (Insert(b, at, Enumerable.Repeat(fill, random.Next(32_767, 70_000)).ToArray()), at, $"value inflated at {at}");
                }
            case 6:
                {
                    int nl = AfterAny(b, "\n"u8) - 1;
                    if (nl < 0 || b.Length == 0)
                    {
                        goto case 1;
                    }
                    return ([.. b[..nl], .. b[(nl + 1)..]], nl, $"lines joined at {nl}");
                }
            case 7:
                {
                    // A line (or XML record text) repeated: updates must replace, never duplicate.
                    int start = AfterAny(b, "\n"u8);
                    int end = start < b.Length ? Array.IndexOf(b, (byte)'\n', start) : -1;
                    if (end < 0)
                    {
                        goto case 1;
                    }
                    return (Insert(b, end + 1, b[start..(end + 1)]), end + 1, $"line repeated at {end + 1}");
                }
            default:
                {
                    int at = random.Next(b.Length + 1);
                    var junk = new byte[random.Next(1, 64)];
                    random.NextBytes(junk);
                    return (Insert(b, at, junk), at, $"{junk.Length} random bytes at {at}");
                }
        }
    }

    private int AfterAny(byte[] b, ReadOnlySpan<byte> what)
    {
        if (b.Length == 0)
        {
            return 0;
        }
        int start = random.Next(b.Length);
        int i = b.AsSpan(start).IndexOf(what);
        return i < 0 ? start : start + i + what.Length;
    }

    private int AfterMarker(byte[] b, byte[] marker)
    {
        int start = random.Next(Math.Max(1, b.Length / 2));
        int i = b.AsSpan(start).IndexOf(marker);
        if (i < 0)
        {
            i = b.AsSpan().IndexOf(marker);
            return i < 0 ? -1 : i + marker.Length;
        }
        return start + i + marker.Length;
    }

    private static byte[] Insert(byte[] b, int at, byte[] what) => [.. b[..at], .. what, .. b[at..]];

    private static byte[] Gzip(byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var gz = new GZipStream(memory, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(bytes);
        }
        return memory.ToArray();
    }
}
