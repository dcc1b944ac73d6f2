using Onnx;

namespace Splade.Encoder.Onnx;

/// <summary>Decides, for a model that outputs logits, whether pooling is appended to its graph.</summary>
internal static class PoolingPlan
{
    /// <summary>
    /// True to append pooling to the graph: always for <see cref="PoolingLocation.InGraph"/>; for
    /// <see cref="PoolingLocation.Auto"/> only when the vocabulary projection can be sliced, since pooling
    /// the whole logits in the graph holds them twice where managed pooling reads them once, in place.
    /// </summary>
    public static bool PoolInGraph(PoolingLocation location, ModelProto model, string logitsOutput) => location switch
    {
        PoolingLocation.InGraph => true,
        PoolingLocation.Auto => DecoderProjection.TryFind(model.Graph, logitsOutput) is not null,
        _ => false,
    };
}
