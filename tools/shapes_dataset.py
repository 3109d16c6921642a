#!/usr/bin/env python3
"""Procedural "shapes in clutter" images for vitscope's embedded default models.

Each image shows one object of a known class (circle, square, triangle, star, cross, ring) at a
random position, size, rotation and colour (solid or two-tone striped fill) on a cluttered
background: smooth colour noise, stripes or a gradient, plus distractors (small blobs, line
segments, dots) that belong to no class. The class can only be told from the object itself, so a
classifier has to find it; the generator returns each object's bounding box so tests can check
where the model's attention lands.

Pure numpy, deterministic for a given seed (numpy.random.Generator(PCG64)). About 0.5 ms per
112x112 image on this machine's CPU.

    from shapes_dataset import CLASSES, make_dataset, render_scene
    images, labels, boxes = make_dataset(1000, seed=1)   # uint8 [N,112,112,3], int64 [N], [N,4]

Run directly to write a preview grid:  /usr/bin/python3 tools/shapes_dataset.py /tmp/preview.png
"""
import math
import sys

import numpy as np

VERSION = 3  # bump when the drawing changes (invalidates cached training sets)
CLASSES = ["circle", "square", "triangle", "star", "cross"]
# "ring" is drawn by the generator but not a class of the shipped models (fewer, clearer classes
# train much faster on 2 CPU cores).
ALL_SHAPES = CLASSES + ["ring"]
IMAGE_SIZE = 112


# ---------------------------------------------------------------- backgrounds

