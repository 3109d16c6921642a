// The bounds every hyper-parameter read from a checkpoint is checked against before anything is
// allocated from it. Generous for real models (ViT-g, Swin-L, 22k-class heads), small enough that
// no product of them overflows an int and no declared size asks for more memory than a desktop has.
#pragma once

#include <cstdint>
#include <string>

namespace vitscope {

constexpr int kMaxImageSide = 4096;   // model input height/width in pixels, trained or requested
constexpr int kMaxWidth = 65536;      // embed_dim, MLP hidden width, Swin stage channels
constexpr int kMaxDepth = 1024;       // transformer blocks (ViT) or blocks per stage (Swin)
constexpr int kMaxHeads = 1024;
constexpr int kMaxClasses = 1 << 20;
constexpr int kMaxSwinStages = 8;
constexpr int kMaxRegisterTokens = 1024;
constexpr int kMaxWindow = 256;       // Swin window side M

// `value` as an int when lo <= value <= hi; otherwise throws FileError
// "<file>: tensor '<tensor>' gives <what> <value>, outside [lo, hi]".
int checked_hparam(int64_t value, int64_t lo, int64_t hi, const std::string& file, const std::string& tensor,
                   const std::string& what);

}  // namespace vitscope
