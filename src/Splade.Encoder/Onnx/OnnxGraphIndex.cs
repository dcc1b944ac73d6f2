using Onnx;

namespace Splade.Encoder.Onnx;

/// <summary>
/// What the graph rewrites (<see cref="AttentionFusion"/>, <see cref="SkipLayerNormFusion"/>) look up while matching a
/// pattern: each value's producer and readers, the initializers, and every name in use, so that new nodes and values
/// get names no other part of the graph has. Built once per pass over an unchanged graph.
/// </summary>
internal class OnnxGraphIndex
{
    private readonly Dictionary<string, NodeProto> _producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> _consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> _initializers = new(StringComparer.Ordinal);
    private readonly HashSet<string> _outputs;
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    public OnnxGraphIndex(GraphProto graph)
    {
        _outputs = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            _initializers[tensor.Name] = tensor;
            _names.Add(tensor.Name);
        }
        foreach (var input in graph.Input)
        {
            _names.Add(input.Name);
        }
        foreach (var node in graph.Node)
        {
            _names.Add(node.Name);
            foreach (string output in node.Output)
            {
                _producers[output] = node;
                _names.Add(output);
            }
            foreach (string input in node.Input)
            {
                if (!_consumers.TryGetValue(input, out var list))
                {
                    _consumers[input] = list = [];
                }
                list.Add(node);
            }
        }
    }

    /// <summary>The node writing the value, or null (a graph input, an initializer, or unknown).</summary>
    public NodeProto? Producer(string value) => _producers.GetValueOrDefault(value);

    /// <summary>The nodes reading the value (a node reading it twice appears twice).</summary>
    public IReadOnlyList<NodeProto> Consumers(string value) => _consumers.GetValueOrDefault(value) ?? [];

    /// <summary>Readers of the value, a graph output counting as one.</summary>
    public int ConsumerCount(string value) => Consumers(value).Count + (_outputs.Contains(value) ? 1 : 0);

    /// <summary>The value's only reader, or null when it has none, several, or is a graph output.</summary>
    public NodeProto? SingleConsumer(string value) => ConsumerCount(value) == 1 && Consumers(value) is [var only] ? only : null;

    /// <summary>The initializer of that name, or null.</summary>
    public TensorProto? Initializer(string name) => _initializers.GetValueOrDefault(name);

    /// <summary>A name no value, node or initializer of the graph has yet: <paramref name="stem"/>, else stem_2, stem_3...</summary>
    public string Fresh(string stem)
    {
        string name = stem;
        for (int i = 2; !_names.Add(name); i++)
        {
            name = $"{stem}_{i}";
        }
        return name;
    }
}
