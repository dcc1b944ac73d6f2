#!/bin/bash
# float32 vs int8 through the CLI as users run it: one fresh `encode` process per model, alternating, each under
# GNU time (wall seconds, peak RSS). Prints docs/s of the whole process and the int8/float32 ratio per round.
# Usage, from the repository root after `dotnet build -c Release samples/IndexPubMed`:
#   flock /tmp/splade-heavy.lock bench/scripts/int8_cli_ab.sh FLOAT_MODEL INT8_MODEL [DOCS] [ROUNDS] [WORKDIR]
# DOCS: how many SciFact documents (the first DOCS lines of tests/fixtures/scifact/corpus.jsonl.gz), default 160.
set -e
CLI="dotnet samples/IndexPubMed/bin/Release/net10.0/IndexPubMed.dll"
F=$1
Q=$2
N=${3:-160}
R=${4:-3}
D=${5:-/tmp/int8-cli-ab}
rm -rf "$D"; mkdir -p "$D"
zcat tests/fixtures/scifact/corpus.jsonl.gz | head -n "$N" > "$D/docs.jsonl"
uptime
run() { # label model round
    /usr/bin/time -f "%e %M" -o "$D/time-$1-$3" $CLI encode --model "$2" --input "$D/docs.jsonl" --output "$D/out-$1.jsonl" \
        --max-length 256 --batch-size 16 --threads 2 --quiet
    read -r wall rss < "$D/time-$1-$3"
    echo "$wall" > "$D/wall-$1-$3"
    printf 'round %s %-8s wall %7.2f s  %6.2f docs/s  peak RSS %5d MB\n' "$3" "$1" "$wall" "$(echo "$N / $wall" | bc -l)" "$((rss / 1024))"
}
for ((r = 1; r <= R; r++)); do
    if ((r % 2)); then order="float32 int8"; else order="int8 float32"; fi
    for v in $order; do
        if [ "$v" = float32 ]; then run float32 "$F" "$r"; else run int8 "$Q" "$r"; fi
    done
    printf 'round %s int8/float32 docs/s: %.2f\n' "$r" "$(echo "$(cat "$D/wall-float32-$r") / $(cat "$D/wall-int8-$r")" | bc -l)"
done
uptime
