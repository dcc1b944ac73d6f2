#!/usr/bin/env bash
# Regenerates PublicAPI.Unshipped.txt of the library projects from the public API analyzer's own diagnostics:
#   RS0016 (a public symbol missing from the files)  -> its exact API line is added to PublicAPI.Unshipped.txt
#   RS0017 (a declared symbol that no longer exists) -> its line is removed from PublicAPI.Unshipped.txt, or,
#                                                       when it was shipped, "*REMOVED*<line>" is added there
# Each project is built with its diagnostics written as SARIF (the analyzer puts the exact API line in the
# diagnostic's properties), the files are edited, and this repeats until nothing changes; then every project
# is rebuilt as usual (warnings as errors) to prove the files are complete. Lines are kept sorted.
#
# Usage: tools/update-public-api.sh [PROJECT.csproj ...]   (default: every src/*/*.csproj; missing PublicAPI files are created)
# (src/Splade.Encoder.Cuda is one of them: it has no code, so its PublicAPI files hold only the #nullable header and any
#  public type added there later is caught like in the other libraries.)
# Exit: 0 the files match the code and the build passes; 1 a build error the script cannot fix (printed).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

projects=("$@")
if [ ${#projects[@]} -eq 0 ]; then
  shopt -s nullglob
  projects=(src/*/*.csproj)
  shopt -u nullglob
fi
if [ ${#projects[@]} -eq 0 ]; then
  echo "update-public-api: no project under src/" >&2
  exit 1
fi
# A new library project gets its two (empty) files: src/Directory.Build.props gives them to the analyzer.
for p in "${projects[@]}"; do
  [ -f "$p" ] || { echo "update-public-api: no such project: $p" >&2; exit 1; }
  for f in PublicAPI.Shipped.txt PublicAPI.Unshipped.txt; do
    if [ ! -f "$(dirname "$p")/$f" ]; then
      printf '#nullable enable\n' >"$(dirname "$p")/$f"
      echo "update-public-api: created $(dirname "$p")/$f"
    fi
  done
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

apply() {  # reads $work/logs/*.sarif, edits the PublicAPI files; prints the number of changes on stdout
  python3 - "$work/logs" <<'PY'
import json, os, sys, glob
from urllib.parse import urlparse, unquote

logs = sys.argv[1]
adds = {}      # unshipped path -> set of lines to add
removes = {}   # unshipped path -> set of lines to remove
unfixable = []

def path_of(uri):
    return os.path.normpath(unquote(urlparse(uri).path)) if uri.startswith("file:") else os.path.normpath(uri)

for sarif in sorted(glob.glob(os.path.join(logs, "*.sarif"))):
    project = os.path.splitext(os.path.basename(sarif))[0]
    with open(sarif, encoding="utf-8-sig") as f:
        run = json.load(f)["runs"][0]
    for r in run.get("results", []):
        rule = r.get("ruleId", "")
        if not rule.startswith("RS0"):
            continue
        if r.get("suppressions"):
            continue
        loc = r["locations"][0]["physicalLocation"] if r.get("locations") else None
        src = path_of(loc["artifactLocation"]["uri"]) if loc else ""
        props = r.get("properties", {}).get("customProperties", {})
        if rule == "RS0016":
            # The analyzer's project is the one whose folder holds the symbol's source file.
            folder = src
            while folder != "/" and not os.path.exists(os.path.join(folder, "PublicAPI.Unshipped.txt")):
                folder = os.path.dirname(folder)
            name = props.get("APIName")
            if folder == "/" or not name:
                unfixable.append(f"{project}: {rule} {r['message']['text']}")
                continue
            adds.setdefault(os.path.join(folder, "PublicAPI.Unshipped.txt"), set()).add(name)
        elif rule == "RS0017":
            line_no = loc["region"]["startLine"]
            with open(src, encoding="utf-8-sig") as f:
                line = f.read().splitlines()[line_no - 1].strip()
            unshipped = os.path.join(os.path.dirname(src), "PublicAPI.Unshipped.txt")
            if os.path.basename(src) == "PublicAPI.Unshipped.txt":
                removes.setdefault(unshipped, set()).add(line)
            else:  # shipped API that is gone: declare the removal
                adds.setdefault(unshipped, set()).add("*REMOVED*" + line)
        elif r.get("level") in ("error", "warning"):
            unfixable.append(f"{project}: {rule} {r['message']['text']} ({src})")

changes = 0
for path in sorted(set(adds) | set(removes)):
    with open(path, encoding="utf-8-sig") as f:
        lines = [l.rstrip("\r") for l in f.read().splitlines()]
    header = [l for l in lines if l.startswith("#")] or ["#nullable enable"]
    body = {l for l in lines if l.strip() and not l.startswith("#")}
    new = (body | adds.get(path, set())) - removes.get(path, set())
    if new != body:
        changes += len(new ^ body)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write("\n".join(header + sorted(new, key=lambda s: (s.removeprefix("*REMOVED*"), s))) + "\n")
        print(f"update-public-api: {os.path.relpath(path)}: +{len(new - body)} -{len(body - new)}", file=sys.stderr)
for u in unfixable:
    print("update-public-api: cannot fix: " + u, file=sys.stderr)
print(changes if not unfixable else -1)
PY
}

for pass in 1 2 3 4 5; do
  rm -rf "$work/logs" && mkdir -p "$work/logs"
  for p in "${projects[@]}"; do
    # Warnings stay warnings here so that a project that depends on another still compiles and reports.
    if ! dotnet build "$p" -c Release --no-incremental -nologo -v:q -p:TreatWarningsAsErrors=false \
         -p:SpladePublicApiLogDir="$work/logs" >"$work/build.log" 2>&1; then
      cat "$work/build.log" >&2
      echo "update-public-api: $p does not compile (errors above are not public API declarations)" >&2
      exit 1
    fi
  done
  changes=$(apply)
  if [ "$changes" -lt 0 ]; then
    exit 1
  fi
  [ "$changes" -eq 0 ] && break
done

# The proof: the normal build (warnings as errors, so any RS diagnostic fails it).
for p in "${projects[@]}"; do
  if ! dotnet build "$p" -c Release --no-incremental -nologo -v:q >"$work/build.log" 2>&1; then
    cat "$work/build.log" >&2
    echo "update-public-api: $p still fails to build" >&2
    exit 1
  fi
done
echo "update-public-api: PublicAPI files match the code of: ${projects[*]}"
