#!/usr/bin/env python3
"""Exports the benchmark models, with identical weights, for vitscope, ONNX Runtime and PyTorch.

    /usr/bin/python3 bench/export_models.py WORKDIR [--shared ../shared]

For each model NAME it writes into WORKDIR:
    NAME.safetensors       weights for vitscope-cli (timm naming, num_heads in the metadata)
    NAME.onnx              opset 17, batch 1, 3x224x224 -> logits (explicit attention, no capture)
    NAME.pt                the same PyTorch module (torch.save of the whole module), for torch_bench.py
    NAME.check.json        an input and its PyTorch logits, to check ONNX Runtime's output

Models: deit_tiny (the real DeiT-Tiny from ../shared/models when present, else random), deit_small
and vit_base (random, N(0,0.02)), swin_t (torchvision's swin_t architecture, random weights).
torch's fused attention kernel does not export, so the ViTs are written here as plain modules with
explicit softmax(QK^T/sqrt(d))V attention; their logits are checked against torchvision's own
VisionTransformer carrying the same weights before anything is written.
"""
import argparse
import importlib.util
import json
import os
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)

sys.path.insert(0, os.path.join(REPO, "tools"))
from safetensors_io import read_safetensors, write_safetensors  # noqa: E402

VIT_PRESETS = {"deit_tiny": (192, 3), "deit_small": (384, 6), "vit_base": (768, 12)}


def random_vit_state(dim, seed):
    g = torch.Generator().manual_seed(seed)

    def w(*shape):
        return torch.randn(*shape, generator=g) * 0.02

    sd = {"cls_token": w(1, 1, dim), "pos_embed": w(1, 197, dim), "patch_embed.proj.weight": w(dim, 3, 16, 16),
          "patch_embed.proj.bias": w(dim)}
    for n in range(12):
        b = "blocks.%d." % n
        for ln in ("norm1", "norm2"):
            sd[b + ln + ".weight"] = 1 + w(dim)
            sd[b + ln + ".bias"] = w(dim)
        sd[b + "attn.qkv.weight"], sd[b + "attn.qkv.bias"] = w(3 * dim, dim), w(3 * dim)
        sd[b + "attn.proj.weight"], sd[b + "attn.proj.bias"] = w(dim, dim), w(dim)
        sd[b + "mlp.fc1.weight"], sd[b + "mlp.fc1.bias"] = w(4 * dim, dim), w(4 * dim)
        sd[b + "mlp.fc2.weight"], sd[b + "mlp.fc2.bias"] = w(dim, 4 * dim), w(dim)
    sd["norm.weight"], sd["norm.bias"] = 1 + w(dim), w(dim)
    sd["head.weight"], sd["head.bias"] = w(1000, dim), w(1000)
    return sd


class ExplicitViT(nn.Module):
    """A timm-style ViT whose attention is written out (exports to plain ONNX ops)."""

    def __init__(self, sd, heads):
        super().__init__()
        self.heads = heads
        self.p = nn.ParameterDict({k.replace(".", "__"): nn.Parameter(v.clone(), requires_grad=False)
                                   for k, v in sd.items()})
        self.depth = sum(1 for k in sd if k.endswith("attn.qkv.weight"))

    def g(self, name):
        return self.p[name.replace(".", "__")]

    def forward(self, x):
        x = F.conv2d(x, self.g("patch_embed.proj.weight"), self.g("patch_embed.proj.bias"), stride=16)
        x = x.flatten(2).transpose(1, 2)                                   # [1, 196, D]
        x = torch.cat([self.g("cls_token"), x], dim=1) + self.g("pos_embed")  # [1, 197, D]
        D = x.shape[-1]
        dh = D // self.heads
        for n in range(self.depth):
            b = "blocks.%d." % n
            h = F.layer_norm(x, (D,), self.g(b + "norm1.weight"), self.g(b + "norm1.bias"), 1e-6)
            qkv = F.linear(h, self.g(b + "attn.qkv.weight"), self.g(b + "attn.qkv.bias"))
            qkv = qkv.reshape(1, -1, 3, self.heads, dh).permute(2, 0, 3, 1, 4)  # [3, 1, H, N, dh]
            q, k, v = qkv[0], qkv[1], qkv[2]
            a = torch.softmax((q * dh ** -0.5) @ k.transpose(-2, -1), dim=-1)    # [1, H, N, N]
            o = (a @ v).transpose(1, 2).reshape(1, -1, D)
            x = x + F.linear(o, self.g(b + "attn.proj.weight"), self.g(b + "attn.proj.bias"))
            h = F.layer_norm(x, (D,), self.g(b + "norm2.weight"), self.g(b + "norm2.bias"), 1e-6)
            h = F.gelu(F.linear(h, self.g(b + "mlp.fc1.weight"), self.g(b + "mlp.fc1.bias")))
            x = x + F.linear(h, self.g(b + "mlp.fc2.weight"), self.g(b + "mlp.fc2.bias"))
        x = F.layer_norm(x, (D,), self.g("norm.weight"), self.g("norm.bias"), 1e-6)
        return F.linear(x[:, 0], self.g("head.weight"), self.g("head.bias"))


