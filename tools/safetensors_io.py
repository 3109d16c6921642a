"""Float32 safetensors files for the Python tools (fixtures, training, benchmark export).

The format: an 8-byte little-endian header length, a JSON header (tensor name -> dtype, shape,
data_offsets; optional "__metadata__" of strings) padded with spaces to a multiple of 8, then the
raw little-endian data. Tensors are written in the order given, after the metadata.
"""
import json
import os
import struct

import numpy as np


def _f32(t):
    if hasattr(t, "detach"):  # a torch tensor
        t = t.detach().cpu().float().contiguous().numpy()
    return np.ascontiguousarray(np.asarray(t, dtype="<f4"))


def write_safetensors(path, tensors, metadata=None):
    """tensors: name -> torch tensor or numpy array (stored as F32); metadata: dict, values str()-ed."""
    header = {}
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    arrays, offset = [], 0
    for name, t in tensors.items():
        assert name != "__metadata__"
        a = _f32(t)
        header[name] = {"dtype": "F32", "shape": [int(s) for s in a.shape],
                        "data_offsets": [offset, offset + a.nbytes]}
        offset += a.nbytes
        arrays.append(a)
    h = json.dumps(header, separators=(",", ":")).encode("utf-8")
    h += b" " * (-len(h) % 8)
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for a in arrays:
            f.write(a.tobytes())


def read_safetensors(path):
    """name -> torch float32 tensor (F32 files only, as written above)."""
    import torch
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        if e["dtype"] != "F32":
            raise ValueError(f"{path}: tensor {name} is {e['dtype']}; only F32 is read here")
        b, end = e["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(data[b:end], dtype="<f4").copy().reshape(e["shape"]))
    return out
