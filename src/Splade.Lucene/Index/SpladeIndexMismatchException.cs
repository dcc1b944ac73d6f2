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

    /// <summary>The SPLADE field.</summary>
    public string FieldName { get; }

    /// <summary>The setting that differs (for example <c>scale</c>).</summary>
    public string Setting { get; }

    /// <summary>The value recorded in the index, or null when it is missing.</summary>
    public string? StoredValue { get; }

    /// <summary>The value the search asked for.</summary>
    public string RequestedValue { get; }
}
