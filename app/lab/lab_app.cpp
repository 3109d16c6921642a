// LabApp: opening files, the window layout, the frame, screenshots (keys, script and report are in
// lab_app_keys.cpp, lab_app_script.cpp and lab_app_report.cpp).
#include "lab_app.h"

#include "controls_panel.h"
#include "default_asset_paths.h"
#include "help_overlay.h"
#include "image_view_hit.h"
#include "png_file.h"
#include "predictions_panel.h"

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace vitscope {

LabApp::LabApp(LabHost& host, const LabArgs& args) : host_(host), args_(args) {
    if (!args_.script.empty()) script_ = read_lab_script(args_.script);
    open_model(args_.model.empty() ? default_vit_model_folder() : args_.model);
    open_image(args_.image.empty() ? default_image_file() : args_.image);
}

LabApp::~LabApp() = default;

bool LabApp::initialize_gl(const GlProcLoader& loader, std::string& error) {
    for (LiveFigurePanel* p : panels())
        if (!p->initialize(loader, error)) return false;
    return true;
}

void LabApp::release_gl() {
    for (LiveFigurePanel* p : panels()) p->release();
}

FigureInputs LabApp::inputs() const { return figure_inputs(compute_.state()); }

void LabApp::show_error(const std::string& message) {
    errors_.push_back(message);
    if (errors_.size() > 4) errors_.erase(errors_.begin());
    std::fprintf(stderr, "vitscope-lab: %s\n", message.c_str());
}

void LabApp::open_model(const std::string& path) {
    compute_.policy().open_model(path);
    note_ = "loading " + path;
    note_transient_ = true;
}

void LabApp::open_image(const std::string& path) {
    images_.request(path);  // decoded off the UI thread; take_decoded_image() hands it on
    note_ = "opening " + path;
    note_transient_ = true;
}

void LabApp::take_decoded_image() {
    std::optional<DecodedImage> d = images_.take();
    if (!d) return;
    if (!d->image) {
        const std::string& current = compute_.state().image_name;
        show_error(d->error + (current.empty() ? "" : " (still showing " + current + ")"));
        note_.clear();
        return;
    }
    compute_.policy().set_image(d->image, d->path);
    note_ = d->note;  // "downscaled on decode" stays until the next file
    note_transient_ = false;
}

void LabApp::open_path(const std::string& path) {
    std::error_code ec;
    const std::filesystem::path p(path);
    if (std::filesystem::is_directory(p, ec) || p.extension() == ".safetensors")
        open_model(path);
    else
        open_image(path);
}

void LabApp::set_selection(FigureSelection sel) {
    const FigureInputs in = inputs();
    if (in.has_trace()) sel = clamp_selection(in, sel);
    compute_.policy().set_selection(sel);
    changed();
}

void LabApp::apply(const LabEdits& e) {
    ComputePolicy& p = compute_.policy();
    if (e.options) p.set_options(*e.options);
    if (e.swin_options) p.set_swin_options(*e.swin_options);
    if (e.mode) p.set_preprocess_mode(*e.mode);
    if (e.selection) set_selection(*e.selection);
    if (e.style) {
        p.set_style(*e.style);
        changed();
    }
    if (e.toggle_mask_tool) press(LabKey::M);
    if (e.toggle_sweep) press(LabKey::Space);
}
void LabApp::image_clicks() {
    const ImGuiIO& io = ImGui::GetIO();
    if (ImGui::IsMouseReleased(0)) mask_drag_visited_.clear();
    const bool press = ImGui::IsMouseClicked(0);
    const bool drag = view_.mask_tool && ImGui::IsMouseDown(0) && !mask_drag_visited_.empty();
    if (!image_panel_.hovered() || !(press || drag)) return;
    const WorkspaceState& s = compute_.state();
    const ImVec2 p = image_panel_.figure_point(io.MousePos);
    const BuiltFigure& fig = image_panel_.figure();
    const int token = image_view_token_at(fig, p.x, p.y);
    if (token < 0) return;
    const int block = std::max(s.selection.layer, 0);
    if (view_.mask_tool) {
        // A drag masks (or unmasks) every token it passes over, each once.
        if (!mask_drag_visited_.insert(token).second) return;
        compute_.policy().toggle_masked_keys(image_view_mask_keys_of(s, block, token));
    } else {
        FigureSelection sel = s.selection;
        sel.query = image_view_query_of(s, block, token);
        set_selection(sel);
    }
}

void LabApp::status_line() {
    const WorkspaceState& s = compute_.state();
    const ComputeCounters& c = compute_.policy().counters();
    ImGui::Text("%s · %s · %s%s", s.model ? s.model_name().c_str() : "no model",
                std::filesystem::path(s.image_name).filename().string().c_str(),
                compute_.busy() ? (compute_.policy().loading() ? "loading…" : "computing…") : "ready",
                view_.mask_tool ? " · MASK TOOL" : "");
    ImGui::SameLine();
    ImGui::TextDisabled("· last %s %.1f ms · H: keys", c.last_full ? "forward" : "recompute", c.last_ms);
    // The cell under the mouse, as the app's status bar says it (one readout for both front ends).
    hover_readout_.clear();
    if (image_panel_.hovered()) {
        const ImVec2 p = image_panel_.figure_point(ImGui::GetIO().MousePos);
        const BuiltFigure& fig = image_panel_.figure();
        hover_readout_ = image_view_readout(fig, s, std::max(s.selection.layer, 0), image_view_token_at(fig, p.x, p.y));
    }
    if (!hover_readout_.empty()) ImGui::Text("%s", hover_readout_.c_str());
    if (!note_.empty()) ImGui::TextDisabled("%s", note_.c_str());
    for (size_t i = 0; i < errors_.size(); ++i) {
        ImGui::PushID(int(i));
        ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 120, 120, 255));
        ImGui::TextWrapped("%s", errors_[i].c_str());
        ImGui::PopStyleColor();
        ImGui::SameLine();
        if (ImGui::SmallButton("dismiss")) {
            errors_.erase(errors_.begin() + long(i));
            ImGui::PopID();
            break;
        }
        ImGui::PopID();
    }
}

