// What a ViT learned before its first attention layer (ViT paper Fig. 7 left and centre): the cosine
// similarity between the position embeddings of every pair of patches, and the principal components
// of the patch projection's filters.
//
// ViT only: Swin has no absolute position embedding (it learns a relative position bias per block,
// shown by the Swin views), and its 4 x 4 patch filters are too small to read as pictures.
#pragma once

#include "vit_model.h"

#include <vector>

namespace vitscope {

// The trained grid's patch position embeddings (the prefix rows left out), pairwise cosine
// similarity: [N x N] row-major over patches in grid order, 1 on the diagonal.
struct PositionSimilarity {
    int grid_height = 0, grid_width = 0;
    std::vector<float> cosine;  // [N * N]
};
PositionSimilarity position_embedding_similarity(const ViTModel& model);

// The first `count` principal components of the D patch-projection filters (each 3 x P x P, centred
// on the mean filter), by decreasing variance, each as an RGB tile [P, P, 3] (row, column, channel)
// scaled to [0, 1] by its own minimum and maximum. Fewer when 3*P*P or D is smaller than `count`.
struct FilterComponents {
    int patch_size = 0;
    std::vector<std::vector<float>> tiles;  // [count][P * P * 3]
    std::vector<double> variance;           // [count] eigenvalues of the filters' covariance
};
FilterComponents patch_filter_components(const ViTModel& model, int count = 28);

}  // namespace vitscope
