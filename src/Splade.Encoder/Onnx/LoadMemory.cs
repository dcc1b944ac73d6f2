using System.Runtime;

namespace Splade.Encoder.Onnx;

/// <summary>
/// Gives back the memory a model load leaves behind. Loading a BERT-base model reads its 530 MB file,
/// parses it and, when pooling is appended, serializes it again: about 1.5 GB of large managed arrays
/// that are garbage once ONNX Runtime has its own copy, but that the GC would otherwise keep committed
/// (measured: 544 MB still committed after a plain full collection). Small models skip this.
/// </summary>
internal static class LoadMemory
{
    /// <summary>Models at least this large are worth a compacting, decommitting collection.</summary>
    public const long Threshold = 64L << 20;

    /// <summary>Models at least this large are handed to ONNX Runtime through a temporary file; settable by tests.</summary>
    internal static long TemporaryFileThreshold { get; set; } = Threshold;

    /// <summary>
    /// Writes a rewritten model of at least <see cref="TemporaryFileThreshold"/> bytes to a temporary file,
    /// so that ONNX Runtime reads it from disk instead of from a second managed copy (530 MB for BERT-base).
    /// Returns null, to load from bytes, for smaller models or when the file cannot be written.
    /// </summary>
    public static string? TryWriteTemporary(global::Onnx.ModelProto model, long modelBytes)
    {
        if (modelBytes < TemporaryFileThreshold)
        {
            return null;
        }
        string path = Path.Combine(Path.GetTempPath(), "splade-encoder-" + Guid.NewGuid().ToString("N") + ".onnx");
        try
        {
            using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
            {
                Google.Protobuf.MessageExtensions.WriteTo(model, stream);
            }
            return path;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            DeleteTemporary(path);
            return null;
        }
    }

    /// <summary>Deletes a file made by <see cref="TryWriteTemporary"/>; null does nothing.</summary>
    public static void DeleteTemporary(string? path)
    {
        if (path is null)
        {
            return;
        }
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A leftover temporary file is not worth failing the load for.
        }
    }

    /// <summary>A blocking, compacting collection that returns free memory to the operating system.</summary>
    public static void Release(long modelBytes)
    {
        if (modelBytes < Threshold)
        {
            return;
        }
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
