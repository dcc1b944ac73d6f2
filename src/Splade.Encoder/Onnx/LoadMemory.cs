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
