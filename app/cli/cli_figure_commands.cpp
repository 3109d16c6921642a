#include "cli_figure_commands.h"

#include "swin_explained.h"

#include "cli_commands.h"
#include "cli_hub.h"
#include "cli_figure_options.h"
#include "cli_model_run.h"

#include "figure_export.h"
#include "gif_writer.h"
#include "input_picture.h"
#include "numbered_frames.h"

#include <QFile>
#include <QFileInfo>
#include <QGuiApplication>

#include <cmath>
#include <cstdio>
#include <memory>

namespace vitscope::cli {

namespace {

// Qt's notice that XDG_RUNTIME_DIR is unset (usual under cron, CI, ssh) is noise on a command line.
QtMessageHandler qt_default_handler = nullptr;
void quiet_runtime_dir_notice(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    if (message.startsWith("QStandardPaths: XDG_RUNTIME_DIR not set")) return;
    if (qt_default_handler) qt_default_handler(type, context, message);
}

// QPainter needs a QGuiApplication (fonts). A command line has no display: the offscreen platform,
// unless the user chose another one.
class PaintingApplication {
public:
    PaintingApplication() {
        if (QCoreApplication::instance()) return;
        if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) qputenv("QT_QPA_PLATFORM", "offscreen");
        qt_default_handler = qInstallMessageHandler(quiet_runtime_dir_notice);
        app_ = std::make_unique<QGuiApplication>(argc_, argv_);
    }

private:
    int argc_ = 1;
    char name_[16] = "vitscope-cli";
    char* argv_[2] = {name_, nullptr};
    std::unique_ptr<QGuiApplication> app_;
};

// The view's default size in figure px: room for its grid, colourbar, labels and caption.
FigureSize default_size(FigureView v) {
    switch (v) {
    case FigureView::Image: return {760, 720};
    case FigureView::Heads: return {1000, 720};
    case FigureView::Matrix: return {760, 720};
    case FigureView::Query: return {1000, 420};
    case FigureView::Windows: return {1200, 640};
    case FigureView::Predictions: return {640, 360};
    case FigureView::Compare: return {1100, 760};
    case FigureView::Shift: return {1000, 720};
    case FigureView::Logits: return {1100, 560};
    case FigureView::Bias: return {1200, 480};
    case FigureView::Hierarchy: return {1300, 480};
    case FigureView::Rollout: return {760, 720};
    case FigureView::Distance: return {900, 560};
    case FigureView::Saturation: return {1300, 480};
    case FigureView::Sandbox: return {1100, 520};
    case FigureView::Leakage: return {900, 480};
    case FigureView::HeadSimilarity: return {1000, 560};
    case FigureView::PosEmbed: return {800, 800};
    case FigureView::Filters: return {760, 520};
    case FigureView::Overview: return {1200, 900};
    }
    return {800, 600};
}

// One layer's (Swin: block's) attention probabilities.
const FloatBuffer& layer_attention(const ViTTrace& t, int layer) { return t.layers[size_t(layer)].attn; }
const FloatBuffer& layer_attention(const SwinTrace& t, int block) { return t.blocks[size_t(block)].attn; }

// Whether a trace was computed with the paper's settings (Swin: its switches too).
bool paper_defaults(const ViTTrace& t) { return t.options.is_paper_default(); }
bool paper_defaults(const SwinTrace& t) { return t.options.is_paper_default() && t.swin_options == SwinOptions{}; }

// "layer 3's attention" for the first non-finite value in the trace, or "" when everything is finite.
std::string non_finite_part(const FigureInputs& in) {
    const auto finite = [](const auto& values) {
        for (float v : values)
            if (!std::isfinite(v)) return false;
        return true;
    };
    const auto first_bad = [&](const auto& t) -> std::string {
        for (int l = 0; l < in.num_layers(); ++l)
            if (!finite(layer_attention(t, l))) return in.layer_name(l) + "'s attention";
        if (!finite(t.logits)) return "the logits";
        return {};
    };
    return in.swin ? first_bad(*in.swin) : first_bad(*in.vit);
}

// The figures' current trace, moved out of the run, and their paper baseline: the same trace, or
// `paper` when a second pass was made with the paper's options.
template <typename Trace>
void hand_over(Trace& current, Trace* paper, std::shared_ptr<const Trace>& in_current,
               std::shared_ptr<const Trace>& in_baseline) {
    const auto c = std::make_shared<const Trace>(std::move(current));
    in_current = c;
    in_baseline = paper ? std::make_shared<const Trace>(std::move(*paper)) : c;
}

// Loads the model, runs it with the command line's options (and, when `with_baseline` and the options
// differ from the paper's, once more with the paper's) and gathers what the figure builders take.
FigureInputs run_for_figures(const Args& a, const char* usage, bool with_baseline) {
    const ModelAndImage paths = model_and_image(a, usage);
    apply_threads(a);
    ModelRun r;
    r.model = load_cli_model(paths.model);
    r.input = prepare_input(a, r.model, paths.image);
    run_forward(a, r);
    FigureInputs in;
    const PreprocessConfig cfg = preprocess_config(r.model);
    in.image = input_picture(r.input, cfg.mean, cfg.std);
    in.labels = class_labels(a, r.model);
    in.model_name = r.model.info().name;
    in.image_name = QFileInfo(QString::fromStdString(paths.image)).fileName().toStdString();
    in.preprocess = a.get("preprocess", "crop");
    in.model = std::make_shared<const LoadedModel>(r.model);
    const bool baseline = with_baseline && !with_trace(r, [](const auto& t) { return paper_defaults(t); });
    ModelRun paper;
    if (baseline) {
        paper.model = r.model;
        paper.input = r.input;
        architecture_run(r.model).forward(paper, RunOptions{}, 0);
    }
    if (r.model.swin) hand_over(r.swin_trace, baseline ? &paper.swin_trace : nullptr, in.swin, in.swin_baseline);
    else hand_over(r.trace, baseline ? &paper.trace : nullptr, in.vit, in.vit_baseline);
    const std::string bad = non_finite_part(in);
    if (!bad.empty())
        throw std::runtime_error(paths.image + ": the forward pass gave non-finite values (NaN or infinity) in " + bad +
                                 "; refusing to draw them (try the paper's --scale head and --temperature 1)");
    return in;
}

std::string head_text(int head) { return head == kMeanOfHeads ? "mean" : std::to_string(head); }

// The smallest head count over all layers: a head every page or frame has.
int heads_in_every_layer(const FigureInputs& in) {
    int heads = in.num_heads(0);
    for (int l = 1; l < in.num_layers(); ++l) heads = std::min(heads, in.num_heads(l));
    return heads;
}

// --out is required; its extension must be one the command writes.
std::string output_path(const Args& a, const char* what) {
    if (!a.has("out")) throw UsageError(a.command + " needs --out " + what);
    return a.get("out");
}

// "'jpg'" (as export_figure says it), or "'' (no extension)".
std::string extension_of(const std::string& path) {
    const std::string suffix = QFileInfo(QString::fromStdString(path)).suffix().toStdString();
    return "'" + suffix + "'" + (suffix.empty() ? " (no extension)" : "");
}

}  // namespace

