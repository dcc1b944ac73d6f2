namespace IndexPubMed.Indexing;

/// <summary>
/// The index cannot be written as asked, and nothing was changed: its settings conflict with the command's, or its
/// folder cannot hold the lock file. The message is one line for the user; the command exits with 2.
/// </summary>
internal sealed class IndexRefusedException : IOException
{
    public IndexRefusedException(string message)
        : base(message)
    {
    }

    public IndexRefusedException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
