#!/usr/bin/env python3
"""Convert PyTorch weights (pytorch_model.bin or a .pth checkpoint) into a folder vitscope opens:
config.json (+ preprocessor_config.json) + model.safetensors.

    python3 tools/convert_to_safetensors.py SOURCE OUT_FOLDER

SOURCE is a .bin/.pth file, a folder holding pytorch_model.bin (its config.json and
preprocessor_config.json are copied along), or a Hugging Face Hub id ORG/NAME[@REVISION] (the three
files are downloaded from $HF_ENDPOINT, default https://huggingface.co, with $HF_TOKEN when set).
Needs PyTorch (Debian: apt-get install python3-torch); uses the safetensors package when installed
and otherwise writes the format itself (an 8-byte header length, a JSON header, the raw tensors).
Checkpoints that nest their weights ("model", "state_dict", "teacher" as in DINO's .pth) are
unwrapped and a DistributedDataParallel "module." prefix is dropped. Nothing is executed from the
file beyond what torch.load does: load only checkpoints you trust (weights_only where available).
"""
import json
import os
import shutil
import sys
import urllib.error
import urllib.request


def fail(message):
    sys.exit("convert_to_safetensors: " + message)


def download(repo, revision, name, out_path, required):
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")
    url = "%s/%s/resolve/%s/%s" % (endpoint, repo, revision, name)
    request = urllib.request.Request(url, headers={"User-Agent": "vitscope-convert"})
    if os.environ.get("HF_TOKEN"):
        request.add_header("Authorization", "Bearer " + os.environ["HF_TOKEN"])
    try:
        with urllib.request.urlopen(request) as response, open(out_path + ".part", "wb") as out:
            shutil.copyfileobj(response, out, 1 << 20)
    except urllib.error.HTTPError as e:
        if e.code == 404 and not required:
            return False
        fail("%s: HTTP %d for %s (check the id; gated repos need HF_TOKEN)" % (repo, e.code, name))
    os.replace(out_path + ".part", out_path)
    return True


def load_state_dict(path):
    try:
        import torch
    except ImportError:
        fail("needs PyTorch (apt-get install python3-torch)")
    try:
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except TypeError:  # PyTorch < 1.13 has no weights_only
        obj = torch.load(path, map_location="cpu")
    for key in ("model", "state_dict", "teacher", "model_ema"):
        if isinstance(obj, dict) and isinstance(obj.get(key), dict):
            obj = obj[key]
            break
    if not isinstance(obj, dict):
        fail("%s: not a state dict (a %s)" % (path, type(obj).__name__))
    out = {}
    for name, value in obj.items():
        if not isinstance(value, torch.Tensor):
            continue
        if name.startswith("module."):
            name = name[len("module."):]
        out[name] = value.detach().clone().contiguous()  # clone: safetensors refuses shared storage
    if not out:
        fail("%s: holds no tensors" % path)
    return out


DTYPES = {"float32": "F32", "float16": "F16", "bfloat16": "BF16", "float64": "F64", "int64": "I64",
          "int32": "I32", "int16": "I16", "int8": "I8", "uint8": "U8", "bool": "BOOL"}


def write_safetensors(tensors, path):
    try:
        from safetensors.torch import save_file
        save_file(tensors, path + ".part", metadata={"format": "pt"})
    except ImportError:
        header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
        for name in sorted(tensors):
            t = tensors[name]
            dtype = DTYPES.get(str(t.dtype).replace("torch.", ""))
            if dtype is None:
                fail("tensor %s has dtype %s, which safetensors cannot store" % (name, t.dtype))
            # Raw little-endian bytes of any dtype (bfloat16 included) through a uint8 view.
            blob = t.reshape(-1).view(__import__("torch").uint8).numpy().tobytes() if t.numel() else b""
            header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
            blobs.append(blob)
            offset += len(blob)
        text = json.dumps(header, separators=(",", ":")).encode()
        text += b" " * (-len(text) % 8)
        with open(path + ".part", "wb") as out:
            out.write(len(text).to_bytes(8, "little"))
            out.write(text)
            for blob in blobs:
                out.write(blob)
    os.replace(path + ".part", path)


def main():
    if len(sys.argv) != 3 or sys.argv[1] in ("-h", "--help"):
        sys.exit(__doc__)
    source, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    downloaded = False
    if os.path.isfile(source):
        weights, side = source, os.path.dirname(os.path.abspath(source))
    elif os.path.isdir(source):
        weights, side = os.path.join(source, "pytorch_model.bin"), source
        if not os.path.isfile(weights):
            fail("%s: no pytorch_model.bin in this folder" % source)
    elif "/" in source:
        repo, _, revision = source.partition("@")
        side = out_dir
        download(repo, revision or "main", "config.json", os.path.join(out_dir, "config.json"), True)
        download(repo, revision or "main", "preprocessor_config.json",
                 os.path.join(out_dir, "preprocessor_config.json"), False)
        weights = os.path.join(out_dir, "pytorch_model.bin")
        download(repo, revision or "main", "pytorch_model.bin", weights, True)
        downloaded = True
    else:
        fail("%s: no such file or folder, and not a Hub id ORG/NAME" % source)
    for name in ("config.json", "preprocessor_config.json"):
        src, dst = os.path.join(side, name), os.path.join(out_dir, name)
        if os.path.isfile(src) and os.path.abspath(src) != os.path.abspath(dst):
            shutil.copyfile(src, dst)
    tensors = load_state_dict(weights)
    write_safetensors(tensors, os.path.join(out_dir, "model.safetensors"))
    if downloaded:
        os.remove(weights)  # downloaded only to be converted
    print("%s: %d tensors -> %s" % (source, len(tensors), os.path.join(out_dir, "model.safetensors")))
    print("open it with: vitscope --model %s   (or vitscope-cli info %s)" % (out_dir, out_dir))


if __name__ == "__main__":
    main()
