// Resampling used by preprocessing and by position-embedding interpolation.
#pragma once

#include "nn_ops.h"

#include <vector>

namespace vitscope {

// Antialiased bicubic resize of a planar float image [C, H, W] (the PIL / torchvision
// `antialias=True` filter: a = -0.5, support widened by the downscale factor).
std::vector<float> resize_bicubic_antialias(const std::vector<float>& chw, int channels, int in_h, int in_w,
                                            int out_h, int out_w);
// The window [top, top + h) x [left, left + w) of that resize, computed alone: bit-identical to
// resizing the whole image and cropping, at the cost of the window only (the centre crop of a very
// wide or tall image).
std::vector<float> resize_bicubic_antialias_window(const std::vector<float>& chw, int channels, int in_h, int in_w,
                                                   int out_h, int out_w, int top, int left, int h, int w);

// Bicubic interpolation of a grid of vectors [in_h*in_w, C] -> [out_h*out_w, C], as PyTorch's
// F.interpolate(mode="bicubic", align_corners=False) (a = -0.75, no antialias), which timm and
// DINOv2 use to resize position embeddings.
Matrix interpolate_grid_bicubic(const Matrix& grid, int in_h, int in_w, int out_h, int out_w);

}  // namespace vitscope
