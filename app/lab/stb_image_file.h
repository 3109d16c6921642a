// Decoding image files for the lab with stb_image (Debian's libstb-dev), under the same limits as
// the Qt app's loader (app/core/image_limits.h): too many pixels or too thin is refused before
// decoding, larger than 4096x4096 is downscaled.
#pragma once

#include "preprocess.h"

#include <string>

namespace vitscope {

// Throws std::runtime_error "<path>: <reason>" when the file cannot be read or decoded. `note`, when
// given, says when the image was downscaled.
RgbImage load_image_file(const std::string& path, std::string* note = nullptr);

}  // namespace vitscope
