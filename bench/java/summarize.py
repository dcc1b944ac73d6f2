#!/usr/bin/env python3
"""Summarizes a bench/java/side-by-side.sh log: one line per timed step (load, key figures, wall time, peak RSS)."""
import re
import sys

def main(path):
    block = None
    rows = []
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        m = re.match(r"=== (.*?)  (\d\d:\d\d:\d\d)  load: ([\d. ]+)", line)
        if m:
            block = {"name": m.group(1), "time": m.group(2), "load": m.group(3).split()[0], "figures": ""}
            rows.append(block)
            continue
        if block is None:
            continue
        if m := re.search(r"index: (\d+) docs in ([\d.]+) s = (\d+) docs/s.*index ([\d.]+) MB, (\d+) segments", line):
            block["figures"] = f"{m.group(3)} docs/s, {m.group(4)} MB, {m.group(5)} segments"
        elif m := re.search(r"first query ([\d.]+) ms; first-batch mean ([\d.]+) ms median ([\d.]+) p99 ([\d.]+); warm \(pass \d+\) mean ([\d.]+) ms median ([\d.]+)", line):
            block["figures"] = f"first {m.group(1)}; batch mean {m.group(2)} median {m.group(3)} p99 {m.group(4)}; warm mean {m.group(5)} median {m.group(6)}"
        elif m := re.search(r"latency mean ([\d.]+) ms, median ([\d.]+) ms, p99 ([\d.]+) ms", line):
            block["figures"] = f"batch mean {m.group(1)} median {m.group(2)} p99 {m.group(3)}"
        elif m := re.search(r"records added: ([\d,]+)", line):
            block["figures"] += f" added {m.group(1)}"
        elif m := re.search(r"([\d,]+) records, ([\d.,]+)/s, (\S+) elapsed$", line):
            block["cli_rate"] = f"{m.group(2)} docs/s (progress), {m.group(3)}"
        elif m := re.search(r"first query ([\d.]+) ms; first-batch mean ([\d.]+) ms; first 10 mean ([\d.]+) ms; warm median pruned ([\d.]+) ms exhaustive ([\d.]+) ms \(exhaustive/pruned ([\d.]+)x\).*identical (\d+/\d+).*segments pruned (\d+), exhaustive (\d+)", line):
            block["figures"] = (f"first {m.group(1)}; batch mean {m.group(2)}; warm median pruned {m.group(4)} exhaustive {m.group(5)} "
                                f"({m.group(6)}x); identical {m.group(7)}; segments pruned/exhaustive {m.group(8)}/{m.group(9)}")
        elif m := re.search(r"Elapsed \(wall clock\).*: (\S+)", line):
            block["wall"] = m.group(1)
        elif m := re.search(r"Maximum resident set size \(kbytes\): (\d+)", line):
            block["rss"] = f"{int(m.group(1)) / 1024:.0f} MB"
    for r in rows:
        extra = f" [{r['cli_rate']}]" if "cli_rate" in r else ""
        print(f"{r['time']} load {r['load']:>5}  {r['name']:<34} {r['figures']}{extra}  (wall {r.get('wall', '?')}, peak RSS {r.get('rss', '?')})")
    for line in open(path, encoding="utf-8"):
        if line.startswith("compare "):
            print(line.rstrip())

if __name__ == "__main__":
    main(sys.argv[1])
