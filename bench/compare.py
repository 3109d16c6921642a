#!/usr/bin/env python3
"""vitscope vs ONNX Runtime vs PyTorch, same weights, same CPU, alternating engines over rounds.

    /usr/bin/python3 bench/compare.py [--threads 2,1] [--rounds 5] [--runs 20] [--models ...] [--load 0,1,2]
                                      [--no-torch]

--load N[,N...]: measure with N busy co-runner processes (shell busy loops, one core each when the
machine has fewer than N idle cores) started before each round of that level and stopped after it
by the harness itself, each bounded by --load-timeout seconds even if the harness dies; 0 is a
quiet machine. One table holds every level, so loaded and quiet figures come from one run. Every
round runs every (thread count, model, engine) once, in a shuffled order of its own: whether the
scheduler puts a co-runner beside our thread changes a loaded figure by up to 2x, and that
placement drifts as a round goes on, so no run may always come first.

Needs: build/app/cli/vitscope-cli (tools/build.sh), Debian's python3-torch + python3-torchvision,
libopenblas0-openmp, node + npm. First run: `npm install --ignore-scripts` in bench/ (the package's
postinstall tries to download GPU binaries; the CPU binary ships inside the package) and the export
into bench/work/ are done for you. PyTorch is pointed at the OpenMP OpenBLAS through
LD_LIBRARY_PATH (Debian's torch otherwise links whatever libblas.so.3 the alternatives select,
possibly the slow reference BLAS). Prints one table of medians (ms) and ratios.
"""
import argparse
import datetime
import json
import os
import platform
import random
import re
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work")
CLI = os.path.join(REPO, "build", "app", "cli", "vitscope-cli")
OPENBLAS_OMP = "/usr/lib/x86_64-linux-gnu/openblas-openmp"


def run(cmd, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd), r.stdout, r.stderr))
    return r.stdout


def start_load(n, timeout_s):
    """n busy co-runners (bounded in time by coreutils' timeout), already spinning when this returns."""
    procs = [subprocess.Popen(["timeout", str(timeout_s), "sh", "-c", "while :; do :; done"]) for _ in range(n)]
    time.sleep(0.5 if n else 0)
    return procs


def stop_load(procs):
    for p in procs:
        p.terminate()
    for p in procs:
        p.wait()


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def measure(models, thread_counts, rounds, runs, load, results, checks, with_torch=True, load_timeout=3600):
    """Every engine on every model at every thread count, `rounds` times; medians into
    results[(m, t, engine, load)]. Under load, where the scheduler has put the co-runners (beside our
    caller or on the other core) decides a figure (up to 2x), and that placement changes as a round
    goes on, so: the co-runners start afresh every round and settle for 2 s, and every round runs its
    (thread count, model, engine) runs in its own shuffled order, the same for every load level.
    (The first version ran all of 2 threads, then all of 1, vitscope always before ONNX Runtime: it
    compared different placements.)"""
    torch_env = dict(os.environ, LD_LIBRARY_PATH=OPENBLAS_OMP)
    engines = ["vitscope", "ort"] + (["torch"] if with_torch else [])
    for rnd in range(rounds):
        jobs = [(t, m, e) for t in thread_counts for m in models for e in engines]
        random.Random(rnd).shuffle(jobs)
        co_runners = start_load(load, load_timeout)
        try:
            if load:
                time.sleep(2)
            for threads, m, engine in jobs:
                measure_one(m, threads, engine, runs, load, results, checks, torch_env)
        finally:
            stop_load(co_runners)
        print("load %d round %d/%d done" % (load, rnd + 1, rounds), file=sys.stderr)


