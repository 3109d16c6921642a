// LabApp's --print-state report: the state, where the image grid and a probe cell lie on screen,
// and the frame times.
#include "lab_app.h"

#include <cstdlib>

namespace vitscope {

std::string LabApp::state_json() const {
    const WorkspaceState& s = compute_.state();
    const ComputeCounters& c = compute_.policy().counters();
    LabStateReport r;
    r.model = s.model_path;
    r.image = s.image_name;
    r.error = errors_.empty() ? std::string() : errors_.back();
    r.swin = s.is_swin();
    r.layer = s.selection.layer;
    r.head = s.selection.head;
    r.query = s.selection.query;
    r.num_prefix = s.trace ? s.trace->num_prefix : 0;
    r.scale_mode = scale_mode_name(s.options.scale_mode);
    r.temperature = s.options.temperature;
    r.padding_mask = s.options.padding_mask;
    r.mask_tool = view_.mask_tool;
    r.masked_keys = int(s.options.masked_keys.size());
    r.forward_passes = c.forward_passes;
    r.partial_recomputes = c.partial_recomputes;
    r.baseline_passes = c.baseline_passes;
    r.dropped_results = c.dropped_results;
    r.last_compute_ms = c.last_ms;
    const BuiltFigure& fig = image_panel_.figure();
    r.grid_w = fig.figure.grid_w;
    r.grid_h = fig.figure.grid_h;
    if (!fig.panels.empty()) {
        const RectF grid = fig.panels.front().layout.grid;
        const ImVec2 o = image_panel_.screen_point(grid.x, grid.y);
        r.grid_x = o.x;
        r.grid_y = o.y;
        r.grid_width = grid.w;
        r.grid_height = grid.h;
        for (const DrawItem& item : fig.list.items) {
            const auto* g = std::get_if<CellGridItem>(&item);
            if (!g || !(g->rect == grid) || g->cols <= 0 || g->rows <= 0) continue;
            r.probe_row = g->rows / 2;
            r.probe_col = g->cols / 2;
            const ImVec2 p = image_panel_.screen_point(g->rect.x + (float(r.probe_col) + 0.5f) * g->rect.w / float(g->cols),
                                                       g->rect.y + (float(r.probe_row) + 0.5f) * g->rect.h / float(g->rows));
            r.probe_x = p.x;
            r.probe_y = p.y;
            r.probe_value = g->values[size_t(r.probe_row) * g->cols + r.probe_col];
            r.range_lo = g->range.lo;
            r.range_hi = g->range.hi;
            r.log_scale = g->log_scale;
            r.colormap = colormap_name(g->colormap);
            r.opacity = g->opacity;
            break;
        }
    }
    r.frames = frames_;
    r.frames_drawn = frames_drawn_;
    r.hover_readout = hover_readout_;
    if (const char* policy = std::getenv("OMP_WAIT_POLICY")) r.omp_wait_policy = policy;
    r.frame_all = summarize_frame_times(stats_.all);
    r.frame_computing = summarize_frame_times(stats_.computing);
    r.frame_sweeping = summarize_frame_times(stats_.sweeping);
    return lab_state_json(r);
}
}  // namespace vitscope
