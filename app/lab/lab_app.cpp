#include "lab_app.h"

#include "controls_panel.h"
#include "default_asset_paths.h"
#include "help_overlay.h"
#include "image_view_hit.h"
#include "png_file.h"
#include "predictions_panel.h"
#include "stb_image_file.h"

#include <GLFW/glfw3.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace vitscope {

bool parse_lab_key(const std::string& name, LabKey& key, int& digit) {
    std::string n;
    for (char c : name) n += char(std::toupper(static_cast<unsigned char>(c)));
    digit = 0;
    if (n.size() == 1 && n[0] >= '0' && n[0] <= '9') {
        digit = n[0] - '0';
        key = digit == 0 ? LabKey::MeanOfHeads : LabKey::HeadNumber;
        return true;
    }
    static const std::pair<const char*, LabKey> names[] = {
        {"LEFT", LabKey::Left}, {"RIGHT", LabKey::Right}, {"UP", LabKey::Up},     {"DOWN", LabKey::Down},
        {"SPACE", LabKey::Space}, {"S", LabKey::S},       {"M", LabKey::M},       {"P", LabKey::P},
        {"F", LabKey::F},       {"H", LabKey::H},         {"PLUS", LabKey::Plus}, {"+", LabKey::Plus},
        {"MINUS", LabKey::Minus}, {"-", LabKey::Minus},   {"ESCAPE", LabKey::Escape}, {"ESC", LabKey::Escape},
    };
    for (const auto& [text, k] : names)
        if (n == text) {
            key = k;
            return true;
        }
    return false;
}

LabApp::LabApp(LabHost& host, const LabArgs& args) : host_(host), args_(args) {
    if (!args_.script.empty()) script_ = read_lab_script(args_.script);
    open_model(args_.model.empty() ? default_vit_model_folder() : args_.model);
    open_image(args_.image.empty() ? default_image_file() : args_.image);
}

LabApp::~LabApp() = default;

bool LabApp::initialize_gl(const GlProcLoader& loader, std::string& error) {
    for (LiveFigurePanel* p : {&image_panel_, &heads_panel_, &saturation_panel_, &distance_panel_})
        if (!p->initialize(loader, error)) return false;
    return true;
}

