#include "kept_attention_note.h"

namespace vitscope {

AttentionNeed attention_need(FigureView view) {
    switch (view) {
    case FigureView::Predictions:
    case FigureView::Sandbox:
    case FigureView::PosEmbed:
    case FigureView::Filters:
    case FigureView::Shift:
    case FigureView::Hierarchy: return AttentionNeed::None;
    case FigureView::Image:
    case FigureView::Heads:
    case FigureView::Matrix:
    case FigureView::Query:
    case FigureView::Windows:
    case FigureView::Compare:
    case FigureView::Logits:
    case FigureView::Bias: return AttentionNeed::SelectedLayer;
    case FigureView::Rollout:
    case FigureView::Distance:
    case FigureView::Saturation:
    case FigureView::Leakage:
    case FigureView::HeadSimilarity:
    case FigureView::Overview: return AttentionNeed::AllLayers;
    }
    return AttentionNeed::AllLayers;
}

namespace {

std::string kept_list(const AttentionOptions& o) {
    const std::string k = kept_layers_name(o);
    return k == "none" ? "no layer" : (o.kept_layers.size() == 1 ? "layer " : "layers ") + k;
}

const AttentionOptions& trace_options(const AttentionSource& s) {
    return s.is_swin() ? s.swin()->options : s.vit()->options;
}

std::string capitalised(std::string s) {
    if (!s.empty() && s[0] >= 'a' && s[0] <= 'z') s[0] = char(s[0] - 'a' + 'A');
    return s;
}

}  // namespace

std::string layer_not_kept_text(const AttentionSource& s, int layer) {
    if (s.kept(layer)) return {};
    return capitalised(s.name(layer)) + "'s attention was not kept for this pass (kept: " + kept_list(trace_options(s)) +
           ", to save memory).";
}

std::string attention_not_kept_note(FigureView view, const FigureInputs& in, const FigureSelection& sel) {
    const std::optional<AttentionSource> src = attention_source(in);
    if (!src) return {};
    switch (attention_need(view)) {
    case AttentionNeed::None: return {};
    case AttentionNeed::SelectedLayer: {
        const std::string text = layer_not_kept_text(*src, sel.layer);
        return text.empty() ? text : text + " Show this layer again to compute it, or keep attention for all layers.";
    }
    case AttentionNeed::AllLayers:
        if (src->all_kept()) return {};
        return std::string("This view reads the attention of every layer, but this pass kept it for ") +
               kept_list(trace_options(*src)) + " only (to save memory). Keep attention for all layers to see it.";
    }
    return {};
}

}  // namespace vitscope
