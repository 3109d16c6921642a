// Draws a Swin block's window partition over a heatmap's grid with QPainter: window boundaries as
// solid lines, region boundaries inside shifted windows dashed, and on demand every piece tinted by
// its region id and labelled "w<window> r<region>".
#pragma once

#include "swin_figure.h"

#include <QColor>

class QPainter;

namespace vitscope {

struct SwinOverlayStyle {
    bool regions = false;  // tint and label the pieces
    bool thin = false;     // thumbnails: thinner lines, no labels
};

void draw_swin_partition(QPainter& p, const SwinPartition& part, const RectF& grid, const SwinOverlayStyle& style);

// The tint of a region id (0..8), also used for the legend.
QColor swin_region_color(int region);

}  // namespace vitscope
