// The teaching sheet (a title page, then a page per layer or Swin block) and the layer sweep (the

#include "figure_frame.h"// Image view at every layer), composed from build_view_figure's views: what a page shows is what
// the app shows.
#include "view_figures.h"

#include "attention_stats.h"

#include <algorithm>
#include <cstdio>

namespace vitscope {

namespace {

constexpr float kPageMargin = 24;
constexpr float kPanelGap = 12;
constexpr const char* kSeparator = " · ";

// Splits `text` at " · " into lines that fit `width` at `size`; a piece wider than the line alone
// gets a line of its own (and is shrunk when drawn).
std::vector<std::string> wrap_at_separators(const std::string& text, float width, float size) {
    std::vector<std::string> pieces;
    for (size_t at = 0;;) {
        const size_t next = text.find(kSeparator, at);
        pieces.push_back(text.substr(at, next == std::string::npos ? std::string::npos : next - at));
        if (next == std::string::npos) break;
        at = next + std::string(kSeparator).size();
    }
    std::vector<std::string> lines;
    for (const std::string& p : pieces) {
        if (!lines.empty() && text_width_estimate(lines.back() + kSeparator + p, size) <= width)
            lines.back() += kSeparator + p;
        else
            lines.push_back(p);
    }
    return lines;
}

// One text line in `box`, its size reduced when the estimate says it would not fit.
void add_line(DrawList& dl, RectF box, const std::string& text, float size, Rgba color, bool bold = false,
              HAlign align = HAlign::Left) {
    const float w = text_width_estimate(text, size, bold);
    if (w > box.w) size = std::max(5.0f, size * box.w / w);
    dl.add(TextItem{box, text, size, color, align, VAlign::Middle, bold});
}

// The lines every page ends with: the user's caption, then the provenance of what the page shows.
struct Footer {
    std::string caption;
    std::vector<std::string> provenance;
    float height(const Theme& t) const {
        return (caption.empty() ? 0.0f : t.label_size * 1.6f) + float(provenance.size()) * t.caption_size * 1.5f;
    }
};

Footer page_footer(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt, const Theme& t,
                   float width) {
    Footer f;
    f.caption = opt.caption;
    f.provenance = wrap_at_separators(provenance_text(in, sel), width - 2 * kPageMargin, t.caption_size);
    return f;
}

void add_footer(DrawList& page, const Footer& f, const Theme& t) {
    const float w = page.width - 2 * kPageMargin;
    float y = page.height - kPageMargin * 0.5f - f.height(t);
    if (!f.caption.empty()) {
        add_line(page, {kPageMargin, y, w, t.label_size * 1.6f}, f.caption, t.label_size, t.text);
        y += t.label_size * 1.6f;
    }
    for (const std::string& line : f.provenance) {
        add_line(page, {kPageMargin, y, w, t.caption_size * 1.5f}, line, t.caption_size, t.text_muted);
        y += t.caption_size * 1.5f;
    }
}

DrawList blank_page(const FigureInputs& in, const FigureSelection& sel, const Theme& t, float w, float h) {
    DrawList page;
    page.width = w;
    page.height = h;
    page.theme = t;
    page.metadata = provenance_metadata(in, sel);  // the backends fill the theme's background
    return page;
}

// A view built at the size of `box` without its own caption lines (the page has one footer), put there.
void place_view(DrawList& page, FigureView view, const FigureInputs& in, const FigureSelection& sel,
                const FigureOptions& opt, const Theme& t, RectF box) {
    FigureOptions o = opt;
    o.provenance = false;
    o.caption.clear();
    o.hint.clear();
    o.hover_token = -1;
    o.matrix_zoom = 1.0f;
    o.matrix_pan_x = o.matrix_pan_y = 0;
    const BuiltFigure b = build_view_figure(view, in, sel, o, t, box.w, box.h);
    page.append(b.list, box.x, box.y);
}

std::string head_label(int head) { return head == kMeanOfHeads ? "the mean of the heads" : "head " + std::to_string(head); }

// What the forward pass was run with, one phrase each.
std::vector<std::string> option_lines(const FigureInputs& in) {
    const AttentionOptions& a = in.swin ? in.swin->options : in.vit->options;
    std::vector<std::string> lines;
    lines.push_back(std::string("logit scale: ") +
                    (a.scale_mode == ScaleMode::InvSqrtHeadDim    ? "1/sqrt(d_head) (the paper)"
                     : a.scale_mode == ScaleMode::InvSqrtModelDim ? "1/sqrt(d_model) (a common bug)"
                                                                  : "none (logits unscaled)") +
                    ", temperature " + format_number("%g", double(a.temperature)));
    std::string masks;
    if (!a.masked_keys.empty()) {
        masks = "keys";
        for (int k : a.masked_keys) (masks += ' ') += std::to_string(k);
        masks += in.swin ? " (stage-0 patches)" : " (tokens)";
    }
    if (a.causal) masks += std::string(masks.empty() ? "" : ", ") + "causal";
    masks += std::string(masks.empty() ? "" : ", ") + (a.padding_mask ? "padding masked" : "padding not masked");
    lines.push_back("masks: " + masks);
    if (a.first_layer != 0 || a.last_layer >= 0 || !a.heads.empty()) {
        std::string where = "options apply to " + std::string(in.swin ? "blocks " : "layers ") +
                            std::to_string(a.first_layer) + "-" +
                            (a.last_layer < 0 ? std::string("last") : std::to_string(a.last_layer));
        if (!a.heads.empty()) {
            where += ", heads";
            for (int h : a.heads) (where += ' ') += std::to_string(h);
        }
        lines.push_back(where);
    }
    if (!a.ablated_heads.empty()) {
        std::string s = "ablated heads (output zeroed):";
        for (int h : a.ablated_heads) (s += ' ') += std::to_string(h);
        lines.push_back(s);
    }
    if (in.swin) {
        const SwinOptions& so = in.swin->swin_options;
        lines.push_back(std::string("Swin: ") + (so.shift ? "shifted windows in odd blocks" : "no shift") + ", " +
                        (so.shift_mask ? "shift mask on" : "shift mask off") + ", " +
                        (so.relative_position_bias ? "relative position bias on" : "relative position bias off"));
    }
    return lines;
}

std::string architecture_line(const FigureInputs& in) {
    if (in.vit) {
        const ViTTrace& t = *in.vit;
        return "ViT: " + std::to_string(t.layers.size()) + " layers x " + std::to_string(t.num_heads) + " heads, " +
               std::to_string(t.num_tokens) + " tokens (" + std::to_string(t.num_prefix) + " special + " +
               std::to_string(t.grid_height) + "x" + std::to_string(t.grid_width) + " patches)";
    }
    const SwinTrace& t = *in.swin;
    std::string heads;
    for (size_t s = 0; s < t.stage_first_block.size(); ++s)
        (heads += s ? "/" : "") += std::to_string(t.blocks[size_t(t.stage_first_block[s])].num_heads);
    const int window = t.blocks.empty() ? 0 : t.blocks.front().geometry.window;
    return "Swin: " + std::to_string(t.blocks.size()) + " blocks in " + std::to_string(t.stage_first_block.size()) +
           " stages, heads " + heads + ", window " + std::to_string(window) + "x" + std::to_string(window) + ", " +
           std::to_string(t.grid_height) + "x" + std::to_string(t.grid_width) + " stage-0 patches";
}

DrawList title_page(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt, const Theme& t,
                    float w, float h) {
    DrawList page = blank_page(in, sel, t, w, h);
    page.title = "vitscope teaching sheet: " + in.model_name;
    const Footer footer = page_footer(in, sel, opt, t, w);
    const float bottom = h - kPageMargin * 0.5f - footer.height(t) - kPanelGap;
    const float text_w = (w - 2 * kPageMargin) * 0.48f;
    float y = kPageMargin;
    add_line(page, {kPageMargin, y, text_w, t.title_size * 2.6f}, "Attention, layer by layer", t.title_size * 2.0f,
             t.text, true);
    y += t.title_size * 2.8f;
    const float line_h = t.label_size * 1.9f;
    const auto line = [&](const std::string& s, bool muted = false) {
        add_line(page, {kPageMargin, y, text_w, line_h}, s, t.label_size * 1.15f, muted ? t.text_muted : t.text);
        y += line_h;
    };
    line("model: " + in.model_name);
    line("image: " + in.image_name + (in.preprocess.empty() ? "" : " (preprocess: " + in.preprocess + ")"));
    line(architecture_line(in));
    line("query: " + in.query_name(sel.query) + ", matrices of " + head_label(sel.head));
    y += line_h * 0.5f;
    for (const std::string& s : option_lines(in)) line(s);
    y += line_h * 0.5f;
    line(std::string("Each following page is one ") + (in.swin ? "block" : "layer") + ":", true);
    line("every head's attention of the query over the image, and their mean;", true);
    line(std::string(in.swin ? "the windows with the query window's matrix" : "the attention matrix") + " of " +
             head_label(sel.head) + "; the model's predictions.",
         true);
    // Right: the query's attention at the selected layer over the image, and the predictions.
    const float right_x = kPageMargin + text_w + kPanelGap;
    const float right_w = w - kPageMargin - right_x;
    const float map_h = (bottom - kPageMargin) * 0.68f;
    place_view(page, FigureView::Image, in, sel, opt, t, {right_x, kPageMargin, right_w, map_h});
    place_view(page, FigureView::Predictions, in, sel, opt, t,
               {right_x, kPageMargin + map_h + kPanelGap, right_w, bottom - kPageMargin - map_h - kPanelGap});
    add_footer(page, footer, t);
    return page;
}

DrawList layer_page(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt, const Theme& t,
                    float w, float h) {
    DrawList page = blank_page(in, sel, t, w, h);
    page.title = "vitscope teaching sheet: " + in.layer_name(sel.layer);
    const Footer footer = page_footer(in, sel, opt, t, w);
    const float content_w = w - 2 * kPageMargin;
    const float heading_h = t.title_size * 2.2f;
    add_line(page, {kPageMargin, kPageMargin, content_w * 0.5f, heading_h}, in.layer_name(sel.layer),
             t.title_size * 1.5f, t.text, true);
    add_line(page, {kPageMargin + content_w * 0.5f, kPageMargin, content_w * 0.5f, heading_h},
             "query " + in.query_name(sel.query) + " · " + std::to_string(in.num_heads(sel.layer)) + " heads",
             t.label_size * 1.15f, t.text_muted, false, HAlign::Right);
    const float top = kPageMargin + heading_h + kPanelGap * 0.5f;
    const float bottom = h - kPageMargin * 0.5f - footer.height(t) - kPanelGap;
    // Swin's windows view holds two panels (the partition and the window matrix): give it more room.
    const float left_w = content_w * (in.swin ? 0.44f : 0.56f);
    const float right_x = kPageMargin + left_w + kPanelGap;
    const float right_w = w - kPageMargin - right_x;
    const float right_top_h = (bottom - top) * 0.64f;
    place_view(page, FigureView::Heads, in, sel, opt, t, {kPageMargin, top, left_w, bottom - top});
    place_view(page, in.swin ? FigureView::Windows : FigureView::Matrix, in, sel, opt, t,
               {right_x, top, right_w, right_top_h});
    place_view(page, FigureView::Predictions, in, sel, opt, t,
               {right_x, top + right_top_h + kPanelGap, right_w, bottom - top - right_top_h - kPanelGap});
    add_footer(page, footer, t);
    return page;
}

}  // namespace

std::vector<DrawList> build_teaching_sheet(const FigureInputs& in, const FigureSelection& sel,
                                           const FigureOptions& opt, const Theme& theme, float page_width,
                                           float page_height) {
    std::vector<DrawList> pages;
    if (!in.has_trace() || in.num_layers() == 0) return pages;
    pages.push_back(title_page(in, sel, opt, theme, page_width, page_height));
    for (int layer = 0; layer < in.num_layers(); ++layer) {
        FigureSelection s = sel;
        s.layer = layer;
        if (s.head != kMeanOfHeads) s.head = std::clamp(s.head, 0, std::max(0, in.num_heads(layer) - 1));
        pages.push_back(layer_page(in, s, opt, theme, page_width, page_height));
    }
    return pages;
}

std::vector<DrawList> build_layer_sweep(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                                        const Theme& theme, float width, float height) {
    std::vector<DrawList> frames;
    for (int layer = 0; layer < in.num_layers(); ++layer) {
        FigureSelection s = sel;
        s.layer = layer;
        frames.push_back(build_view_figure(FigureView::Image, in, s, opt, theme, width, height).list);
    }
    return frames;
}

}  // namespace vitscope
