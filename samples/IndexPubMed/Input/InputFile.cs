namespace IndexPubMed.Input;

/// <summary>An input file to read and how to read it.</summary>
/// <param name="Path">The file path (as given, or found under a given folder).</param>
/// <param name="Kind">What it holds, detected from its content or name.</param>
public sealed record InputFile(string Path, InputKind Kind);