def torchvision_vit(sd, heads):
    """torchvision's own VisionTransformer with the same weights (the independent check)."""
    dim = sd["cls_token"].shape[-1]
    m = torchvision.models.vision_transformer.VisionTransformer(224, 16, 12, heads, dim, 4 * dim, num_classes=1000)
    t = {"class_token": sd["cls_token"], "conv_proj.weight": sd["patch_embed.proj.weight"],
         "conv_proj.bias": sd["patch_embed.proj.bias"], "encoder.pos_embedding": sd["pos_embed"],
         "encoder.ln.weight": sd["norm.weight"], "encoder.ln.bias": sd["norm.bias"],
         "heads.head.weight": sd["head.weight"], "heads.head.bias": sd["head.bias"]}
    for n in range(12):
        b, l = "blocks.%d." % n, "encoder.layers.encoder_layer_%d." % n
        for src, dst in (("norm1", "ln_1"), ("norm2", "ln_2"), ("attn.qkv", "self_attention.in_proj"),
                         ("attn.proj", "self_attention.out_proj"), ("mlp.fc1", "mlp.0"), ("mlp.fc2", "mlp.3")):
            if dst == "self_attention.in_proj":
                t[l + "self_attention.in_proj_weight"] = sd[b + src + ".weight"]
                t[l + "self_attention.in_proj_bias"] = sd[b + src + ".bias"]
            else:
                t[l + dst + ".weight"] = sd[b + src + ".weight"]
                t[l + dst + ".bias"] = sd[b + src + ".bias"]
    m.load_state_dict(t)
    return m.eval()


def swin_t_model(workdir):
    """torchvision's swin_t with random weights, and the same weights in timm naming for vitscope."""
    spec = importlib.util.spec_from_file_location("swin_fixtures", os.path.join(REPO, "tools", "make_swin_fixtures.py"))
    fx = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fx)
    model = fx.make_torchvision_model(fx.SWIN_T).eval()
    parts = fx.torchvision_parts(fx.SWIN_T, {k: v.clone() for k, v in model.state_dict().items()})
    write_safetensors(os.path.join(workdir, "swin_t.safetensors"), fx.timm_state_dict(parts), {})
    return model


def export(name, model, workdir, check_against=None):
    torch.manual_seed(0)
    x = torch.randn(1, 3, 224, 224)
    with torch.no_grad():
        y = model(x)
        if check_against is not None:
            err = (check_against(x) - y).abs().max().item()
            assert err < 1e-4, "%s: explicit-attention module differs from torchvision by %g" % (name, err)
            print("%s: explicit attention matches torchvision (max |diff| %.2g)" % (name, err))
    torch.onnx.export(model, x, os.path.join(workdir, name + ".onnx"), opset_version=17,
                      input_names=["pixels"], output_names=["logits"])
    torch.save(model, os.path.join(workdir, name + ".pt"))
    with open(os.path.join(workdir, name + ".check.json"), "w") as f:
        json.dump({"input": x.flatten().tolist(), "logits": y.flatten().tolist()}, f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("workdir")
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    ap.add_argument("--models", default="deit_tiny,deit_small,vit_base,swin_t")
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    torch.set_num_threads(2)
    for name in args.models.split(","):
        if name == "swin_t":
            export(name, swin_t_model(args.workdir), args.workdir)
            continue
        dim, heads = VIT_PRESETS[name]
        real = os.path.join(args.shared, "models", "deit-tiny-patch16-224", "model.safetensors")
        if name == "deit_tiny" and os.path.exists(real):
            sd = read_safetensors(real)
            print("deit_tiny: the real DeiT-Tiny weights from", real)
        else:
            sd = random_vit_state(dim, seed=len(name))
        write_safetensors(os.path.join(args.workdir, name + ".safetensors"), sd, {"num_heads": str(heads)})
        tv = torchvision_vit(sd, heads)
        export(name, ExplicitViT(sd, heads).eval(), args.workdir, check_against=tv)


if __name__ == "__main__":
    main()
