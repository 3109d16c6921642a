#include "swin_overlay.h"

#include <QPainter>

#include <algorithm>

namespace vitscope {

QColor swin_region_color(int region) {
    static const QColor kColors[9] = {{230, 25, 75},  {60, 180, 75},  {255, 225, 25}, {0, 130, 200}, {245, 130, 48},
                                      {145, 30, 180}, {70, 240, 240}, {240, 50, 230}, {210, 245, 60}};
    return region < 0 ? QColor(200, 200, 200) : kColors[region % 9];
}

void draw_swin_partition(QPainter& p, const SwinPartition& part, const RectF& grid, const SwinOverlayStyle& style) {
    if (part.grid_w <= 0 || part.grid_h <= 0 || grid.empty()) return;
    const double cw = grid.w / part.grid_w, ch = grid.h / part.grid_h;
    auto pt = [&](float x, float y) { return QPointF(grid.x + x * cw, grid.y + y * ch); };
    p.save();
    p.setRenderHint(QPainter::Antialiasing, false);
    if (style.regions && !part.region_of.empty()) {
        for (int y = 0; y < part.grid_h; ++y)
            for (int x = 0; x < part.grid_w; ++x) {
                QColor c = swin_region_color(part.region_of[size_t(y) * part.grid_w + x]);
                c.setAlpha(70);
                p.fillRect(QRectF(pt(float(x), float(y)), pt(float(x + 1), float(y + 1))), c);
            }
    }
    QPen region_pen(QColor(80, 230, 255), style.thin ? 1.0 : 1.5, Qt::DashLine);
    p.setPen(region_pen);
    for (const GridSegment& s : part.region_edges) p.drawLine(pt(s.x0, s.y0), pt(s.x1, s.y1));
    // Window boundaries: a dark casing under a bright line stays visible on any image.
    const double w = style.thin ? 1.0 : 2.5;
    p.setPen(QPen(QColor(0, 0, 0, 160), w + 2));
    for (const GridSegment& s : part.window_edges) p.drawLine(pt(s.x0, s.y0), pt(s.x1, s.y1));
    p.setPen(QPen(QColor(255, 235, 120), w));
    for (const GridSegment& s : part.window_edges) p.drawLine(pt(s.x0, s.y0), pt(s.x1, s.y1));
    if (style.regions && !style.thin) {
        QFont f = p.font();
        f.setPointSizeF(std::clamp(std::min(cw, ch) * 0.55, 6.5, 10.0));
        f.setBold(true);
        p.setFont(f);
        const QFontMetricsF fm(f);
        for (const SwinPiece& pc : part.pieces) {
            const QString text = pc.region >= 0 ? QStringLiteral("w%1 r%2").arg(pc.window).arg(pc.region)
                                                : QStringLiteral("w%1").arg(pc.window);
            const QRectF box(pt(float(pc.x0), float(pc.y0)), pt(float(pc.x1), float(pc.y1)));
            const QRectF tb = fm.boundingRect(text).adjusted(-3, -1, 3, 1);
            if (tb.width() > box.width() + 2 || tb.height() > box.height() + 2) continue;  // too small to label
            QRectF label(0, 0, tb.width(), tb.height());
            label.moveCenter(box.center());
            p.fillRect(label, QColor(0, 0, 0, 170));
            p.setPen(pc.region >= 0 ? swin_region_color(pc.region) : QColor(255, 235, 120));
            p.drawText(label, Qt::AlignCenter, text);
        }
    }
    p.restore();
}

}  // namespace vitscope
