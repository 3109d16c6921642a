#!/usr/bin/env python3
"""Writes a randomly initialised ViT in timm naming (for benchmarks only; never committed).

    /usr/bin/python3 tools/make_random_vit.py OUT.safetensors [--preset vit_base_patch16_224]

Presets: deit_tiny (192/12/3), deit_small (384/12/6), vit_base (768/12/12); patch 16, 224x224, 1000
classes. dinov2_reg_small (384/12/6): DINOv2-S/14 with 4 registers and LayerScale at 518x518 (37x37
patches of 14 px + CLS + 4 registers = 1,374 tokens), a backbone without classifier, in timm's
naming (reg_token, blocks.N.ls1.gamma). Weights are N(0, 0.02) and LayerNorm weights 1: the timings
do not depend on the values.
"""
import argparse

import numpy as np

from safetensors_io import write_safetensors

PRESETS = {"deit_tiny": (192, 12, 3), "deit_small": (384, 12, 6), "vit_base": (768, 12, 12),
           "dinov2_reg_small": (384, 12, 6)}
# (patch, grid side, registers, LayerScale, classes) per preset; the rest are ViT/DeiT at 224.
SHAPES = {"dinov2_reg_small": (14, 37, 4, True, 0)}


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

    patch, grid, registers, layer_scale, classes = SHAPES.get(args.preset, (16, 14, 0, False, 1000))
    t["cls_token"] = w(1, 1, d)
    t["pos_embed"] = w(1, 1 + grid * grid, d)
    if registers:
        t["reg_token"] = w(1, registers, d)
    t["patch_embed.proj.weight"] = w(d, 3, patch, patch)
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
        if layer_scale:
            t[b + "ls1.gamma"] = np.full(d, 1e-5, np.float32)
            t[b + "ls2.gamma"] = np.full(d, 1e-5, np.float32)
    t["norm.weight"], t["norm.bias"] = np.ones(d, np.float32), np.zeros(d, np.float32)
    if classes:
        t["head.weight"], t["head.bias"] = w(classes, d), w(classes)

    write_safetensors(args.out, t, {"num_heads": heads, "preset": args.preset})


if __name__ == "__main__":
    main()
