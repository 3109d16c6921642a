#!/usr/bin/env python3
"""Generate the small ViT test fixtures under tests/data/vit/.

Regenerate (from the repository root, with a Python that has PyTorch 1.13 and
torchvision 0.14, e.g. Debian's python3-torch / python3-torchvision):

    python3 tools/make_vit_fixtures.py

(If `python3` on PATH is not the system one, use `/usr/bin/python3 ...`.)
The output is deterministic: fixed seeds, float32 everywhere, one CPU thread;
running the script twice gives byte-identical files.

All parameters are random but "meaningful": every tensor is initialised
(LayerNorm weights ~ 1+0.1*randn, biases ~ 0.05*randn, cls/dist/register
tokens and position embeddings ~ 0.5*randn, linear/conv weights ~
randn/sqrt(fan_in), LayerScale gammas ~ 0.1+0.05*randn), so attention maps are
not uniform and logits are not zero.

Fixtures (all in tests/data/vit/):

* vit_tiny: plain ViT, image 32, patch 8 (4x4 grid, 17 tokens = CLS + 16
  patches), D=32, depth 2, 2 heads, MLP 64, 10 classes, LayerNorm eps 1e-6.
  The reference is torchvision's own VisionTransformer (code we did not write);
  this script's plain re-implementation is asserted to reproduce its logits and
  per-head attention maps (attention maps taken with a forward hook on each
  layer's ln_1 that calls self_attention(..., need_weights=True,
  average_attn_weights=False)) before anything is written.
    - vit_tiny_timm.safetensors        timm state dict (no config)
    - vit_tiny_hf/model.safetensors    HF ViTForImageClassification state dict
    - vit_tiny_hf/config.json          HF config (labels "class-alpha", ...)
    - vit_tiny_expected.safetensors    reference outputs (see below)
* vit_tiny_nonsquare: vit_tiny's weights on a 32x48 (HxW) input (4x6 grid, 25
  tokens); the patch position embeddings (4x4) are resampled to 4x6 with
  F.interpolate(mode='bicubic', align_corners=False) in float32, CLS position
  kept. Only vit_tiny_nonsquare_expected.safetensors (input, logits, features,
  attn.L).
* deit_distilled_tiny: DeiT with distillation token: tokens [cls, dist,
  16 patches] = 18, pos_embed [1, 18, D] covers both prefix tokens; logits =
  (head(norm(x)[0]) + head_dist(norm(x)[1])) / 2.
    - deit_distilled_tiny_timm.safetensors
    - deit_distilled_tiny_hf/{model.safetensors,config.json}
      (DeiTForImageClassificationWithTeacher, HF layer_norm_eps 1e-12)
    - deit_distilled_tiny_expected.safetensors     eps 1e-6 (timm)
    - deit_distilled_tiny_hf_expected.safetensors  eps 1e-12 (HF); only logits,
      logits_cls, logits_dist, features, attn.L. To stay under 1 MB it has NO
      `input` tensor (metadata input_file names the file whose `input` it
      used: deit_distilled_tiny_expected.safetensors) and no option variants.
  Both expected files also hold logits_cls / logits_dist (each head alone).
* dinov2_reg_tiny: DINOv2 with 4 register tokens and LayerScale, patch 14,
  trained image 42 (3x3 grid, pos_embed [1, 10, D]), D=32, depth 2, 2 heads,
  MLP 128, eps 1e-6, no classifier. Tokens [cls, reg0..reg3, patches];
  registers get no position embedding. Reference input is 56x56 (4x4 grid,
  21 tokens); patch position embeddings resampled 3x3 -> 4x4 as above.
    - dinov2_reg_tiny_timm.safetensors
    - dinov2_reg_tiny_hf/{model.safetensors,config.json}
      (Dinov2WithRegistersModel)
    - dinov2_reg_tiny_expected.safetensors
* preprocess_expected.safetensors: `image` [37,53,3] HWC floats in [0,1];
  `crop` [3,32,32] = normalize(center_crop(resize(chw, 36, BICUBIC,
  antialias=True), 32), ImageNet mean/std); `upsample` [3,40,56] and
  `downsample` [3,20,25] = resize(chw, (h, w), BICUBIC, antialias=True).

Expected-output files (model fixtures) hold, all F32:
    input [3,H,W]       normalised pixel tensor fed to the model
    logits [C]          (absent for dinov2_reg_tiny)
    features [D]        final-LayerNorm-ed CLS token
    attn.L [heads,N,N]  softmax attention probabilities of layer L (per head)
    logits_scale_none / features_scale_none       attention scale 1
    logits_scale_dmodel / features_scale_dmodel   scale 1/sqrt(embed_dim)
    logits_mask_keys / features_mask_keys / attn_mask_keys.L
        -inf added to the attention logits of the key tokens listed in
        metadata mask_keys (token indices, patch tokens only), every layer/head
and string metadata: image_height, image_width, patch_size, embed_dim, depth,
num_heads, num_classes, num_prefix_tokens, mask_keys, layer_norm_eps,
description (plus a few extras: model, grid_height, grid_width, num_tokens,
num_register_tokens, pos_embed_interpolation, ...).

Safetensors files are written by the tiny writer below (no safetensors
package needed).
"""

