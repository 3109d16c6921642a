#include "gif_writer.h"

#include "figure_export.h"
#include "median_cut_palette.h"

#include <gif_lib.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace vitscope {

namespace {

int append_to_buffer(GifFileType* gif, const GifByteType* data, int length) {
    static_cast<QByteArray*>(gif->UserData)->append(reinterpret_cast<const char*>(data), length);
    return length;
}

struct GifCloser {
    void operator()(GifFileType* gif) const {
        int error = 0;
        EGifCloseFile(gif, &error);
    }
};
using GifHandle = std::unique_ptr<GifFileType, GifCloser>;

struct MapCloser {
    void operator()(ColorMapObject* map) const { GifFreeMapObject(map); }
};

[[noreturn]] void fail(const char* step, int error) {
    const char* why = GifErrorString(error);
    throw ExportError(std::string("GIF encoder: ") + step + " failed (" + (why ? why : "unknown error") + ")");
}

void check(int status, GifFileType* gif, const char* step) {
    if (status == GIF_ERROR) fail(step, gif->Error);
}

// NETSCAPE2.0 application extension: the animation repeats `loops` times (0 = forever).
void put_loop_extension(GifFileType* gif, int loops) {
    static const char kApplication[] = "NETSCAPE2.0";
    const GifByteType sub_block[3] = {1, GifByteType(loops & 0xFF), GifByteType((loops >> 8) & 0xFF)};
    check(EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE), gif, "loop extension");
    check(EGifPutExtensionBlock(gif, 11, kApplication), gif, "loop extension");
    check(EGifPutExtensionBlock(gif, 3, sub_block), gif, "loop extension");
    check(EGifPutExtensionTrailer(gif), gif, "loop extension");
}

void put_frame(GifFileType* gif, const std::vector<uint8_t>& indices, int width, int height, int delay_cs) {
    GraphicsControlBlock gcb{};
    gcb.DisposalMode = DISPOSE_DO_NOT;
    gcb.UserInputFlag = false;
    gcb.DelayTime = delay_cs;
    gcb.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType ext[4];
    const size_t len = EGifGCBToExtension(&gcb, ext);
    check(EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, int(len), ext), gif, "frame delay");
    check(EGifPutImageDesc(gif, 0, 0, width, height, false, nullptr), gif, "frame header");
    std::vector<GifPixelType> line(static_cast<size_t>(width));
    for (int y = 0; y < height; ++y) {
        std::copy_n(indices.begin() + std::ptrdiff_t(size_t(y) * size_t(width)), width, line.begin());
        check(EGifPutLine(gif, line.data(), width), gif, "frame pixels");
    }
}

}  // namespace

QByteArray encode_gif(const std::vector<QImage>& frames, const GifOptions& options) {
    if (frames.empty()) throw ExportError("GIF encoder: no frames to write");
    const int width = frames.front().width(), height = frames.front().height();
    if (width <= 0 || height <= 0 || width > 65535 || height > 65535)
        throw ExportError("GIF encoder: frames of " + std::to_string(width) + "x" + std::to_string(height) +
                          " px cannot be written (1..65535 px a side)");
    for (size_t i = 1; i < frames.size(); ++i)
        if (frames[i].size() != frames.front().size())
            throw ExportError("GIF encoder: frame " + std::to_string(i) + " is " + std::to_string(frames[i].width()) +
                              "x" + std::to_string(frames[i].height()) + " px, frame 0 is " + std::to_string(width) +
                              "x" + std::to_string(height));

    PaletteMapper mapper(median_cut_palette(frames, 256));
    // A GIF colour table has a power-of-two size; unused entries stay black.
    const auto& palette = mapper.palette();
    int table_size = 2;
    while (table_size < int(palette.size())) table_size *= 2;
    std::unique_ptr<ColorMapObject, MapCloser> map(GifMakeMapObject(table_size, nullptr));
    if (!map) throw ExportError("GIF encoder: out of memory for the colour table");
    for (size_t i = 0; i < palette.size(); ++i) map->Colors[i] = {palette[i].r, palette[i].g, palette[i].b};

    const int delay_cs = std::max(1, int(std::lround(options.delay_ms / 10.0)));
    QByteArray bytes;
    int error = 0;
    GifHandle gif(EGifOpen(&bytes, append_to_buffer, &error));
    if (!gif) fail("open", error);
    EGifSetGifVersion(gif.get(), true);  // GIF89a: delays and the loop extension
    check(EGifPutScreenDesc(gif.get(), width, height, 8, 0, map.get()), gif.get(), "screen header");
    put_loop_extension(gif.get(), options.loops);
    for (const QImage& frame : frames) put_frame(gif.get(), map_to_palette(frame, mapper), width, height, delay_cs);
    GifFileType* raw = gif.release();
    if (EGifCloseFile(raw, &error) == GIF_ERROR) fail("close", error);
    return bytes;
}

void write_gif(const std::string& path, const std::vector<QImage>& frames, const GifOptions& options) {
    write_file_atomically(path, encode_gif(frames, options));
}

}  // namespace vitscope
