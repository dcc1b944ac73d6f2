using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Splade.Encoder.Cuda.Tests;

/// <summary>
/// An application with Splade.Encoder.Cuda: ONNX Runtime's GPU build (not the CPU build) is what loads, the CPU still
/// gives the golden vectors through it, and <c>cuda:N</c> either works (a machine with a GPU and CUDA 13) or fails at
/// load naming the missing CUDA libraries (these machines: no GPU, no CUDA).
/// </summary>
public sealed class CudaPackageTests
{
    private const float WeightTolerance = 1e-4f;   // as SpladeEncoderGoldenTests
    private static readonly string ModelDir = Path.Combine(AppContext.BaseDirectory, "fixtures", "tiny-splade");

    // What ONNX Runtime 1.31's CUDA provider links (readelf -d) or opens when used.
    private static readonly string[] CudaLibraries =
        ["libcuda.so.1", "libcudart.so.13", "libcublas.so.13", "libcublasLt.so.13", "libcurand.so.10", "libcudnn.so.9", "libcufft.so.12"];

    private readonly ITestOutputHelper _output;

    public CudaPackageTests(ITestOutputHelper output) => _output = output;

    [Fact]
    public void TheGpuBuildOfOnnxRuntimeIsLoaded_NotTheCpuBuild()
    {
        var providers = OrtEnv.Instance().GetAvailableProviders();
        _output.WriteLine($"ONNX Runtime {OrtEnv.Instance().GetVersionString()}: {string.Join(", ", providers)}");
        Assert.Contains("CUDAExecutionProvider", providers);
        Assert.Equal("1.31.0", OrtEnv.Instance().GetVersionString()); // the GPU build's native version (the CPU build is 1.31.1)
        string native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        Assert.True(File.Exists(Path.Combine(native, "libonnxruntime_providers_cuda.so")), $"no CUDA provider in {native}");
        // The application's runtimeconfig.json carries the package's switch, which the failure messages read.
        Assert.True(AppContext.TryGetSwitch("Splade.Encoder.Cuda", out bool on) && on);
    }

    [Fact]
    public void TheCpuStillGivesTheGoldenVectors_ThroughTheGpuBuild()
    {
        using var golden = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(ModelDir, "golden.json")));
        using var encoder = SpladeEncoder.Create(ModelDir);
        int checkedTexts = 0;
        foreach (var e in golden.RootElement.GetProperty("encodings").EnumerateArray())
        {
            string text = e.GetProperty("text").GetString()!;
            bool query = e.GetProperty("kind").GetString() == "query";
            var vector = query ? encoder.EncodeQuery(text) : encoder.EncodeDocument(text);
            int[] indices = e.GetProperty("indices").EnumerateArray().Select(x => x.GetInt32()).ToArray();
            float[] values = e.GetProperty("values").EnumerateArray().Select(x => x.GetSingle()).ToArray();
            Assert.Equal(indices, vector.Indices.ToArray());
            for (int i = 0; i < values.Length; i++)
            {
                Assert.True(Math.Abs(values[i] - vector.Values[i]) <= WeightTolerance,
                    $"{e.GetProperty("id").GetString()}: weight of {indices[i]} is {vector.Values[i]}, golden {values[i]}");
            }
            checkedTexts++;
        }
        Assert.True(checkedTexts >= 10, $"only {checkedTexts} golden texts");
    }

    [Fact]
    public void Cuda_FailsAtLoadNamingTheMissingCudaLibraries_OrMatchesTheCpu()
    {
        var missing = CudaLibraries.Where(l => !CanLoad(l)).ToList();
        _output.WriteLine($"CUDA libraries missing here: {(missing.Count == 0 ? "none" : string.Join(", ", missing))}");
        var options = new SpladeEncoderOptions { Device = SpladeDevice.Cuda(0) };
        if (missing.Count == 0)
        {
            // A machine with CUDA: the GPU must give the CPU's vectors (same active entries, weights to 1e-3), or, with
            // no GPU visible, fail at load saying so.
            try
            {
                using var gpu = SpladeEncoder.Create(ModelDir, options);
                using var cpu = SpladeEncoder.Create(ModelDir);
                const string text = "aspirin reduces the risk of heart attack";
                var a = gpu.EncodeDocument(text);
                var b = cpu.EncodeDocument(text);
                Assert.Equal(b.Indices.ToArray(), a.Indices.ToArray());
                for (int i = 0; i < a.Values.Length; i++)
                {
                    Assert.True(Math.Abs(a.Values[i] - b.Values[i]) <= 1e-3f, $"entry {a.Indices[i]}: gpu {a.Values[i]}, cpu {b.Values[i]}");
                }
            }
            catch (SpladeModelException e)
            {
                _output.WriteLine(e.Message);
                Assert.Contains("cuda:0", e.Message);
                Assert.Contains("GPU with ordinal 0", e.Message);
            }
            return;
        }
        var ex = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(ModelDir, options));
        _output.WriteLine(ex.Message);
        Assert.Contains("Device cuda:0: ONNX Runtime's CUDAExecutionProvider is installed (Splade.Encoder.Cuda) but cannot start", ex.Message);
        foreach (string library in missing)
        {
            Assert.Contains(library, ex.Message);
        }
        Assert.DoesNotContain("add the NuGet package", ex.Message);
    }

    [Fact]
    public void AGpuOrdinalBeyondTheMachine_FailsAtLoad()
    {
        // Whatever the machine: no one has 1000 GPUs, so this fails at load (missing libraries, or no such device).
        var ex = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(ModelDir, new SpladeEncoderOptions { Device = SpladeDevice.Cuda(999) }));
        _output.WriteLine(ex.Message);
        Assert.Contains("cuda:999", ex.Message);
    }

    private static bool CanLoad(string library)
    {
        if (!NativeLibrary.TryLoad(library, out nint handle))
        {
            return false;
        }
        NativeLibrary.Free(handle);
        return true;
    }
}
