// The "Swin explained" figures (the Swin paper's Fig. 2 and Fig. 4 on the user's own image), built
// as DrawLists from engine/swin_explained.h, so each one is drawn live and exported alike:
// the cyclic shift step by step, the logits of the selected query taken apart, the relative
// position bias table of a head, and the stage hierarchy with its patch merging.
#pragma once

#include "swin_explained.h"
#include "view_figures.h"

namespace vitscope {

// One step of the shifted-window scheme for the selected block (sel.layer) and query: the map's
// cells carry the image, regions are tinted and numbered, windows drawn where they lie at that
// step; the Masked step also shows the query window's masked attention matrix.
BuiltFigure build_swin_shift_figure(const FigureInputs& in, const FigureSelection& sel, SwinShiftStep step,
                                    const FigureOptions& opt, const Theme& theme, float width, float height);

// The selected query's logits over the keys of its window: per key a stacked bar of the scaled
// q.k term and the relative position bias, the shift mask's -100 marked, and the softmax below.
// Needs a trace kept with keep_logits (otherwise a note says so). ViT: the q.k term only.
BuiltFigure build_logit_terms_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                     const Theme& theme, float width, float height);
// The numbers behind it, per key slot (for hover readouts and tests).
struct LogitTermsData {
    std::vector<float> qk, bias, mask, softmax;
    std::vector<std::string> key_names;
    std::string title;
    std::string note;  // why nothing can be shown (empty when fine)
};
LogitTermsData logit_terms_data(const FigureInputs& in, const FigureSelection& sel);

// The selected head's (2M-1) x (2M-1) bias table, the M^2 x M^2 bias it gives a window, and the bias
// seen from the selected query as a map over its window (needs FigureInputs::model).
BuiltFigure build_swin_bias_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                   const Theme& theme, float width, float height);

// Every stage side by side over the image at scale (its token grid, windows, channels), with the
// patch merging between stages; panels[s] is stage s (click to jump there).
BuiltFigure build_swin_hierarchy_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                        const Theme& theme, float width, float height);

}  // namespace vitscope
