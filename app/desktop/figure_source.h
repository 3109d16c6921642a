// The session and the view settings as the plain data the figure builders take (view_figures.h):
// what every view, the exporter, the clipboard, the sheet and the sweep are drawn from.
#pragma once

#include "view_figures.h"

namespace vitscope {

class Session;
class ViewSettings;

FigureInputs figure_inputs(const Session& session);
// The session's current trace read through the model-neutral AttentionSource (empty without one).
// It points into the session's trace: use it at once, not across a recompute.
std::optional<AttentionSource> attention_source(const Session& session);
FigureSelection figure_selection(const ViewSettings& settings);
// The live views' options (no provenance line; the exporter adds its own).
FigureOptions figure_options(const ViewSettings& settings);
// The theme the live views draw with: dark, fonts scaled by the settings' text scale.
Theme live_theme(const ViewSettings& settings);

}  // namespace vitscope
