// Animated GIF files from a sequence of frames (the layer sweep): one global 256-colour palette from
// a median cut over every frame (median_cut_palette.h), a NETSCAPE2.0 loop extension, a delay per
// frame. Encoded in memory with giflib and written atomically.
#pragma once

#include <QByteArray>
#include <QImage>

#include <string>
#include <vector>

namespace vitscope {

struct GifOptions {
    int delay_ms = 800;  // per frame; GIF stores hundredths of a second (rounded, at least 1)
    int loops = 0;       // 0: loop forever
};

// The GIF file's bytes. Frames must all have the same, non-zero size (at most 65535 px a side).
// Throws ExportError (figure_export.h) for an empty sequence, mismatched sizes or an encoder failure.
QByteArray encode_gif(const std::vector<QImage>& frames, const GifOptions& options = {});

// encode_gif written to `path` through write_file_atomically: on any failure nothing is left behind.
void write_gif(const std::string& path, const std::vector<QImage>& frames, const GifOptions& options = {});

}  // namespace vitscope
