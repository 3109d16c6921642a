#!/usr/bin/env python3
"""Times a saved PyTorch module (batch 1, fp32, no_grad).

    /usr/bin/python3 bench/torch_bench.py MODEL.pt THREADS RUNS
Prints one JSON line: {"median_ms": ..., "blas": ...}
"""
import json
import os
import sys
import time

import torch

# The ViTs were pickled from export_models.py run as a script: their class must be in __main__.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_models import ExplicitViT  # noqa: E402,F401

path, threads, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
torch.set_num_threads(threads)
model = torch.load(path).eval()
x = torch.randn(1, 3, 224, 224)
times = []
with torch.no_grad():
    model(x)
    for _ in range(runs):
        t0 = time.perf_counter()
        model(x)
        times.append((time.perf_counter() - t0) * 1e3)
times.sort()
blas = "unknown"
try:
    with open("/proc/self/maps") as f:
        libs = {l.split()[-1] for l in f if "blas" in l}
    blas = ",".join(sorted(libs))
except OSError:
    pass
print(json.dumps({"median_ms": times[len(times) // 2], "blas": blas}))
