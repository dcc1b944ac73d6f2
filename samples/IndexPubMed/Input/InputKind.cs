namespace IndexPubMed.Input;

/// <summary>What an input file holds.</summary>
public enum InputKind
{
    /// <summary>Not recognised.</summary>
    Unknown,

    /// <summary>NLM PubMed/MEDLINE XML, read with <see cref="PubMedXmlReader"/>.</summary>
    PubMedXml,

    /// <summary>JSON-lines documents, read with <see cref="JsonlDocumentReader"/>.</summary>
    Documents,

    /// <summary>JSON-lines precomputed vectors, read with <see cref="VectorJsonlReader"/>.</summary>
    Vectors,
}
