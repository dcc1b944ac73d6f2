#!/bin/bash
# First query vs warm median, A/B of two builds, in fresh processes: the library (Splade.Bench coldstart --warm-up)
# at 200k documents and the CLI (IndexPubMed search --query-vectors) at 200k and 1M, for the synthetic, DL19-shaped
# and BRIGHT-shaped query sets at k = 10 and 1000. Run it under the heavy-job lock:
#   flock /tmp/splade-heavy.lock bench/java/cold-start-ab.sh > cold.out
# Env: A_BENCH/B_BENCH (Splade.Bench binaries), A_CLI/B_CLI (IndexPubMed binaries), A/B (labels), I200K and I1M (CLI tf
# indexes of side-by-side.sh's corpora), Q200K and Q1M (folders holding queries-seed42-*.jsonl); I1M empty skips 1M.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
A=${A:-a}; B=${B:-b}
V=$repo/bench/data/splade-query-vectors
q(){ case $1 in synthetic) echo "$2/queries-seed42-synthetic-500.jsonl";; dl19) echo "$2/queries-seed42-dl19-passage-shapes.jsonl";; bright) echo "$2/queries-seed42-bright-biology-shapes.jsonl";; esac; }
lib_vectors(){ case $1 in synthetic) echo "";; dl19) echo "--query-vectors $V/topics.dl19-passage.splade-pp-ed.vectors.jsonl";; bright) echo "--query-vectors $V/topics.bright-biology.splade-v3.vectors.jsonl";; esac; }
echo "start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
for set in synthetic dl19 bright; do for k in 10 1000; do for v in "$A" "$B"; do
  bench=$A_BENCH; [ "$v" = "$B" ] && bench=$B_BENCH
  # shellcheck disable=SC2046
  echo "lib 200k $set k=$k $v: $("$bench" coldstart --index "$I200K" --docs 200000 --k $k --queries 500 $(lib_vectors $set) --warm-up 2>&1 | grep -oE 'load [0-9. ]+:|warm-up [0-9]+ ms|first query [0-9.]+ ms|first 10 mean [0-9.]+ ms|warm median pruned [0-9.]+ ms|first query / warm median [0-9.]+x|identical [0-9/]+' | tr '\n' ' ')"
done; done; done
for docs in 200000 1000000; do
  index=$I200K; queries=$Q200K
  if [ $docs = 1000000 ]; then [ -n "${I1M:-}" ] || continue; index=$I1M; queries=$Q1M; fi
  for set in synthetic dl19 bright; do for k in 10 1000; do for v in "$A" "$B"; do
    cli=$A_CLI; [ "$v" = "$B" ] && cli=$B_CLI
    out=$( { /usr/bin/time -f 'peak %M KB wall %e s' "$cli" search --index "$index" --query-vectors "$(q $set "$queries")" --depth $k --run /dev/null; } 2>&1 )
    echo "cli $docs $set k=$k $v: $(echo "$out" | grep -E '^splade:' | grep -oE 'mean [0-9.]+ ms|median [0-9.]+ ms|first [0-9.]+ ms|first 10 mean [0-9.]+ ms|warm-up [0-9]+ ms' | tr '\n' ' ') $(echo "$out" | grep -oE 'peak [0-9]+ KB wall [0-9.]+ s') load $(cut -d' ' -f1 /proc/loadavg)"
  done; done; done
done
echo "end $(date -u +%FT%TZ)"
