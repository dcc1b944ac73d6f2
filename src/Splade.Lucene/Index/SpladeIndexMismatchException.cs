namespace Splade.Lucene.Index;

/// <summary>
/// A search would read a SPLADE field with settings (scale, storage mode, model, similarity) other than
/// the ones it was indexed with, or the index does not record them. The message names the field, the
/// stored value and the requested value.
/// </summary>
public sealed class SpladeIndexMismatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public SpladeIndexMismatchException(string fieldName, string setting, string? storedValue, string requestedValue)
        : base(storedValue is null
            ? $"SPLADE field '{fieldName}': the index records no '{setting}' (key {SpladeIndexSettings.KeyFor(fieldName, setting)}); the search requested '{requestedValue}'. Was it indexed with SpladeIndexSettings.Write?"
            : $"SPLADE field '{fieldName}': the index was built with {setting} = '{storedValue}' but the search requested '{requestedValue}'.")
    {
        FieldName = fieldName;
        Setting = setting;
        StoredValue = storedValue;
        RequestedValue = requestedValue;
    }

    /// <summary>
    /// Creates the exception for a field that is missing or not indexed as a SPLADE field; <see cref="Setting"/> is
    /// <c>field</c> and <see cref="RequestedValue"/> empty.
    /// </summary>
    /// <param name="fieldName">The SPLADE field.</param>
    /// <param name="message">What is wrong, naming the field.</param>
    public SpladeIndexMismatchException(string fieldName, string message)
        : base(message)
    {
        FieldName = fieldName;
        Setting = "field";
        StoredValue = null;
        RequestedValue = string.Empty;
    }

    /// <summary>The SPLADE field.</summary>
    public string FieldName { get; }

    /// <summary>The setting that differs (for example <c>scale</c>).</summary>
    public string Setting { get; }

    /// <summary>The value recorded in the index, or null when it is missing.</summary>
    public string? StoredValue { get; }

    /// <summary>The value the search asked for.</summary>
    public string RequestedValue { get; }
}
