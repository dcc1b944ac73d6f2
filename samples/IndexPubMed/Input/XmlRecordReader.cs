using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace IndexPubMed.Input;

/// <summary>
/// Builds the <see cref="XElement"/> of one record from an <see cref="XmlReader"/> without recursion, and
/// refuses records nested deeper than <see cref="MaxDepth"/> levels below the record element. Work is linear in
/// the record's size: a hostile file (50,000 nested elements) is read through, not recursed into, so it can
/// neither overflow the stack nor hang the run. Records whose text (text nodes and attribute values) is longer than
/// <see cref="MaxRecordChars"/> are refused too: text nodes are read in chunks, so a single text node of hundreds of
/// MB is read through without being held in memory.
/// </summary>
internal static class XmlRecordReader
{
    /// <summary>
    /// Deepest nesting accepted inside a record. Real PubMed records reach about 10 levels (MathML in an abstract
    /// a few more); everything that walks the tree afterwards (<see cref="PubMedText"/>) recurses at most this deep.
    /// </summary>
    public const int MaxDepth = 256;

    /// <summary>
    /// Most characters of text (text nodes and attribute values) accepted in one record: 16 Mi. The longest real
    /// PubMed records hold a few hundred thousand characters; Lucene could not index a single value much longer anyway.
    /// </summary>
    public const int MaxRecordChars = 16 << 20;

    /// <summary>
    /// Reads the element the reader is on, leaving the reader after its end tag. Returns null, and the reason in
    /// <paramref name="problem"/>, when the record nests deeper than <see cref="MaxDepth"/> or holds more than
    /// <paramref name="maxChars"/> characters of text; the record is then read to its end and dropped.
    /// </summary>
    public static XElement? Read(XmlReader reader, out string? problem, int maxChars = MaxRecordChars)
    {
        problem = null;
        int baseDepth = reader.Depth;
        long chars = 0;
        char[]? chunk = null;
        var root = NewElement(reader, ref chars);
        if (reader.IsEmptyElement)
        {
            reader.Read();
            return root;
        }
        XElement current = root;
        int tooDeepAt = -1;
        while (reader.Read())
        {
            switch (reader.NodeType)
            {
                case XmlNodeType.Element:
                    if (tooDeepAt >= 0)
                    {
                        break;
                    }
                    if (reader.Depth - baseDepth > MaxDepth)
                    {
                        tooDeepAt = reader.Depth;
                        problem = $"elements nested more than {MaxDepth} levels deep; record skipped";
                        break;
                    }
                    var child = NewElement(reader, ref chars);
                    if (chars > maxChars)
                    {
                        tooDeepAt = reader.Depth;
                        problem = $"more than {maxChars:N0} characters of text; record skipped";
                        break;
                    }
                    current.Add(child);
                    if (!reader.IsEmptyElement)
                    {
                        current = child;
                    }
                    break;
                case XmlNodeType.EndElement:
                    if (reader.Depth == baseDepth)
                    {
                        reader.Read();
                        return tooDeepAt >= 0 ? null : root;
                    }
                    if (tooDeepAt < 0)
                    {
                        current = current.Parent!;
                    }
                    break;
                case XmlNodeType.Text:
                case XmlNodeType.CDATA:
                case XmlNodeType.Whitespace:
                case XmlNodeType.SignificantWhitespace:
                    if (tooDeepAt < 0)
                    {
                        string? text = ReadText(reader, ref chars, maxChars, ref chunk);
                        if (text is null)
                        {
                            tooDeepAt = reader.Depth;
                            problem = $"more than {maxChars:N0} characters of text; record skipped";
                            break;
                        }
                        current.Add(new XText(text));
                    }
                    else if (reader.CanReadValueChunk)
                    {
                        // Read through without keeping it (reader.Value would build the whole string).
                        chunk ??= new char[8192];
                        while (reader.ReadValueChunk(chunk, 0, chunk.Length) > 0)
                        {
                        }
                    }
                    break;
            }
        }
        throw new XmlException("unexpected end of file inside a record");
    }

    // The text node the reader is on, or null when it takes the record past maxChars (read in chunks, so that a huge
    // node is never held whole: the rest of it is skipped by the caller's next Read).
    private static string? ReadText(XmlReader reader, ref long chars, int maxChars, ref char[]? chunk)
    {
        if (!reader.CanReadValueChunk)
        {
            string value = reader.Value;
            chars += value.Length;
            return chars > maxChars ? null : value;
        }
        chunk ??= new char[8192];
        StringBuilder? text = null;
        string? first = null;
        int n;
        while ((n = reader.ReadValueChunk(chunk, 0, chunk.Length)) > 0)
        {
            chars += n;
            if (chars > maxChars)
            {
                while (reader.ReadValueChunk(chunk, 0, chunk.Length) > 0)
                {
                }
                return null;
            }
            if (first is null && text is null)
            {
                first = new string(chunk, 0, n);
            }
            else
            {
                text ??= new StringBuilder(first);
                text.Append(chunk, 0, n);
            }
        }
        return text?.ToString() ?? first ?? "";
    }

    private static XElement NewElement(XmlReader reader, ref long chars)
    {
        var element = new XElement(XName.Get(reader.LocalName, reader.NamespaceURI));
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                // Namespace declarations are already applied to the names; keep ordinary attributes only.
                if (reader.NamespaceURI != "http://www.w3.org/2000/xmlns/")
                {
                    chars += reader.Value.Length;
                    element.SetAttributeValue(XName.Get(reader.LocalName, reader.NamespaceURI), reader.Value);
                }
            }
            while (reader.MoveToNextAttribute());
            reader.MoveToElement();
        }
        return element;
    }
}
