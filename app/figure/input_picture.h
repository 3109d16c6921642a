// The model's input as a picture for figures: the normalised [3, H, W] tensor mapped back through
// the model's mean and std to RGBA8 (what the model actually saw: cropped, resized, letterboxed).
#pragma once

#include "draw_list.h"
#include "preprocess.h"

#include <array>

namespace vitscope {

// `key` is derived from the pixels, so equal inputs give equal keys.
FigureImage input_picture(const ModelInput& input, const std::array<float, 3>& mean, const std::array<float, 3>& std);

}  // namespace vitscope
