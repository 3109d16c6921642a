#include "median_cut_palette.h"

#include <algorithm>
#include <cassert>
#include <unordered_set>

namespace vitscope {

namespace {

uint32_t key_of(uint8_t r, uint8_t g, uint8_t b) { return (uint32_t(r) << 16) | (uint32_t(g) << 8) | b; }

uint8_t channel(uint32_t rgb, int c) { return uint8_t(rgb >> (16 - 8 * c)); }

QImage as_rgb(const QImage& frame) {
    return frame.format() == QImage::Format_RGB32 ? frame : frame.convertToFormat(QImage::Format_RGB32);
}

// The distinct colours of every frame, or an empty list when there are more than `limit`.
std::vector<uint32_t> distinct_colors(const std::vector<QImage>& frames, int limit) {
    std::unordered_set<uint32_t> seen;
    for (const QImage& f : frames) {
        const QImage rgb = as_rgb(f);
        for (int y = 0; y < rgb.height(); ++y) {
            const QRgb* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
            for (int x = 0; x < rgb.width(); ++x) {
                seen.insert(line[x] & 0xFFFFFFu);
                if (int(seen.size()) > limit) return {};
            }
        }
    }
    std::vector<uint32_t> out(seen.begin(), seen.end());
    std::sort(out.begin(), out.end());
    return out;
}

// Every step-th pixel of the frames taken as one sequence, as 0xRRGGBB.
std::vector<uint32_t> sample_pixels(const std::vector<QImage>& frames, int max_samples) {
    size_t total = 0;
    for (const QImage& f : frames) total += size_t(f.width()) * size_t(f.height());
    const size_t step = std::max<size_t>(1, (total + size_t(max_samples) - 1) / size_t(max_samples));
    std::vector<uint32_t> out;
    out.reserve(total / step + 1);
    size_t i = 0;
    for (const QImage& f : frames) {
        const QImage rgb = as_rgb(f);
        for (int y = 0; y < rgb.height(); ++y) {
            const QRgb* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
            for (int x = 0; x < rgb.width(); ++x, ++i)
                if (i % step == 0) out.push_back(line[x] & 0xFFFFFFu);
        }
    }
    return out;
}

// A box of samples: [begin, end) of the sample array and its extent per channel.
struct Box {
    size_t begin = 0, end = 0;
    std::array<int, 3> lo{}, hi{};

