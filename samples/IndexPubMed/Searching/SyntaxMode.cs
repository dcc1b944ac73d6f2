namespace IndexPubMed.Searching;

/// <summary>Whether a command-line query is parsed as query syntax or taken as plain text.</summary>
internal enum SyntaxMode
{
    /// <summary>Parsed when <see cref="QuerySyntax.LooksLikeSyntax"/> says so.</summary>
    Auto,

    /// <summary>Always parsed.</summary>
    On,

    /// <summary>Never parsed: plain text.</summary>
    Off,
}
