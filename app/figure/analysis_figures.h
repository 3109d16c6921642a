// The analyses of app/analysis as figures (DrawLists), drawn live in the app's Analyses dock and
// exported like every view: attention rollout over the image, mean attention distance per head
// against depth (the ViT paper's Fig. 7 right), softmax saturation under the current options beside
// the paper's, the d_k sandbox, padding leakage, head similarity with each head's ablation, and the
// position-embedding and patch-filter structure (Fig. 7 left and centre).
#pragma once

#include "attention_rollout.h"
#include "attention_source.h"
#include "view_figures.h"

#include <optional>

namespace vitscope {

BuiltFigure build_rollout_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                 const Theme& theme, float width, float height);
BuiltFigure build_distance_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                  const Theme& theme, float width, float height);
BuiltFigure build_saturation_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                    const Theme& theme, float width, float height);
BuiltFigure build_sandbox_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                 const Theme& theme, float width, float height);
BuiltFigure build_leakage_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                 const Theme& theme, float width, float height);
BuiltFigure build_head_similarity_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                         const Theme& theme, float width, float height);
BuiltFigure build_posembed_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                  const Theme& theme, float width, float height);
BuiltFigure build_filters_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                 const Theme& theme, float width, float height);

}  // namespace vitscope

namespace vitscope {

// The numbers an analysis figure draws, as CSV (view_csv calls this for the analysis views):
// rollout "patch,value"; distance "layer,head,px"; saturation "layer,head,entropy,max_prob,
// jacobian_fro"; sandbox "d_k,std"; leakage "layer,head,share"; similarity the layer's H x H
// matrix; posembed the N x N cosine matrix; filters "component,variance".
std::string analysis_csv(FigureView view, const FigureInputs& in, const FigureSelection& sel);

}  // namespace vitscope
