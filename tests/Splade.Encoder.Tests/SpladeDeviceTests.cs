using Microsoft.ML.OnnxRuntime;
using Splade.Encoder.Onnx;
using Xunit.Abstractions;

namespace Splade.Encoder.Tests;

/// <summary><see cref="SpladeDevice"/> parsing and the CUDA option on a machine without a GPU build of ONNX Runtime.</summary>
public sealed class SpladeDeviceTests
{
    private readonly ITestOutputHelper _output;

    public SpladeDeviceTests(ITestOutputHelper output) => _output = output;

    [Theory]
    [InlineData("cpu", SpladeDeviceKind.Cpu, 0, "cpu")]
    [InlineData("CPU", SpladeDeviceKind.Cpu, 0, "cpu")]
    [InlineData("cuda", SpladeDeviceKind.Cuda, 0, "cuda:0")]
    [InlineData("cuda:3", SpladeDeviceKind.Cuda, 3, "cuda:3")]
    [InlineData(" Cuda:1 ", SpladeDeviceKind.Cuda, 1, "cuda:1")]
    public void Parse_AcceptsCpuAndCuda(string text, SpladeDeviceKind kind, int id, string formatted)
    {
        var device = SpladeDevice.Parse(text);
        Assert.Equal(kind, device.Kind);
        Assert.Equal(id, device.DeviceId);
        Assert.Equal(formatted, device.ToString());
    }

    [Theory]
    [InlineData("gpu")]
    [InlineData("cuda:")]
    [InlineData("cuda:-1")]
    [InlineData("cuda:x")]
    [InlineData("")]
    public void Parse_RejectsOthers_QuotingTheText(string text)
    {
        Assert.False(SpladeDevice.TryParse(text, out _));
        var e = Assert.Throws<ArgumentException>(() => SpladeDevice.Parse(text));
        Assert.Contains($"'{text}'", e.Message);
    }

    [Fact]
    public void DefaultIsCpu()
    {
        Assert.Equal(SpladeDevice.Cpu, new SpladeEncoderOptions().Device);
        using var encoder = SpladeEncoder.Create(TinySplade.Directory);
        Assert.Equal(SpladeDevice.Cpu, encoder.Device);
    }

    [Fact]
    public void Cuda_WithoutTheGpuBuild_FailsAtLoadSayingWhatToInstall()
    {
        var providers = OrtEnv.Instance().GetAvailableProviders();
        _output.WriteLine($"ONNX Runtime providers here: {string.Join(", ", providers)}");
        if (providers.Contains("CUDAExecutionProvider"))
        {
            // A GPU build (where one exists): loading may succeed, and must give the CPU's vectors to float precision.
            using var gpu = SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { Device = SpladeDevice.Cuda() });
            using var cpu = SpladeEncoder.Create(TinySplade.Directory);
            var a = gpu.EncodeDocument("aspirin reduces the risk of heart attack");
            var b = cpu.EncodeDocument("aspirin reduces the risk of heart attack");
            Assert.Equal(b.Indices.ToArray(), a.Indices.ToArray());
            return;
        }
        var e = Assert.Throws<SpladeModelException>(() => SpladeEncoder.Create(TinySplade.Directory, new SpladeEncoderOptions { Device = SpladeDevice.Cuda(0) }));
        _output.WriteLine(e.Message);
        Assert.Contains("cuda:0", e.Message);
        Assert.Contains("CUDAExecutionProvider", e.Message);
        Assert.Contains("add the NuGet package Splade.Encoder.Cuda", e.Message);
        Assert.Contains("CPUExecutionProvider", e.Message); // what the loaded build has
    }

    [Fact]
    public void NoCudaBuildMessage_SaysToAddThePackage_OrWhyThePackageDidNotHelp()
    {
        var absent = ExecutionProviders.NoCudaBuildMessage(SpladeDevice.Cuda(2), ["CPUExecutionProvider"], packageReferenced: false, "linux-x64");
        _output.WriteLine(absent);
        Assert.StartsWith("Device cuda:2 needs ONNX Runtime's CUDAExecutionProvider", absent);
        Assert.Contains("(available: CPUExecutionProvider)", absent);
        Assert.Contains("dotnet add package Splade.Encoder.Cuda", absent);

        var present = ExecutionProviders.NoCudaBuildMessage(SpladeDevice.Cuda(0), ["CPUExecutionProvider", "CoreMLExecutionProvider"], packageReferenced: true, "osx-arm64");
        _output.WriteLine(present);
        Assert.Contains("references Splade.Encoder.Cuda", present);
        Assert.Contains("linux-x64 only and this process runs on osx-arm64", present);
        Assert.Contains("SpladeEncoderCudaKeepCpuOnnxRuntime", present);
        Assert.DoesNotContain("add the NuGet package", present);
    }

    [Fact]
    public void CannotStartMessage_NamesTheMissingLibraries_OrTheGpu()
    {
        var missing = ExecutionProviders.CannotStartMessage(SpladeDevice.Cuda(1), "Failed to load shared library\n",
            [("libcuda.so.1", "the NVIDIA driver"), ("libcudnn.so.9", "cuDNN 9")]);
        _output.WriteLine(missing);
        Assert.StartsWith("Device cuda:1: ONNX Runtime's CUDAExecutionProvider is installed (Splade.Encoder.Cuda) but cannot start (Failed to load shared library)", missing);
        Assert.Contains("Not found on the library path: libcuda.so.1 (the NVIDIA driver), libcudnn.so.9 (cuDNN 9).", missing);

        var none = ExecutionProviders.CannotStartMessage(SpladeDevice.Cuda(1), "CUDA failure 100: no CUDA-capable device is detected", []);
        _output.WriteLine(none);
        Assert.Contains("were found: check that an NVIDIA GPU with ordinal 1 is visible", none);
        Assert.DoesNotContain("Not found", none);
    }

    [Fact]
    public void MissingCudaLibraries_AreExactlyThoseTheProcessCannotLoad()
    {
        var missing = ExecutionProviders.MissingCudaLibraries();
        _output.WriteLine($"missing here: {string.Join(", ", missing.Select(m => m.Library))}");
        if (!OperatingSystem.IsLinux())
        {
            Assert.Empty(missing);
            return;
        }
        foreach (var (library, _) in ExecutionProviders.CudaLibraries)
        {
            bool loads = System.Runtime.InteropServices.NativeLibrary.TryLoad(library, out nint handle);
            if (loads)
            {
                System.Runtime.InteropServices.NativeLibrary.Free(handle);
            }
            Assert.Equal(!loads, missing.Any(m => m.Library == library));
        }
    }
}