void LabApp::layout(float fb_scale) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(vp->WorkPos);
    ImGui::SetNextWindowSize(vp->WorkSize);
    ImGui::PushStyleVar(ImGuiStyleVar_WindowRounding, 0.0f);
    ImGui::Begin("vitscope-lab", nullptr,
                 ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                     ImGuiWindowFlags_NoBringToFrontOnFocus | ImGuiWindowFlags_NoBackground);
    ImGui::PopStyleVar();
    const WorkspaceState& s = compute_.state();
    const FigureInputs in = inputs();
    const FigureSelection sel = in.has_trace() ? clamp_selection(in, s.selection) : s.selection;
    const Theme theme = view_.ui_scale == 1.0f ? theme_dark() : theme_scaled(theme_dark(), view_.ui_scale);
    FigureOptions opt;
    opt.style = s.style;
    opt.provenance = false;

    const ImVec2 avail = ImGui::GetContentRegionAvail();
    const float status_h = ImGui::GetFrameHeightWithSpacing() * (2.0f + float(errors_.size()));
    const float side = std::max(160.0f, std::min(avail.x * 0.58f, avail.y - status_h));
    ImGui::BeginChild("left", ImVec2(side, 0), false, ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
    if (in.has_trace()) {
        FigureOptions o = opt;
        o.hint = view_.mask_tool ? "mask tool: click a patch to mask it as a key (M: back to choosing the query)"
                                 : "click a patch: it becomes the query";
        image_panel_.show([&](float w, float h) { return build_view_figure(FigureView::Image, in, sel, o, theme, w, h); },
                          revision_, ImVec2(side, side), fb_scale, fonts_, &render_budget_);
        image_clicks();
    } else {
        ImGui::Dummy(ImVec2(side, side * 0.4f));
        ImGui::TextUnformatted(compute_.busy() || images_.busy() ? "Computing the first forward pass…"
                                                                  : "Open a model and an image.");
    }
    status_line();
    ImGui::EndChild();
    ImGui::SameLine();
    ImGui::BeginChild("right", ImVec2(0, 0), false);
    LabEdits edits = show_controls_panel(s, in, view_);
    ImGui::Separator();
    show_predictions_panel(s);
    ImGui::Separator();
    if (in.has_trace() && ImGui::BeginTabBar("views")) {
        const ImVec2 room = ImGui::GetContentRegionAvail();
        const ImVec2 size(room.x, std::max(room.y - ImGui::GetFrameHeightWithSpacing(), 120.0f));
        auto tab = [&](const char* name, LiveFigurePanel& panel, FigureView view) {
            const bool select = view_.select_tab && std::string(view_.select_tab) == name;
            if (!ImGui::BeginTabItem(name, nullptr, select ? ImGuiTabItemFlags_SetSelected : 0)) return;
            panel.show([&](float w, float h) { return build_view_figure(view, in, sel, opt, theme, w, h); }, revision_,
                       size, fb_scale, fonts_, &render_budget_);
            ImGui::EndTabItem();
        };
        tab("Heads", heads_panel_, FigureView::Heads);
        tab("Saturation", saturation_panel_, FigureView::Saturation);
        tab("Distance", distance_panel_, FigureView::Distance);
        ImGui::EndTabBar();
        view_.select_tab = nullptr;
        // A click on a heads-grid tile selects that head.
        if (heads_panel_.hovered() && ImGui::IsMouseClicked(0)) {
            const ImVec2 p = heads_panel_.figure_point(ImGui::GetIO().MousePos);
            for (const FigurePanel& tile : heads_panel_.figure().panels)
                if (tile.layout.grid.contains(p.x, p.y)) edits.selection = FigureSelection{sel.layer, tile.head, sel.query};
        }
    }
    ImGui::EndChild();
    ImGui::End();
    apply(edits);
}