import json
import math
import os
import sys

import torch
import torch.nn.functional as F
import torchvision
import torchvision.transforms.functional as TF
from torchvision.models.vision_transformer import VisionTransformer
from torchvision.transforms import InterpolationMode

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from safetensors_io import write_safetensors  # noqa: E402

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT_DIR = os.path.join(REPO_ROOT, "tests", "data", "vit")

NATO = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf",
        "hotel", "india", "juliett"]


# --------------------------------------------------------------------------
# output files
# --------------------------------------------------------------------------

def write_json(path, obj):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")


# --------------------------------------------------------------------------
# parameter initialisation (timm naming)
# --------------------------------------------------------------------------

def _linear(p, name, out_f, in_f):
    p[name + ".weight"] = torch.randn(out_f, in_f) / math.sqrt(in_f)
    p[name + ".bias"] = 0.05 * torch.randn(out_f)


def _norm(p, name, d):
    p[name + ".weight"] = 1.0 + 0.1 * torch.randn(d)
    p[name + ".bias"] = 0.05 * torch.randn(d)


def make_params(cfg, seed):
    """Random timm-named state dict for cfg (see the *_CFG dicts)."""
    torch.manual_seed(seed)
    D, P, mlp = cfg["dim"], cfg["patch"], cfg["mlp"]
    g = cfg["image"] // P
    p = {}
    p["cls_token"] = 0.5 * torch.randn(1, 1, D)
    if cfg["dist"]:
        p["dist_token"] = 0.5 * torch.randn(1, 1, D)
    if cfg["regs"]:
        p["reg_token"] = 0.5 * torch.randn(1, cfg["regs"], D)
    n_pos_prefix = 2 if cfg["dist"] else 1
    p["pos_embed"] = 0.5 * torch.randn(1, n_pos_prefix + g * g, D)
    p["patch_embed.proj.weight"] = torch.randn(D, 3, P, P) / math.sqrt(3 * P * P)
    p["patch_embed.proj.bias"] = 0.05 * torch.randn(D)
    for i in range(cfg["depth"]):
        b = "blocks.%d." % i
        _norm(p, b + "norm1", D)
        _linear(p, b + "attn.qkv", 3 * D, D)
        _linear(p, b + "attn.proj", D, D)
        if cfg["layerscale"]:
            p[b + "ls1.gamma"] = 0.1 + 0.05 * torch.randn(D)
        _norm(p, b + "norm2", D)
        _linear(p, b + "mlp.fc1", mlp, D)
        _linear(p, b + "mlp.fc2", D, mlp)
        if cfg["layerscale"]:
            p[b + "ls2.gamma"] = 0.1 + 0.05 * torch.randn(D)
    _norm(p, "norm", D)
    if cfg["classes"]:
        _linear(p, "head", cfg["classes"], D)
        if cfg["dist"]:
            _linear(p, "head_dist", cfg["classes"], D)
    for k, v in p.items():
        assert v.dtype == torch.float32 and v.abs().max() > 0, k
    return p


# --------------------------------------------------------------------------
# plain re-implementation (timm-named params)
# --------------------------------------------------------------------------

