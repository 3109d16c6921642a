// view_csv: the numbers behind a view, straight from the trace (no normalisation, no colour), printed
// with 9 significant digits so that every float32 reads back to the same value.
#include "view_figures.h"
#include "swin_explained_figures.h"
#include "analysis_figures.h"

#include "attention_stats.h"
#include "kept_attention_note.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace vitscope {

namespace {

std::string number(float v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", double(v));
    return buf;
}

// One CSV line: a label, then the values.
std::string values_line(const std::string& label, const std::vector<float>& values) {
    std::string s = label;
    for (float v : values) {
        s += ',';
        s += number(v);
    }
    return s + "\n";
}

std::string heads_header(size_t n) {
    std::string s = "head";
    for (size_t k = 0; k < n; ++k) {
        s += ",p";
        s += std::to_string(k);
    }
    return s + "\n";
}

// Every head's row for the query (ViT: over all N tokens; Swin: over the query window's slots) and the mean.
std::string heads_csv(const FigureInputs& in, const FigureSelection& sel) {
    const int heads = in.num_heads(sel.layer);
    const auto row = [&](int head) {
        if (in.vit) return query_row(*in.vit, sel.layer, head, sel.query);
        const SwinQuery q = swin_query(*in.swin, sel.layer, sel.query);
        return swin_window_row(*in.swin, sel.layer, head, q.window, q.position);
    };
    std::string out;
    for (int h = 0; h < heads; ++h) {
        const std::vector<float> r = row(h);
        if (out.empty()) out = heads_header(r.size());
        out += values_line(std::to_string(h), r);
    }
    return out + values_line("mean", row(kMeanOfHeads));
}

// The selected head's matrix (ViT: N x N; Swin: the query window's M^2 x M^2), one query row per line.
std::string matrix_csv(const FigureInputs& in, const FigureSelection& sel) {
    std::vector<float> m;
    if (in.vit) {
        m = attention_matrix(*in.vit, sel.layer, sel.head);
    } else {
        const SwinQuery q = swin_query(*in.swin, sel.layer, sel.query);
        m = swin_window_matrix(*in.swin, sel.layer, sel.head, q.window);
    }
    const size_t n = size_t(std::lround(std::sqrt(double(m.size()))));
    std::string out;
    for (size_t r = 0; r < n; ++r) {
        std::string line;
        for (size_t k = 0; k < n; ++k) {
            if (k) line += ',';
            line += number(m[r * n + k]);
        }
        out += line + "\n";
    }
    return out;
}

// The shown map: ViT: the query's attention to every token (special tokens first); Swin: to every
// token of the block's map in row-major order (exactly 0 outside the query's window).
std::string map_csv(const FigureInputs& in, const FigureSelection& sel) {
    const auto src = attention_source(in);
    const std::vector<float> values = src->row(sel.layer, sel.head, src->query_token(sel.layer, sel.query));
    std::string out = "token,attention\n";
    for (size_t k = 0; k < values.size(); ++k) out += std::to_string(k) + "," + number(values[k]) + "\n";
    return out;
}

std::string predictions_csv(const FigureInputs& in) {
    const RowVector& logits = in.vit ? in.vit->logits : in.swin->logits;
    std::string out = "rank,class,p\n";
    if (logits.size() == 0) return out;
    const std::vector<Prediction> top = top_predictions(logits, in.labels, 5);
    for (size_t i = 0; i < top.size(); ++i)
        out += std::to_string(i + 1) + "," + std::to_string(top[i].cls) + "," + number(top[i].p) + "\n";
    return out;
}

// One line per key of the query: its name, the logit terms and the softmax.
std::string logits_csv(const FigureInputs& in, const FigureSelection& sel) {
    const LogitTermsData d = logit_terms_data(in, sel);
    std::string out = "key,name,qk,bias,mask,softmax\n";
    for (size_t k = 0; k < d.qk.size(); ++k)
        out += std::to_string(k) + "," + d.key_names[k] + "," + number(d.qk[k]) + "," + number(d.bias[k]) + "," +
               number(d.mask[k]) + "," + number(d.softmax[k]) + "\n";
    return out;
}

// The selected head's relative position bias table, row by row ((2M-1) values a line).
std::string bias_csv(const FigureInputs& in, const FigureSelection& sel) {
    if (!in.swin || !in.model || !in.model->swin) return {};
    const SwinBlockTrace& bt = in.swin->blocks[size_t(sel.layer)];
    const SwinBlock& blk = in.model->swin->w.stages[size_t(bt.stage)].blocks[size_t(bt.block)];
    const std::vector<float> table = swin_bias_table(blk, sel.head < 0 ? 0 : sel.head);
    const int side = 2 * blk.window - 1;
    std::string out;
    for (int r = 0; r < side; ++r) {
        for (int c = 0; c < side; ++c) out += (c ? "," : "") + number(table[size_t(r) * side + c]);
        out += "\n";
    }
    return out;
}

}  // namespace

std::string view_csv(FigureView view, const FigureInputs& in, const FigureSelection& selection) {
    if (!in.has_trace()) return {};
    const FigureSelection sel = clamp_selection(in, selection);
    if (!attention_not_kept_note(view, in, sel).empty()) return {};  // no numbers for attention not kept
    switch (view) {
    case FigureView::Heads: return heads_csv(in, sel);
    case FigureView::Matrix: return matrix_csv(in, sel);
    case FigureView::Predictions: return predictions_csv(in);
    case FigureView::Image:
    case FigureView::Query:
    case FigureView::Compare:
    case FigureView::Windows:
    case FigureView::Shift:
    case FigureView::Hierarchy: return map_csv(in, sel);
    case FigureView::Logits: return logits_csv(in, sel);
    case FigureView::Rollout:
    case FigureView::Distance:
    case FigureView::Saturation:
    case FigureView::Sandbox:
    case FigureView::Leakage:
    case FigureView::HeadSimilarity:
    case FigureView::PosEmbed:
    case FigureView::Filters: return analysis_csv(view, in, sel);
    case FigureView::Bias: return bias_csv(in, sel);
    case FigureView::Overview: {
        // Every layer's heads for the query: the heads CSV of each layer, prefixed with the layer.
        std::string out;
        for (int l = 0; l < in.num_layers(); ++l) {
            FigureSelection s = sel;
            s.layer = l;
            const std::string part = heads_csv(in, s);
            size_t at = part.find('\n');
            if (out.empty()) out = "layer," + part.substr(0, at + 1);
            for (size_t next; at != std::string::npos && at + 1 < part.size(); at = next) {
                next = part.find('\n', at + 1);
                out += std::to_string(l) + "," + part.substr(at + 1, next == std::string::npos ? next : next - at);
            }
        }
        return out;
    }
    }
    return {};
}

}  // namespace vitscope