void LabApp::frame(float fb_scale, double frame_ms) {
    if (frames_ > 0) stats_.add(frame_ms, compute_.busy(), view_.sweeping || script_sweep_left_ > 0);
    ++frames_;
    for (LiveFigurePanel* p : panels()) p->new_frame();
    take_decoded_image();
    const PolicyEvents ev = compute_.pump();
    idle_frames_ = compute_.idle() && !images_.busy() ? idle_frames_ + 1 : 0;
    if (!ev.error.empty()) show_error(ev.error);
    if (ev.model_changed || ev.trace_changed) {
        set_selection(compute_.state().selection);  // clamped into the new trace's range
        if (ev.trace_changed && note_transient_) note_.clear();
    }
    try {
        run_script();
    } catch (const std::exception& e) {
        show_error(e.what());
        exit_code_ = 2;
        quit_ = true;
    }
    handle_keyboard();
    advance_sweep(ImGui::GetTime());
    // A frame that is saved, or the last one, shows every panel up to date.
    const bool last = args_.frames > 0 && frames_ >= args_.frames;
    render_budget_.new_frame(!screenshot_requests_.empty() || ((last || quit_) && !args_.screenshot.empty()));
    layout(fb_scale);
    if (view_.help) show_help_overlay(&view_.help);
    if (args_.frames > 0 && frames_ >= args_.frames) quit_ = true;
}

void LabApp::before_render(int fb_height) {
    for (LiveFigurePanel* p : panels()) p->present(fb_height);
}

bool LabApp::must_draw() const {
    if (!screenshot_requests_.empty() || (quit_ && !args_.screenshot.empty())) return true;
    for (const LiveFigurePanel* p : panels())
        if (p->pictures_changed() || p->waiting()) return true;
    return false;
}

void LabApp::after_render(int fb_width, int fb_height) {
    if (quit_ && !args_.screenshot.empty()) screenshot_requests_.push_back(args_.screenshot);
    if (screenshot_requests_.empty()) return;
    std::vector<uint8_t> bottom_up(size_t(fb_width) * fb_height * 4), rgba(bottom_up.size());
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, fb_width, fb_height, GL_RGBA, GL_UNSIGNED_BYTE, bottom_up.data());
    const size_t row = size_t(fb_width) * 4;
    for (int y = 0; y < fb_height; ++y)
        std::copy_n(&bottom_up[size_t(fb_height - 1 - y) * row], row, &rgba[size_t(y) * row]);
    for (size_t i = 3; i < rgba.size(); i += 4) rgba[i] = 255;  // the window is opaque
    for (const std::string& path : screenshot_requests_) {
        try {
            write_png_file(path, fb_width, fb_height, rgba);
        } catch (const std::exception& e) {
            show_error(e.what());
            exit_code_ = 2;
        }
    }
    screenshot_requests_.clear();
}
}  // namespace vitscope
