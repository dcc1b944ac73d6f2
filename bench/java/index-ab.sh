#!/bin/bash
# Indexing precomputed vectors as users run it, in fresh processes: Java Lucene 8 (TermFrequencyAttribute, one thread,
# 256 MB buffer) against two CLI builds' `index --storage tf --vectors`, alternating, wall time, user CPU and peak
# memory from GNU time. Run it under the heavy-job lock on an otherwise idle machine:
#   flock /tmp/splade-heavy.lock bench/java/index-ab.sh > index-ab.out
# Env: NEW_CLI, OLD_CLI (IndexPubMed binaries; OLD_CLI empty skips it), DOCS (vector JSONL, e.g. side-by-side.sh's
# docs-seed42-200000.jsonl), ROUNDS (default 5), PAYLOAD_ROUNDS (rounds that also index --storage payload with
# NEW_CLI, default 2), OUT (scratch folder for the indexes).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
JAVA=$repo/bench/java/run.sh
OUT=${OUT:-/tmp/index-ab}; mkdir -p "$OUT"
echo "start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); $DOCS"
t(){ local name=$1; shift; rm -rf "${OUT:?}/$name"; local l; l=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -v -o "$OUT/time.txt" "$@" --index "$OUT/$name" > "$OUT/out.txt" 2>&1
  local wall rss user
  wall=$(grep "Elapsed (wall" "$OUT/time.txt" | awk '{print $NF}'); rss=$(grep "Maximum resident" "$OUT/time.txt" | awk '{print $NF}')
  user=$(grep "User time" "$OUT/time.txt" | awk '{print $NF}')
  echo "$name (load $l): wall $wall, user $user s, peak $((rss / 1024)) MiB; $(grep -oE '[0-9,.]+ docs/s' "$OUT/out.txt" | head -1) size $(du -sb "$OUT/$name" | cut -f1) segments $(find "$OUT/$name" -name '*.si' | wc -l)"; }
for round in $(seq 1 "${ROUNDS:-5}"); do
  t java "$JAVA" index --vectors "$DOCS" --ram-mb 256
  t new-tf "$NEW_CLI" index --storage tf --vectors "$DOCS" --quiet
  if [ -n "${OLD_CLI:-}" ]; then t old-tf "$OLD_CLI" index --storage tf --vectors "$DOCS" --quiet; fi
  if [ "$round" -le "${PAYLOAD_ROUNDS:-2}" ]; then t new-payload "$NEW_CLI" index --storage payload --vectors "$DOCS" --quiet; fi
done
echo "end $(date -u +%FT%TZ)"
