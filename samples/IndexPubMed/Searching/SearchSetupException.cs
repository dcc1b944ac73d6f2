namespace IndexPubMed.Searching;

/// <summary>A search cannot start or a query cannot be built: missing index, wrong options, bad query syntax. The message is for the user.</summary>
internal sealed class SearchSetupException : Exception
{
    public SearchSetupException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
