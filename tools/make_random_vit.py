#!/usr/bin/env python3
"""Writes a randomly initialised ViT in timm naming (for benchmarks only; never committed).

    /usr/bin/python3 tools/make_random_vit.py OUT.safetensors [--preset vit_base_patch16_224]

Presets: deit_tiny (192/12/3), deit_small (384/12/6), vit_base (768/12/12); patch 16, 224x224, 1000
classes. Weights are N(0, 0.02) and LayerNorm weights 1: the timings do not depend on the values.
"""
import argparse

import numpy as np

from safetensors_io import write_safetensors

PRESETS = {"deit_tiny": (192, 12, 3), "deit_small": (384, 12, 6), "vit_base": (768, 12, 12)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--preset", default="vit_base", choices=sorted(PRESETS))
    args = ap.parse_args()
    d, depth, heads = PRESETS[args.preset]
    rng = np.random.default_rng(0)
    t = {}

    def w(*shape):
        return (rng.standard_normal(shape, dtype=np.float32) * 0.02).astype(np.float32)

    t["cls_token"] = w(1, 1, d)
    t["pos_embed"] = w(1, 197, d)
    t["patch_embed.proj.weight"] = w(d, 3, 16, 16)
    t["patch_embed.proj.bias"] = w(d)
    for n in range(depth):
        b = f"blocks.{n}."
        for ln in ("norm1", "norm2"):
            t[b + ln + ".weight"] = np.ones(d, np.float32)
            t[b + ln + ".bias"] = np.zeros(d, np.float32)
        t[b + "attn.qkv.weight"], t[b + "attn.qkv.bias"] = w(3 * d, d), w(3 * d)
        t[b + "attn.proj.weight"], t[b + "attn.proj.bias"] = w(d, d), w(d)
        t[b + "mlp.fc1.weight"], t[b + "mlp.fc1.bias"] = w(4 * d, d), w(4 * d)
        t[b + "mlp.fc2.weight"], t[b + "mlp.fc2.bias"] = w(d, 4 * d), w(d)
    t["norm.weight"], t["norm.bias"] = np.ones(d, np.float32), np.zeros(d, np.float32)
    t["head.weight"], t["head.bias"] = w(1000, d), w(1000)

    write_safetensors(args.out, t, {"num_heads": heads, "preset": args.preset})


if __name__ == "__main__":
    main()
