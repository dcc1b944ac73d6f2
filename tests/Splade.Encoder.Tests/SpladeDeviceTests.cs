using Microsoft.ML.OnnxRuntime;
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
        Assert.Contains("Microsoft.ML.OnnxRuntime.Gpu", e.Message);
    }
}
