// One palette for a whole sequence of frames (an animated GIF has one global colour table): a
// median cut over pixels sampled from every frame, and the mapping of any colour to its nearest
// palette entry through a 15-bit (5 bits per channel) cache.
#pragma once

#include <QImage>

#include <array>
#include <cstdint>
#include <vector>

namespace vitscope {

struct PaletteColor {
    uint8_t r = 0, g = 0, b = 0;
    bool operator==(const PaletteColor&) const = default;
};

// At most `max_colors` (1..256) colours for `frames`. When the frames hold no more distinct colours
// than that, the palette is exactly those colours; otherwise boxes of sampled pixels (at most
// `max_samples`, spread evenly over all frames) are split at the median of their longest side,
// the most populous splittable box first, and each box gives its mean colour. Deterministic.
std::vector<PaletteColor> median_cut_palette(const std::vector<QImage>& frames, int max_colors = 256,
                                             int max_samples = 1 << 18);

// Maps RGB colours to the index of the nearest palette entry (squared RGB distance). Colours that are
// in the palette map to themselves; others go through a 32x32x32 cache filled on first use with the
// entry nearest to the cache cell's centre.
class PaletteMapper {
public:
    explicit PaletteMapper(std::vector<PaletteColor> palette);
    uint8_t index_of(uint8_t r, uint8_t g, uint8_t b);
    const std::vector<PaletteColor>& palette() const { return palette_; }

private:
    uint8_t nearest(int r, int g, int b) const;

    std::vector<PaletteColor> palette_;
    std::vector<uint32_t> exact_keys_;   // sorted 0xRRGGBB of the palette entries
    std::vector<uint8_t> exact_index_;   // palette index of each key
    std::array<int16_t, 1 << 15> cache_;  // -1: not computed yet
};

// The frame as palette indices, row-major (frames are converted to RGB first).
std::vector<uint8_t> map_to_palette(const QImage& frame, PaletteMapper& mapper);

}  // namespace vitscope
