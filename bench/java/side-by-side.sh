#!/bin/bash
# Side-by-side: Java Lucene 8 (bench/java/SpladeLucene8.java) vs the CLI as users run it (samples/IndexPubMed), on the
# same synthetic vector files (Splade.Bench corpus-jsonl). Every timed step runs in a fresh process, with the load
# (/proc/loadavg) and /usr/bin/time -v (wall time, peak RSS) recorded in the log; each stage (index, search, coldstart)
# holds the heavy-job lock once for all its steps (a few minutes at 200k documents), so others' jobs do not run between
# the steps being compared.
#
#   bench/java/side-by-side.sh [DOCS] [STEPS]
#     DOCS   200000 (default) or 1000000
#     STEPS  any of: data index search coldstart (default: all four); each but data runs locked
# Env: DATA (default /work/bench-data/java), LOCK (default /tmp/splade-heavy.lock), QUERIES (synthetic query count, 500),
#      SETS (query sets, default "synthetic dl19 bright"), KS (default "10 1000"), STORAGE (CLI index modes, "tf payload"),
#      JAVA_INDEX (0: keep the Java index), SEARCH_STORAGE (the CLI index searched and measured by coldstart, tf), CLI_PAYLOAD_SEARCH (1: also search the payload
#      index), ONE_LOCK (1: hold the lock once for all stages), EVALUATIONS (coldstart --evaluation values, "auto"), CLI (the CLI binary; built if unset), CLI_LABEL (names
#      the CLI's index folders and runs, "cli"; e.g. tf1 for another branch's build given as CLI).
# Output: $DATA/side-by-side-$DOCS-<UTC time>.log; runs in $DATA/runs-$DOCS/.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
DOCS=${1:-200000}
STEPS=${2:-"data index search coldstart"}
DATA=${DATA:-/work/bench-data/java}
LOCK=${LOCK:-/tmp/splade-heavy.lock}
QUERIES=${QUERIES:-500}
SETS=${SETS:-"synthetic dl19 bright"}
KS=${KS:-"10 1000"}
STORAGE=${STORAGE:-"tf payload"}
SEARCH_STORAGE=${SEARCH_STORAGE:-tf}
EVALUATIONS=${EVALUATIONS:-auto}
L=${CLI_LABEL:-cli}
V=${SPLADE_QUERY_VECTORS:-$repo/bench/data/splade-query-vectors}
mkdir -p "$DATA" "$DATA/runs-$DOCS"
log=${SBS_LOG:-"$DATA/side-by-side-$DOCS-$(date -u +%Y%m%dT%H%M%S).log"}
runs="$DATA/runs-$DOCS"
JAVA="$repo/bench/java/run.sh"
BENCH="$repo/bench/Splade.Bench/bin/Release/net10.0/Splade.Bench"
if [ -z "${SBS_INNER:-}" ]; then
  # Outer call: build (unlocked), then run each stage locked in a child of this script.
  if [ -z "${CLI:-}" ]; then
    dotnet build "$repo/samples/IndexPubMed" -c Release -v q -nologo >/dev/null
    export CLI="$repo/samples/IndexPubMed/bin/Release/net10.0/IndexPubMed"
  fi
  [ -x "$BENCH" ] || dotnet build "$repo/bench/Splade.Bench" -c Release -v q -nologo >/dev/null
  export SBS_LOG="$log"
  echo "side-by-side $DOCS docs, steps: $STEPS; $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $(free -g | awk '/Mem/{print $2}') GiB; $(java -version 2>&1 | head -1); dotnet $(dotnet --version); commit $(git -C "$repo" rev-parse --short HEAD)" | tee -a "$log"
  locked=""
  for step in $STEPS; do
    if [ "$step" = data ]; then
      SBS_INNER=1 "$0" "$DOCS" data
    elif [ "${ONE_LOCK:-0}" = 1 ]; then
      locked="$locked $step"
    else
      echo "--- stage $step: waiting for $LOCK ($(date -u +%H:%M:%S))" | tee -a "$log"
      flock "$LOCK" env SBS_INNER=1 "$0" "$DOCS" "$step"
    fi
  done
  if [ -n "$locked" ]; then
    # ONE_LOCK=1: all locked stages in one acquisition (when the lock queue is long; holds it for all of them).
    echo "--- stages$locked: waiting for $LOCK ($(date -u +%H:%M:%S))" | tee -a "$log"
    flock "$LOCK" env SBS_INNER=1 "$0" "$DOCS" "$locked"
  fi
  echo "log: $log"
  exit 0
fi
docs="$DATA/docs-seed42-$DOCS.jsonl"
say() { echo "$*" | tee -a "$log"; }
# heavy NAME CMD...: runs CMD under the lock, logging load, command, its output, wall time and peak RSS.
heavy() {
  local name=$1; shift
  local start; start=$(wc -l < "$log")
  bash -c '
    name=$1; log=$2; shift 2
    { echo "=== $name  $(date -u +%H:%M:%S)  load: $(cut -d" " -f1-3 /proc/loadavg)"; echo "\$ $*"; } >> "$log"
    /usr/bin/time -v -o /tmp/side-by-side-time.$$ "$@" >> "$log" 2>&1 || echo "exit code $?" >> "$log"
    grep -E "Elapsed \(wall|Maximum resident|User time|System time" /tmp/side-by-side-time.$$ | sed "s/^\t*/    /" >> "$log"; rm -f /tmp/side-by-side-time.$$' _ "$name" "$log" "$@"
  tail -n +$((start + 1)) "$log" | grep -v -E '^[0-9,]+/?[0-9,]* (queries|records)' || true
}
qfile() {
  case $1 in
    synthetic) echo "$DATA/queries-seed42-synthetic-$QUERIES.jsonl" ;;
    dl19) echo "$DATA/queries-seed42-dl19-passage-shapes.jsonl" ;;
    bright) echo "$DATA/queries-seed42-bright-biology-shapes.jsonl" ;;
  esac
}