void LabApp::release_gl() {
    for (LiveFigurePanel* p : {&image_panel_, &heads_panel_, &saturation_panel_, &distance_panel_}) p->release();
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

void LabApp::press(LabKey key, int digit) {
    const WorkspaceState& s = compute_.state();
    const FigureInputs in = inputs();
    FigureSelection sel = s.selection;
    const int layers = std::max(in.num_layers(), 1);
    const int heads = in.has_trace() ? in.num_heads(std::clamp(sel.layer, 0, layers - 1)) : 1;
    AttentionOptions o = s.options;
    switch (key) {
    case LabKey::Left: sel.layer = std::max(sel.layer - 1, 0); set_selection(sel); break;
    case LabKey::Right: sel.layer = std::min(sel.layer + 1, layers - 1); set_selection(sel); break;
    case LabKey::Up: sel.head = sel.head == kMeanOfHeads ? 0 : std::min(sel.head + 1, heads - 1); set_selection(sel); break;
    case LabKey::Down: sel.head = sel.head == kMeanOfHeads ? heads - 1 : std::max(sel.head - 1, 0); set_selection(sel); break;
    case LabKey::MeanOfHeads: sel.head = kMeanOfHeads; set_selection(sel); break;
    case LabKey::HeadNumber:
        if (digit - 1 < heads) {
            sel.head = digit - 1;
            set_selection(sel);
        }
        break;
    case LabKey::Space:
        view_.sweeping = !view_.sweeping;
        if (view_.sweeping) {
            if (sel.layer >= layers - 1) set_selection({0, sel.head, sel.query});
            sweep_next_s_ = ImGui::GetTime() + 0.6;
        }
        break;
    case LabKey::S: o.scale_mode = ScaleMode((int(o.scale_mode) + 1) % 3); compute_.policy().set_options(o); break;
    case LabKey::M: view_.mask_tool = !view_.mask_tool; changed(); break;
    case LabKey::P: o.padding_mask = !o.padding_mask; compute_.policy().set_options(o); break;
    case LabKey::F: view_.fullscreen = !view_.fullscreen; host_.set_fullscreen(view_.fullscreen); break;
    case LabKey::H: view_.help = !view_.help; break;
    case LabKey::Plus: view_.ui_scale = std::min(view_.ui_scale * 1.15f, 3.0f); changed(); break;
    case LabKey::Minus: view_.ui_scale = std::max(view_.ui_scale / 1.15f, 0.6f); changed(); break;
    case LabKey::Escape:
        if (view_.help) {
            view_.help = false;
        } else if (view_.fullscreen) {
            view_.fullscreen = false;
            host_.set_fullscreen(false);
        }
        break;
    }
}

void LabApp::handle_keyboard() {
    const ImGuiIO& io = ImGui::GetIO();
    if (io.WantTextInput) return;
    static const std::pair<int, LabKey> keys[] = {
        {GLFW_KEY_LEFT, LabKey::Left}, {GLFW_KEY_RIGHT, LabKey::Right}, {GLFW_KEY_UP, LabKey::Up},
        {GLFW_KEY_DOWN, LabKey::Down}, {GLFW_KEY_SPACE, LabKey::Space}, {GLFW_KEY_S, LabKey::S},
        {GLFW_KEY_M, LabKey::M},       {GLFW_KEY_P, LabKey::P},         {GLFW_KEY_F, LabKey::F},
        {GLFW_KEY_H, LabKey::H},       {GLFW_KEY_EQUAL, LabKey::Plus},  {GLFW_KEY_KP_ADD, LabKey::Plus},
        {GLFW_KEY_MINUS, LabKey::Minus}, {GLFW_KEY_KP_SUBTRACT, LabKey::Minus}, {GLFW_KEY_ESCAPE, LabKey::Escape},
    };
    // Dear ImGui 1.86 (before the 1.87 key API): IsKeyPressed takes the backend's native key codes.
    for (const auto& [code, key] : keys)
        if (ImGui::IsKeyPressed(code)) press(key);
    for (int d = 0; d <= 9; ++d)
        if (ImGui::IsKeyPressed(GLFW_KEY_0 + d, false) || ImGui::IsKeyPressed(GLFW_KEY_KP_0 + d, false))
            press(d == 0 ? LabKey::MeanOfHeads : LabKey::HeadNumber, d);
}

void LabApp::advance_sweep(double now_s) {
    const int layers = inputs().num_layers();
    FigureSelection sel = compute_.state().selection;
    if (script_sweep_left_ > 0 && layers > 0) {  // scripted drag: one layer per frame, wrapping
        --script_sweep_left_;
        sel.layer = (sel.layer + 1) % layers;
        set_selection(sel);
    }
    if (!view_.sweeping || now_s < sweep_next_s_) return;
    if (sel.layer >= layers - 1) {
        view_.sweeping = false;
        return;
    }
    ++sel.layer;
    set_selection(sel);
    sweep_next_s_ = now_s + 0.6;
}

bool LabApp::run_command(const ScriptCommand& c) {
    const std::string where = args_.script + ":" + std::to_string(c.line) + ": ";
    auto number = [&](size_t i) {
        try {
            return std::stod(c.args[i]);
        } catch (const std::exception&) {
            throw std::runtime_error(where + c.name + ": '" + c.args[i] + "' is not a number");
        }
    };
    const WorkspaceState& s = compute_.state();
    FigureSelection sel = s.selection;
    // Idle now, and already at the start of the previous frame: that frame drew the last result.
    if (c.name == "wait-idle") return compute_.idle() && !images_.busy() && idle_frames_ >= 2;
    if (c.name == "wait-frames") {
        if (wait_frames_ == 0) wait_frames_ = int(number(0)) + 1;
        return --wait_frames_ == 0;
    }
    if (c.name == "sweep-layers") {
        if (wait_frames_ == 0) {
            script_sweep_left_ = int(number(0));
            wait_frames_ = 1;
        }
        if (script_sweep_left_ > 0) return false;
        wait_frames_ = 0;
        return true;
    }
    if (c.name == "click-patch" || c.name == "drag-patches") {
        // Mouse events on the image view's patch centres, one per frame (before_new_frame feeds
        // them to ImGui); the command ends when they have all been seen.
        if (!mouse_started_) {
            auto centre = [&](size_t row_arg) {
                float x = 0, y = 0;
                if (!image_view_patch_center(image_panel_.figure(), int(number(row_arg)), int(number(row_arg + 1)), x, y))
                    throw std::runtime_error(where + c.name + ": no patch (" + c.args[row_arg] + ", " +
                                             c.args[row_arg + 1] + ") in the image view (is a trace shown? wait-idle first)");
                return image_panel_.screen_point(x, y);
            };
            const ImVec2 a = centre(0);
            const ImVec2 b = c.name == "drag-patches" ? centre(2) : a;
            scripted_mouse_.push_back({a, true});
            for (int i = 1; i <= 8 && c.name == "drag-patches"; ++i)
                scripted_mouse_.push_back({ImVec2(a.x + (b.x - a.x) * float(i) / 8, a.y + (b.y - a.y) * float(i) / 8), true});
            scripted_mouse_.push_back({b, false});
            mouse_started_ = true;
        }
        if (!scripted_mouse_.empty()) return false;
        mouse_started_ = false;
        return true;
    }
    if (c.name == "layer") sel.layer = int(number(0));
    else if (c.name == "head") sel.head = c.args[0] == "mean" ? kMeanOfHeads : int(number(0));
    else if (c.name == "query") sel.query = int(number(0));
    if (c.name == "layer" || c.name == "head" || c.name == "query") {
        set_selection(sel);
        return true;
    }
    AttentionOptions o = s.options;
    FigureStyle st = s.style;
    if (c.name == "key") {
        LabKey key;
        int digit = 0;
        if (!parse_lab_key(c.args[0], key, digit)) throw std::runtime_error(where + "key " + c.args[0] + ": unknown key");
        press(key, digit);
    } else if (c.name == "temperature") {
        o.temperature = float(number(0));
        compute_.policy().set_options(o);
    } else if (c.name == "scale") {
        if (!parse_scale_mode(c.args[0], o.scale_mode))
            throw std::runtime_error(where + "scale " + c.args[0] + ": expected head, model or none");
        compute_.policy().set_options(o);
    } else if (c.name == "image") {
        open_image(c.args[0]);
    } else if (c.name == "model") {
        open_model(c.args[0]);
    } else if (c.name == "open") {
        open_path(c.args[0]);  // as a file dropped onto the window
    } else if (c.name == "opacity" || c.name == "grid" || c.name == "colormap") {
        if (c.name == "opacity") st.opacity = std::clamp(float(number(0)), 0.0f, 1.0f);
        if (c.name == "grid") st.show_grid = c.args[0] == "on";
        if (c.name == "colormap" && !parse_colormap(c.args[0], st.colormap))
            throw std::runtime_error(where + "colormap " + c.args[0] + ": expected viridis, inferno, magma or grey");
        compute_.policy().set_style(st);
        changed();
    } else if (c.name == "tab") {
        static const char* tabs[] = {"Heads", "Saturation", "Distance"};
        view_.select_tab = nullptr;
        for (const char* t : tabs)
            if (c.args[0].size() == std::string(t).size() &&
                std::equal(c.args[0].begin(), c.args[0].end(), t, [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
                view_.select_tab = t;
        if (!view_.select_tab) throw std::runtime_error(where + "tab " + c.args[0] + ": expected heads, saturation or distance");
    } else if (c.name == "screenshot") {
        screenshot_requests_.push_back(c.args[0]);
    } else if (c.name == "quit") {
        quit_ = true;
    }
    return true;
}

void LabApp::run_script() {
    while (script_pos_ < script_.size() && !quit_) {
        if (!run_command(script_[script_pos_])) return;
        ++script_pos_;
        // A screenshot shows this frame: later commands wait for the next one.
        if (!screenshot_requests_.empty()) return;
    }
}

void LabApp::before_new_frame() {
    ImGuiIO& io = ImGui::GetIO();
    io.FontGlobalScale = view_.ui_scale;
    if (!scripted_mouse_.empty()) {
        io.MousePos = scripted_mouse_.front().pos;
        io.MouseDown[0] = scripted_mouse_.front().down;
        scripted_mouse_.pop_front();
    }
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
    const int token = image_view_token_at(fig, s, p.x, p.y);
    if (token < 0) return;
    const int block = std::max(s.selection.layer, 0);
    if (view_.mask_tool) {
        // A drag masks (or unmasks) every token it passes over, each once.
        if (!mask_drag_visited_.insert(token).second) return;
        compute_.policy().toggle_masked_keys(image_view_mask_keys_of(fig, s, block, token));
    } else {
        FigureSelection sel = s.selection;
        sel.query = image_view_query_of(fig, s, block, token);
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
                          revision_, ImVec2(side, side), fb_scale, fonts_);
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
                       size, fb_scale, fonts_);
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
    layout(fb_scale);
    if (view_.help) show_help_overlay(&view_.help);
    if (args_.frames > 0 && frames_ >= args_.frames) quit_ = true;
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
    r.frame_all = summarize_frame_times(stats_.all);
    r.frame_computing = summarize_frame_times(stats_.computing);
    r.frame_sweeping = summarize_frame_times(stats_.sweeping);
    return lab_state_json(r);
}

}  // namespace vitscope
