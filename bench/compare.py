#!/usr/bin/env python3
"""vitscope vs ONNX Runtime vs PyTorch, same weights, same CPU, alternating engines over rounds.

    /usr/bin/python3 bench/compare.py [--threads 2,1] [--rounds 5] [--runs 20] [--models ...]
                                      [--load 0,1,2,mix] [--no-torch]

--load N[,N...]: measure with N busy co-runner processes (shell busy loops, one core each when the
machine has fewer than N idle cores) started before each round of that level and stopped after it
by the harness itself, each bounded by --load-timeout seconds even if the harness dies; 0 is a
quiet machine; `mix` is a heavier, burstier load: a compile loop (g++ over four engine sources,
a new compiler process every second or so) and a GUI app redrawing all the time (glxgears on
Xvfb, drawn by Mesa's llvmpipe: needs xvfb and mesa-utils). One table holds every level, so loaded
and quiet figures come from one run. The last column gives vitscope against its own 1 thread as
the ratio of the medians and, since the rounds under load differ by up to 2x, as the median and
range of the ratios within each round. Every round runs every (thread count, model, engine) once,
in a shuffled order of its own: whether the scheduler puts a co-runner beside our thread changes a
loaded figure by up to 2x, and that placement drifts as a round goes on, so no run may always come
first.

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
import signal
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


# The "mix" load: what a lecturer's laptop runs beside us, a build and a GUI app redrawing all the
# time. The build compiles four of the engine's own sources over and over (a new g++ process every
# second or so, as make runs them); the GUI app is glxgears on a virtual X server, drawn by Mesa's
# software renderer (llvmpipe, which starts a render thread per core).
COMPILE_LOOP = ("cd %s && while :; do for f in json safetensors thread_pool model_loader; do "
                "g++ -std=c++20 -O2 -I engine -c engine/$f.cpp -o /dev/null; done; done" % REPO)
GUI_APP = "xvfb-run -a glxgears"


def load_label(load):
    return "compile + GUI" if load == "mix" else str(load)


def start_load(load, timeout_s):
    """The co-runners of one load level, each bounded in time by coreutils' timeout and in a process
    group of its own (stop_load ends the whole group): `load` busy shell loops, or "mix" (a compile
    loop and a GUI app). Already running when this returns."""
    commands = [COMPILE_LOOP, GUI_APP] if load == "mix" else ["while :; do :; done"] * load
    procs = [subprocess.Popen(["timeout", str(timeout_s), "sh", "-c", c], start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for c in commands]
    time.sleep(0.5 if commands else 0)
    return procs


def stop_load(procs):
    for p in procs:
        try:
            os.killpg(p.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
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
            if load != 0:
                time.sleep(2)
            for threads, m, engine in jobs:
                measure_one(m, threads, engine, runs, load, results, checks, torch_env)
        finally:
            stop_load(co_runners)
        print("load %s round %d/%d done" % (load_label(load), rnd + 1, rounds), file=sys.stderr)


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


def round_ratios(results, m, threads, load):
    """vitscope at `threads` against its own 1 thread, round by round (both runs of a round share
    that round's co-runners)."""
    return [a / b for a, b in zip(results[(m, threads, "vitscope", load)], results[(m, 1, "vitscope", load)])]


def own_thread_ratio(results, m, threads, load):
    """vitscope at `threads` against its own 1 thread: the ratio of the medians, then the median and
    the range of the ratios within each round (under load the rounds differ by up to 2x, so the
    range says how far one cell can be trusted)."""
    many = results[(m, threads, "vitscope", load)]
    one = results[(m, 1, "vitscope", load)]
    per_round = sorted(round_ratios(results, m, threads, load))
    return "%.2fx (rounds: median %.2fx, %.2f-%.2f)" % (statistics.median(many) / statistics.median(one),
                                                          statistics.median(per_round), per_round[0], per_round[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="2,1")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--models", default="deit_tiny,deit_small,vit_base,swin_t")
    ap.add_argument("--load", default="0",
                    help="load levels: busy co-runner counts and/or 'mix' (a compile loop and a GUI app), e.g. 0,1,2,mix")
    ap.add_argument("--load-timeout", type=int, default=3600)
    ap.add_argument("--no-torch", action="store_true", help="ONNX Runtime and vitscope only (quicker)")
    ap.add_argument("--raw", metavar="FILE", help="also write every round's median, per engine, model, thread"
                    " count and load, to FILE (JSON)")
    args = ap.parse_args()
    models = args.models.split(",")
    loads = [n if n == "mix" else int(n) for n in args.load.split(",")]
    thread_counts = [int(t) for t in args.threads.split(",")]

    if not os.path.exists(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    missing = [m for m in models if not os.path.exists(os.path.join(WORK, m + ".onnx"))]
    if missing:
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "export_models.py"), WORK, "--models",
                        ",".join(missing)], check=True)

    results = {}  # (model, threads, engine, load) -> [medians]
    checks = {}
    for load in loads:
        measure(models, thread_counts, args.rounds, args.runs, load, results, checks,
                not args.no_torch, args.load_timeout)
    if args.raw:
        with open(args.raw, "w") as f:
            json.dump([{"model": m, "threads": t, "engine": e, "load": load_label(ld), "round_medians_ms": v}
                       for (m, t, e, ld), v in sorted(results.items(), key=str)], f, indent=1)

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
    print("load: busy co-runner processes during the measurement (0 = quiet; compile + GUI = a g++ loop over"
          " engine sources and glxgears under Xvfb)")
    print()
    print("| model | load | threads | ONNX Runtime | PyTorch | vitscope | vitscope / ORT | vitscope / PyTorch |"
          " vitscope / its 1 thread |")
    print("|---|---|---|---|---|---|---|---|---|")
    for load in loads:
        for threads in thread_counts:
            for m in models:
                ort = statistics.median(results[(m, threads, "ort", load)])
                vs = statistics.median(results[(m, threads, "vitscope", load)])
                tor = statistics.median(results[(m, threads, "torch", load)]) if not args.no_torch else None
                print("| %s | %s | %d | %.2f | %s | %.2f | %.2fx | %s | %s |" % (
                    m, load_label(load), threads, ort, "%.2f" % tor if tor else "-", vs, vs / ort,
                    "%.2fx" % (vs / tor) if tor else "-",
                    own_thread_ratio(results, m, threads, load) if 1 in thread_counts and threads != 1 else "-"))
    print_pooled_own_thread_ratios(results, models, thread_counts, loads)


def print_pooled_own_thread_ratios(results, models, thread_counts, loads):
    """One figure per load level for "never slower than its own 1 thread": the geometric mean, over
    every model and round, of the round's ratio (both runs of a round share its co-runners), with the
    share of rounds where the default was the slower. Under load one cell of 5-10 rounds swings by
    +-30%; all four models' rounds together say whether there is a bias at all."""
    if 1 not in thread_counts:
        return
    print()
    print("vitscope at its default against its own 1 thread, all models' rounds pooled:")
    for threads in [t for t in thread_counts if t != 1]:
        for load in loads:
            ratios = [r for m in models for r in round_ratios(results, m, threads, load)]
            print("  load %s, %d threads: geometric mean %.2fx over %d rounds; slower than 1 thread in %d of them" % (
                load_label(load), threads, statistics.geometric_mean(ratios), len(ratios), sum(r > 1 for r in ratios)))


if __name__ == "__main__":
    main()