def measure_one(m, threads, engine, runs, load, results, checks, torch_env):
    env = dict(os.environ, OMP_NUM_THREADS=str(threads))
    if engine == "vitscope":
        out = run([CLI, "bench", os.path.join(WORK, m + ".safetensors"), "--threads", str(threads), "--runs",
                   str(runs)], env)
        ms = float(re.search(r"median:\s+([\d.]+) ms", out).group(1))
        results.setdefault((m, threads, "vitscope", load), []).append(ms)
    elif engine == "ort":
        o = json.loads(run(["node", os.path.join(HERE, "ort_bench.mjs"), os.path.join(WORK, m + ".onnx"),
                            os.path.join(WORK, m + ".check.json"), str(threads), str(runs)], env))
        results.setdefault((m, threads, "ort", load), []).append(o["median_ms"])
        checks[m] = (o["max_abs_diff"], o["version"])
    else:
        t = json.loads(run(["/usr/bin/python3", os.path.join(HERE, "torch_bench.py"),
                            os.path.join(WORK, m + ".pt"), str(threads), str(runs)],
                           dict(torch_env, OMP_NUM_THREADS=str(threads))))
        results.setdefault((m, threads, "torch", load), []).append(t["median_ms"])
        checks["torch_blas"] = t["blas"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="2,1")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--models", default="deit_tiny,deit_small,vit_base,swin_t")
    ap.add_argument("--load", default="0", help="co-runner counts, e.g. 0,1,2")
    ap.add_argument("--load-timeout", type=int, default=3600)
    ap.add_argument("--no-torch", action="store_true", help="ONNX Runtime and vitscope only (quicker)")
    args = ap.parse_args()
    models = args.models.split(",")
    loads = [int(n) for n in args.load.split(",")]

    if not os.path.exists(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    missing = [m for m in models if not os.path.exists(os.path.join(WORK, m + ".onnx"))]
    if missing:
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "export_models.py"), WORK, "--models",
                        ",".join(missing)], check=True)

    results = {}  # (model, threads, engine, load) -> [medians]
    checks = {}
    for load in loads:
        measure(models, [int(t) for t in args.threads.split(",")], args.rounds, args.runs, load, results, checks,
                not args.no_torch, args.load_timeout)

    print("date: %s" % datetime.date.today().isoformat())
    print("cpu: %s, %d cores" % (cpu_model(), os.cpu_count()))
    print("OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s" % (os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
                                                       os.environ.get("OPENBLAS_L2_SIZE", "(unset)")))
    print("onnxruntime-node %s; PyTorch BLAS: %s" % (checks[models[0]][1], checks.get("torch_blas", "(not run)")))
    print("ONNX output vs PyTorch, max |diff| of logits: " +
          ", ".join("%s %.1e" % (m, checks[m][0]) for m in models))
    print("medians over %d rounds of %d runs (ms); vitscope keeps every attention map" % (args.rounds, args.runs))
    print()
    print("command: %s" % " ".join(sys.argv))
    print("load: busy co-runner processes during the measurement (0 = quiet)")
    print()
    print("| model | load | threads | ONNX Runtime | PyTorch | vitscope | vitscope / ORT | vitscope / PyTorch |"
          " vitscope / its 1 thread |")
    print("|---|---|---|---|---|---|---|---|---|")
    thread_counts = [int(t) for t in args.threads.split(",")]
    for load in loads:
        for threads in thread_counts:
            for m in models:
                ort = statistics.median(results[(m, threads, "ort", load)])
                vs = statistics.median(results[(m, threads, "vitscope", load)])
                tor = statistics.median(results[(m, threads, "torch", load)]) if not args.no_torch else None
                own1 = statistics.median(results[(m, 1, "vitscope", load)]) if 1 in thread_counts else None
                print("| %s | %d | %d | %.2f | %s | %.2f | %.2fx | %s | %s |" % (
                    m, load, threads, ort, "%.2f" % tor if tor else "-", vs, vs / ort,
                    "%.2fx" % (vs / tor) if tor else "-", "%.2fx" % (vs / own1) if own1 and threads != 1 else "-"))


if __name__ == "__main__":
    main()