def resample_patch_pos(patch_pos, old_hw, new_hw):
    """patch_pos [gh*gw, D] -> [nh*nw, D], bicubic, align_corners=False, float32."""
    D = patch_pos.shape[-1]
    if tuple(old_hw) == tuple(new_hw):
        return patch_pos
    x = patch_pos.to(torch.float32).reshape(1, old_hw[0], old_hw[1], D).permute(0, 3, 1, 2)
    x = F.interpolate(x, size=tuple(new_hw), mode="bicubic", align_corners=False)
    return x.permute(0, 2, 3, 1).reshape(new_hw[0] * new_hw[1], D)


def forward(p, cfg, img, eps, scale=None, mask_keys=()):
    """img [3,H,W] -> dict(features, logits list, attn list, tokens...)."""
    D, P, nh = cfg["dim"], cfg["patch"], cfg["heads"]
    hd = D // nh
    if scale is None:
        scale = 1.0 / math.sqrt(hd)
    g0 = cfg["image"] // P
    x = F.conv2d(img.unsqueeze(0), p["patch_embed.proj.weight"], p["patch_embed.proj.bias"], stride=P)
    gh, gw = x.shape[-2], x.shape[-1]
    x = x.reshape(D, gh * gw).transpose(0, 1)  # [G, D], row-major patches
    pos = p["pos_embed"][0]
    n_pos_prefix = 2 if cfg["dist"] else 1
    patch_pos = resample_patch_pos(pos[n_pos_prefix:], (g0, g0), (gh, gw))
    prefix = [p["cls_token"][0]]
    if cfg["dist"]:
        prefix.append(p["dist_token"][0])
    prefix = torch.cat(prefix, 0) + pos[:n_pos_prefix]
    x = torch.cat([prefix, x + patch_pos], 0)
    if cfg["regs"]:
        x = torch.cat([x[:1], p["reg_token"][0], x[1:]], 0)
    N = x.shape[0]
    mask = torch.zeros(N)
    for k in mask_keys:
        mask[k] = float("-inf")
    attns = []
    for i in range(cfg["depth"]):
        b = "blocks.%d." % i
        h = F.layer_norm(x, (D,), p[b + "norm1.weight"], p[b + "norm1.bias"], eps)
        qkv = F.linear(h, p[b + "attn.qkv.weight"], p[b + "attn.qkv.bias"])
        q, k, v = [t.reshape(N, nh, hd).transpose(0, 1) for t in qkv.split(D, -1)]
        logits = torch.matmul(q * scale, k.transpose(-1, -2))
        if mask_keys:
            logits = logits + mask
        a = torch.softmax(logits, -1)
        attns.append(a)
        o = torch.matmul(a, v).transpose(0, 1).reshape(N, D)
        o = F.linear(o, p[b + "attn.proj.weight"], p[b + "attn.proj.bias"])
        if cfg["layerscale"]:
            o = o * p[b + "ls1.gamma"]
        x = x + o
        h = F.layer_norm(x, (D,), p[b + "norm2.weight"], p[b + "norm2.bias"], eps)
        h = F.linear(h, p[b + "mlp.fc1.weight"], p[b + "mlp.fc1.bias"])
        h = F.gelu(h)
        h = F.linear(h, p[b + "mlp.fc2.weight"], p[b + "mlp.fc2.bias"])
        if cfg["layerscale"]:
            h = h * p[b + "ls2.gamma"]
        x = x + h
    xn = F.layer_norm(x, (D,), p["norm.weight"], p["norm.bias"], eps)
    out = {"features": xn[0], "attn": attns, "grid": (gh, gw), "N": N, "patch_pos": patch_pos}
    if cfg["classes"]:
        lc = F.linear(xn[0], p["head.weight"], p["head.bias"])
        if cfg["dist"]:
            ld = F.linear(xn[1], p["head_dist.weight"], p["head_dist.bias"])
            out["logits_cls"], out["logits_dist"] = lc, ld
            out["logits"] = (lc + ld) / 2
        else:
            out["logits"] = lc
    return out


# --------------------------------------------------------------------------
# expected outputs
# --------------------------------------------------------------------------

