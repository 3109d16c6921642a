// What the lab prints at exit with --print-state: the selection, options, counters, where the image
// view and one probe cell lie on screen, and the frame times. One JSON object; tests and the
// benchmark read it.
#pragma once

#include "frame_stats.h"

#include <string>

namespace vitscope {

struct LabStateReport {
    std::string model, image, error;
    bool swin = false;
    int layer = 0, head = 0, query = 0, num_prefix = 0, grid_w = 0, grid_h = 0;
    std::string scale_mode;
    float temperature = 1;
    bool padding_mask = true, mask_tool = false;
    int masked_keys = 0;
    int forward_passes = 0, partial_recomputes = 0, baseline_passes = 0, dropped_results = 0;
    double last_compute_ms = 0;
    // The image view's grid on screen (window pixels, top-left origin) and the probe cell: the patch
    // at the grid's centre, its raw value, the colour range, the colormap and the opacity it is drawn with.
    float grid_x = 0, grid_y = 0, grid_width = 0, grid_height = 0;
    int probe_row = 0, probe_col = 0;
    float probe_x = 0, probe_y = 0, probe_value = 0, range_lo = 0, range_hi = 0, opacity = 0;
    bool log_scale = false;
    std::string colormap;
    int frames = 0;
    int frames_drawn = 0;  // frames that changed the screen (the others are not drawn)
    std::string omp_wait_policy;
    std::string hover_readout;    // the image view's readout under the mouse ("" when none)  // as the engine's OpenMP runtime read it (ensure_passive_openmp_wait)
    FrameTimeSummary frame_all, frame_computing, frame_sweeping;
};

std::string lab_state_json(const LabStateReport& r);

}  // namespace vitscope