if [[ " $STEPS " == *" data "* ]]; then
  "$BENCH" corpus-jsonl --docs "$DOCS" --queries "$QUERIES" --out "$DATA" \
    --query-vectors "$V/topics.dl19-passage.splade-pp-ed.vectors.jsonl" "$V/topics.bright-biology.splade-v3.vectors.jsonl" | tee -a "$log"
  for s in $SETS; do head -n 1 "$(qfile $s)" > "$DATA/first-$s.jsonl"; done
fi

if [[ " $STEPS " == *" index "* ]]; then
  if [ "${JAVA_INDEX:-1}" = 1 ]; then
    rm -rf "$DATA/java-$DOCS"
    heavy "java index" "$JAVA" index --vectors "$docs" --index "$DATA/java-$DOCS" --ram-mb 256
  fi
  for st in $STORAGE; do
    rm -rf "$DATA/$L-$st-$DOCS"
    heavy "$L index $st" "$CLI" index --index "$DATA/$L-$st-$DOCS" --storage "$st" --vectors "$docs"
    "$CLI" stats --index "$DATA/$L-$st-$DOCS" >> "$log" 2>&1 || true
    say "$L-$st-$DOCS: $(du -sb "$DATA/$L-$st-$DOCS" | cut -f1) bytes"
  done
fi

if [[ " $STEPS " == *" search "* ]]; then
  for s in $SETS; do
    q=$(qfile $s)
    for k in $KS; do
      out="$runs/$s-k$k"
      # Java and the CLI alternate, each a fresh process and its own short locked step.
      heavy "java exhaustive $s k=$k" "$JAVA" search --index "$DATA/java-$DOCS" --queries "$q" --k "$k" --mode exhaustive --warm-passes "${WARM_PASSES:-2}" --run "$out-java-exhaustive.trec"
      heavy "$L pruned $s k=$k" "$CLI" search --index "$DATA/$L-$SEARCH_STORAGE-$DOCS" --query-vectors "$q" --depth "$k" --run "$out-$L-pruned.trec"
      heavy "java wand $s k=$k" "$JAVA" search --index "$DATA/java-$DOCS" --queries "$q" --k "$k" --mode wand --warm-passes "${WARM_PASSES:-2}" --run "$out-java-wand.trec"
      heavy "$L exhaustive $s k=$k" "$CLI" search --index "$DATA/$L-$SEARCH_STORAGE-$DOCS" --query-vectors "$q" --depth "$k" --exhaustive --run "$out-$L-exhaustive.trec"
      if [ "$k" = 10 ]; then
        heavy "java default $s k=$k" "$JAVA" search --index "$DATA/java-$DOCS" --queries "$q" --k "$k" --mode default --warm-passes "${WARM_PASSES:-2}"
      fi
      heavy "$L first query $s k=$k" "$CLI" search --index "$DATA/$L-$SEARCH_STORAGE-$DOCS" --query-vectors "$DATA/first-$s.jsonl" --depth "$k" --run /dev/null
      if [ "${CLI_PAYLOAD_SEARCH:-1}" = 1 ] && [ -d "$DATA/$L-payload-$DOCS" ]; then
        heavy "$L pruned payload $s k=$k" "$CLI" search --index "$DATA/$L-payload-$DOCS" --query-vectors "$q" --depth "$k" --run "$out-$L-payload.trec"
      fi
      for pair in "$L-pruned java-exhaustive" "$L-pruned $L-exhaustive" "java-wand java-exhaustive" "$L-payload $L-pruned"; do
        set -- $pair
        [ -f "$out-$1.trec" ] && [ -f "$out-$2.trec" ] && "$JAVA" compare "$out-$1.trec" "$out-$2.trec" --k "$k" | tee -a "$log" || true
      done
    done
  done
fi

if [[ " $STEPS " == *" coldstart "* ]]; then
  # Our library in one fresh process on the CLI's tf index: first query, first-batch mean, warm pruned vs exhaustive.
  for s in $SETS; do
    case $s in
      synthetic) qv=() ;;
      dl19) qv=(--query-vectors "$V/topics.dl19-passage.splade-pp-ed.vectors.jsonl") ;;
      bright) qv=(--query-vectors "$V/topics.bright-biology.splade-v3.vectors.jsonl") ;;
    esac
    for k in $KS; do
      for e in $EVALUATIONS; do
        heavy "coldstart $s k=$k $e" "$BENCH" coldstart --index "$DATA/$L-$SEARCH_STORAGE-$DOCS" --docs "$DOCS" --k "$k" --queries "$QUERIES" --evaluation "$e" "${qv[@]}"
      done
    done
  done
fi
