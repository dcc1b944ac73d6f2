using System.Runtime.InteropServices;
using Google.Protobuf;
using Onnx;
using Splade.Encoder.Onnx;

namespace Splade.Bench.Encoder;

/// <summary>
/// One-node ONNX models of a single matrix product Y [M, N] = A [M, K] x W [K, N] with W a constant, in the
/// forms the encoder's graphs use, so that ONNX Runtime's float and integer GEMM kernels can be timed on
/// exactly the shapes of BERT-base without the rest of the model around them. Built in memory with the
/// project's ONNX protobuf types (no Python, no files).
/// </summary>
internal static class GemmModels
{
    /// <summary>The activation input of every model.</summary>
    public const string Input = "a";

    /// <summary>The product output of every model.</summary>
    public const string Output = "y";

    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Int8 = (int)TensorProto.Types.DataType.Int8;
    private const int UInt8 = (int)TensorProto.Types.DataType.Uint8;
    private const int Int32 = (int)TensorProto.Types.DataType.Int32;

    /// <summary>float32 <c>MatMul</c>: what a float32 model runs (MLAS SGEMM, weights prepacked).</summary>
    public static byte[] FloatMatMul(float[] weight, int k, int n)
    {
        var graph = NewGraph(Float, k, Float, n);
        graph.Initializer.Add(Tensor("w", Float, MemoryMarshal.AsBytes(weight.AsSpan()), k, n));
        graph.Node.Add(new NodeProto { Name = "matmul", OpType = "MatMul", Input = { Input, "w" }, Output = { Output } });
        return Serialize(graph, microsoft: false);
    }

    /// <summary>
    /// <c>com.microsoft::DynamicQuantizeMatMul</c> with int8 weights, one scale per column and zero points 0:
    /// exactly the node <see cref="DynamicQuantization"/> writes (activations quantized to uint8 at run time,
    /// then the u8 x s8 integer GEMM, then scaling back to float).
    /// </summary>
    public static byte[] DynamicQuantizeMatMul(sbyte[] weight, float[] scales, int k, int n)
    {
        var graph = NewGraph(Float, k, Float, n);
        graph.Initializer.Add(Tensor("w", Int8, MemoryMarshal.AsBytes(weight.AsSpan()), k, n));
        graph.Initializer.Add(Tensor("w_scale", Float, MemoryMarshal.AsBytes(scales.AsSpan()), n));
        graph.Initializer.Add(Tensor("w_zero_point", Int8, new byte[n], n));
        graph.Node.Add(new NodeProto
        {
            Name = "dqmm",
            OpType = DynamicQuantization.OpType,
            Domain = DynamicQuantization.MicrosoftDomain,
            Input = { Input, "w", "w_scale", "w_zero_point" },
            Output = { Output },
        });
        return Serialize(graph, microsoft: true);
    }

    /// <summary>
    /// ONNX <c>MatMulInteger</c> on activations that are already uint8 (zero point 128), int32 out: the integer
    /// kernel alone, without quantizing the activations or scaling the result. With int8 weights (zero point
    /// 0) ONNX Runtime runs its u8 x s8 kernel; with uint8 weights (zero point 128, asymmetric weights) its
    /// u8 x u8 kernel, which on AVX2 widens both sides to 16 bits instead of using the saturating byte multiply.
    /// </summary>
    public static byte[] MatMulInteger(ReadOnlySpan<byte> weight, bool signedWeight, int k, int n)
    {
        var graph = NewGraph(UInt8, k, Int32, n);
        graph.Initializer.Add(Tensor("w", signedWeight ? Int8 : UInt8, weight, k, n));
        graph.Initializer.Add(Tensor("a_zero_point", UInt8, [128]));
        var node = new NodeProto { Name = "matmulinteger", OpType = "MatMulInteger", Input = { Input, "w", "a_zero_point" }, Output = { Output } };
        if (!signedWeight)
        {
            graph.Initializer.Add(Tensor("w_zero_point", UInt8, [128]));
            node.Input.Add("w_zero_point");
        }
        graph.Node.Add(node);
        return Serialize(graph, microsoft: false);
    }

    // A graph with input a [M, K] (M symbolic) and output y [M, N].
    private static GraphProto NewGraph(int inputType, int k, int outputType, int n)
    {
        var graph = new GraphProto { Name = "gemm" };
        graph.Input.Add(ValueInfo(Input, inputType, k));
        graph.Output.Add(ValueInfo(Output, outputType, n));
        return graph;
    }

    private static ValueInfoProto ValueInfo(string name, int type, int columns)
    {
        var shape = new TensorShapeProto();
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimParam = "rows" });
        shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = columns });
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = type, Shape = shape } } };
    }

    private static TensorProto Tensor(string name, int type, ReadOnlySpan<byte> raw, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.Add(dims);
        return tensor;
    }

    private static byte[] Serialize(GraphProto graph, bool microsoft)
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "Splade.Bench gemm-int8", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 17 });
        if (microsoft)
        {
            model.OpsetImport.Add(new OperatorSetIdProto { Domain = DynamicQuantization.MicrosoftDomain, Version = 1 });
        }
        return model.ToByteArray();
    }
}
