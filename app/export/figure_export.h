// Draws DrawLists with QPainter and writes them as PNG (any size / DPI), SVG (QSvgGenerator, text
// kept as text, cells as one rectangle each) and PDF (QPdfWriter, one page per list). Files are
// written to a temporary file beside the target and renamed when complete (QSaveFile): a failed
// export leaves nothing behind. Provenance goes into the file's metadata (PNG tEXt chunks, PDF
// title/creator, SVG <metadata>). Needs a QGuiApplication (any platform, offscreen included).
#pragma once

#include "draw_list.h"

#include <QByteArray>
#include <QImage>

#include <stdexcept>
#include <string>
#include <vector>

class QPainter;

namespace vitscope {

enum class FigureFormat { Png, Svg, Pdf };

// The largest PNG side export_figure writes (pixels).
constexpr int kMaxExportSide = 16384;

// From the file name's extension (case-insensitive); false for anything else.
bool figure_format_from_path(const std::string& path, FigureFormat& out);
const char* figure_format_list();  // ".png, .svg, .pdf"

// An export that could not be written: the message names the path and the reason.
class ExportError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// How cell grids are drawn: as a pixel raster (the exact twin of the GL shader, for PNG and the
// clipboard) or as vector rectangles and hatch lines (SVG, PDF).
enum class CellPath { Raster, Vector };
enum class PaintLayers {
    All,          // every item, in list order
    OverlayOnly,  // everything but cell grids and colourbars (the GL renderer drew those)
};

// Paints `list` with the painter's current transform mapping figure px to the device; `scale` is
// figure px -> device px (needed for the raster path and for hatch spacing).
void paint_draw_list(QPainter& p, const DrawList& list, float scale, CellPath cells, PaintLayers layers);

// The figure as an image of round(width * dpi / 96) x round(height * dpi / 96) pixels.
QImage render_figure_image(const DrawList& list, double dpi = 96.0);
// The figure as an SVG document.
QByteArray render_figure_svg(const DrawList& list);

// Writes the figure(s) to `path` in the format of its extension. PNG and SVG take exactly one page;
// PDF any number (a page each, every page sized like its list at 96 figure px per inch).
// Throws ExportError: unknown extension (the message lists the formats), missing or unwritable
// folder, failure while writing.
void export_figure(const std::vector<DrawList>& pages, const std::string& path, double dpi = 96.0);

// Writes bytes atomically (temporary file + rename); throws ExportError naming the path.
void write_file_atomically(const std::string& path, const QByteArray& bytes);

}  // namespace vitscope
