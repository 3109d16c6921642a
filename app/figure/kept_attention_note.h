// What a view says instead of a picture when the pass did not keep the attention it reads
// (AttentionOptions::kept_layers): never a blank or all-zero map.
#pragma once

#include "view_figures.h"

#include <string>

namespace vitscope {

// Which attention a view reads.
enum class AttentionNeed {
    None,          // predictions, weights, geometry: nothing from the trace's maps
    SelectedLayer, // the selected layer's (block's) maps
    AllLayers,     // every layer's maps (rollout, distance, saturation, ...)
};
AttentionNeed attention_need(FigureView view);

// "" when the trace holds what `view` reads for `sel`; otherwise one sentence saying which layer's
// attention was not kept and what to do about it.
std::string attention_not_kept_note(FigureView view, const FigureInputs& in, const FigureSelection& sel);

// "Layer 3's attention was not kept for this pass (kept: 11)." for a layer not kept, else "".
std::string layer_not_kept_text(const AttentionSource& source, int layer);

}  // namespace vitscope