int cmd_figure(const Args& a) {
    const std::string out = output_path(a, "FILE.png|svg|pdf");
    FigureFormat format;
    if (!figure_format_from_path(out, format))
        throw std::runtime_error(out + ": unknown figure format " + extension_of(out) + " (use " +
                                 figure_format_list() + ")");
    check_output_path(out);
    if (a.has("csv")) check_output_path(a.get("csv"));
    if (!a.has("view"))
        throw UsageError(
            "figure needs --view image|heads|matrix|query|windows|predictions|compare|shift|logits|bias|hierarchy|"
            "rollout|distance|saturation|sandbox|leakage|similarity|posembed|filters|overview");
    FigureView view;
    if (!parse_figure_view(a.get("view"), view))
        throw std::runtime_error("--view must be image, heads, matrix, query, windows, predictions, compare, shift, "
                                 "logits, bias, hierarchy, rollout, distance, saturation, sandbox, leakage, "
                                 "similarity, posembed, filters or overview, got '" + a.get("view") + "'");
    const int step = a.get_int("step", 1, 1, kSwinShiftSteps);
    const FigureSize size = figure_size(a, default_size(view));
    const double dpi = figure_dpi(a);
    const Theme theme = figure_theme(a);

    const bool with_baseline =
        view == FigureView::Compare || view == FigureView::Predictions || view == FigureView::Saturation;
    // The logits view needs the engine to keep the logits.
    Args run_args = a;
    if (view == FigureView::Logits) run_args.options["logits"] = "1";
    const FigureInputs in = run_for_figures(run_args, "figure [MODEL] IMAGE --view VIEW --out FILE", with_baseline);
    FigureSelection sel;
    sel.layer = selected_layer(a, in, in.num_layers() - 1);
    sel.head = selected_head(a, in.num_heads(sel.layer), in.layer_name(sel.layer) + " has");
    sel.query = selected_query(a, in);

    PaintingApplication app;
    FigureOptions options = figure_options(a);
    options.swin_step = step - 1;
    options.sandbox_dk = a.get_int("dk", 64, 1, 1024);
    if (a.has("fusion") && !parse_head_fusion(a.get("fusion"), options.rollout.fusion))
        throw UsageError("--fusion must be mean, max or min, got '" + a.get("fusion") + "'");
    options.rollout.discard_ratio = a.get_float("discard", 0.0f);
    if (!(options.rollout.discard_ratio >= 0 && options.rollout.discard_ratio < 1))
        throw UsageError("--discard must be in [0, 1)");
    options.rollout.start_layer = a.get_int("start-layer", 0, 0, std::max(in.num_layers() - 1, 0));
    const BuiltFigure b = build_view_figure(view, in, sel, options, theme, size.width, size.height);
    export_figure({b.list}, out, dpi);
    if (a.has("csv")) {
        try {
            write_file_atomically(a.get("csv"), QByteArray::fromStdString(view_csv(view, in, sel)));
        } catch (...) {
            QFile::remove(QString::fromStdString(out));  // all or nothing
            throw;
        }
    }
    std::printf("wrote %s: %s view, %s, head %s, query %s (%gx%g px at %g dpi)%s%s\n", out.c_str(),
                figure_view_name(view), in.layer_name(sel.layer).c_str(), head_text(sel.head).c_str(),
                in.query_name(sel.query).c_str(), double(size.width), double(size.height), dpi,
                a.has("csv") ? "; numbers in " : "", a.has("csv") ? a.get("csv").c_str() : "");
    return 0;
}

