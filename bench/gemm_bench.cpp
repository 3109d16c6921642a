// vitscope-gemm-bench: the engine's matrix products alone, on a ViT's four weight shapes, with the
// weights read from memory as in a real pass (`--copies` distinct copies of every weight, used in
// turn, like a model's layers) or from cache (`--copies 1`). Not shipped, not a test: it prints
// figures for bench/README.md. Run it on a quiet machine; compare two builds in alternation.
#include "packed_gemm.h"
#include "thread_pool.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace vitscope;

namespace {

struct Shape {
    const char* name;
    int m, k, n;
    bool gelu;
};

void usage() {
    std::printf(
        "usage: vitscope-gemm-bench [--dim D] [--tokens M] [--copies N] [--threads T] [--reps R]\n"
        "                           [--panels wide|narrow[,...]]\n"
        "  The four products of a ViT block of width D (default 768, ViT-B) over M tokens (197):\n"
        "  QKV MxDx3D, proj MxDxD, fc1 MxDx4D with GELU, fc2 Mx4DxD, each through\n"
        "  gemm_packed_parallel on T threads (default: the engine's default), N distinct weight\n"
        "  copies used in turn (default 12: from memory, as in a 12-layer pass; 1: from cache).\n"
        "  Prints the median GFLOP/s of each product over R rounds (default 7).\n"
        "  --panels: the weights packed in each of these layouts (default wide, the engine's for\n"
        "  weights; AVX-512: wide 48-column panels and 8x48 tiles, narrow 32 and 12x32), the layouts\n"
        "  taking turns within every round, one table each.\n");
}

}  // namespace

int main(int argc, char** argv) {
    int dim = 768, tokens = 197, copies = 12, threads = 0, reps = 7;
    std::vector<PanelWidth> widths;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto value = [&]() -> int {
            if (i + 1 >= argc) {
                usage();
                std::exit(2);
            }
            return std::atoi(argv[++i]);
        };
        if (a == "--dim") dim = value();
        else if (a == "--tokens") tokens = value();
        else if (a == "--copies") copies = value();
        else if (a == "--threads") threads = value();
        else if (a == "--reps") reps = value();
        else if (a == "--panels" && i + 1 < argc) {
            std::stringstream list(argv[++i]);
            for (std::string w; std::getline(list, w, ',');) {
                if (w != "wide" && w != "narrow") {
                    usage();
                    return 2;
                }
                widths.push_back(w == "wide" ? PanelWidth::wide : PanelWidth::narrow);
            }
        }
        else {
            usage();
            return a == "--help" || a == "-h" ? 0 : 2;
        }
    }
    if (widths.empty()) widths.push_back(PanelWidth::wide);
    if (dim <= 0 || tokens <= 0 || copies <= 0 || reps <= 0) {
        usage();
        return 2;
    }
    set_engine_threads(threads);
    set_engine_thread_adaptation(false);  // a fixed team: what the kernels do, not what the load does

    const Shape shapes[] = {{"qkv", tokens, dim, 3 * dim, false},
                            {"proj", tokens, dim, dim, false},
                            {"fc1+gelu", tokens, dim, 4 * dim, true},
                            {"fc2", tokens, 4 * dim, dim, false}};
    std::mt19937 rng(1);
    std::uniform_real_distribution<float> uniform(-1.0f, 1.0f);
    auto random = [&](int r, int c) {
        Matrix x(r, c);
        for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = uniform(rng);
        return x;
    };
    const int W = int(widths.size());
    std::vector<std::vector<std::vector<PackedMatrix>>> weights(size_t(W), std::vector<std::vector<PackedMatrix>>(4));
    std::vector<Matrix> inputs, outputs;
    std::vector<RowVector> biases;
    double weight_mb = 0;
    for (int s = 0; s < 4; ++s) {
        const Shape& sh = shapes[s];
        for (int c = 0; c < copies; ++c) {
            const Matrix w = random(sh.k, sh.n);
            for (int v = 0; v < W; ++v) weights[size_t(v)][size_t(s)].emplace_back(w, widths[size_t(v)]);
        }
        inputs.push_back(random(sh.m, sh.k));
        outputs.emplace_back(sh.m, sh.n);
        biases.push_back(random(1, sh.n));
        weight_mb += 4.0 * sh.k * sh.n * copies / (1 << 20);
    }
    std::printf("%d tokens, width %d, %d thread(s), %d weight copies (%.0f MiB of weights)\n", tokens, dim,
                engine_threads(), copies, weight_mb);

    // One round: for each panel width in turn, every copy of every product, in a pass's order; the
    // time of each product summed.
    std::vector<std::vector<std::vector<double>>> gflops(size_t(W), std::vector<std::vector<double>>(4));
    for (int r = 0; r < reps; ++r)
        for (int v = 0; v < W; ++v) {
            double seconds[4] = {0, 0, 0, 0};
            for (int c = 0; c < copies; ++c)
                for (int s = 0; s < 4; ++s) {
                    const Shape& sh = shapes[s];
                    GemmOptions o;
                    o.bias = biases[s].data();
                    o.gelu = sh.gelu;
                    const auto t0 = std::chrono::steady_clock::now();
                    gemm_packed_parallel(sh.m, inputs[s].data(), sh.k, weights[size_t(v)][size_t(s)][size_t(c)],
                                         outputs[s].data(), sh.n, o);
                    seconds[s] += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
                }
            for (int s = 0; s < 4; ++s)
                gflops[size_t(v)][size_t(s)].push_back(2.0 * shapes[s].m * shapes[s].k * shapes[s].n * copies /
                                                       seconds[s] / 1e9);
        }
    for (int v = 0; v < W; ++v) {
        if (W > 1)
            std::printf("%s panels (%d columns)\n", widths[size_t(v)] == PanelWidth::wide ? "wide" : "narrow",
                        packed_panel_width(widths[size_t(v)]));
        double total_flop = 0, total_s = 0;
        for (int s = 0; s < 4; ++s) {
            std::vector<double>& g = gflops[size_t(v)][size_t(s)];
            std::sort(g.begin(), g.end());
            const double median = g[g.size() / 2];
            const double flop = 2.0 * shapes[s].m * shapes[s].k * shapes[s].n * copies;
            total_flop += flop;
            total_s += flop / (median * 1e9);
            std::printf("%-9s %5dx%5dx%5d  %7.1f GFLOP/s (median; min %.1f, max %.1f)\n", shapes[s].name,
                        shapes[s].m, shapes[s].k, shapes[s].n, median, g.front(), g.back());
        }
        std::printf("all four  %7.1f GFLOP/s (compare with the fp32 peak `vitscope-cli bench` prints)\n",
                    total_flop / total_s / 1e9);
    }
    return 0;
}
