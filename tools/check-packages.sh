#!/usr/bin/env bash
# Packs the libraries and the command-line tool into a local folder feed and checks them as a user would get them:
#  1. the packages' contents: dll, XML docs, README, LICENSE, Apache-2.0 expression, pre-release version,
#     dependencies; the symbol packages hold the PDBs; Splade.IndexPubMed is a .NET tool (splade-pubmed);
#  2. the README's "## Library quick start" program (one ```csharp block, then one ```text block with its exact
#     output), built in a fresh console project that references Splade.Lucene and Splade.Encoder BY PACKAGE ID
#     AND VERSION from that feed (a nuget.config adding the folder), run with the tiny model and a new index
#     folder; its output must equal the text block;
#  3. the GPU package Splade.Encoder.Cuda as a GPU user gets it: one console program built twice from the feed, once
#     with Splade.Encoder (CPU) and once with Splade.Encoder.Cuda alone; the second one's bin/ and publish/
#     (-r linux-x64) must hold ONNX Runtime's GPU build (libonnxruntime.so of Microsoft.ML.OnnxRuntime.Gpu.Linux, not
#     the CPU one, and the CUDA provider); both must encode the same vector on the CPU, and cuda:0 must fail at load
#     with the clear message of each case ("add Splade.Encoder.Cuda" / "installed but cannot start": no GPU here);
#  4. the tool installed from the feed with `dotnet tool install --add-source`, indexing and searching the
#     bundled PubMed sample without `dotnet run`.
# Usage: tools/check-packages.sh [--keep]   (--keep leaves the temporary folder and prints its path)
# Exit: 0 all checks passed; 1 a check failed (the failure is printed).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

keep=false
[ "${1:-}" = "--keep" ] && keep=true
work=$(mktemp -d "${TMPDIR:-/tmp}/splade-packages.XXXXXX")
if $keep; then echo "check-packages: working folder $work"; else trap 'rm -rf "$work"' EXIT; fi
fail() { echo "check-packages: FAILED: $*" >&2; exit 1; }
step() { echo "check-packages: $*"; }
# The project file of a user's console program referencing the given packages by id at this version: the
# quick-start and the GPU programs differ only in their packages.
console_csproj() {  # $1 file, $2... package ids
  local file=$1 id
  shift
  {
    cat <<'EOF'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>net10.0</TargetFramework>
    <ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable>
    <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
  </PropertyGroup>
  <ItemGroup>
EOF
    for id in "$@"; do
      echo "    <PackageReference Include=\"$id\" Version=\"$version\" />"
    done
    cat <<'EOF'
  </ItemGroup>
</Project>
EOF
  } >"$file"
}

version=$(dotnet msbuild src/Splade.Lucene/Splade.Lucene.csproj -getProperty:Version -nologo)
[ -n "$version" ] || fail "no Version in Directory.Build.props"
step "version $version"

# --- 1. pack into a folder feed, check contents -------------------------------------------------------------
feed="$work/feed"
for p in src/Splade.Encoder/Splade.Encoder.csproj src/Splade.Encoder.Cuda/Splade.Encoder.Cuda.csproj src/Splade.Lucene/Splade.Lucene.csproj samples/IndexPubMed/IndexPubMed.csproj; do
  dotnet pack "$p" -c Release -o "$feed" -nologo -v:q >"$work/pack.log" 2>&1 || { cat "$work/pack.log" >&2; fail "dotnet pack $p"; }
done
step "packed: $(cd "$feed" && ls | tr '\n' ' ')"

python3 - "$feed" "$version" <<'PY' || fail "package contents (above)"
import sys, zipfile, re, xml.etree.ElementTree as ET
feed, version = sys.argv[1], sys.argv[2]
errors = []
def check(cond, msg):
    if not cond: errors.append(msg)
def nuspec(z):
    name = next(n for n in z.namelist() if n.endswith(".nuspec") and "/" not in n)
    root = ET.fromstring(z.read(name))
    ns = root.tag[: root.tag.index("}") + 1]
    return root.find(ns + "metadata"), ns