def expected_file(path, p, cfg, img, eps, mask_keys, description, extra_meta, full=True, store_input=True):
    t = {"input": img} if store_input else {}
    base = forward(p, cfg, img, eps)
    # sanity: non-trivial outputs
    for a in base["attn"]:
        assert a.max() > 2.0 / base["N"], "attention too uniform"
    if cfg["classes"]:
        assert base["logits"].std() > 0.1, "logits too flat"
        t["logits"] = base["logits"]
        if cfg["dist"]:
            t["logits_cls"] = base["logits_cls"]
            t["logits_dist"] = base["logits_dist"]
    t["features"] = base["features"]
    for i, a in enumerate(base["attn"]):
        t["attn.%d" % i] = a
    if full:
        D = cfg["dim"]
        n_prefix = (2 if cfg["dist"] else 1) + cfg["regs"]
        assert all(k >= n_prefix for k in mask_keys), "mask only patch tokens"
        variants = [("scale_none", dict(scale=1.0)),
                    ("scale_dmodel", dict(scale=1.0 / math.sqrt(D))),
                    ("mask_keys", dict(mask_keys=mask_keys))]
        for suffix, kw in variants:
            o = forward(p, cfg, img, eps, **kw)
            if cfg["classes"]:
                t["logits_" + suffix] = o["logits"]
            t["features_" + suffix] = o["features"]
            if suffix == "mask_keys":
                for i, a in enumerate(o["attn"]):
                    assert torch.all(a[:, :, list(mask_keys)] == 0)
                    t["attn_mask_keys.%d" % i] = a
    gh, gw = base["grid"]
    meta = {
        "image_height": str(img.shape[1]),
        "image_width": str(img.shape[2]),
        "patch_size": str(cfg["patch"]),
        "embed_dim": str(cfg["dim"]),
        "depth": str(cfg["depth"]),
        "num_heads": str(cfg["heads"]),
        "num_classes": str(cfg["classes"]),
        "num_prefix_tokens": str((2 if cfg["dist"] else 1) + cfg["regs"]),
        "num_register_tokens": str(cfg["regs"]),
        # only listed when the mask_keys variant is stored in this file
        "mask_keys": ",".join(str(k) for k in mask_keys) if full else "",
        "layer_norm_eps": repr(eps),
        "grid_height": str(gh),
        "grid_width": str(gw),
        "num_tokens": str(base["N"]),
        "trained_image_size": str(cfg["image"]),
        "attention_scale_default": "1/sqrt(head_dim)",
        "pos_embed_interpolation": (
            "patch pos (1,g,g,D)->NCHW, F.interpolate(size=(grid_height,grid_width), "
            "mode='bicubic', align_corners=False), float32, no antialias; prefix kept"),
        "description": description,
    }
    meta.update(extra_meta)
    write_safetensors(path, t, meta)
    return base


# --------------------------------------------------------------------------
# name conversions
# --------------------------------------------------------------------------

