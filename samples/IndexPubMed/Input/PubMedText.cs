using System.Text;
using System.Xml.Linq;

namespace IndexPubMed.Input;

/// <summary>Turns PubMed's mixed content (text with &lt;i&gt;, &lt;sup&gt;, MathML...) into plain text.</summary>
internal static class PubMedText
{
    /// <summary>
    /// Concatenates the text of <paramref name="element"/> with no separator added at inline tags
    /// (NLM writes the spaces that belong there, so "CO&lt;sub&gt;2&lt;/sub&gt;" stays "CO2"), then
    /// collapses whitespace runs (no-break spaces included) to one space and trims.
    /// </summary>
    public static string Of(XElement? element)
    {
        if (element is null)
        {
            return "";
        }
        var sb = new StringBuilder();
        Append(element, sb);
        return Collapse(sb);
    }

    /// <summary>
    /// Abstract paragraphs: "LABEL: text" per <c>AbstractText</c>, joined by "\n"; elements other
    /// than AbstractText (CopyrightInformation) are left out.
    /// </summary>
    public static string OfAbstract(XElement? abstractElement)
    {
        if (abstractElement is null)
        {
            return "";
        }
        var sb = new StringBuilder();
        foreach (var paragraph in abstractElement.Elements("AbstractText"))
        {
            string text = Of(paragraph);
            string label = Collapse(new StringBuilder((string?)paragraph.Attribute("Label") ?? ""));
            if (text.Length == 0 && label.Length == 0)
            {
                continue;
            }
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }
            if (label.Length > 0)
            {
                sb.Append(label).Append(':');
                if (text.Length > 0)
                {
                    sb.Append(' ');
                }
            }
            sb.Append(text);
        }
        return sb.ToString();
    }

    private static void Append(XElement element, StringBuilder sb)
    {
        foreach (var node in element.Nodes())
        {
            if (node is XText text)
            {
                sb.Append(text.Value);
            }
            else if (node is XElement child)
            {
                string name = child.Name.LocalName;
                // MathML annotations repeat the formula as TeX or markup; keep only the rendering.
                if (name is "annotation" or "annotation-xml")
                {
                    continue;
                }
                if (name is "sub" or "sup")
                {
                    DropIndentationBefore(sb);
                }
                Append(child, sb);
            }
        }
    }

    // A line break right before a sub/superscript comes from pretty-printing (EFetch output as
    // re-indented by tools), never from NLM, and "β\n   <sub>2</sub>" means "β2", not "β 2".
    private static void DropIndentationBefore(StringBuilder sb)
    {
        int i = sb.Length;
        bool sawNewline = false;
        while (i > 0 && char.IsWhiteSpace(sb[i - 1]))
        {
            sawNewline |= sb[i - 1] is '\n' or '\r';
            i--;
        }
        if (sawNewline)
        {
            sb.Length = i;
        }
    }

    private static string Collapse(StringBuilder sb)
    {
        var result = new StringBuilder(sb.Length);
        bool pendingSpace = false;
        for (int i = 0; i < sb.Length; i++)
        {
            char c = sb[i];
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = result.Length > 0;
                continue;
            }
            if (pendingSpace)
            {
                result.Append(' ');
                pendingSpace = false;
            }
            result.Append(c);
        }
        return result.ToString();
    }
}