check(re.fullmatch(r"\d+\.\d+\.\d+-[0-9A-Za-z.-]+", version) is not None, f"version {version} is not a SemVer pre-release")
for lib in ["Splade.Encoder", "Splade.Lucene"]:
    with zipfile.ZipFile(f"{feed}/{lib}.{version}.nupkg") as z:
        names = set(z.namelist())
        for f in [f"lib/net10.0/{lib}.dll", f"lib/net10.0/{lib}.xml", "README.md", "LICENSE"]:
            check(f in names, f"{lib}.nupkg lacks {f}")
        check(b"Apache License" in z.read("LICENSE") and b"Version 2.0" in z.read("LICENSE"), f"{lib}: LICENSE is not Apache 2.0")
        check(len(z.read("README.md")) > 200, f"{lib}: README.md is nearly empty")
        check(b"<member name=" in z.read(f"lib/net10.0/{lib}.xml"), f"{lib}: XML docs have no members")
        md, ns = nuspec(z)
        check(md.findtext(ns + "version") == version, f"{lib}: nuspec version {md.findtext(ns + 'version')}")
        lic = md.find(ns + "license")
        check(lic is not None and lic.get("type") == "expression" and lic.text == "Apache-2.0", f"{lib}: license is not the Apache-2.0 expression")
        check(md.findtext(ns + "readme") == "README.md", f"{lib}: no readme in nuspec")
        check(bool(md.findtext(ns + "description")), f"{lib}: no description")
        repo = md.find(ns + "repository")
        check(repo is not None and repo.get("type") == "git", f"{lib}: no git repository metadata")
        deps = {d.get("id"): d.get("version") for d in md.iter(ns + "dependency")}
        check("Microsoft.ML.Tokenizers" not in deps, f"{lib}: depends on Microsoft.ML.Tokenizers")
        check(not any(i.startswith("Microsoft.CodeAnalysis") for i in deps), f"{lib}: an analyzer leaked into the dependencies")
        if lib == "Splade.Lucene":
            check(deps.get("Splade.Encoder") == version, f"Splade.Lucene depends on Splade.Encoder {deps.get('Splade.Encoder')}, not {version}")
            check("Lucene.Net" in deps, "Splade.Lucene does not depend on Lucene.Net")
        else:
            check("Microsoft.ML.OnnxRuntime" in deps, "Splade.Encoder does not depend on Microsoft.ML.OnnxRuntime")
    with zipfile.ZipFile(f"{feed}/{lib}.{version}.snupkg") as z:
        check(f"lib/net10.0/{lib}.pdb" in z.namelist(), f"{lib}.snupkg lacks lib/net10.0/{lib}.pdb")
# Splade.Encoder.Cuda: no code and no native binary of its own; Splade.Encoder and the GPU build of ONNX Runtime as
# dependencies (never the CPU package, whose native files its build file removes); that build file.
import os
cuda = f"{feed}/Splade.Encoder.Cuda.{version}.nupkg"
with zipfile.ZipFile(cuda) as z:
    names = set(z.namelist())
    for f in ["buildTransitive/Splade.Encoder.Cuda.targets", "lib/net10.0/_._", "README.md", "LICENSE"]:
        check(f in names, f"Splade.Encoder.Cuda.nupkg lacks {f}")
    check(not any(n.startswith("runtimes/") or n.endswith((".so", ".dll")) for n in names), f"Splade.Encoder.Cuda.nupkg holds binaries: {sorted(names)}")
    check(os.path.getsize(cuda) < 200_000, f"Splade.Encoder.Cuda.nupkg is {os.path.getsize(cuda)} bytes")
    targets = z.read("buildTransitive/Splade.Encoder.Cuda.targets").decode()
    check("SpladeEncoderCudaPreferGpuOnnxRuntime" in targets and "RuntimeTargetsCopyLocalItems" in targets and "NativeCopyLocalItems" in targets,
          "Splade.Encoder.Cuda.targets does not replace the CPU build's native files")
    check(b"dotnet add package Splade.Encoder.Cuda" in z.read("README.md"), "Splade.Encoder.Cuda README does not say how to install it")
    md, ns = nuspec(z)
    check(md.findtext(ns + "version") == version, f"Splade.Encoder.Cuda: nuspec version {md.findtext(ns + 'version')}")
    lic = md.find(ns + "license")
    check(lic is not None and lic.get("type") == "expression" and lic.text == "Apache-2.0", "Splade.Encoder.Cuda: license is not the Apache-2.0 expression")
    check(md.findtext(ns + "readme") == "README.md" and bool(md.findtext(ns + "description")), "Splade.Encoder.Cuda: no readme or description")
    deps = {d.get("id"): d.get("version") for d in md.iter(ns + "dependency")}
    check(deps == {"Splade.Encoder": version, "Microsoft.ML.OnnxRuntime.Gpu.Linux": "1.31.0"},
          f"Splade.Encoder.Cuda dependencies are {deps}, not Splade.Encoder {version} and Microsoft.ML.OnnxRuntime.Gpu.Linux 1.31.0")
