#include "lab_state_json.h"

#include <cstdio>
#include <sstream>

namespace vitscope {

namespace {

std::string quoted(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += c;
        }
    }
    return out + "\"";
}

std::string number(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

std::string summary(const FrameTimeSummary& s) {
    return "{\"frames\": " + std::to_string(s.frames) + ", \"median_ms\": " + number(s.median_ms) +
           ", \"p99_ms\": " + number(s.p99_ms) + ", \"max_ms\": " + number(s.max_ms) + "}";
}

}  // namespace

std::string lab_state_json(const LabStateReport& r) {
    std::ostringstream o;
    auto b = [](bool v) { return v ? "true" : "false"; };
    o << "{\n"
      << "  \"model\": " << quoted(r.model) << ",\n"
      << "  \"image\": " << quoted(r.image) << ",\n"
      << "  \"error\": " << quoted(r.error) << ",\n"
      << "  \"swin\": " << b(r.swin) << ",\n"
      << "  \"layer\": " << r.layer << ", \"head\": " << r.head << ", \"query\": " << r.query << ",\n"
      << "  \"num_prefix\": " << r.num_prefix << ", \"grid_w\": " << r.grid_w << ", \"grid_h\": " << r.grid_h << ",\n"
      << "  \"scale_mode\": " << quoted(r.scale_mode) << ", \"temperature\": " << number(r.temperature) << ",\n"
      << "  \"padding_mask\": " << b(r.padding_mask) << ", \"mask_tool\": " << b(r.mask_tool)
      << ", \"masked_keys\": " << r.masked_keys << ",\n"
      << "  \"forward_passes\": " << r.forward_passes << ", \"partial_recomputes\": " << r.partial_recomputes
      << ", \"baseline_passes\": " << r.baseline_passes << ", \"dropped_results\": " << r.dropped_results
      << ", \"last_compute_ms\": " << number(r.last_compute_ms) << ",\n"
      << "  \"grid_rect\": [" << number(r.grid_x) << ", " << number(r.grid_y) << ", " << number(r.grid_width) << ", "
      << number(r.grid_height) << "],\n"
      << "  \"probe\": {\"row\": " << r.probe_row << ", \"col\": " << r.probe_col << ", \"x\": " << number(r.probe_x)
      << ", \"y\": " << number(r.probe_y) << ", \"value\": " << number(r.probe_value)
      << ", \"range_lo\": " << number(r.range_lo) << ", \"range_hi\": " << number(r.range_hi)
      << ", \"log_scale\": " << b(r.log_scale) << ", \"colormap\": " << quoted(r.colormap)
      << ", \"opacity\": " << number(r.opacity) << "},\n"
      << "  \"frames\": " << r.frames << ",\n"
      << "  \"frames_drawn\": " << r.frames_drawn << ",\n"
      << "  \"omp_wait_policy\": " << quoted(r.omp_wait_policy) << ",\n"
      << "  \"hover_readout\": " << quoted(r.hover_readout) << ",\n"
      << "  \"frame_ms\": " << summary(r.frame_all) << ",\n"
      << "  \"frame_ms_computing\": " << summary(r.frame_computing) << ",\n"
      << "  \"frame_ms_sweeping\": " << summary(r.frame_sweeping) << "\n"
      << "}\n";
    return o.str();
}

}  // namespace vitscope
