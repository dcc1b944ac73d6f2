using Onnx;

namespace Splade.Encoder.Onnx;

/// <summary>The outputs of an ONNX graph, read from its protobuf before a session is made.</summary>
internal sealed class OnnxGraphInfo
{
    private OnnxGraphInfo(ModelProto proto, IReadOnlyList<(string Name, int Rank, long? LastDim)> outputs)
    {
        Proto = proto;
        Outputs = outputs;
    }

    /// <summary>The parsed model, kept so that pooling can be appended without parsing it again.</summary>
    public ModelProto Proto { get; }

    public IReadOnlyList<(string Name, int Rank, long? LastDim)> Outputs { get; }

    /// <summary>An output of rank 2 ([batch, vocab]): the model pools itself.</summary>
    public string? PooledOutput =>
        Outputs.FirstOrDefault(o => o.Name == "sparse_vector" && o.Rank == 2).Name ?? (Outputs.Count == 1 && Outputs[0].Rank == 2 ? Outputs[0].Name : null);

    /// <summary>The per-token logits output of rank 3: <c>logits</c>, or the only output.</summary>
    public string? LogitsOutput =>
        Outputs.FirstOrDefault(o => o.Name == "logits" && o.Rank == 3).Name ?? (Outputs.Count == 1 && Outputs[0].Rank == 3 ? Outputs[0].Name : null);

    public long? VocabularySize(string output) => Outputs.First(o => o.Name == output).LastDim;

    public static OnnxGraphInfo Read(byte[] model, string path)
    {
        var proto = PoolingGraph.Parse(model, path);
        var outputs = proto.Graph.Output.Select(o =>
        {
            var dims = o.Type?.TensorType?.Shape?.Dim;
            int rank = dims?.Count ?? -1;
            long? last = rank > 0 && dims![rank - 1].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue ? dims[rank - 1].DimValue : null;
            return (o.Name, rank, last);
        }).ToList();
        return new OnnxGraphInfo(proto, outputs);
    }
}
