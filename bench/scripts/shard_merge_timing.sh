#!/bin/bash
# Shard indexing and merge timings (docs/SCALING.md): index a JSONL corpus whole, then as N shards, then merge.
# Usage, from the repository root after `dotnet build -c Release samples/IndexPubMed`:
#   flock /tmp/splade-heavy.lock bench/scripts/shard_merge_timing.sh [CORPUS] [MODEL] [N] [WORKDIR]
set -e
CLI="dotnet samples/IndexPubMed/bin/Release/net10.0/IndexPubMed.dll"
IN=${1:-tests/fixtures/scifact/corpus.jsonl.gz}
M=${2:-tests/fixtures/tiny-splade}
N=${3:-3}
D=${4:-/tmp/shard-merge-timing}
rm -rf "$D"; mkdir -p "$D"
uptime
t() { local s=$(date +%s.%N); "$@"; echo "$(echo "$(date +%s.%N) - $s" | bc) s: ${*:2:3}"; }
t $CLI index --index "$D/full" --model "$M" --threads 2 --quiet "$IN"
shards=()
for ((k = 0; k < N; k++)); do
    t $CLI index --index "$D/shard-$k" --model "$M" --threads 2 --quiet --shard "$k/$N" "$IN"
    shards+=("$D/shard-$k")
done
t $CLI merge --index "$D/merged" --quiet "${shards[@]}"
du -sh "$D"/*
uptime
