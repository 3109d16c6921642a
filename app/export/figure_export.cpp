#include "figure_export.h"

#include "cell_marks.h"
#include "cell_raster.h"

#include <QBuffer>
#include <QDir>
#include <QFileInfo>
#include <QImageWriter>
#include <QLinearGradient>
#include <QPageSize>
#include <QPainter>
#include <QPainterPath>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>

namespace vitscope {

namespace {

QColor qcolor(Rgba c) { return QColor(c.r, c.g, c.b, c.a); }
QRectF qrect(const RectF& r) { return QRectF(r.x, r.y, r.w, r.h); }
QString qstr(const std::string& s) { return QString::fromUtf8(s.data(), qsizetype(s.size())); }

QImage qimage(const PixelBlock& b) {
    QImage img(b.width, b.height, QImage::Format_RGBA8888);
    for (int y = 0; y < b.height; ++y)
        std::copy_n(&b.rgba[size_t(y) * b.width * 4], size_t(b.width) * 4, img.scanLine(y));
    return img;
}

QImage qimage(const FigureImage& f) {
    QImage img(f.width, f.height, QImage::Format_RGBA8888);
    for (int y = 0; y < f.height; ++y)
        std::copy_n(&f.rgba[size_t(y) * f.width * 4], size_t(f.width) * 4, img.scanLine(y));
    return img;
}

// Draws a pixel block at its device position, whatever the painter's transform.
void draw_block(QPainter& p, const PixelBlock& b) {
    if (b.width <= 0 || b.height <= 0) return;
    p.save();
    p.setTransform(QTransform());
    p.drawImage(QPoint(b.x, b.y), qimage(b));
    p.restore();
}

// Diagonal stripes { (x, y) : mod(x + sign*y, period) < width } over `area` (device px), as lines.
void draw_stripes(QPainter& p, const QRectF& area, const HatchSpec& h, bool rising, const QColor& c) {
    QPen pen(c, double(h.width) / std::sqrt(2.0));
    pen.setCapStyle(Qt::FlatCap);
    p.setPen(pen);
    const double P = h.period, off = h.width * 0.5;
    // Lines x + y = k*P + off (rising) or x - y = k*P + off (falling) crossing the area.
    if (rising) {
        const double lo = area.left() + area.top(), hi = area.right() + area.bottom();
        for (double k = std::floor((lo - off) / P) * P + off; k <= hi + P; k += P)
            p.drawLine(QPointF(k - area.top() + 1, area.top() - 1), QPointF(k - area.bottom() - 1, area.bottom() + 1));
    } else {
        const double lo = area.left() - area.bottom(), hi = area.right() - area.top();
        for (double k = std::floor((lo - off) / P) * P + off; k <= hi + P; k += P)
            p.drawLine(QPointF(k + area.top() - 1, area.top() - 1), QPointF(k + area.bottom() + 1, area.bottom() + 1));
    }
}

// A cell grid as one rectangle per cell plus vector marks (SVG, PDF). `scale` maps figure px to
// the device, so hatch spacing matches the raster path's pixels.
void paint_cells_vector(QPainter& p, const CellGridItem& g, const DrawList& list, float scale) {
    const Theme& t = list.theme;
    const float cw = g.rect.w / float(g.cols), ch = g.rect.h / float(g.rows);
    auto cell_rect = [&](int x, int y) { return QRectF(g.rect.x + cw * float(x), g.rect.y + ch * float(y), cw, ch); };
    const bool flags = g.flags.size() == g.values.size();
    const bool has_image = g.image >= 0 && size_t(g.image) < list.images.size() && list.images[size_t(g.image)].width > 0;
    if (has_image)
        p.drawImage(qrect(g.rect), qimage(list.images[size_t(g.image)]));
    else if (g.opacity < 1.0f)
        p.fillRect(qrect(g.rect), qcolor(t.empty_cell));
    if (g.sampling == Sampling::Smooth) {
        // Interpolated values have no cells: embed the colours as a picture at 4 px per figure px.
        CellGridItem plain = g;
        plain.flags.clear();
        plain.grid_lines = false;
        plain.clip = {};
        plain.rect = {0, 0, g.rect.w, g.rect.h};
        const PixelBlock b = raster_cell_grid(plain, list.images, t, 4.0f);
        p.drawImage(qrect(g.rect), qimage(b));
    } else {
        const int alpha = std::clamp(int(std::lround(g.opacity * 255.0f)), 0, 255);
        p.setPen(Qt::NoPen);
        for (int y = 0; y < g.rows; ++y)
            for (int x = 0; x < g.cols; ++x) {
                const size_t i = size_t(y) * g.cols + x;
                if (flags && (g.flags[i] & kCellOutside)) continue;  // dimmed below instead of coloured
                const Rgb8 c = colormap_lookup(g.colormap, normalize_value(g.values[i], g.range, g.log_scale));
                p.fillRect(cell_rect(x, y), QColor(c.r, c.g, c.b, alpha));
            }
    }
    if (g.grid_lines && std::min(cw, ch) * scale >= kGridLineMinCell) {
        QColor c = qcolor(t.grid_line);
        c.setAlphaF(kGridLineMix);
        p.setPen(QPen(c, 2.0 * kGridLineWidth / scale));
        for (int x = 1; x < g.cols; ++x)
            p.drawLine(QPointF(g.rect.x + cw * float(x), g.rect.y), QPointF(g.rect.x + cw * float(x), g.rect.bottom()));
        for (int y = 1; y < g.rows; ++y)
            p.drawLine(QPointF(g.rect.x, g.rect.y + ch * float(y)), QPointF(g.rect.right(), g.rect.y + ch * float(y)));
    }
    if (!flags) return;
    // Marks, in the shader's order: outside, highlight, shift mask, mask, query frame, hover frame.
    auto region = [&](uint8_t bit) {
        QPainterPath path;
        for (int y = 0; y < g.rows; ++y)
            for (int x = 0; x < g.cols; ++x)
                if (g.flags[size_t(y) * g.cols + x] & bit) path.addRect(cell_rect(x, y));
        return path.simplified();
    };
    auto hatch = [&](uint8_t bit, const HatchSpec& h, bool rising, bool falling, Rgba colour) {
        const QPainterPath path = region(bit);
        if (path.isEmpty()) return;
        p.save();
        p.setClipPath(path, Qt::IntersectClip);
        p.scale(1.0 / scale, 1.0 / scale);  // stripes are spaced in device pixels
        const QRectF area(path.boundingRect().topLeft() * scale, path.boundingRect().bottomRight() * scale);
        if (rising) draw_stripes(p, area, h, true, qcolor(colour));
        if (falling) draw_stripes(p, area, h, false, qcolor(colour));
        p.restore();
    };
    {
        const QPainterPath outside = region(kCellOutside);
        if (!outside.isEmpty()) {
            QColor dim = qcolor(t.outside_dim);
            dim.setAlphaF(kOutsideDim);
            p.fillPath(outside, dim);
            hatch(kCellOutside, kOutsideHatch, false, true, t.outside_hatch);
        }
        const QPainterPath hi = region(kCellHighlight);
        if (!hi.isEmpty()) {
            QColor c = qcolor(t.highlight);
            c.setAlphaF(kHighlightMix);
            p.fillPath(hi, c);
        }
    }
    hatch(kCellShiftMasked, kShiftMaskedHatch, true, true, t.shift_hatch);
    hatch(kCellMasked, kMaskedHatch, true, false, t.masked_hatch);
    const float frame = std::clamp(std::min(cw, ch) * scale * kOutlineFraction, kOutlineMin, kOutlineMax) / scale;
    for (int y = 0; y < g.rows; ++y)
        for (int x = 0; x < g.cols; ++x) {
            const uint8_t f = g.flags[size_t(y) * g.cols + x];
            const QRectF r = cell_rect(x, y);
            if (f & kCellOutline) {
                p.setPen(QPen(qcolor(t.query_frame), frame, Qt::SolidLine, Qt::SquareCap, Qt::MiterJoin));
                p.setBrush(Qt::NoBrush);
                p.drawRect(r.adjusted(frame / 2, frame / 2, -frame / 2, -frame / 2));
            }
            if (f & kCellHover) {
                const float w = kHoverFrameWidth / scale;
                p.setPen(QPen(qcolor(t.hover_frame), w, Qt::SolidLine, Qt::SquareCap, Qt::MiterJoin));
                p.setBrush(Qt::NoBrush);
                p.drawRect(r.adjusted(w / 2, w / 2, -w / 2, -w / 2));
            }
        }
}

void paint_colorbar_vector(QPainter& p, const ColorbarItem& c) {
    QLinearGradient grad(QPointF(0, c.rect.bottom()), QPointF(0, c.rect.y));
    const ColormapTable& table = colormap_table(c.colormap);
    for (int i = 0; i < kColormapSize; i += 5) {
        const Rgb8 v = table[size_t(i)];
        grad.setColorAt(double(i) / (kColormapSize - 1), QColor(v.r, v.g, v.b));
    }
    const Rgb8 last = table[kColormapSize - 1];
    grad.setColorAt(1.0, QColor(last.r, last.g, last.b));
    p.fillRect(qrect(c.rect), grad);
}

void paint_text(QPainter& p, const TextItem& t) {
    QFont font(t.monospace ? QStringLiteral("DejaVu Sans Mono") : QStringLiteral("DejaVu Sans"));
    const double dpi = p.device() ? p.device()->logicalDpiY() : 96.0;
    font.setPointSizeF(std::max(0.5, double(t.size) * 72.0 / dpi));
    font.setBold(t.bold);
    p.setFont(font);
    int flags = Qt::TextDontClip | Qt::TextSingleLine;
    flags |= t.halign == HAlign::Left ? Qt::AlignLeft : t.halign == HAlign::Center ? Qt::AlignHCenter : Qt::AlignRight;
    flags |= t.valign == VAlign::Top ? Qt::AlignTop : t.valign == VAlign::Middle ? Qt::AlignVCenter : Qt::AlignBottom;
    const QString text = qstr(t.text);
    if (t.halo.a > 0) {
        p.setPen(qcolor(t.halo));
        p.drawText(qrect(t.box).translated(1, 1), flags, text);
    }
    p.setPen(qcolor(t.color));
    p.drawText(qrect(t.box), flags, text);
}

void paint_line(QPainter& p, const LineItem& l) {
    QPen pen(qcolor(l.color), l.width);
    pen.setCapStyle(Qt::FlatCap);
    if (l.dash == LineDash::Dashed) pen.setStyle(Qt::DashLine);
    p.setPen(pen);
    p.drawLine(QPointF(l.x0, l.y0), QPointF(l.x1, l.y1));
}

void paint_rect(QPainter& p, const RectItem& r) {
    if (r.fill.a > 0) p.fillRect(qrect(r.rect), qcolor(r.fill));
    if (r.stroke.a > 0) {
        p.setPen(QPen(qcolor(r.stroke), r.stroke_width, Qt::SolidLine, Qt::SquareCap, Qt::MiterJoin));
        p.setBrush(Qt::NoBrush);
        p.drawRect(qrect(r.rect));
    }
}

std::string metadata_text(const DrawList& list) {
    std::string s;
    for (const auto& [k, v] : list.metadata) s += (s.empty() ? "" : "; ") + k + "=" + v;
    return s;
}

QString xml_escape(const std::string& s) { return qstr(s).toHtmlEscaped(); }

QString folder_problem(const QString& path) {
    const QFileInfo fi(path);
    const QFileInfo dir(fi.absolutePath());
    if (!dir.exists()) return QStringLiteral("the folder %1 does not exist").arg(dir.absoluteFilePath());
    if (!dir.isDir()) return QStringLiteral("%1 is not a folder").arg(dir.absoluteFilePath());
    if (!dir.isWritable()) return QStringLiteral("the folder %1 is not writable").arg(dir.absoluteFilePath());
    return {};
}

QByteArray png_bytes(const DrawList& list, double dpi) {
    QImage img = render_figure_image(list, dpi);
    QByteArray bytes;
    QBuffer buf(&bytes);
    buf.open(QIODevice::WriteOnly);
    QImageWriter w(&buf, "png");
    w.setText(QStringLiteral("Title"), qstr(list.title));
    w.setText(QStringLiteral("Software"), QStringLiteral("vitscope " VITSCOPE_VERSION));
    w.setText(QStringLiteral("Description"), qstr(metadata_text(list)));
    for (const auto& [k, v] : list.metadata) w.setText(QStringLiteral("vitscope.") + qstr(k), qstr(v));
    if (!w.write(img)) throw ExportError("cannot encode the PNG: " + w.errorString().toStdString());
    return bytes;
}

QByteArray pdf_bytes(const std::vector<DrawList>& pages) {
    QByteArray bytes;
    QBuffer buf(&bytes);
    buf.open(QIODevice::WriteOnly);
    QPdfWriter pdf(&buf);
    pdf.setResolution(96);
    pdf.setCreator(QStringLiteral("vitscope " VITSCOPE_VERSION));
    const DrawList& first = pages.front();
    pdf.setTitle(qstr(first.title + (first.metadata.empty() ? "" : " — " + metadata_text(first))));
    auto page_size = [](const DrawList& l) {
        return QPageSize(QSizeF(l.width / 96.0, l.height / 96.0), QPageSize::Inch, QString(), QPageSize::ExactMatch);
    };
    pdf.setPageSize(page_size(first));
    pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
    QPainter p;
    if (!p.begin(&pdf)) throw ExportError("cannot start the PDF");
    for (size_t i = 0; i < pages.size(); ++i) {
        if (i > 0) {
            pdf.setPageSize(page_size(pages[i]));
            pdf.newPage();
        }
        paint_draw_list(p, pages[i], 1.0f, CellPath::Vector, PaintLayers::All);
    }
    p.end();
    return bytes;
}

}  // namespace

bool figure_format_from_path(const std::string& path, FigureFormat& out) {
    const QString suffix = QFileInfo(qstr(path)).suffix().toLower();
    if (suffix == "png") out = FigureFormat::Png;
    else if (suffix == "svg") out = FigureFormat::Svg;
    else if (suffix == "pdf") out = FigureFormat::Pdf;
    else return false;
    return true;
}

const char* figure_format_list() { return ".png, .svg, .pdf"; }

void paint_draw_list(QPainter& p, const DrawList& list, float scale, CellPath cells, PaintLayers layers) {
    p.save();
    p.setRenderHint(QPainter::Antialiasing, true);
    p.setRenderHint(QPainter::TextAntialiasing, true);
    p.setRenderHint(QPainter::SmoothPixmapTransform, true);
    if (layers == PaintLayers::All) p.fillRect(QRectF(0, 0, list.width, list.height), qcolor(list.theme.background));
    for (const DrawItem& item : list.items) {
        if (const auto* g = std::get_if<CellGridItem>(&item)) {
            if (layers == PaintLayers::OverlayOnly || g->cols <= 0 || g->rows <= 0 ||
                g->values.size() != size_t(g->cols) * g->rows)
                continue;
            if (cells == CellPath::Raster) {
                draw_block(p, raster_cell_grid(*g, list.images, list.theme, scale));
            } else {
                p.save();
                if (!g->clip.empty()) p.setClipRect(qrect(g->clip), Qt::IntersectClip);
                p.setRenderHint(QPainter::Antialiasing, false);  // no seams between neighbouring cells
                paint_cells_vector(p, *g, list, scale);
                p.restore();
            }
        } else if (const auto* c = std::get_if<ColorbarItem>(&item)) {
            if (layers == PaintLayers::OverlayOnly) continue;
            if (cells == CellPath::Raster) draw_block(p, raster_colorbar(*c, scale));
            else paint_colorbar_vector(p, *c);
        } else if (const auto* r = std::get_if<RectItem>(&item)) {
            paint_rect(p, *r);
        } else if (const auto* l = std::get_if<LineItem>(&item)) {
            paint_line(p, *l);
        } else if (const auto* t = std::get_if<TextItem>(&item)) {
            paint_text(p, *t);
        } else if (const auto* im = std::get_if<ImageItem>(&item)) {
            if (im->image < 0 || size_t(im->image) >= list.images.size() || list.images[size_t(im->image)].width <= 0)
                continue;
            const QImage img = qimage(list.images[size_t(im->image)]);
            p.save();
            p.setOpacity(im->opacity);
            p.setRenderHint(QPainter::SmoothPixmapTransform, im->smooth);
            p.drawImage(qrect(im->rect), img, im->source.empty() ? QRectF(img.rect()) : qrect(im->source));
            p.restore();
        }
    }
    p.restore();
}

QImage render_figure_image(const DrawList& list, double dpi) {
    const double scale = dpi / 96.0;
    const int w = std::max(1, int(std::lround(list.width * scale))), h = std::max(1, int(std::lround(list.height * scale)));
    QImage img(w, h, QImage::Format_RGB32);
    img.fill(qcolor(list.theme.background));
    const int dpm = int(std::lround(dpi / 0.0254));
    img.setDotsPerMeterX(dpm);
    img.setDotsPerMeterY(dpm);
    QPainter p(&img);
    p.scale(scale, scale);
    paint_draw_list(p, list, float(scale), CellPath::Raster, PaintLayers::All);
    p.end();
    return img;
}

QByteArray render_figure_svg(const DrawList& list) {
    QByteArray bytes;
    QBuffer buf(&bytes);
    buf.open(QIODevice::WriteOnly);
    QSvgGenerator gen;
    gen.setOutputDevice(&buf);
    gen.setResolution(96);
    gen.setSize(QSize(int(std::ceil(list.width)), int(std::ceil(list.height))));
    gen.setViewBox(QRectF(0, 0, list.width, list.height));
    gen.setTitle(qstr(list.title));
    gen.setDescription(qstr(metadata_text(list)));
    QPainter p;
    p.begin(&gen);
    paint_draw_list(p, list, 1.0f, CellPath::Vector, PaintLayers::All);
    p.end();
    // Provenance as machine-readable metadata right after the <svg> start tag.
    const int svg = bytes.indexOf("<svg");
    const int close = svg >= 0 ? bytes.indexOf('>', svg) : -1;
    if (close >= 0) {
        QString meta = QStringLiteral("\n<metadata>\n<vitscope:provenance xmlns:vitscope=\"https://vitscope.invalid/provenance\"");
        for (const auto& [k, v] : list.metadata) meta += QStringLiteral(" %1=\"%2\"").arg(xml_escape(k), xml_escape(v));
        meta += QStringLiteral("/>\n</metadata>");
        bytes.insert(close + 1, meta.toUtf8());
    }
    return bytes;
}

void write_file_atomically(const std::string& path, const QByteArray& bytes) {
    const QString qpath = qstr(path);
    const QString problem = folder_problem(qpath);
    if (!problem.isEmpty()) throw ExportError(path + ": cannot write: " + problem.toStdString());
    QSaveFile f(qpath);
    if (!f.open(QIODevice::WriteOnly)) throw ExportError(path + ": cannot write: " + f.errorString().toStdString());
    if (f.write(bytes) != bytes.size()) {
        const std::string why = f.errorString().toStdString();
        f.cancelWriting();
        throw ExportError(path + ": write failed: " + why);
    }
    if (!f.commit()) throw ExportError(path + ": could not complete the file: " + f.errorString().toStdString());
}

void export_figure(const std::vector<DrawList>& pages, const std::string& path, double dpi) {
    FigureFormat format;
    if (!figure_format_from_path(path, format))
        throw ExportError(path + ": unknown figure format '" + QFileInfo(qstr(path)).suffix().toStdString() +
                          "' (use " + figure_format_list() + ")");
    if (pages.empty()) throw ExportError(path + ": nothing to export");
    if (format != FigureFormat::Pdf && pages.size() != 1)
        throw ExportError(path + ": " + std::to_string(pages.size()) + " pages need a .pdf file");
    if (!(dpi >= 10 && dpi <= 2400)) throw ExportError(path + ": dpi must be between 10 and 2400");
    if (format == FigureFormat::Png) {
        const double px_w = pages.front().width * dpi / 96.0, px_h = pages.front().height * dpi / 96.0;
        if (px_w > kMaxExportSide || px_h > kMaxExportSide)
            throw ExportError(path + ": " + std::to_string(int(px_w)) + "x" + std::to_string(int(px_h)) +
                              " pixels is too large (at most " + std::to_string(kMaxExportSide) + " per side)");
    }
    const QString problem = folder_problem(qstr(path));
    if (!problem.isEmpty()) throw ExportError(path + ": cannot write: " + problem.toStdString());
    QByteArray bytes;
    switch (format) {
        case FigureFormat::Png: bytes = png_bytes(pages.front(), dpi); break;
        case FigureFormat::Svg: bytes = render_figure_svg(pages.front()); break;
        case FigureFormat::Pdf: bytes = pdf_bytes(pages); break;
    }
    write_file_atomically(path, bytes);
}

}  // namespace vitscope
