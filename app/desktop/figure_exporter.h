// What the app's Export / Copy / Sheet / Sweep actions do, without any dialog: each builds the
// figure description from the session and view settings (view_figures.h) with the export's theme,
// size and caption, and hands it to the exporter. Errors are ExportError with a message that names
// the file; nothing in the app changes when an export fails.
#pragma once

#include "view_figures.h"

#include <QSizeF>
#include <QString>
#include <QStringList>

namespace vitscope {

class Session;
class ViewSettings;

struct ExportRequest {
    FigureView view = FigureView::Image;
    QString path;                 // .png, .svg or .pdf
    double width_px = 900;        // figure size in pixels at `dpi`
    double height_px = 700;
    double dpi = 96;              // PNG pixel density (figure px are 1/96 inch)
    bool dark = false;            // light by default: slides and papers are white
    bool show_photo = true;
    QString caption;
    bool write_csv = false;       // the numbers drawn, as FILE.csv beside the figure
    int swin_step = 0;            // the Shift view's step
    RolloutOptions rollout;       // the Rollout view's options
    int sandbox_dk = 64;          // the Sandbox view's d_k
};

// Width and height in figure px (1/96 inch) for a request.
QSizeF figure_size(const ExportRequest& r);

// The description an export of `r` draws (also what Copy puts on the clipboard).
BuiltFigure export_figure_for(const Session& session, const ViewSettings& settings, const ExportRequest& r);

// Writes the figure (and the CSV when asked); returns the paths written.
QStringList export_view(const Session& session, const ViewSettings& settings, const ExportRequest& r);

// The view onto the clipboard as PNG and SVG (image/png, image/svg+xml, and a plain image).
void copy_view_to_clipboard(const Session& session, const ViewSettings& settings, const ExportRequest& r);

// The teaching sheet as a multi-page PDF.
void export_teaching_sheet(const Session& session, const ViewSettings& settings, const QString& path, bool dark);

// The layer sweep: an animated GIF and, when `frames_folder` is not empty, numbered PNGs there.
QStringList export_layer_sweep(const Session& session, const ViewSettings& settings, const QString& gif_path,
                               const QString& frames_folder, bool dark);

}  // namespace vitscope