check(not os.path.exists(f"{feed}/Splade.Encoder.Cuda.{version}.snupkg"), "Splade.Encoder.Cuda has a symbol package (it has no code)")
with zipfile.ZipFile(f"{feed}/Splade.IndexPubMed.{version}.nupkg") as z:
    md, ns = nuspec(z)
    types = [t.get("name") for t in md.iter(ns + "packageType")]
    check(types == ["DotnetTool"], f"Splade.IndexPubMed package types {types}, not DotnetTool")
    settings = [n for n in z.namelist() if n.endswith("DotnetToolSettings.xml")]
    check(len(settings) == 1 and b'Name="splade-pubmed"' in z.read(settings[0]), "tool command is not splade-pubmed")
    check("LICENSE" in z.namelist() and "README.md" in z.namelist(), "tool package lacks LICENSE or README.md")
for e in errors:
    print("  " + e, file=sys.stderr)
sys.exit(1 if errors else 0)
PY
step "package contents: ok (dll, xml docs, README, LICENSE, Apache-2.0, pdb in snupkg, DotnetTool splade-pubmed, Splade.Encoder.Cuda: targets + dependencies)"

# --- 2. the README's library quick start, against the packages ----------------------------------------------
app="$work/app"
mkdir -p "$app"
python3 - README.md "$app" <<'PY' || fail "README section '## Library quick start' (above)"
import sys, re
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"^## Library quick start[ \t]*\n(.*?)(?=^## |\Z)", text, re.S | re.M)
if not m:
    sys.exit("README.md has no '## Library quick start' section")
blocks = re.findall(r"^```(\w*)[ \t]*\n(.*?)^```[ \t]*$", m.group(1), re.S | re.M)
kinds = [k for k, _ in blocks]
if kinds.count("csharp") != 1 or kinds.count("text") != 1 or kinds.index("csharp") > kinds.index("text"):
    sys.exit(f"the section must hold exactly one ```csharp block followed by one ```text block; found {kinds}")
open(f"{sys.argv[2]}/Program.cs", "w", encoding="utf-8").write(blocks[kinds.index("csharp")][1])
open(f"{sys.argv[2]}/expected.txt", "w", encoding="utf-8").write(blocks[kinds.index("text")][1])
PY

# A fresh project: nothing from the repository (empty Directory.* files stop MSBuild's search upwards), the
# libraries only from the folder feed (package source mapping), everything else from the usual source. The
# packages are restored into a folder of their own so that a package of the same version left in the user's
# cache by an earlier run cannot be used instead of the one just packed.
global=$(dotnet nuget locals global-packages --list | sed 's/^global-packages: *//')
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' >"$app/$f"; done
cat >"$app/nuget.config" <<EOF
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <config>
    <add key="globalPackagesFolder" value="$work/packages" />
  </config>
  <packageSources>
    <clear />
    <add key="local" value="$feed" />
    <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
  </packageSources>
  <packageSourceMapping>
    <packageSource key="local">
      <package pattern="Splade.*" />
    </packageSource>
    <packageSource key="nuget.org">
      <package pattern="*" />
    </packageSource>
  </packageSourceMapping>
  <fallbackPackageFolders>
    <add key="user-cache" value="$global" />
  </fallbackPackageFolders>
</configuration>
EOF
console_csproj "$app/QuickStart.csproj" Splade.Lucene Splade.Encoder
# The fallback folder must not already hold a Splade package of this version (it would be used as it is).
for id in splade.encoder splade.encoder.cuda splade.lucene; do
  [ ! -e "$global/$id/$version" ] || fail "$global/$id/$version exists from an earlier build and would shadow the feed: delete it"
done
(cd "$app" && dotnet build -c Release -nologo -v:q) >"$work/app-build.log" 2>&1 || { cat "$work/app-build.log" >&2; fail "the quick-start program does not build against the packages"; }
for id in Splade.Encoder Splade.Lucene; do
  lower=$(echo "$id" | tr 'A-Z' 'a-z')
  restored="$work/packages/$lower/$version/$lower.$version.nupkg.sha512"
  [ -f "$restored" ] && [ "$(cat "$restored")" = "$(python3 -c 'import base64,hashlib,sys; print(base64.b64encode(hashlib.sha512(open(sys.argv[1],"rb").read()).digest()).decode(), end="")' "$feed/$id.$version.nupkg")" ] \
    || fail "$id $version was not restored from the feed just packed"
