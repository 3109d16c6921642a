#!/usr/bin/env python3
"""Generate the small Swin Transformer (v1) test fixtures under tests/data/swin/.

Regenerate (from the repository root, with Debian's python3-torch 1.13 and
python3-torchvision 0.14):

    /usr/bin/python3 tools/make_swin_fixtures.py
    /usr/bin/python3 tools/make_swin_fixtures.py --swin-t OUTDIR   # full-size, random weights

Deterministic: fixed seeds, float32, one CPU thread.

The reference is torchvision's own torchvision.models.swin_transformer.SwinTransformer
(code we did not write), with every tensor initialised at random (LayerNorm weights
1+0.1*randn, biases 0.05*randn, relative position bias tables 0.5*randn, linear/conv
weights randn/sqrt(fan_in)). This script also holds a plain re-implementation of the
forward pass (its own window partition, roll, region map and -100 mask); it is asserted
to reproduce torchvision's logits and every attention block's output to 1e-6 before
anything is written, and the attention probabilities are taken from it.

Fixtures (tests/data/swin/):

* swin_tiny: embed 8, depths [2,2], heads [2,4], window 7, mlp_ratio 4, 10 classes,
  input 56x56: stage 0 is 14x14 (4 windows, block 1 shifted by 3), stage 1 is 7x7
  (one full window; no shift because the map is not larger than the window).
* swin_pad: embed 6, depths [2,2,2], heads [2,2,4], window 3, mlp_ratio 2, 5 classes,
  input 40x48 (HxW, not square): stage 0 is 10x12 padded to 12x12, stage 1 is 5x6
  (patch merging pads 10x12 -> 5x6, no padding; 5x6 windows pad to 6x6), stage 2 is
  3x3 (merging pads 5x6 -> 6x6): one full window, no shift.

Each fixture NAME is written as
    NAME_hf/{config.json, model.safetensors}   Hugging Face SwinForImageClassification
    NAME_timm.safetensors                       timm >= 0.9 (downsample at the start of a stage, head.fc)
    NAME_ms.safetensors                         Microsoft release / old timm (downsample at the end
                                                of a stage, head; also the relative_position_index and
                                                attn_mask buffers, stored as F32, which loaders ignore)
    NAME_expected.safetensors                   reference outputs:
        input [3,H,W], logits [C], features [C_last] (pooled, after the final norm),
        attn.S.B [nW, heads, M*M, M*M]  softmax probabilities of stage S block B
        mask.S.B [nW, M*M, M*M]         additive shift mask (0 / -100), shifted blocks only
        regions.S.B [Hp, Wp]            region ids of the shifted configuration, shifted blocks only
        bias.S.B [heads, M*M, M*M]      relative position bias (swin_pad only, to stay small)
    metadata: window/shift/padded size per block ("geometry.S.B" = "M,shift,Hp,Wp").
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F
from torchvision.models.swin_transformer import SwinTransformer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import write_safetensors  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "tests", "data", "swin")

NATO = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india", "juliett"]

TINY = dict(name="swin_tiny", embed=8, depths=[2, 2], heads=[2, 4], window=7, mlp_ratio=4.0, classes=10,
            height=56, width=56, seed=11)
PAD = dict(name="swin_pad", embed=6, depths=[2, 2, 2], heads=[2, 2, 4], window=3, mlp_ratio=2.0, classes=5,
           height=40, width=48, seed=12, store_bias=True)
SWIN_T = dict(name="swin_t", embed=96, depths=[2, 2, 6, 2], heads=[3, 6, 12, 24], window=7, mlp_ratio=4.0,
              classes=1000, height=224, width=224, seed=13)


# --------------------------------------------------------------------------
# torchvision model with every tensor random
# --------------------------------------------------------------------------

def make_torchvision_model(cfg):
    torch.manual_seed(cfg["seed"])
    model = SwinTransformer(patch_size=[4, 4], embed_dim=cfg["embed"], depths=cfg["depths"],
                            num_heads=cfg["heads"], window_size=[cfg["window"]] * 2,
                            mlp_ratio=cfg["mlp_ratio"], stochastic_depth_prob=0.0,
                            num_classes=cfg["classes"])
    sd = model.state_dict()
    new = {}
    for k, v in sd.items():
        if k.endswith("relative_position_index"):
            new[k] = v
        elif k.endswith("relative_position_bias_table"):
            new[k] = 0.5 * torch.randn(v.shape)
        elif v.dim() == 1 and (".norm" in k or k.startswith("norm.") or k.startswith("features.0.2.")) \
                and k.endswith("weight"):
            new[k] = 1.0 + 0.1 * torch.randn(v.shape)
        elif v.dim() == 1:
            new[k] = 0.05 * torch.randn(v.shape)
        else:
            fan_in = v[0].numel()
            new[k] = torch.randn(v.shape) / math.sqrt(fan_in)
    model.load_state_dict(new)
    model.eval()
    for k, v in model.state_dict().items():
        assert k.endswith("relative_position_index") or v.abs().max() > 0, k
    return model


def torchvision_parts(cfg, sd):
    """torchvision state dict -> a neutral description (per stage: blocks, downsample)."""
    S = len(cfg["depths"])
    parts = {"patch_proj": (sd["features.0.0.weight"], sd["features.0.0.bias"]),
             "patch_norm": (sd["features.0.2.weight"], sd["features.0.2.bias"]),
             "stages": [], "norm": (sd["norm.weight"], sd["norm.bias"]),
             "head": (sd["head.weight"], sd["head.bias"])}
    for s in range(S):
        f = "features.%d." % (1 + 2 * s)
        blocks = []
        for b in range(cfg["depths"][s]):
            p = f + "%d." % b
            blocks.append({
                "norm1": (sd[p + "norm1.weight"], sd[p + "norm1.bias"]),
                "qkv": (sd[p + "attn.qkv.weight"], sd[p + "attn.qkv.bias"]),
                "table": sd[p + "attn.relative_position_bias_table"],
                "proj": (sd[p + "attn.proj.weight"], sd[p + "attn.proj.bias"]),
                "norm2": (sd[p + "norm2.weight"], sd[p + "norm2.bias"]),
                "fc1": (sd[p + "mlp.0.weight"], sd[p + "mlp.0.bias"]),
                "fc2": (sd[p + "mlp.3.weight"], sd[p + "mlp.3.bias"]),
            })
        down = None
        if s < S - 1:
            m = "features.%d." % (2 + 2 * s)
            down = {"norm": (sd[m + "norm.weight"], sd[m + "norm.bias"]), "reduction": sd[m + "reduction.weight"]}
        parts["stages"].append({"blocks": blocks, "downsample": down})
    return parts


# --------------------------------------------------------------------------
# the three namings
# --------------------------------------------------------------------------

def wb(d, name, pair):
    d[name + ".weight"], d[name + ".bias"] = pair


def timm_block(d, p, blk):
    wb(d, p + "norm1", blk["norm1"])
    wb(d, p + "attn.qkv", blk["qkv"])
    d[p + "attn.relative_position_bias_table"] = blk["table"]
    wb(d, p + "attn.proj", blk["proj"])
    wb(d, p + "norm2", blk["norm2"])
    wb(d, p + "mlp.fc1", blk["fc1"])
    wb(d, p + "mlp.fc2", blk["fc2"])


def timm_state_dict(parts):
    d = {}
    wb(d, "patch_embed.proj", parts["patch_proj"])
    wb(d, "patch_embed.norm", parts["patch_norm"])
    for s, st in enumerate(parts["stages"]):
        if s > 0:
            down = parts["stages"][s - 1]["downsample"]
            wb(d, "layers.%d.downsample.norm" % s, down["norm"])
            d["layers.%d.downsample.reduction.weight" % s] = down["reduction"]
        for b, blk in enumerate(st["blocks"]):
            timm_block(d, "layers.%d.blocks.%d." % (s, b), blk)
    wb(d, "norm", parts["norm"])
    wb(d, "head.fc", parts["head"])
    return d


def ms_state_dict(parts, geoms):
    d = {}
    wb(d, "patch_embed.proj", parts["patch_proj"])
    wb(d, "patch_embed.norm", parts["patch_norm"])
    for s, st in enumerate(parts["stages"]):
        for b, blk in enumerate(st["blocks"]):
            p = "layers.%d.blocks.%d." % (s, b)
            timm_block(d, p, blk)
            M = geoms[(s, b)]["window"]
            d[p + "attn.relative_position_index"] = relative_position_index(M).reshape(M * M, M * M).float()
            if geoms[(s, b)]["shift"] > 0:
                d[p + "attn_mask"] = geoms[(s, b)]["mask"]
        if st["downsample"] is not None:
            wb(d, "layers.%d.downsample.norm" % s, st["downsample"]["norm"])
            d["layers.%d.downsample.reduction.weight" % s] = st["downsample"]["reduction"]
    wb(d, "norm", parts["norm"])
    wb(d, "head", parts["head"])
    return d


def hf_state_dict(parts):
    d = {}
    wb(d, "swin.embeddings.patch_embeddings.projection", parts["patch_proj"])
    wb(d, "swin.embeddings.norm", parts["patch_norm"])
    for s, st in enumerate(parts["stages"]):
        for b, blk in enumerate(st["blocks"]):
            p = "swin.encoder.layers.%d.blocks.%d." % (s, b)
            C = blk["norm1"][0].shape[0]
            wb(d, p + "layernorm_before", blk["norm1"])
            qw, qb = blk["qkv"]
            for i, part in enumerate(["query", "key", "value"]):
                wb(d, p + "attention.self." + part, (qw[i * C:(i + 1) * C], qb[i * C:(i + 1) * C]))
            d[p + "attention.self.relative_position_bias_table"] = blk["table"]
            wb(d, p + "attention.output.dense", blk["proj"])
            wb(d, p + "layernorm_after", blk["norm2"])
            wb(d, p + "intermediate.dense", blk["fc1"])
            wb(d, p + "output.dense", blk["fc2"])
        if st["downsample"] is not None:
            wb(d, "swin.encoder.layers.%d.downsample.norm" % s, st["downsample"]["norm"])
            d["swin.encoder.layers.%d.downsample.reduction.weight" % s] = st["downsample"]["reduction"]
    wb(d, "swin.layernorm", parts["norm"])
    wb(d, "classifier", parts["head"])
    return d


def hf_config(cfg):
    return {
        "architectures": ["SwinForImageClassification"],
        "model_type": "swin",
        "image_size": cfg["height"],
        "patch_size": 4,
        "num_channels": 3,
        "embed_dim": cfg["embed"],
        "depths": cfg["depths"],
        "num_heads": cfg["heads"],
        "window_size": cfg["window"],
        "mlp_ratio": cfg["mlp_ratio"],
        "qkv_bias": True,
        "hidden_act": "gelu",
        "layer_norm_eps": 1e-5,
        "id2label": {str(i): "class-" + NATO[i % len(NATO)] + ("" if i < len(NATO) else str(i))
                     for i in range(cfg["classes"])},
    }


# --------------------------------------------------------------------------
# plain re-implementation (the geometry the engine must agree with)
# --------------------------------------------------------------------------

def relative_position_index(M):
    coords = torch.stack(torch.meshgrid(torch.arange(M), torch.arange(M), indexing="ij")).flatten(1)  # [2, M*M]
    rel = coords[:, :, None] - coords[:, None, :]  # [2, M*M, M*M]
    return (rel[0] + M - 1) * (2 * M - 1) + (rel[1] + M - 1)  # [M*M, M*M]


def region_ids(Hp, Wp, M, s):
    ids = torch.zeros(Hp, Wp)
    rows = [(0, Hp - M), (Hp - M, Hp - s), (Hp - s, Hp)]
    cols = [(0, Wp - M), (Wp - M, Wp - s), (Wp - s, Wp)]
    n = 0
    for r0, r1 in rows:
        for c0, c1 in cols:
            ids[r0:r1, c0:c1] = n
            n += 1
    return ids


def partition(x, M):
    # [Hp, Wp, C] -> [nW, M*M, C]
    Hp, Wp, C = x.shape
    return x.view(Hp // M, M, Wp // M, M, C).permute(0, 2, 1, 3, 4).reshape(-1, M * M, C)


def reverse(w, M, Hp, Wp):
    # [nW, M*M, C] -> [Hp, Wp, C]
    C = w.shape[-1]
    return w.view(Hp // M, Wp // M, M, M, C).permute(0, 2, 1, 3, 4).reshape(Hp, Wp, C)


def block_geometry(H, W, window, shifted):
    M = window
    if min(H, W) <= M:  # the map fits one window: window = map size, no shift
        M = min(H, W)
    s = M // 2 if shifted and min(H, W) > window else 0
    Hp = (H + M - 1) // M * M
    Wp = (W + M - 1) // M * M
    return M, s, Hp, Wp


def window_attention(x, blk, heads, window, shifted, eps):
    """x: [H, W, C] normed input. Returns (output [H, W, C], geometry dict)."""
    H, W, C = x.shape
    M, s, Hp, Wp = block_geometry(H, W, window, shifted)
    assert M == window, "fixtures keep the trained window (torchvision pads instead of shrinking)"
    xp = F.pad(x, (0, 0, 0, Wp - W, 0, Hp - H))
    if s:
        xp = torch.roll(xp, shifts=(-s, -s), dims=(0, 1))
    xw = partition(xp, M)  # [nW, M*M, C]
    nW, N = xw.shape[0], M * M
    dh = C // heads
    qkv = F.linear(xw, *blk["qkv"]).reshape(nW, N, 3, heads, dh).permute(2, 0, 3, 1, 4)  # [3, nW, h, N, dh]
    q, k, v = qkv[0] * dh ** -0.5, qkv[1], qkv[2]
    logits = q @ k.transpose(-2, -1)  # [nW, h, N, N]
    bias = blk["table"][relative_position_index(M).reshape(-1)].reshape(N, N, heads).permute(2, 0, 1)  # [h, N, N]
    logits = logits + bias.unsqueeze(0)
    geom = {"window": M, "shift": s, "Hp": Hp, "Wp": Wp, "bias": bias}
    if s:
        ids = region_ids(Hp, Wp, M, s)
        wid = partition(ids.unsqueeze(-1), M).squeeze(-1)  # [nW, N]
        mask = torch.where(wid[:, None, :] != wid[:, :, None], torch.tensor(-100.0), torch.tensor(0.0))  # [nW, N, N]
        logits = logits + mask.unsqueeze(1)
        geom["regions"], geom["mask"] = ids, mask
    attn = logits.softmax(-1)
    out = (attn @ v).transpose(1, 2).reshape(nW, N, C)
    out = F.linear(out, *blk["proj"])
    out = reverse(out, M, Hp, Wp)
    if s:
        out = torch.roll(out, shifts=(s, s), dims=(0, 1))
    geom["attn"] = attn
    return out[:H, :W], geom


def patch_merge(x, down, eps):
    H, W, C = x.shape
    x = F.pad(x, (0, 0, 0, W % 2, 0, H % 2))
    x = torch.cat([x[0::2, 0::2], x[1::2, 0::2], x[0::2, 1::2], x[1::2, 1::2]], -1)  # [H/2, W/2, 4C]
    x = F.layer_norm(x, (4 * C,), *down["norm"], eps)
    return F.linear(x, down["reduction"])


def reference_forward(cfg, parts, img, eps=1e-5):
    x = F.conv2d(img.unsqueeze(0), *parts["patch_proj"], stride=4)[0].permute(1, 2, 0)  # [H, W, C]
    x = F.layer_norm(x, (x.shape[-1],), *parts["patch_norm"], eps)
    geoms, attn_inputs = {}, {}
    for s, st in enumerate(parts["stages"]):
        for b, blk in enumerate(st["blocks"]):
            C = x.shape[-1]
            xn = F.layer_norm(x, (C,), *blk["norm1"], eps)
            attn_inputs[(s, b)] = xn
            a, g = window_attention(xn, blk, cfg["heads"][s], cfg["window"], b % 2 == 1, eps)
            geoms[(s, b)] = g
            g["attn_out"] = a
            x = x + a
            h = F.gelu(F.linear(F.layer_norm(x, (C,), *blk["norm2"], eps), *blk["fc1"]))
            x = x + F.linear(h, *blk["fc2"])
        if st["downsample"] is not None:
            x = patch_merge(x, st["downsample"], eps)
    x = F.layer_norm(x, (x.shape[-1],), *parts["norm"], eps)
    feats = x.mean(dim=(0, 1))
    logits = F.linear(feats, *parts["head"])
    return logits, feats, geoms


# --------------------------------------------------------------------------

def build(cfg, out_dir, full=True):
    model = make_torchvision_model(cfg)
    sd = {k: v.clone() for k, v in model.state_dict().items()}
    parts = torchvision_parts(cfg, sd)
    torch.manual_seed(cfg["seed"] + 1000)
    img = torch.randn(3, cfg["height"], cfg["width"])

    # torchvision's own outputs, and each attention module's output (hooked).
    hooked = {}
    handles = []
    for s in range(len(cfg["depths"])):
        for b in range(cfg["depths"][s]):
            mod = model.features[1 + 2 * s][b].attn
            handles.append(mod.register_forward_hook(
                lambda m, inp, out, key=(s, b): hooked.__setitem__(key, (inp[0][0].detach(), out[0].detach()))))
    with torch.no_grad():
        tv_logits = model(img.unsqueeze(0))[0]
        logits, feats, geoms = reference_forward(cfg, parts, img)
    for h in handles:
        h.remove()
    err = (logits - tv_logits).abs().max().item()
    # 1e-6 for the tiny fixtures; full-size Swin-T sums far more terms: 1e-6 relative to its logits.
    tol = 1e-6 if full else 1e-6 * max(1.0, tv_logits.abs().max().item())
    assert err < tol, "re-implementation differs from torchvision: logits %g" % err
    for key, (tin, tout) in hooked.items():
        a, _ = window_attention(tin, parts["stages"][key[0]]["blocks"][key[1]], cfg["heads"][key[0]],
                                cfg["window"], key[1] % 2 == 1, 1e-5)
        e = (a - tout).abs().max().item()
        assert e < (1e-6 if full else 1e-5), "attention block %s differs from torchvision: %g" % (key, e)
    print("%s: re-implementation matches torchvision (logits max |diff| %.2g)" % (cfg["name"], err))

    name = cfg["name"]
    if full:
        write_safetensors(os.path.join(out_dir, name + "_timm.safetensors"), timm_state_dict(parts))
        write_safetensors(os.path.join(out_dir, name + "_ms.safetensors"), ms_state_dict(parts, geoms))
        write_safetensors(os.path.join(out_dir, name + "_hf", "model.safetensors"), hf_state_dict(parts),
                          {"format": "pt"})
        with open(os.path.join(out_dir, name + "_hf", "config.json"), "w") as f:
            json.dump(hf_config(cfg), f, indent=2)
            f.write("\n")
    else:
        write_safetensors(os.path.join(out_dir, name + "_timm.safetensors"), timm_state_dict(parts))

    exp = {"input": img, "logits": logits, "features": feats}
    meta = {"model": name, "image_height": cfg["height"], "image_width": cfg["width"], "embed_dim": cfg["embed"],
            "depths": ",".join(map(str, cfg["depths"])), "num_heads": ",".join(map(str, cfg["heads"])),
            "window_size": cfg["window"], "num_classes": cfg["classes"], "layer_norm_eps": "1e-5",
            "reference": "torchvision 0.14 SwinTransformer"}
    for (s, b), g in sorted(geoms.items()):
        last = s == len(cfg["depths"]) - 1 and b == cfg["depths"][s] - 1
        if full or last:
            exp["attn.%d.%d" % (s, b)] = g["attn"]
        if full and cfg.get("store_bias"):
            exp["bias.%d.%d" % (s, b)] = g["bias"]
        if full:
            if g["shift"]:
                exp["mask.%d.%d" % (s, b)] = g["mask"]
                exp["regions.%d.%d" % (s, b)] = g["regions"]
        meta["geometry.%d.%d" % (s, b)] = "%d,%d,%d,%d" % (g["window"], g["shift"], g["Hp"], g["Wp"])
    write_safetensors(os.path.join(out_dir, name + "_expected.safetensors"), exp, meta)


def main():
    torch.set_num_threads(1)
    if len(sys.argv) == 3 and sys.argv[1] == "--swin-t":
        build(SWIN_T, sys.argv[2], full=False)
        return
    if len(sys.argv) != 1:
        sys.exit("usage: make_swin_fixtures.py [--swin-t OUTDIR]")
    for cfg in (TINY, PAD):
        build(cfg, OUT_DIR)


if __name__ == "__main__":
    main()
