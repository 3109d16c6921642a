// The first step of every vision transformer here: cut the image into P x P patches.
#pragma once

#include "nn_ops.h"
#include "preprocess.h"

namespace vitscope {

// Patches as rows: [Gh*Gw, C*P*P] (row-major over the patch grid), columns ordered (c, ky, kx)
// like a PyTorch conv weight [D, C, P, P], so the stride-P convolution becomes one GEMM.
void image_to_patch_rows(const ModelInput& in, int channels, int patch, Matrix& rows);

}  // namespace vitscope
