// The building blocks the view builders put together: a heatmap with its title, special-token
// cells, colourbar and labels; a Swin window partition; a query-row bar chart; a top-k list.
// Each appends DrawList items inside a box, with sizes and colours from the Theme.
#pragma once

#include "draw_list.h"
#include "heatmap_figure.h"
#include "swin_figure.h"
#include "theme.h"
#include "view_figures.h"

#include <string>
#include <vector>

namespace vitscope {

enum class LayoutSize { Large, Small };  // a main view, or a thumbnail in a grid of maps

// Margins, colourbar and title sizes for a heatmap at that size under the theme's fonts.
LayoutStyle layout_style(const Theme& t, LayoutSize size);

// Cells (over image `image`, -1 for none), special-token column, colourbar with ticks, title and
// token labels of `f` where `l` puts them. `clip` (if not empty) bounds the main grid's pixels.
void add_heatmap(DrawList& dl, const HeatmapFigure& f, const HeatmapLayout& l, const Theme& t, int image,
                 LayoutSize size, RectF clip = {});

// A Swin block's windows over `grid`: window edges (a bright line on a dark casing), region edges
// dashed, and with `regions` every (window, region) piece tinted and labelled "w<window> r<region>";
// `thin` for thumbnails (thin lines, no labels).
void add_swin_partition(DrawList& dl, const SwinPartition& part, RectF grid, bool regions, bool thin, const Theme& t);

// One query's attention over its keys (ViT: every token; Swin: the slots of its window).
struct QueryRowData {
    std::vector<float> row;
    std::vector<unsigned char> masked;  // keys removed by a mask in this layer and head
    double entropy = 0;                 // nats
    double uniform_entropy = 0;         // ln(number of real keys)
    float max = 0;
    int argmax = -1;
    std::string title;                  // "query CLS · entropy 2.31 nats (uniform 5.28) · max 0.21 at patch 17"
};
QueryRowData query_row_data(const FigureInputs& in, const FigureSelection& sel);
void add_query_chart(DrawList& dl, const QueryRowData& q, RectF box, const Theme& t);

// A heading and the top-5 of softmax(logits) as rows "rank  label  bar  p" (with the change against
// `reference`'s probability of the same class when given).
void add_predictions(DrawList& dl, RectF box, const std::string& heading, const RowVector& logits,
                     const RowVector* reference, const std::vector<std::string>& labels, const Theme& t);

}  // namespace vitscope