done
step "quick-start program built against Splade.Lucene $version and Splade.Encoder $version from the feed"
(cd "$app" && dotnet bin/Release/net10.0/QuickStart.dll "$repo/tests/fixtures/tiny-splade" "$work/quickstart-index") \
  >"$work/actual.txt" 2>"$work/app-run.err" || { cat "$work/app-run.err" >&2; fail "the quick-start program exited with $?"; }
if ! diff -u "$app/expected.txt" "$work/actual.txt" >"$work/diff.txt"; then
  cat "$work/diff.txt" >&2
  fail "the quick-start program's output differs from the README's text block (diff above: - README, + actual)"
fi
step "quick-start program output equals the README ($(wc -l <"$work/actual.txt") lines)"

# --- 3. the GPU package, as a GPU user gets it ---------------------------------------------------------------
# The same program twice: with Splade.Encoder (CPU) and with Splade.Encoder.Cuda alone (which brings Splade.Encoder).
device_program() {  # $1 folder, $2 package id
  mkdir -p "$1"
  cp "$app/nuget.config" "$app/Directory.Build.props" "$app/Directory.Build.targets" "$app/Directory.Packages.props" "$1/"
  console_csproj "$1/Device.csproj" "$2"
  cat >"$1/Program.cs" <<'EOF'
using Splade.Encoder;

using var cpu = SpladeEncoder.Create(args[0]);
var vector = cpu.EncodeDocument("Aspirin reduces the risk of heart attack.");
Console.WriteLine($"cpu: {vector.Count} terms: " + string.Join(" ", cpu.Decode(vector, topK: 5).Select(t => $"{t.Token}={t.Weight:F4}")));
try
{
    using var gpu = SpladeEncoder.Create(args[0], new SpladeEncoderOptions { Device = SpladeDevice.Cuda(0) });
    Console.WriteLine("cuda: ok " + (gpu.EncodeDocument("Aspirin reduces the risk of heart attack.").Indices.SequenceEqual(vector.Indices) ? "same terms" : "OTHER TERMS"));
}
catch (SpladeModelException e)
{
    Console.WriteLine("cuda: " + e.Message);
}
EOF
  (cd "$1" && dotnet build -c Release -nologo -v:q) >"$1/build.log" 2>&1 || { cat "$1/build.log" >&2; fail "a program referencing $2 does not build against the packages"; }
}
t0=$(date +%s)
device_program "$work/cpu-app" Splade.Encoder
device_program "$work/cuda-app" Splade.Encoder.Cuda
(cd "$work/cuda-app" && dotnet publish -c Release -r linux-x64 --self-contained false -o "$work/cuda-publish" -nologo -v:q) \
  >"$work/cuda-publish.log" 2>&1 || { cat "$work/cuda-publish.log" >&2; fail "dotnet publish -r linux-x64 of the Splade.Encoder.Cuda program"; }
restored_package() {  # $1 id/version (lower case): its folder in the packages folder of this check or in the user's cache
  for d in "$work/packages/$1" "$global/$1"; do [ -d "$d" ] && { echo "$d"; return; }; done
}
gpu_pkg=$(restored_package microsoft.ml.onnxruntime.gpu.linux/1.31.0)
cpu_pkg=$(restored_package microsoft.ml.onnxruntime/1.31.1)
[ -n "$gpu_pkg" ] && [ -n "$cpu_pkg" ] || fail "Microsoft.ML.OnnxRuntime.Gpu.Linux 1.31.0 or Microsoft.ML.OnnxRuntime 1.31.1 was not restored"
gpu_so=$(sha256sum <"$gpu_pkg/runtimes/linux-x64/native/libonnxruntime.so")
cpu_so=$(sha256sum <"$cpu_pkg/runtimes/linux-x64/native/libonnxruntime.so")
[ "$gpu_so" != "$cpu_so" ] || fail "the CPU and GPU builds of libonnxruntime.so are the same file"
for native in "$work/cuda-app/bin/Release/net10.0/runtimes/linux-x64/native" "$work/cuda-publish"; do
  [ -f "$native/libonnxruntime.so" ] && [ -f "$native/libonnxruntime_providers_cuda.so" ] || fail "$native lacks libonnxruntime.so or the CUDA provider"
  [ "$(sha256sum <"$native/libonnxruntime.so")" = "$gpu_so" ] || fail "$native/libonnxruntime.so is not the GPU build"
