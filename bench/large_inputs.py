#!/usr/bin/env python3
"""Large inputs (issue 18): time per pass, peak memory and the wall-time split of `vitscope-cli bench`
for DINOv2-S/14 with registers at 518 px (1,374 tokens) and DeiT-Small at 896 px (3,137 tokens),
keeping every layer's attention and keeping one layer's.

    /usr/bin/python3 bench/large_inputs.py [--runs 3] [--rounds 3] [--threads 0] [--keep all,11]

Needs build/app/cli/vitscope-cli (tools/build.sh) and numpy. The models are random weights written by
tools/make_random_vit.py into bench/work/ (nothing is downloaded; timings do not depend on the
values). Every round runs every row once as its own `bench` process (one warm-up + --runs passes),
rows alternating so that a noisy neighbour hurts all of them alike; the table gives the median over
the rounds of each figure (the min and max of ms/pass in brackets).
"""
import argparse
import os
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
CLI = os.path.join(REPO, "build", "app", "cli", "vitscope-cli")
WORK = os.path.join(HERE, "work")

# (row name, preset, --input-size or None for the model's own)
CASES = [
    ("DINOv2-S/14 reg4 518 px", "dinov2_reg_small", None),
    ("DeiT-Small 896 px", "deit_small", "896x896"),
]


def model_file(preset):
    path = os.path.join(WORK, "large_" + preset + ".safetensors")
    if not os.path.exists(path):
        os.makedirs(WORK, exist_ok=True)
        subprocess.run([sys.executable, os.path.join(REPO, "tools", "make_random_vit.py"), path, "--preset", preset],
                       check=True, cwd=os.path.join(REPO, "tools"))
    return path


def field(out, name):
    m = re.search(r"^" + re.escape(name) + r":\s*(.*)$", out, re.M)
    return m.group(1) if m else ""


def bench(path, size, keep, runs, threads):
    cmd = [CLI, "bench", path, "--runs", str(runs), "--threads", str(threads), "--keep-attention", keep]
    if size:
        cmd += ["--input-size", size]
    t0 = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True)
    process_s = time.monotonic() - t0
    if r.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd), r.stderr))
    out = r.stdout
    num = lambda s: float(re.search(r"[\d.]+", s).group(0))
    wall = field(out, "wall")
    return {
        "tokens": re.search(r"(\d+) tokens", field(out, "input")).group(1),
        "kept": field(out, "attention").replace("kept for ", ""),
        "median_ms": num(field(out, "median")),
        "trace_mb": num(field(out, "trace")),
        "peak_mb": num(field(out, "peak RSS")),
        "load_ms": num(re.search(r"load ([\d.]+)", wall).group(1)),
        "warmup_ms": num(re.search(r"warm-up pass ([\d.]+)", wall).group(1)),
        "passes_ms": float(re.search(r"\d+ timed passes ([\d.]+)", wall).group(1)),
        "wall_ms": num(wall),
        "process_s": process_s,
        "threads": field(out, "threads"),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=0, help="engine threads (0: all cores)")
    ap.add_argument("--keep", default="all,11",
                    help="--keep-attention values, one row each: 'all,11' or with lists 'all;0,11'")
    args = ap.parse_args()
    if not os.path.exists(CLI):
        sys.exit("build vitscope-cli first (tools/build.sh)")
    keeps = args.keep.split(";") if ";" in args.keep else args.keep.split(",")
    rows = [(name, preset, size, keep) for name, preset, size in CASES for keep in keeps]
    paths = {preset: model_file(preset) for _, preset, _ in CASES}
    results = {row: [] for row in rows}
    for _ in range(args.rounds):
        for row in rows:
            name, preset, size, keep = row
            results[row].append(bench(paths[preset], size, keep, args.runs, args.threads))
    print("| model | tokens | attention kept | ms/pass (median of %d runs; min-max over %d rounds) | trace MiB | "
          "peak RSS MiB | load ms | warm-up pass ms | timed passes ms | process wall s |" % (args.runs, args.rounds))
    print("|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        rs = results[row]
        med = lambda k: statistics.median(r[k] for r in rs)
        ms = [r["median_ms"] for r in rs]
        print("| %s | %s | %s | %.0f (%.0f-%.0f) | %.0f | %.0f | %.0f | %.0f | %.0f | %.1f |" % (
            row[0], rs[0]["tokens"], rs[0]["kept"], med("median_ms"), min(ms), max(ms), med("trace_mb"),
            med("peak_mb"), med("load_ms"), med("warmup_ms"), med("passes_ms"), med("process_s")))
    print("threads: %s" % results[rows[0]][0]["threads"])


if __name__ == "__main__":
    main()