def to_hf(p, cfg, kind):
    """kind: 'vit' (ViTForImageClassification), 'deit' (...WithTeacher), 'dinov2'."""
    D = cfg["dim"]
    pre = {"vit": "vit.", "deit": "deit.", "dinov2": ""}[kind]
    h = {}
    h[pre + "embeddings.cls_token"] = p["cls_token"]
    if kind == "deit":
        h[pre + "embeddings.distillation_token"] = p["dist_token"]
    if kind == "dinov2":
        h["embeddings.mask_token"] = torch.zeros(1, D)
        h["embeddings.register_tokens"] = p["reg_token"]
    h[pre + "embeddings.position_embeddings"] = p["pos_embed"]
    h[pre + "embeddings.patch_embeddings.projection.weight"] = p["patch_embed.proj.weight"]
    h[pre + "embeddings.patch_embeddings.projection.bias"] = p["patch_embed.proj.bias"]
    for i in range(cfg["depth"]):
        b = "blocks.%d." % i
        e = pre + "encoder.layer.%d." % i
        n1, n2 = ("norm1", "norm2") if kind == "dinov2" else ("layernorm_before", "layernorm_after")
        for s in ("weight", "bias"):
            h[e + n1 + "." + s] = p[b + "norm1." + s]
        for j, name in enumerate(("query", "key", "value")):
            h[e + "attention.attention.%s.weight" % name] = p[b + "attn.qkv.weight"][j * D:(j + 1) * D].clone()
            h[e + "attention.attention.%s.bias" % name] = p[b + "attn.qkv.bias"][j * D:(j + 1) * D].clone()
        for s in ("weight", "bias"):
            h[e + "attention.output.dense." + s] = p[b + "attn.proj." + s]
        if kind == "dinov2":
            h[e + "layer_scale1.lambda1"] = p[b + "ls1.gamma"]
        for s in ("weight", "bias"):
            h[e + n2 + "." + s] = p[b + "norm2." + s]
        if kind == "dinov2":
            for s in ("weight", "bias"):
                h[e + "mlp.fc1." + s] = p[b + "mlp.fc1." + s]
                h[e + "mlp.fc2." + s] = p[b + "mlp.fc2." + s]
            h[e + "layer_scale2.lambda1"] = p[b + "ls2.gamma"]
        else:
            for s in ("weight", "bias"):
                h[e + "intermediate.dense." + s] = p[b + "mlp.fc1." + s]
                h[e + "output.dense." + s] = p[b + "mlp.fc2." + s]
    for s in ("weight", "bias"):
        h[pre + "layernorm." + s] = p["norm." + s]
    if kind == "vit":
        for s in ("weight", "bias"):
            h["classifier." + s] = p["head." + s]
    if kind == "deit":
        for s in ("weight", "bias"):
            h["cls_classifier." + s] = p["head." + s]
            h["distillation_classifier." + s] = p["head_dist." + s]
    return h


def to_torchvision(p, cfg):
    t = {
        "class_token": p["cls_token"],
        "conv_proj.weight": p["patch_embed.proj.weight"],
        "conv_proj.bias": p["patch_embed.proj.bias"],
        "encoder.pos_embedding": p["pos_embed"],
        "encoder.ln.weight": p["norm.weight"],
        "encoder.ln.bias": p["norm.bias"],
        "heads.head.weight": p["head.weight"],
        "heads.head.bias": p["head.bias"],
    }
    for i in range(cfg["depth"]):
        b = "blocks.%d." % i
        e = "encoder.layers.encoder_layer_%d." % i
        for s in ("weight", "bias"):
            t[e + "ln_1." + s] = p[b + "norm1." + s]
            t[e + "self_attention.in_proj_" + s] = p[b + "attn.qkv." + s]
            t[e + "self_attention.out_proj." + s] = p[b + "attn.proj." + s]
            t[e + "ln_2." + s] = p[b + "norm2." + s]
            t[e + "mlp.0." + s] = p[b + "mlp.fc1." + s]
            t[e + "mlp.3." + s] = p[b + "mlp.fc2." + s]
    return t


def labels(prefix):
    id2label = {str(i): "%s-%s" % (prefix, n) for i, n in enumerate(NATO)}
    label2id = {v: int(k) for k, v in id2label.items()}
    return id2label, label2id


def check(name, a, b, tol=1e-6):
    err = (a - b).abs().max().item()
    print("  check %-28s max|diff| = %.3g" % (name, err))
    assert err <= tol, "%s mismatch: %g" % (name, err)


# --------------------------------------------------------------------------
# fixtures
# --------------------------------------------------------------------------

VIT_CFG = dict(image=32, patch=8, dim=32, depth=2, heads=2, mlp=64, classes=10,
               dist=False, regs=0, layerscale=False)
DEIT_CFG = dict(image=32, patch=8, dim=32, depth=2, heads=2, mlp=64, classes=10,
                dist=True, regs=0, layerscale=False)
DINO_CFG = dict(image=42, patch=14, dim=32, depth=2, heads=2, mlp=128, classes=0,
                dist=False, regs=4, layerscale=True)


