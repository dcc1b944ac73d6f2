namespace Splade.Encoder;

/// <summary>
/// A model folder or one of its files cannot be used: missing, unreadable, corrupt, or inconsistent
/// with the rest of the model. The message and <see cref="FilePath"/> name the file.
/// </summary>
public sealed class SpladeModelException : Exception
{
    /// <summary>Creates the exception for a problem with <paramref name="filePath"/>.</summary>
    public SpladeModelException(string message, string? filePath, Exception? innerException = null)
        : base(filePath is null ? message : $"{message} (file: {filePath})", innerException)
    {
        FilePath = filePath;
    }

    /// <summary>The file at fault, when there is one.</summary>
    public string? FilePath { get; }
}
