#!/bin/bash
# Cold start A/B: main (70a37dc) vs cold2, library coldstart bench and CLI batches, fresh processes.
D=/work/bench-data/fast; M=/work/bench-data/m1
BM=/work/main/bench/Splade.Bench/bin/Release/net10.0/Splade.Bench
BC=/work/wt-cold2/bench/Splade.Bench/bin/Release/net10.0/Splade.Bench
q(){ case $1 in synthetic) echo $2/queries-seed42-synthetic-500.jsonl;; dl19) echo $2/queries-seed42-dl19-passage-shapes.jsonl;; bright) echo $2/queries-seed42-bright-biology-shapes.jsonl;; esac; }
echo "start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)"
for set in synthetic dl19 bright; do for k in 10 1000; do for v in main cold2; do
  B=$BM; [ $v = cold2 ] && B=$BC
  extra=""; [ $set != synthetic ] && extra="--query-vectors $( [ $set = dl19 ] && echo /work/main/bench/data/splade-query-vectors/topics.dl19-passage.splade-pp-ed.vectors.jsonl || echo /work/main/bench/data/splade-query-vectors/topics.bright-biology.splade-v3.vectors.jsonl)"
  echo "lib 200k $set k=$k $v: $($B coldstart --index $D/cli-tf-200000 --docs 200000 --k $k --queries 500 $extra --warm-up 2>&1 | grep -oE 'load [0-9. ]+:|warm-up [0-9]+ ms|first query [0-9.]+ ms|first 10 mean [0-9.]+ ms|warm median pruned [0-9.]+ ms|first query / warm median [0-9.]+x|identical [0-9/]+' | tr '\n' ' ')"
done; done; done
for docs in 200000 1000000; do
  I=$D/cli-tf-200000; QD=$D; [ $docs = 1000000 ] && I=$M/cli-tf-1000000 && QD=$M
  for set in synthetic dl19 bright; do for k in 10 1000; do for v in main cold2; do
    C=/tmp/main-cli/IndexPubMed; [ $v = cold2 ] && C=/tmp/cold2-cli/IndexPubMed
    out=$( { /usr/bin/time -f 'peak %M KB wall %e s' $C search --index $I --query-vectors $(q $set $QD) --depth $k --run /dev/null; } 2>&1 )
    echo "cli $docs $set k=$k $v: $(echo "$out" | grep -E '^splade:' | grep -oE 'mean [0-9.]+ ms|median [0-9.]+ ms|first [0-9.]+ ms|first 10 mean [0-9.]+ ms|warm-up [0-9]+ ms' | tr '\n' ' ') $(echo "$out" | grep -oE 'peak [0-9]+ KB wall [0-9.]+ s') load $(cut -d' ' -f1 /proc/loadavg)"
  done; done; done
done
echo "end $(date -u +%FT%TZ)"
