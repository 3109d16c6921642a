#include "cli_figure_options.h"

#include <QFileInfo>

#include <cstdio>
#include <stdexcept>
#include <unistd.h>

namespace vitscope::cli {

namespace {

std::string range_text(int count) { return "0.." + std::to_string(count - 1); }

// A whole number (optionally negative) and nothing else.
bool parse_whole(const std::string& s, int& out) {
    size_t used = 0;
    try {
        out = std::stoi(s, &used);
    } catch (...) {
        return false;
    }
    return used == s.size() && !s.empty() && s.find_first_of(" \t+") == std::string::npos;
}

}  // namespace

int selected_layer(const Args& a, const FigureInputs& in, int fallback) {
    const int n = in.num_layers();
    const std::string unit = in.swin ? "blocks" : "layers";
    if (!a.has("layer")) return fallback;
    const std::string v = a.get("layer");
    int layer = 0;
    if (!parse_whole(v, layer) || layer < -n || layer >= n)
        throw std::runtime_error("--layer " + v + " is out of range: the model has " + std::to_string(n) + " " + unit +
                                 " (" + range_text(n) + ", or -" + std::to_string(n) + "..-1 from the end)");
    return layer < 0 ? n + layer : layer;
}

int selected_head(const Args& a, int num_heads, const std::string& where) {
    const std::string v = a.get("head", "mean");
    if (v == "mean") return kMeanOfHeads;
    int head = 0;
    if (!parse_whole(v, head) || head < 0 || head >= num_heads)
        throw std::runtime_error("--head " + v + " is out of range: " + where + " " + std::to_string(num_heads) +
                                 " heads (" + range_text(num_heads) + ", or mean)");
    return head;
}

int selected_query(const Args& a, const FigureInputs& in) {
    const bool swin = in.swin != nullptr;
    const int gh = swin ? in.swin->grid_height : in.vit->grid_height;
    const int gw = swin ? in.swin->grid_width : in.vit->grid_width;
    const int prefix = swin ? 0 : in.vit->num_prefix;
    if (!a.has("query")) return swin ? (gh / 2) * gw + gw / 2 : 0;
    const std::string v = a.get("query");
    const std::string accepted =
        swin ? "a stage-0 patch 0.." + std::to_string(gh * gw - 1) + " or R,C with R in 0.." + std::to_string(gh - 1) +
                   " and C in 0.." + std::to_string(gw - 1)
             : "cls, a token 0.." + std::to_string(in.num_query_tokens() - 1) + " or R,C (a patch) with R in 0.." +
                   std::to_string(gh - 1) + " and C in 0.." + std::to_string(gw - 1);
    const auto bad = [&](const std::string& why) {
        return std::runtime_error("--query " + v + ": " + why + "; use " + accepted);
    };
    if (v == "cls" || v == "CLS") {
        if (swin) throw bad("Swin models have no CLS token");
        return 0;
    }
    const size_t comma = v.find(',');
    if (comma != std::string::npos) {
        int r = 0, c = 0;
        if (!parse_whole(v.substr(0, comma), r) || !parse_whole(v.substr(comma + 1), c))
            throw bad("not a row,column pair");
        if (r < 0 || r >= gh || c < 0 || c >= gw)
            throw bad("no such patch (the grid is " + std::to_string(gh) + " rows x " + std::to_string(gw) + " columns)");
        return prefix + r * gw + c;
    }
    int q = 0;
    if (!parse_whole(v, q)) throw bad("not cls, a number or R,C");
    if (q < 0 || q >= in.num_query_tokens()) throw bad("out of range");
    return q;
}

FigureSize figure_size(const Args& a, FigureSize fallback) {
    if (!a.has("size")) return fallback;
    const std::string v = a.get("size");
    int w = 0, h = 0;
    char x = 0, extra = 0;
    if (std::sscanf(v.c_str(), "%d%c%d%c", &w, &x, &h, &extra) != 3 || (x != 'x' && x != 'X') || w < 64 || h < 64 ||
        w > 8000 || h > 8000)
        throw std::runtime_error("--size expects WxH in figure pixels, each 64..8000 (e.g. 800x600), got '" + v + "'");
    return {float(w), float(h)};
}

double figure_dpi(const Args& a) { return a.get_int("dpi", 96, 24, 1200); }

Theme figure_theme(const Args& a) {
    Theme t = theme_light();
    if (a.has("theme") && !parse_theme(a.get("theme"), t))
        throw std::runtime_error("--theme must be light or dark, got '" + a.get("theme") + "'");
    return t;
}

FigureOptions figure_options(const Args& a) {
    FigureOptions o;
    o.show_photo = !a.has("no-photo");
    o.caption = a.get("caption");
    return o;
}

void check_output_path(const std::string& path) {
    const QFileInfo file(QString::fromStdString(path));
    const QString folder = file.absolutePath();
    const QFileInfo dir(folder);
    const std::string folder_name = folder.toStdString();
    if (!dir.exists()) throw std::runtime_error(path + ": the folder " + folder_name + " does not exist");
    if (!dir.isDir()) throw std::runtime_error(path + ": " + folder_name + " is not a folder");
    if (::access(folder_name.c_str(), W_OK) != 0)
        throw std::runtime_error(path + ": cannot write into the folder " + folder_name + " (permission denied)");
    if (file.isDir()) throw std::runtime_error(path + ": is a folder, not a file name");
}

}  // namespace vitscope::cli
