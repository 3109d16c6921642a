// How alike the heads of a layer are, and what each head is worth to the prediction.
//
// Similarity: per layer, the H x H matrix of the Jensen-Shannon divergence (nats, in [0, ln 2])
// between two heads' attention rows, averaged over every query. Written once over AttentionSource
// (Swin: rows within the query's window).
//
// Ablation: the top-k classes with each head's output zeroed in turn (AttentionOptions::ablated_heads,
// within the trace's layer range), recomputed with vit_update_options / swin_update_options from a
// copy of the trace, so only the layers that change are run again.
#pragma once

#include "attention_source.h"
#include "swin_model.h"
#include "vit_model.h"

#include <span>
#include <vector>

namespace vitscope {

// JS(p, q) = (KL(p || m) + KL(q || m)) / 2 with m = (p + q) / 2, in nats.
double jensen_shannon(std::span<const float> p, std::span<const float> q);

// [layer][H x H] row-major, symmetric, 0 on the diagonal.
std::vector<std::vector<double>> head_js_divergence(const AttentionSource& source);

struct ClassProb {
    int cls = 0;
    float prob = 0;
};
struct HeadAblation {
    int head = -1;              // -1: nothing ablated (the trace's own options)
    std::vector<ClassProb> top; // best first
};
// softmax(logits)'s k best classes.
std::vector<ClassProb> top_classes(const RowVector& logits, int k);

// The baseline (head -1) then each head 0..H-1 ablated (Swin: up to the largest head count of any
// stage; a stage with fewer heads is unaffected by the higher indices). Needs a classifier.
std::vector<HeadAblation> ablate_each_head(const ViTModel& model, const ViTTrace& trace, int k);
std::vector<HeadAblation> ablate_each_head(const SwinModel& model, const SwinTrace& trace, int k);

}  // namespace vitscope