def make_vit_tiny():
    print("vit_tiny")
    cfg = VIT_CFG
    p = make_params(cfg, seed=1001)
    torch.manual_seed(1002)
    img = torch.randn(3, 32, 32)

    # --- reference: torchvision's VisionTransformer ---
    model = VisionTransformer(image_size=32, patch_size=8, num_layers=2, num_heads=2,
                              hidden_dim=32, mlp_dim=64, num_classes=10)
    model.load_state_dict(to_torchvision(p, cfg), strict=True)
    model.eval()
    for n, t in model.state_dict().items():
        assert t.abs().max() > 0, "zero tensor left in torchvision model: " + n
    tv_attn = {}
    hooks = []
    for i in range(cfg["depth"]):
        layer = getattr(model.encoder.layers, "encoder_layer_%d" % i)

        def hook(mod, inp, out, layer=layer, i=i):
            _, w = layer.self_attention(out, out, out, need_weights=True,
                                        average_attn_weights=False)
            tv_attn[i] = w[0]
        hooks.append(layer.ln_1.register_forward_hook(hook))
    tv_logits = model(img.unsqueeze(0))[0]
    for h in hooks:
        h.remove()
    mine = forward(p, cfg, img, 1e-6)
    check("logits vs torchvision", mine["logits"], tv_logits)
    for i in range(cfg["depth"]):
        assert tv_attn[i].shape == (2, 17, 17)
        check("attn.%d vs torchvision" % i, mine["attn"][i], tv_attn[i])

    # --- files ---
    write_safetensors(os.path.join(OUT_DIR, "vit_tiny_timm.safetensors"), p)
    write_safetensors(os.path.join(OUT_DIR, "vit_tiny_hf", "model.safetensors"), to_hf(p, cfg, "vit"))
    id2label, label2id = labels("class")
    write_json(os.path.join(OUT_DIR, "vit_tiny_hf", "config.json"), {
        "model_type": "vit",
        "architectures": ["ViTForImageClassification"],
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 64,
        "image_size": 32,
        "patch_size": 8,
        "num_channels": 3,
        "layer_norm_eps": 1e-6,
        "hidden_act": "gelu",
        "qkv_bias": True,
        "id2label": id2label,
        "label2id": label2id,
    })
    expected_file(
        os.path.join(OUT_DIR, "vit_tiny_expected.safetensors"), p, cfg, img, 1e-6, (2, 5, 6, 11),
        "vit_tiny: torchvision VisionTransformer(image_size=32, patch_size=8, num_layers=2, "
        "num_heads=2, hidden_dim=32, mlp_dim=64, num_classes=10), eps 1e-6; tokens [cls, 16 patches]; "
        "logits and attn verified against torchvision to 1e-6",
        {"model": "vit_tiny_timm.safetensors, vit_tiny_hf/"})

    # --- non-square input, same weights ---
    print("vit_tiny_nonsquare")
    torch.manual_seed(1003)
    img2 = torch.randn(3, 32, 48)
    expected_file(
        os.path.join(OUT_DIR, "vit_tiny_nonsquare_expected.safetensors"), p, cfg, img2, 1e-6, (),
        "vit_tiny weights on a 32x48 (HxW) input: 4x6 grid, 25 tokens; patch pos_embed 4x4 -> 4x6 "
        "bicubic (align_corners=False, no antialias), CLS position kept. No option variants.",
        {"model": "vit_tiny_timm.safetensors, vit_tiny_hf/ (same weights as vit_tiny)"},
        full=False)


def make_deit():
    print("deit_distilled_tiny")
    cfg = DEIT_CFG
    p = make_params(cfg, seed=2001)
    torch.manual_seed(2002)
    img = torch.randn(3, 32, 32)
    write_safetensors(os.path.join(OUT_DIR, "deit_distilled_tiny_timm.safetensors"), p)
    write_safetensors(os.path.join(OUT_DIR, "deit_distilled_tiny_hf", "model.safetensors"),
                      to_hf(p, cfg, "deit"))
    id2label, label2id = labels("deit")
    write_json(os.path.join(OUT_DIR, "deit_distilled_tiny_hf", "config.json"), {
        "model_type": "deit",
        "architectures": ["DeiTForImageClassificationWithTeacher"],
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 64,
        "image_size": 32,
        "patch_size": 8,
        "num_channels": 3,
        "layer_norm_eps": 1e-12,
        "hidden_act": "gelu",
        "qkv_bias": True,
        "id2label": id2label,
        "label2id": label2id,
    })
    desc = ("deit_distilled_tiny: plain PyTorch DeiT-distilled, image 32, patch 8, D 32, depth 2, "
            "heads 2, mlp 64, 10 classes; tokens [cls, dist, 16 patches]; pos_embed covers both "
            "prefix tokens; logits = (head(norm(x)[0]) + head_dist(norm(x)[1]))/2; eps %s")
    a = expected_file(os.path.join(OUT_DIR, "deit_distilled_tiny_expected.safetensors"),
                      p, cfg, img, 1e-6, (2, 7, 8, 17), desc % "1e-6 (timm)",
                      {"model": "deit_distilled_tiny_timm.safetensors"})
    b = expected_file(os.path.join(OUT_DIR, "deit_distilled_tiny_hf_expected.safetensors"),
                      p, cfg, img, 1e-12, (2, 7, 8, 17), desc % "1e-12 (HF default, as in its config); base outputs only "
                      "(no input tensor and no option variants, to stay under the 1 MB budget)",
                      {"model": "deit_distilled_tiny_hf/",
                       "input_file": "deit_distilled_tiny_expected.safetensors"},
                      full=False, store_input=False)
    print("  eps 1e-6 vs 1e-12 max|logit diff| = %.3g" % (a["logits"] - b["logits"]).abs().max().item())


