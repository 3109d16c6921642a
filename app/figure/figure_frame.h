// What every figure shares around its content: the DrawList with its size, theme and provenance
// metadata, the bottom lines (the user's caption, the provenance line, the live views' hint), a
// one-line note for figures that do not apply, and text fitted to its box.
#pragma once

#include "view_figures.h"

#include <string>

namespace vitscope {

// printf-style formatting of one number ("%.3f", "%g").
std::string format_number(const char* format, double v);
Rgba with_alpha(Rgba c, uint8_t alpha);

// A font size at which `text` fits `width` (never below `min_size`).
float fitting_size(const std::string& text, float size, float width, float min_size = 5.0f);
// A line of text shrunk to fit its box.
void add_fitted_text(DrawList& dl, RectF box, const std::string& text, float size, Rgba color, bool bold = false,
                     HAlign align = HAlign::Left);

// An empty figure of that size and theme, with the provenance as metadata when asked for.
DrawList figure_list(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt, const Theme& theme,
                     float width, float height, const std::string& title = {});

// Height of the bottom lines (caption, provenance, the hint on one or two lines) and drawing them.
float bottom_lines_height(const FigureOptions& opt, const Theme& theme, float width);
void add_bottom_lines(DrawList& dl, const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                      const Theme& theme);

// A muted note centred in `box`, and a figure that is only that note.
void add_note(DrawList& dl, RectF box, const std::string& text, const Theme& theme);
BuiltFigure note_figure(const FigureInputs& in, const FigureSelection& sel, const FigureOptions& opt,
                        const Theme& theme, float width, float height, const std::string& note);

}  // namespace vitscope