def _smooth_noise(rng, h, w, cells, channels=3):
    """Bilinearly upsampled random grid: low-frequency colour noise in [0, 1]."""
    g = rng.random((cells + 1, cells + 1, channels), dtype=np.float32)
    ys = np.linspace(0, cells, h, dtype=np.float32)
    xs = np.linspace(0, cells, w, dtype=np.float32)
    y0 = np.minimum(ys.astype(np.int32), cells - 1)
    x0 = np.minimum(xs.astype(np.int32), cells - 1)
    fy = (ys - y0)[:, None, None]
    fx = (xs - x0)[None, :, None]
    a = g[y0][:, x0]
    b = g[y0][:, x0 + 1]
    c = g[y0 + 1][:, x0]
    d = g[y0 + 1][:, x0 + 1]
    return (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy


def _background(rng, h, w, yy, xx):
    base = rng.uniform(0.15, 0.85, size=3).astype(np.float32)
    img = np.broadcast_to(base, (h, w, 3)).copy()
    # a gradient across the whole image
    ang = rng.uniform(0, 2 * math.pi)
    ramp = (np.cos(ang) * xx + np.sin(ang) * yy) / max(h, w)
    img += (ramp[..., None] * rng.uniform(-0.3, 0.3, size=3)).astype(np.float32)
    kind = rng.integers(0, 3)
    amp = rng.uniform(0.05, 0.16)
    if kind == 0:  # colour noise blotches
        img += amp * (_smooth_noise(rng, h, w, int(rng.integers(3, 9))) - 0.5) * 2
    elif kind == 1:  # stripes
        ang = rng.uniform(0, math.pi)
        period = rng.uniform(5, 16)
        phase = (np.cos(ang) * xx + np.sin(ang) * yy) * (2 * math.pi / period)
        col = rng.uniform(-1, 1, size=3).astype(np.float32)
        img += amp * np.sin(phase)[..., None] * col
        img += 0.5 * amp * (_smooth_noise(rng, h, w, 4) - 0.5)
    else:  # checker-ish blotches + noise
        img += amp * (_smooth_noise(rng, h, w, int(rng.integers(8, 14))) - 0.5) * 2
    return img


# ---------------------------------------------------------------- shapes

def _shape_distance(cls, x, y, s):
    """Approximate signed distance (pixels, < 0 inside) of a shape of radius `s` centred at the
    origin, evaluated at rotated local coordinates (x, y)."""
    r = np.sqrt(x * x + y * y) + 1e-6
    t = np.arctan2(y, x)
    if cls == "circle":
        return r - s
    if cls == "ring":
        return np.abs(r - 0.72 * s) - 0.28 * s
    if cls == "square":
        a = 0.8 * s
        return np.maximum(np.abs(x), np.abs(y)) - a
    if cls == "triangle":
        # regular triangle with circumradius 1.1 s: inradius 0.55 s
        d = None
        for k in range(3):
            a = 2 * math.pi * k / 3 + math.pi / 3
            e = x * math.cos(a) + y * math.sin(a) - 0.55 * s
            d = e if d is None else np.maximum(d, e)
        return d
    if cls == "star":
        n, r1, r2 = 5, 1.1 * s, 0.45 * s
        seg = 2 * math.pi / n
        tp = np.mod(t, seg)
        u = np.where(tp < seg / 2, tp, seg - tp)
        half = seg / 2
        boundary = r1 * r2 * math.sin(half) / (r1 * np.sin(u) + r2 * np.sin(half - u))
        return (r - boundary) * 0.7
    if cls == "cross":
        w, l = 0.3 * s, 0.95 * s
        ax, ay = np.abs(x), np.abs(y)
        return np.minimum(np.maximum(ax - l, ay - w), np.maximum(ax - w, ay - l))
    raise ValueError(cls)


def _contrasting_colour(rng, against):
    for _ in range(20):
        c = rng.uniform(0, 1, size=3).astype(np.float32)
        if np.abs(c - against).sum() > 0.9:
            return c
    return np.where(against > 0.5, 0.05, 0.95).astype(np.float32)


def _draw_object(rng, img, cls, cx, cy, s, yy, xx):
    """Composites one object into img; returns its bounding box (x0, y0, x1, y1), pixels, exclusive."""
    h, w, _ = img.shape
    ext = int(math.ceil(1.2 * s)) + 2
    x0, x1 = max(0, int(cx) - ext), min(w, int(cx) + ext + 1)
    y0, y1 = max(0, int(cy) - ext), min(h, int(cy) + ext + 1)
    lx = xx[y0:y1, x0:x1] - cx
    ly = yy[y0:y1, x0:x1] - cy
    rot = rng.uniform(0, 2 * math.pi)
    aspect = rng.uniform(0.85, 1.15)
    c, sn = math.cos(rot), math.sin(rot)
    rx = (c * lx + sn * ly) * aspect
    ry = (-sn * lx + c * ly) / aspect
    alpha = np.clip(0.5 - _shape_distance(cls, rx, ry, s), 0.0, 1.0)[..., None]
    region = img[y0:y1, x0:x1]
    col = _contrasting_colour(rng, region.reshape(-1, 3).mean(0))
    if rng.random() < 0.3:  # two-tone striped fill
        col2 = np.clip(col + rng.uniform(-0.35, 0.35, size=3), 0, 1).astype(np.float32)
        period = rng.uniform(4, 9)
        ang = rng.uniform(0, math.pi)
        st = (np.sin((math.cos(ang) * lx + math.sin(ang) * ly) * (2 * math.pi / period)) > 0)[..., None]
        fill = np.where(st, col, col2)
    else:
        fill = col
    img[y0:y1, x0:x1] = region * (1 - alpha) + fill * alpha
    ys, xs = np.nonzero(alpha[..., 0] > 0.25)
    if len(xs) == 0:
        return (int(cx), int(cy), int(cx) + 1, int(cy) + 1)
    return (x0 + int(xs.min()), y0 + int(ys.min()), x0 + int(xs.max()) + 1, y0 + int(ys.max()) + 1)


def _draw_distractors(rng, img, yy, xx, count):
    h, w, _ = img.shape
    for _ in range(count):
        kind = rng.integers(0, 3)
        col = rng.uniform(0, 1, size=3).astype(np.float32)
        cx, cy = rng.uniform(0, w), rng.uniform(0, h)
        if kind == 0:  # small elliptical blob
            ext = 8
            x0, x1 = max(0, int(cx) - ext), min(w, int(cx) + ext)
            y0, y1 = max(0, int(cy) - ext), min(h, int(cy) + ext)
            if x1 <= x0 or y1 <= y0:
                continue
            lx, ly = xx[y0:y1, x0:x1] - cx, yy[y0:y1, x0:x1] - cy
            ra, rb = rng.uniform(1.5, 4.0), rng.uniform(1.5, 4.0)
            d = np.sqrt((lx / ra) ** 2 + (ly / rb) ** 2) - 1.0
            a = np.clip(0.5 - d * min(ra, rb), 0, 1)[..., None]
        else:  # line segment (kind 1) or a short scribble-ish thick dash (kind 2)
            length = rng.uniform(6, 20) if kind == 1 else rng.uniform(3, 8)
            width = rng.uniform(0.5, 1.2) if kind == 1 else rng.uniform(1.2, 2.2)
            ang = rng.uniform(0, math.pi)
            dx, dy = math.cos(ang) * length / 2, math.sin(ang) * length / 2
            ext = int(length / 2 + width) + 2
            x0, x1 = max(0, int(cx) - ext), min(w, int(cx) + ext)
            y0, y1 = max(0, int(cy) - ext), min(h, int(cy) + ext)
            if x1 <= x0 or y1 <= y0:
                continue
            lx, ly = xx[y0:y1, x0:x1] - cx, yy[y0:y1, x0:x1] - cy
            # distance to the segment from (-dx,-dy) to (dx,dy)
            tt = np.clip((lx * dx + ly * dy) / (dx * dx + dy * dy + 1e-6), -1, 1)
            d = np.sqrt((lx - tt * dx) ** 2 + (ly - tt * dy) ** 2) - width
            a = np.clip(0.5 - d, 0, 1)[..., None]
        region = img[y0:y1, x0:x1]
        img[y0:y1, x0:x1] = region * (1 - a) + col * a


# ---------------------------------------------------------------- scenes

_GRIDS = {}


def _grid(h, w):
    if (h, w) not in _GRIDS:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        _GRIDS[(h, w)] = (yy + 0.5, xx + 0.5)
    return _GRIDS[(h, w)]


def render_scene(rng, classes, height=IMAGE_SIZE, width=IMAGE_SIZE, size_range=(20.0, 30.0),
                 distractors=(2, 6)):
    """Draws the given classes (indices) as non-overlapping objects.
    Returns (uint8 [H,W,3], [(class_index, (x0,y0,x1,y1)), ...])."""
    yy, xx = _grid(height, width)
    img = _background(rng, height, width, yy, xx)
    # distractors partly behind, partly in front of the objects
    n_dis = int(rng.integers(distractors[0], distractors[1] + 1))
    n_behind = n_dis // 2
    _draw_distractors(rng, img, yy, xx, n_behind)
    placed = []
    objects = []
    for ci in classes:
        for _attempt in range(50):
            s = rng.uniform(*size_range)
            m = 1.15 * s + 1
            cx = rng.uniform(m, width - m)
            cy = rng.uniform(m, height - m)
            if all(math.hypot(cx - px, cy - py) > 1.2 * (s + ps) for px, py, ps in placed):
                break
        placed.append((cx, cy, s))
        box = _draw_object(rng, img, CLASSES[ci], cx, cy, s, yy, xx)
        objects.append((int(ci), box))
    _draw_distractors(rng, img, yy, xx, n_dis - n_behind)
    np.clip(img, 0.0, 1.0, out=img)
    return (img * 255.0 + 0.5).astype(np.uint8), objects


def make_dataset(n, seed, num_classes=len(CLASSES)):
    """n single-object 112x112 images with balanced classes (shuffled). Deterministic in seed."""
    rng = np.random.Generator(np.random.PCG64(seed))
    labels = np.arange(n, dtype=np.int64) % num_classes
    rng.shuffle(labels)
    images = np.empty((n, IMAGE_SIZE, IMAGE_SIZE, 3), dtype=np.uint8)
    boxes = np.empty((n, 4), dtype=np.int32)
    for i in range(n):
        img, objs = render_scene(rng, [labels[i]])
        images[i] = img
        boxes[i] = objs[0][1]
    return images, labels, boxes


def save_png(path, img):
    from PIL import Image
    Image.fromarray(img).save(path, optimize=True)


if __name__ == "__main__":
    import time
    t0 = time.time()
    imgs, labels, boxes = make_dataset(2000, seed=123)
    print(f"2000 images in {time.time() - t0:.2f} s")
    if len(sys.argv) > 1:
        rows = [np.concatenate(list(imgs[r * 10:(r + 1) * 10]), axis=1) for r in range(6)]
        save_png(sys.argv[1], np.concatenate(rows, axis=0))
        print([CLASSES[l] for l in labels[:60]])
