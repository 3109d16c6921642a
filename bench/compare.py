#!/usr/bin/env python3
"""vitscope vs ONNX Runtime vs PyTorch, same weights, same CPU, alternating engines over rounds.

    /usr/bin/python3 bench/compare.py [--threads 2,1] [--rounds 5] [--runs 20] [--models ...]

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
import re
import statistics
import subprocess
import sys

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


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threads", default="2,1")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--models", default="deit_tiny,deit_small,vit_base,swin_t")
    args = ap.parse_args()
    models = args.models.split(",")

    if not os.path.exists(os.path.join(HERE, "node_modules", "onnxruntime-node")):
        subprocess.run(["npm", "install", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=HERE, check=True)
    missing = [m for m in models if not os.path.exists(os.path.join(WORK, m + ".onnx"))]
    if missing:
        subprocess.run(["/usr/bin/python3", os.path.join(HERE, "export_models.py"), WORK, "--models",
                        ",".join(missing)], check=True)

    torch_env = dict(os.environ, LD_LIBRARY_PATH=OPENBLAS_OMP)
    results = {}  # (model, threads, engine) -> [medians]
    checks = {}
    for threads in [int(t) for t in args.threads.split(",")]:
        env = dict(os.environ, OMP_NUM_THREADS=str(threads))
        for rnd in range(args.rounds):
            for m in models:
                out = run([CLI, "bench", os.path.join(WORK, m + ".safetensors"), "--threads", str(threads), "--runs",
                           str(args.runs)], env)
                ms = float(re.search(r"median:\s+([\d.]+) ms", out).group(1))
                results.setdefault((m, threads, "vitscope"), []).append(ms)
                o = json.loads(run(["node", os.path.join(HERE, "ort_bench.mjs"), os.path.join(WORK, m + ".onnx"),
                                    os.path.join(WORK, m + ".check.json"), str(threads), str(args.runs)], env))
                results.setdefault((m, threads, "ort"), []).append(o["median_ms"])
                checks[m] = (o["max_abs_diff"], o["version"])
                t = json.loads(run(["/usr/bin/python3", os.path.join(HERE, "torch_bench.py"),
                                    os.path.join(WORK, m + ".pt"), str(threads), str(args.runs)],
                                   dict(torch_env, OMP_NUM_THREADS=str(threads))))
                results.setdefault((m, threads, "torch"), []).append(t["median_ms"])
                checks["torch_blas"] = t["blas"]
            print("threads %d round %d/%d done" % (threads, rnd + 1, args.rounds), file=sys.stderr)

    print("date: %s" % datetime.date.today().isoformat())
    print("cpu: %s, %d cores" % (cpu_model(), os.cpu_count()))
    print("OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s" % (os.environ.get("OPENBLAS_CORETYPE", "(unset)"),
                                                       os.environ.get("OPENBLAS_L2_SIZE", "(unset)")))
    print("onnxruntime-node %s; PyTorch BLAS: %s" % (checks[models[0]][1], checks.get("torch_blas")))
    print("ONNX output vs PyTorch, max |diff| of logits: " +
          ", ".join("%s %.1e" % (m, checks[m][0]) for m in models))
    print("medians over %d rounds of %d runs (ms); vitscope keeps every attention map" % (args.rounds, args.runs))
    print()
    print("| model | threads | ONNX Runtime | PyTorch | vitscope | vitscope / ORT | vitscope / PyTorch |")
    print("|---|---|---|---|---|---|---|")
    for threads in [int(t) for t in args.threads.split(",")]:
        for m in models:
            ort = statistics.median(results[(m, threads, "ort")])
            tor = statistics.median(results[(m, threads, "torch")])
            vs = statistics.median(results[(m, threads, "vitscope")])
            print("| %s | %d | %.2f | %.2f | %.2f | %.2fx | %.2fx |" % (m, threads, ort, tor, vs, vs / ort, vs / tor))


if __name__ == "__main__":
    main()
