#include "figure_exporter.h"

#include "figure_export.h"
#include "figure_source.h"
#include "gif_writer.h"
#include "numbered_frames.h"
#include "session.h"
#include "view_settings.h"

#include <QApplication>
#include <QClipboard>
#include <QDir>
#include <QFileInfo>
#include <QMimeData>

namespace vitscope {

namespace {

FigureOptions export_options(const ViewSettings& settings, bool show_photo, const QString& caption) {
    FigureOptions o = figure_options(settings);
    o.provenance = true;
    o.show_photo = show_photo;
    o.caption = caption.toStdString();
    return o;
}

void require_trace(const Session& s) {
    if (!s.has_trace()) throw ExportError("nothing to export yet: open a model and an image first");
}

QString csv_path(const QString& figure_path) {
    const QFileInfo fi(figure_path);
    return fi.dir().filePath(fi.completeBaseName() + ".csv");
}

}  // namespace

QSizeF figure_size(const ExportRequest& r) {
    const double k = 96.0 / std::max(r.dpi, 1.0);
    return QSizeF(r.width_px * k, r.height_px * k);
}

BuiltFigure export_figure_for(const Session& session, const ViewSettings& settings, const ExportRequest& r) {
    const QSizeF size = figure_size(r);
    FigureOptions o = export_options(settings, r.show_photo, r.caption);
    o.swin_step = r.swin_step;
    o.rollout = r.rollout;
    o.sandbox_dk = r.sandbox_dk;
    return build_view_figure(r.view, figure_inputs(session), figure_selection(settings), o,
                             r.dark ? theme_dark() : theme_light(), float(size.width()), float(size.height()));
}

QStringList export_view(const Session& session, const ViewSettings& settings, const ExportRequest& r) {
    require_trace(session);
    FigureFormat format;
    if (!figure_format_from_path(r.path.toStdString(), format))
        throw ExportError(r.path.toStdString() + ": unknown figure format (use " + figure_format_list() + ")");
    const BuiltFigure b = export_figure_for(session, settings, r);
    // The CSV first: a failure there leaves no figure behind either.
    QStringList written;
    if (r.write_csv) {
        const std::string csv =
            view_csv(r.view, figure_inputs(session), clamp_selection(figure_inputs(session), figure_selection(settings)));
        write_file_atomically(csv_path(r.path).toStdString(), QByteArray::fromStdString(csv));
        written << csv_path(r.path);
    }
    export_figure({b.list}, r.path.toStdString(), r.dpi);
    written.prepend(r.path);
    return written;
}

void copy_view_to_clipboard(const Session& session, const ViewSettings& settings, const ExportRequest& r) {
    require_trace(session);
    const BuiltFigure b = export_figure_for(session, settings, r);
    auto* mime = new QMimeData;
    const QImage img = render_figure_image(b.list, r.dpi);
    mime->setImageData(img);
    mime->setData(QStringLiteral("image/svg+xml"), render_figure_svg(b.list));
    QApplication::clipboard()->setMimeData(mime);
}

void export_teaching_sheet(const Session& session, const ViewSettings& settings, const QString& path, bool dark) {
    require_trace(session);
    const FigureInputs in = figure_inputs(session);
    const std::vector<DrawList> pages = build_teaching_sheet(in, clamp_selection(in, figure_selection(settings)),
                                                             export_options(settings, true, QString()),
                                                             dark ? theme_dark() : theme_light());
    if (QFileInfo(path).suffix().compare("pdf", Qt::CaseInsensitive) != 0)
        throw ExportError(path.toStdString() + ": the teaching sheet is a PDF (use .pdf)");
    export_figure(pages, path.toStdString());
}

QStringList export_layer_sweep(const Session& session, const ViewSettings& settings, const QString& gif_path,
                               const QString& frames_folder, bool dark) {
    require_trace(session);
    if (QFileInfo(gif_path).suffix().compare("gif", Qt::CaseInsensitive) != 0)
        throw ExportError(gif_path.toStdString() + ": the layer sweep is an animated GIF (use .gif)");
    const FigureInputs in = figure_inputs(session);
    const std::vector<DrawList> lists =
        build_layer_sweep(in, clamp_selection(in, figure_selection(settings)), export_options(settings, true, QString()),
                          dark ? theme_dark() : theme_light(), 640, 600);
    std::vector<QImage> frames;
    for (const DrawList& l : lists) frames.push_back(render_figure_image(l));
    write_gif(gif_path.toStdString(), frames);
    QStringList written{gif_path};
    if (!frames_folder.isEmpty())
        for (const std::string& p : write_numbered_pngs(frames_folder.toStdString(),
                                                        QFileInfo(gif_path).completeBaseName().toStdString(), frames))
            written << QString::fromStdString(p);
    return written;
}

}  // namespace vitscope
