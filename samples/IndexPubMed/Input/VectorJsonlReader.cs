using Splade.Lucene.Formats;

namespace IndexPubMed.Input;

/// <summary>
/// The sample's view of the library's <see cref="JsonVectorReader"/> (Anserini's JsonVectorCollection: JSON
/// Lines, pretty-printed objects or an array, plain or gzip): problems are reported as <see cref="InputError"/>s
/// with file and line, like every other input of the sample.
/// </summary>
public sealed class VectorJsonlReader
{
    private readonly JsonVectorReader _reader = new();

    /// <summary>
    /// Reads <paramref name="path"/> lazily; a bad record is reported to <paramref name="onError"/> with the
    /// line where it starts and skipped. Token strings are shared across the records returned by this
    /// instance, so use one instance per thread.
    /// </summary>
    public IEnumerable<VectorRecord> Read(string path, Action<InputError> onError)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(onError);
        return _reader.Read(path, e => onError(new InputError(e.Source, e.Line, e.Message)));
    }

    /// <summary>Parses one JSON object; throws <see cref="FormatException"/> when it is not a vector record.</summary>
    internal VectorRecord Parse(ReadOnlySpan<byte> json) => _reader.Parse(json);
}