done
[ "$(sha256sum <"$work/cpu-app/bin/Release/net10.0/runtimes/linux-x64/native/libonnxruntime.so")" = "$cpu_so" ] || fail "the CPU program's libonnxruntime.so is not the CPU build"
[ ! -e "$work/cpu-app/bin/Release/net10.0/runtimes/linux-x64/native/libonnxruntime_providers_cuda.so" ] || fail "the CPU program got the CUDA provider"
grep -q '"Splade.Encoder.Cuda": true' "$work/cuda-app/bin/Release/net10.0/Device.runtimeconfig.json" || fail "the Splade.Encoder.Cuda switch is not in the program's runtimeconfig.json"
step "Splade.Encoder.Cuda program: bin/ and publish/ (-r linux-x64) hold the GPU build of libonnxruntime.so and the CUDA provider; the CPU program the CPU build"
for kind in cpu cuda; do
  dotnet "$work/$kind-app/bin/Release/net10.0/Device.dll" "$repo/tests/fixtures/tiny-splade" >"$work/$kind-app/out.txt" 2>"$work/$kind-app/err.txt" \
    || { cat "$work/$kind-app/out.txt" "$work/$kind-app/err.txt" >&2; fail "the $kind program exited with an error"; }
done
dotnet "$work/cuda-publish/Device.dll" "$repo/tests/fixtures/tiny-splade" >"$work/cuda-publish/out.txt" 2>/dev/null || fail "the published Splade.Encoder.Cuda program exited with an error"
cmp -s "$work/cuda-app/out.txt" "$work/cuda-publish/out.txt" || { diff "$work/cuda-app/out.txt" "$work/cuda-publish/out.txt" >&2; fail "the published program prints something else than the built one"; }
[ "$(head -1 "$work/cpu-app/out.txt")" = "$(head -1 "$work/cuda-app/out.txt")" ] && grep -q '^cpu: [1-9]' "$work/cpu-app/out.txt" \
  || { cat "$work/cpu-app/out.txt" "$work/cuda-app/out.txt" >&2; fail "the CPU vector differs between the CPU and the GPU build of ONNX Runtime"; }
grep -q "^cuda: Device cuda:0 needs ONNX Runtime's CUDAExecutionProvider.*add the NuGet package Splade.Encoder.Cuda" "$work/cpu-app/out.txt" \
  || { cat "$work/cpu-app/out.txt" >&2; fail "without Splade.Encoder.Cuda, cuda:0 does not fail saying to add it"; }
if grep -q "^cuda: ok same terms" "$work/cuda-app/out.txt"; then
  step "cuda:0 works on this machine and gives the CPU's terms"
else
  grep -q "^cuda: Device cuda:0: ONNX Runtime's CUDAExecutionProvider is installed (Splade.Encoder.Cuda) but cannot start" "$work/cuda-app/out.txt" \
    || { cat "$work/cuda-app/out.txt" >&2; fail "with Splade.Encoder.Cuda and no usable GPU, cuda:0 does not fail with the 'installed but cannot start' message"; }
fi
step "CPU encode identical with both builds; cuda:0 fails clearly in each case; $(( $(date +%s) - t0 )) s, GPU program bin $(du -sh "$work/cuda-app/bin" | cut -f1)"
rm -rf "$work/cuda-app/bin" "$work/cuda-app/obj" "$work/cuda-publish"

# --- 4. the command-line tool, installed from the feed --------------------------------------------------------
NUGET_PACKAGES="$work/tool-packages" dotnet tool install Splade.IndexPubMed --version "$version" \
  --tool-path "$work/tool" --add-source "$feed" --ignore-failed-sources >"$work/tool-install.log" 2>&1 \
  || { cat "$work/tool-install.log" >&2; fail "dotnet tool install Splade.IndexPubMed"; }
"$work/tool/splade-pubmed" index --index "$work/pubmed-index" --model tests/fixtures/tiny-splade --quiet samples/data/pubmed \
  >"$work/tool-index.log" 2>&1 || { cat "$work/tool-index.log" >&2; fail "splade-pubmed index"; }
"$work/tool/splade-pubmed" search --index "$work/pubmed-index" --model tests/fixtures/tiny-splade --mode hybrid --top 3 \
  "heart failure and cardiac arrhythmia" >"$work/tool-search.log" 2>&1 || { cat "$work/tool-search.log" >&2; fail "splade-pubmed search"; }
grep -q 39762092 "$work/tool-search.log" || { cat "$work/tool-search.log" >&2; fail "splade-pubmed search did not rank PMID 39762092 (the README's first hit)"; }
step "tool: dotnet tool install --add-source, then splade-pubmed index + search: ok"
echo "check-packages: all checks passed"
