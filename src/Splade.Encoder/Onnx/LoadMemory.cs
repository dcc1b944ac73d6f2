using System.Runtime;
using System.Runtime.InteropServices;

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

    /// <summary>
    /// Returns the C heap's free pages to the operating system after ONNX Runtime has built a session (Linux, glibc).
    /// Building a session frees what it no longer needs (its parse of the model, and each weight its kernels have
    /// re-laid out into a packed copy), but glibc keeps freed memory below its top resident: measured on the
    /// BERT-base-shaped model, about 200 MB of a 820 MB process. <c>malloc_trim(0)</c> gives those pages back
    /// (the memory stays mapped and is reused as before), so nothing ONNX Runtime holds changes. Elsewhere (or under
    /// another C library, which has no <c>malloc_trim</c>) this does nothing. Small models skip it.
    /// </summary>
    public static void TrimNativeHeap(long modelBytes)
    {
        if (modelBytes < Threshold || !OperatingSystem.IsLinux())
        {
            return;
        }
        try
        {
            _ = MallocTrim(0);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            // Not glibc (musl, for one): nothing to give back this way.
        }
    }

    // A DllImport rather than LibraryImport: the generated marshalling needs unsafe code, which this project does not
    // allow, and an int/nuint signature needs no marshalling at all.
#pragma warning disable SYSLIB1054, CA5392, CA1060
    [DllImport("libc.so.6", EntryPoint = "malloc_trim", ExactSpelling = true)]
    private static extern int MallocTrim(nuint pad);
#pragma warning restore SYSLIB1054, CA5392, CA1060

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