def make_dinov2():
    print("dinov2_reg_tiny")
    cfg = DINO_CFG
    p = make_params(cfg, seed=3001)
    torch.manual_seed(3002)
    img = torch.randn(3, 56, 56)
    write_safetensors(os.path.join(OUT_DIR, "dinov2_reg_tiny_timm.safetensors"), p)
    write_safetensors(os.path.join(OUT_DIR, "dinov2_reg_tiny_hf", "model.safetensors"),
                      to_hf(p, cfg, "dinov2"))
    write_json(os.path.join(OUT_DIR, "dinov2_reg_tiny_hf", "config.json"), {
        "model_type": "dinov2_with_registers",
        "architectures": ["Dinov2WithRegistersModel"],
        "hidden_size": 32,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "mlp_ratio": 4,
        "image_size": 42,
        "patch_size": 14,
        "num_channels": 3,
        "num_register_tokens": 4,
        "layer_norm_eps": 1e-6,
        "layerscale_value": 1.0,
        "hidden_act": "gelu",
        "qkv_bias": True,
        "use_swiglu_ffn": False,
    })
    expected_file(
        os.path.join(OUT_DIR, "dinov2_reg_tiny_expected.safetensors"), p, cfg, img, 1e-6,
        (5, 9, 10, 20),
        "dinov2_reg_tiny: plain PyTorch DINOv2 with 4 registers + LayerScale, patch 14, trained "
        "image 42 (3x3 grid), D 32, depth 2, heads 2, mlp 128, eps 1e-6, no classifier; run on "
        "56x56 (4x4 grid): tokens [cls, reg0..reg3, 16 patches] = 21; registers get no position "
        "embedding; patch pos_embed 3x3 -> 4x4 bicubic (align_corners=False, no antialias)",
        {"model": "dinov2_reg_tiny_timm.safetensors, dinov2_reg_tiny_hf/"})


def make_preprocess():
    print("preprocess")
    torch.manual_seed(4001)
    image = torch.rand(37, 53, 3)
    chw = image.permute(2, 0, 1).contiguous()
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    resized = TF.resize(chw, 36, interpolation=InterpolationMode.BICUBIC, antialias=True)
    assert tuple(resized.shape) == (3, 36, 51), resized.shape
    crop = TF.center_crop(resized, 32)
    crop = TF.normalize(crop, mean=mean, std=std)
    up = TF.resize(chw, [40, 56], interpolation=InterpolationMode.BICUBIC, antialias=True)
    down = TF.resize(chw, [20, 25], interpolation=InterpolationMode.BICUBIC, antialias=True)
    assert crop.dtype == up.dtype == down.dtype == torch.float32
    t = {"image": image, "crop": crop, "upsample": up, "downsample": down}
    meta = {
        "torch_version": torch.__version__.split("+")[0],
        "torchvision_version": torchvision.__version__.split("+")[0],
        "image": "torch.rand(37, 53, 3) float32 RGB in [0,1], HWC; chw = image.permute(2,0,1)",
        "crop": ("torchvision.transforms.functional: r = resize(chw, 36, "
                 "interpolation=InterpolationMode.BICUBIC, antialias=True) -> [3,36,51] "
                 "(shorter side 36, longer int(36*53/37)=51); c = center_crop(r, 32) "
                 "(top=2, left=10); normalize(c, mean=(0.485,0.456,0.406), "
                 "std=(0.229,0.224,0.225))"),
        "upsample": ("resize(chw, [40, 56], interpolation=InterpolationMode.BICUBIC, "
                     "antialias=True), no normalize"),
        "downsample": ("resize(chw, [20, 25], interpolation=InterpolationMode.BICUBIC, "
                       "antialias=True), no normalize"),
        "notes": ("float tensors: torchvision does not clamp bicubic output for float input, so "
                  "values may leave [0,1]; antialias=True bicubic in PyTorch uses the PIL-style "
                  "kernel (a=-0.5) also when upsampling"),
        "description": "preprocessing reference: shorter-side resize + center crop + normalize, "
                       "and plain bicubic antialiased resizes",
    }
    write_safetensors(os.path.join(OUT_DIR, "preprocess_expected.safetensors"), t, meta)


