// How many bytes a trace holds: predicted before a pass (to warn when it would not fit) and measured
// on a trace after one (bench, tests).
#pragma once

#include "attention_options.h"
#include "swin_forward.h"
#include "vit_forward.h"

#include <cstdint>

namespace vitscope {

struct TraceMemory {
    int64_t attention = 0;       // softmax probabilities of the kept layers
    int64_t logits = 0;          // pre-softmax logits of the kept layers (keep_logits)
    int64_t layer_inputs = 0;    // the hidden state entering every layer, and the output
    int64_t window_terms = 0;    // Swin: relative position bias, shift mask and region map of each block
    int64_t scratch = 0;         // the trace's working buffers (Swin: as large as the first stage needs)
    int64_t thread_scratch = 0;  // per thread, where attention blocks are computed (estimate only: not in the trace)

    int64_t total() const { return attention + logits + layer_inputs + window_terms + scratch + thread_scratch; }
};

// What a pass of `model` on an image_height x image_width input with `options` will hold.
// `threads`: the engine's thread count (engine_threads()).
TraceMemory estimate_trace_bytes(const ViTModel& model, int image_height, int image_width,
                                 const AttentionOptions& options, int threads);
TraceMemory estimate_trace_bytes(const SwinModel& model, int image_height, int image_width,
                                 const AttentionOptions& options, const SwinOptions& swin_options, int threads);

// What a computed trace holds now (its buffers' sizes; thread_scratch is 0).
TraceMemory measured_trace_bytes(const ViTTrace& trace);
TraceMemory measured_trace_bytes(const SwinTrace& trace);

}  // namespace vitscope