    size_t count() const { return end - begin; }
    int longest_axis() const {
        int best = 0;
        for (int c = 1; c < 3; ++c)
            if (hi[size_t(c)] - lo[size_t(c)] > hi[size_t(best)] - lo[size_t(best)]) best = c;
        return best;
    }
    int extent() const { return hi[size_t(longest_axis())] - lo[size_t(longest_axis())]; }
};

Box make_box(const std::vector<uint32_t>& s, size_t begin, size_t end) {
    Box b;
    b.begin = begin;
    b.end = end;
    b.lo = {255, 255, 255};
    b.hi = {0, 0, 0};
    for (size_t i = begin; i < end; ++i)
        for (int c = 0; c < 3; ++c) {
            const int v = channel(s[i], c);
            b.lo[size_t(c)] = std::min(b.lo[size_t(c)], v);
            b.hi[size_t(c)] = std::max(b.hi[size_t(c)], v);
        }
    return b;
}

// Splits `box` along its longest side at the median value; both halves are non-empty because the
// box spans more than one value on that side.
std::pair<Box, Box> split(std::vector<uint32_t>& s, const Box& box) {
    const int axis = box.longest_axis();
    const auto value = [axis](uint32_t p) { return int(channel(p, axis)); };
    auto first = s.begin() + std::ptrdiff_t(box.begin), last = s.begin() + std::ptrdiff_t(box.end);
    auto mid = first + std::ptrdiff_t(box.count() / 2);
    std::nth_element(first, mid, last, [&](uint32_t a, uint32_t b) { return value(a) < value(b); });
    const int median = value(*mid);
    auto cut = std::partition(first, last, [&](uint32_t p) { return value(p) < median; });
    if (cut == first) cut = std::partition(first, last, [&](uint32_t p) { return value(p) <= median; });
    assert(cut != first && cut != last && "a box wider than one value splits into two non-empty halves");
    const size_t at = size_t(cut - s.begin());
    return {make_box(s, box.begin, at), make_box(s, at, box.end)};
}

PaletteColor mean_color(const std::vector<uint32_t>& s, const Box& box) {
    std::array<uint64_t, 3> sum{};
    for (size_t i = box.begin; i < box.end; ++i)
        for (int c = 0; c < 3; ++c) sum[size_t(c)] += channel(s[i], c);
    const uint64_t n = box.count(), half = n / 2;
    return {uint8_t((sum[0] + half) / n), uint8_t((sum[1] + half) / n), uint8_t((sum[2] + half) / n)};
}

}  // namespace

std::vector<PaletteColor> median_cut_palette(const std::vector<QImage>& frames, int max_colors, int max_samples) {
    max_colors = std::clamp(max_colors, 1, 256);
    max_samples = std::max(max_samples, max_colors);
    std::vector<PaletteColor> palette;
    const std::vector<uint32_t> distinct = distinct_colors(frames, max_colors);
    if (!distinct.empty()) {
        for (uint32_t c : distinct) palette.push_back({channel(c, 0), channel(c, 1), channel(c, 2)});
        return palette;
    }
    std::vector<uint32_t> samples = sample_pixels(frames, max_samples);
    if (samples.empty()) return {PaletteColor{}};
    std::vector<Box> boxes{make_box(samples, 0, samples.size())};
    while (int(boxes.size()) < max_colors) {
        // The box with the most samples times its longest side: big and spread-out boxes first.
        int pick = -1;
        uint64_t best = 0;
        for (size_t i = 0; i < boxes.size(); ++i) {
            const uint64_t score = uint64_t(boxes[i].count()) * uint64_t(boxes[i].extent());
            if (score > best) best = score, pick = int(i);
        }
        if (pick < 0) break;  // every box holds one colour
        auto [a, b] = split(samples, boxes[size_t(pick)]);
        boxes[size_t(pick)] = a;
        boxes.push_back(b);
    }
    for (const Box& b : boxes) palette.push_back(mean_color(samples, b));
    return palette;
}

PaletteMapper::PaletteMapper(std::vector<PaletteColor> palette) : palette_(std::move(palette)) {
    assert(!palette_.empty() && palette_.size() <= 256 && "a GIF palette holds 1..256 colours");
    std::vector<std::pair<uint32_t, uint8_t>> keyed;
    for (size_t i = 0; i < palette_.size(); ++i)
        keyed.push_back({key_of(palette_[i].r, palette_[i].g, palette_[i].b), uint8_t(i)});
    std::sort(keyed.begin(), keyed.end());
    for (const auto& [k, i] : keyed) {
        exact_keys_.push_back(k);
        exact_index_.push_back(i);
    }
    cache_.fill(-1);
}

uint8_t PaletteMapper::nearest(int r, int g, int b) const {
    int best = 0, best_d = 1 << 30;
    for (size_t i = 0; i < palette_.size(); ++i) {
        const int dr = r - palette_[i].r, dg = g - palette_[i].g, db = b - palette_[i].b;
        const int d = dr * dr + dg * dg + db * db;
        if (d < best_d) best_d = d, best = int(i);
    }
    return uint8_t(best);
}

uint8_t PaletteMapper::index_of(uint8_t r, uint8_t g, uint8_t b) {
    const uint32_t k = key_of(r, g, b);
    const auto it = std::lower_bound(exact_keys_.begin(), exact_keys_.end(), k);
    if (it != exact_keys_.end() && *it == k) return exact_index_[size_t(it - exact_keys_.begin())];
    const int cell = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
    int16_t& cached = cache_[size_t(cell)];
    if (cached < 0) cached = int16_t(nearest((r & 0xF8) | 4, (g & 0xF8) | 4, (b & 0xF8) | 4));
    return uint8_t(cached);
}

std::vector<uint8_t> map_to_palette(const QImage& frame, PaletteMapper& mapper) {
    const QImage rgb = as_rgb(frame);
    std::vector<uint8_t> out(size_t(rgb.width()) * size_t(rgb.height()));
    for (int y = 0; y < rgb.height(); ++y) {
        const QRgb* line = reinterpret_cast<const QRgb*>(rgb.constScanLine(y));
        uint8_t* o = out.data() + size_t(y) * size_t(rgb.width());
        for (int x = 0; x < rgb.width(); ++x) o[x] = mapper.index_of(uint8_t(qRed(line[x])), uint8_t(qGreen(line[x])),
                                                                     uint8_t(qBlue(line[x])));
    }
    return out;
}

}  // namespace vitscope
