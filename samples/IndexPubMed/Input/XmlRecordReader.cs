using System.Xml;
using System.Xml.Linq;

namespace IndexPubMed.Input;

/// <summary>
/// Builds the <see cref="XElement"/> of one record from an <see cref="XmlReader"/> without recursion, and
/// refuses records nested deeper than <see cref="MaxDepth"/> levels below the record element. Work is linear in
/// the record's size: a hostile file (50,000 nested elements) is read through, not recursed into, so it can
/// neither overflow the stack nor hang the run.
/// </summary>
internal static class XmlRecordReader
{
    /// <summary>
    /// Deepest nesting accepted inside a record. Real PubMed records reach about 10 levels (MathML in an abstract
    /// a few more); everything that walks the tree afterwards (<see cref="PubMedText"/>) recurses at most this deep.
    /// </summary>
    public const int MaxDepth = 256;

    /// <summary>
    /// Reads the element the reader is on, leaving the reader after its end tag. Returns null, and the reason in
    /// <paramref name="problem"/>, when the record nests deeper than <see cref="MaxDepth"/>; the record is then read
    /// to its end and dropped.
    /// </summary>
    public static XElement? Read(XmlReader reader, out string? problem)
    {
        problem = null;
        int baseDepth = reader.Depth;
        var root = NewElement(reader);
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
                    var child = NewElement(reader);
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
                        current.Add(new XText(reader.Value));
                    }
                    break;
            }
        }
        throw new XmlException("unexpected end of file inside a record");
    }

    private static XElement NewElement(XmlReader reader)
    {
        var element = new XElement(XName.Get(reader.LocalName, reader.NamespaceURI));
        if (reader.MoveToFirstAttribute())
        {
            do
            {
                // Namespace declarations are already applied to the names; keep ordinary attributes only.
                if (reader.NamespaceURI != "http://www.w3.org/2000/xmlns/")
                {
                    element.SetAttributeValue(XName.Get(reader.LocalName, reader.NamespaceURI), reader.Value);
                }
            }
            while (reader.MoveToNextAttribute());
            reader.MoveToElement();
        }
        return element;
    }
}
