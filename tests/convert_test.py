#!/usr/bin/env python3
"""test_convert: tools/convert_to_safetensors.py on a PyTorch checkpoint made here.

The embedded default model's weights are written as a pytorch_model.bin (torch.save of the state
dict read from its model.safetensors), converted back with the tool, and vitscope-cli must predict
exactly the same top-5 from the converted folder as from the original. Prints "SKIP: ..." and
exits 0 without PyTorch (CTest counts it as skipped).

    convert_test.py VITSCOPE_CLI REPO_ROOT WORK_DIR
"""
import json
import os
import shutil
import struct
import subprocess
import sys


def main():
    cli, root, work = sys.argv[1:4]
    try:
        import numpy as np
        import torch
    except ImportError as e:
        print("SKIP: PyTorch or NumPy is not installed (%s); apt-get install python3-torch" % e)
        return 0
    model = os.path.join(root, "assets", "models", "vitscope-vit-tiny")
    image = os.path.join(root, "assets", "images", "default.png")
    shutil.rmtree(work, ignore_errors=True)
    src, out = os.path.join(work, "src"), os.path.join(work, "out")
    os.makedirs(src)
    shutil.copy(os.path.join(model, "config.json"), src)
    with open(os.path.join(model, "model.safetensors"), "rb") as f:
        blob = f.read()
    n = struct.unpack("<Q", blob[:8])[0]
    header = json.loads(blob[8:8 + n])
    data = blob[8 + n:]
    dtypes = {"F32": np.float32, "F16": np.float16}
    state = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        start, end = t["data_offsets"]
        array = np.frombuffer(data[start:end], dtype=dtypes[t["dtype"]]).reshape(t["shape"]).copy()
        state[name] = torch.from_numpy(array)
    torch.save(state, os.path.join(src, "pytorch_model.bin"))

    tool = os.path.join(root, "tools", "convert_to_safetensors.py")
    done = subprocess.run([sys.executable, tool, src, out], capture_output=True, text=True)
    if done.returncode != 0:
        print("convert failed:\n" + done.stdout + done.stderr)
        return 1
    if not os.path.exists(os.path.join(out, "model.safetensors")):
        print("no model.safetensors in " + out)
        return 1

    def top5(folder):
        r = subprocess.run([cli, "predict", folder, image], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit("predict %s failed: %s" % (folder, r.stderr))
        return [line for line in r.stdout.splitlines() if line.strip()[:2] in ("1.", "2.", "3.", "4.", "5.")]

    original, converted = top5(model), top5(out)
    if len(original) != 5 or original != converted:
        print("top-5 differ:\n%s\n---\n%s" % ("\n".join(original), "\n".join(converted)))
        return 1
    print("converted %d tensors; top-5 identical:\n%s" % (len(state), "\n".join(converted)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