int cmd_sheet(const Args& a) {
    const std::string out = output_path(a, "FILE.pdf");
    FigureFormat format;
    if (!figure_format_from_path(out, format) || format != FigureFormat::Pdf)
        throw std::runtime_error(out + ": unknown sheet format " + extension_of(out) +
                                 " (the sheet has a page per layer: use .pdf)");
    check_output_path(out);
    const FigureSize size = figure_size(a, {1123, 794});  // A4 landscape at 96 px per inch
    const double dpi = figure_dpi(a);
    const Theme theme = figure_theme(a);

    const FigureInputs in = run_for_figures(a, "sheet [MODEL] IMAGE --out FILE.pdf", true);
    FigureSelection sel;
    sel.layer = selected_layer(a, in, in.num_layers() - 1);
    sel.head = selected_head(a, heads_in_every_layer(in), in.swin ? "every block has at least" : "every layer has");
    sel.query = selected_query(a, in);

    PaintingApplication app;
    const std::vector<DrawList> pages = build_teaching_sheet(in, sel, figure_options(a), theme, size.width, size.height);
    export_figure(pages, out, dpi);
    std::printf("wrote %s: %zu pages (a title page and %d %s), query %s, head %s\n", out.c_str(), pages.size(),
                in.num_layers(), in.swin ? "blocks" : "layers", in.query_name(sel.query).c_str(),
                head_text(sel.head).c_str());
    return 0;
}

int cmd_sweep(const Args& a) {
    const std::string out = output_path(a, "FILE.gif");
    if (QFileInfo(QString::fromStdString(out)).suffix().toLower() != "gif")
        throw std::runtime_error(out + ": unknown sweep format " + extension_of(out) +
                                 " (the sweep is an animation: use .gif)");
    check_output_path(out);
    const FigureSize size = figure_size(a, {640, 600});
    const double dpi = figure_dpi(a);
    const Theme theme = figure_theme(a);
    GifOptions gif;
    gif.delay_ms = a.get_int("delay", 800, 10, 60000);
    if (a.has("frames-dir") && !QFileInfo(QString::fromStdString(a.get("frames-dir"))).isDir())
        check_output_path(a.get("frames-dir"));  // a folder to create: its parent must take it

    const FigureInputs in = run_for_figures(a, "sweep [MODEL] IMAGE --out FILE.gif", false);
    FigureSelection sel;
    sel.head = selected_head(a, heads_in_every_layer(in), in.swin ? "every block has at least" : "every layer has");
    sel.query = selected_query(a, in);

    PaintingApplication app;
    std::vector<QImage> frames;
    for (const DrawList& frame : build_layer_sweep(in, sel, figure_options(a), theme, size.width, size.height)) {
        QImage image = render_figure_image(frame, dpi);
        for (const auto& [key, value] : frame.metadata)  // the numbered PNGs keep each frame's provenance
            image.setText(QStringLiteral("vitscope.") + QString::fromStdString(key), QString::fromStdString(value));
        frames.push_back(std::move(image));
    }
    write_gif(out, frames, gif);
    std::printf("wrote %s: %zu frames (one per %s), query %s, head %s, %d ms each\n", out.c_str(), frames.size(),
                in.swin ? "block" : "layer", in.query_name(sel.query).c_str(), head_text(sel.head).c_str(),
                gif.delay_ms);
    if (a.has("frames-dir")) {
        const std::string stem = QFileInfo(QString::fromStdString(out)).completeBaseName().toStdString();
        const std::vector<std::string> files = write_numbered_pngs(a.get("frames-dir"), stem, frames);
        std::printf("wrote %zu frames as %s .. %s\n", files.size(), files.front().c_str(), files.back().c_str());
    }
    return 0;
}

}  // namespace vitscope::cli