README = """\
# ViT test fixtures

Generated by `python3 tools/make_vit_fixtures.py` (run from the repository
root; needs PyTorch 1.13 + torchvision 0.14, e.g. Debian python3-torch /
python3-torchvision, so possibly `/usr/bin/python3`). Deterministic: a rerun
gives byte-identical files. See the script's docstring for full details.
All tensors are F32 safetensors; random but non-trivial weights.

| File | What |
|------|------|
| `vit_tiny_timm.safetensors` | ViT (img 32, patch 8, D 32, depth 2, 2 heads, 10 classes), timm names, no config |
| `vit_tiny_hf/` | same weights, HF `ViTForImageClassification` names + `config.json` (labels `class-alpha`...) |
| `vit_tiny_expected.safetensors` | reference outputs for vit_tiny (verified against torchvision's `VisionTransformer`), 17 tokens |
| `vit_tiny_nonsquare_expected.safetensors` | vit_tiny on a 32x48 input (4x6 grid, 25 tokens, bicubic-resampled pos embed) |
| `deit_distilled_tiny_timm.safetensors` | DeiT distilled (cls + dist token), timm names |
| `deit_distilled_tiny_hf/` | HF `DeiTForImageClassificationWithTeacher` names + config (eps 1e-12, labels `deit-alpha`...) |
| `deit_distilled_tiny_expected.safetensors` | reference, eps 1e-6 (timm), 18 tokens |
| `deit_distilled_tiny_hf_expected.safetensors` | reference, eps 1e-12 (HF); no `input` (use the one in `deit_distilled_tiny_expected.safetensors`, see metadata `input_file`), no option variants |
| `dinov2_reg_tiny_timm.safetensors` | DINOv2 + 4 registers + LayerScale (patch 14, trained 42), timm names, no head |
| `dinov2_reg_tiny_hf/` | HF `Dinov2WithRegistersModel` names + config |
| `dinov2_reg_tiny_expected.safetensors` | reference on a 56x56 input (4x4 grid, 21 tokens) |
| `preprocess_expected.safetensors` | torchvision resize / center_crop / normalize references (`image` [37,53,3], `crop` [3,32,32], `upsample` [3,40,56], `downsample` [3,20,25]) |

Expected files: `input` [3,H,W], `logits` [C] (not for dinov2), `features` [D]
(final-normed CLS), `attn.L` [heads,N,N], the `*_scale_none`,
`*_scale_dmodel`, `*_mask_keys` / `attn_mask_keys.L` variants, and string
metadata (`image_height`, `image_width`, `patch_size`, `embed_dim`, `depth`,
`num_heads`, `num_classes`, `num_prefix_tokens`, `mask_keys`,
`layer_norm_eps`, `description`, ...).
"""


def main():
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    os.makedirs(OUT_DIR, exist_ok=True)
    with torch.no_grad():
        make_vit_tiny()
        make_deit()
        make_dinov2()
        make_preprocess()
    with open(os.path.join(OUT_DIR, "README.md"), "w", encoding="utf-8") as f:
        f.write(README)
    print("wrote", OUT_DIR)


if __name__ == "__main__":
    main()
