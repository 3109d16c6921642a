// vitscope-gemm-bench: the engine's matrix products alone, on a ViT's four weight shapes, with the
// weights read from memory as in a real pass (`--copies` distinct copies of every weight, used in
// turn, like a model's layers) or from cache (`--copies 1`). Not shipped, not a test: it prints
// figures for bench/README.md. Run it on a quiet machine; compare two builds in alternation.
// `--peer` also times each product through Eigen (OpenBLAS's sgemm in a VITSCOPE_BLAS build, Eigen's
// own kernel otherwise), and every product, ours and the peer's, between two runs of the fp32 peak
// probe `vitscope-cli bench` uses, so the fractions of the peak hold however the host drifts.
#include "../app/cli/fp32_peak.h"
#include "openmp_wait_policy.h"
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

#include <unsupported/Eigen/SpecialFunctions>
#ifdef _OPENMP
#include <omp.h>
#endif

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
        "                           [--panels wide|narrow[,...]] [--peer]\n"
        "  The four products of a ViT block of width D (default 768, ViT-B) over M tokens (197):\n"
        "  QKV MxDx3D, proj MxDxD, fc1 MxDx4D with GELU, fc2 Mx4DxD, each through\n"
        "  gemm_packed_parallel on T threads (default: the engine's default), N distinct weight\n"
        "  copies used in turn (default 12: from memory, as in a 12-layer pass; 1: from cache).\n"
        "  Prints the median GFLOP/s of each product over R rounds (default 7).\n"
        "  --panels: the weights packed in each of these layouts (default wide, the engine's for\n"
        "  weights; AVX-512: wide 48-column panels and 8x48 tiles, narrow 32 and 12x32), the layouts\n"
        "  taking turns within every round, one table each.\n"
        "  --peer: also the same products (with bias, and GELU after fc1) through Eigen, which a\n"
        "  VITSCOPE_BLAS build routes to OpenBLAS's sgemm, on T threads; each product, ours and the\n"
        "  peer's, timed between two runs of the fp32 peak probe, printed as a fraction of the\n"
        "  faster probe (median and range over the rounds) and as a ratio of times.\n");
}

// One product as the engine runs it in a ViT block: bias, and GELU after fc1.
void our_product(const Shape& sh, const Matrix& in, const PackedMatrix& w, const RowVector& bias, Matrix& out) {
    GemmOptions o;
    o.bias = bias.data();
    o.gelu = sh.gelu;
    gemm_packed_parallel(sh.m, in.data(), sh.k, w, out.data(), sh.n, o);
}

// The same product through Eigen (OpenBLAS's sgemm in a VITSCOPE_BLAS build).
void peer_product(const Shape& sh, const Matrix& in, const Matrix& w, const RowVector& bias, Matrix& out) {
    out.noalias() = in * w;
    out.rowwise() += bias;
    if (sh.gelu) out = 0.5f * out.array() * (1.0f + (out.array() * 0.70710678118654752440f).erf());
}

// --peer: for every product, in each round, the fp32 probe, ours (the first panel layout), the probe,
// the peer's, the probe; each product's rate over the faster of the two probes around it.
int run_peer(const Shape* shapes, const std::vector<Matrix>& inputs, std::vector<Matrix>& outputs,
             const std::vector<RowVector>& biases, const std::vector<std::vector<PackedMatrix>>& packed,
             const std::vector<std::vector<Matrix>>& plain, int reps) {
    const int threads = engine_threads();
#ifdef _OPENMP
    omp_set_num_threads(threads);  // OpenBLAS's OpenMP build and Eigen's own kernel both follow it
#endif
    Eigen::setNbThreads(threads);
#ifdef EIGEN_USE_BLAS
    const char* peer_name = "OpenBLAS (Eigen, EIGEN_USE_BLAS)";
#else
    const char* peer_name = "Eigen's own kernel";
#endif
    auto seconds_of = [](auto&& run) {
        const auto t0 = std::chrono::steady_clock::now();
        run();
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    };
    std::vector<double> ours_fraction[4], peer_fraction[4], time_ratio[4], probes;
    for (int r = 0; r < reps; ++r)
        for (int s = 0; s < 4; ++s) {
            const Shape& sh = shapes[s];
            const double flop = 2.0 * sh.m * sh.k * sh.n * double(packed[size_t(s)].size());
            const double p0 = cli::measure_fp32_peak(threads).gflops;
            const double ours = seconds_of([&] {
                for (const PackedMatrix& w : packed[size_t(s)])
                    our_product(sh, inputs[size_t(s)], w, biases[size_t(s)], outputs[size_t(s)]);
            });
            const double p1 = cli::measure_fp32_peak(threads).gflops;
            const double theirs = seconds_of([&] {
                for (const Matrix& w : plain[size_t(s)])
                    peer_product(sh, inputs[size_t(s)], w, biases[size_t(s)], outputs[size_t(s)]);
            });
            const double p2 = cli::measure_fp32_peak(threads).gflops;
            ours_fraction[s].push_back(flop / ours / 1e9 / std::max(p0, p1));
            peer_fraction[s].push_back(flop / theirs / 1e9 / std::max(p1, p2));
            time_ratio[s].push_back(ours / theirs);
            probes.insert(probes.end(), {p0, p1, p2});
        }
    auto summary = [](std::vector<double>& v, const char* format) {
        std::sort(v.begin(), v.end());
        char text[96];
        std::snprintf(text, sizeof text, format, v[v.size() / 2], v.front(), v.back());
        return std::string(text);
    };
    std::sort(probes.begin(), probes.end());
    std::printf("\nagainst %s on %d thread(s), each product between two fp32 probes (probe %.0f-%.0f GFLOP/s)\n",
                peer_name, threads, probes.front(), probes.back());
    std::printf("%-9s %-17s  %-23s  %-23s  %s\n", "product", "shape", "vitscope / probe", "peer / probe",
                "vitscope time / peer time");
    float largest_difference = 0;  // the two compute the same thing: the first copy, both ways
    for (int s = 0; s < 4; ++s) {
        char shape[32];
        std::snprintf(shape, sizeof shape, "%dx%dx%d", shapes[s].m, shapes[s].k, shapes[s].n);
        std::printf("%-9s %-17s  %-23s  %-23s  %s\n", shapes[s].name, shape,
                    summary(ours_fraction[s], "%.3f (%.3f-%.3f)").c_str(),
                    summary(peer_fraction[s], "%.3f (%.3f-%.3f)").c_str(),
                    summary(time_ratio[s], "%.2fx (%.2f-%.2f)").c_str());
        Matrix ours(shapes[s].m, shapes[s].n), theirs(shapes[s].m, shapes[s].n);
        our_product(shapes[s], inputs[size_t(s)], packed[size_t(s)][0], biases[size_t(s)], ours);
        peer_product(shapes[s], inputs[size_t(s)], plain[size_t(s)][0], biases[size_t(s)], theirs);
        largest_difference = std::max(largest_difference, (ours - theirs).cwiseAbs().maxCoeff());
    }
    std::printf("largest |vitscope - peer| over the four outputs: %.2g\n", largest_difference);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    // The probe runs on OpenMP threads, which would otherwise spin for milliseconds after it, on the
    // cores the products' helpers need (halving a 2-thread product that follows it).
    ensure_passive_openmp_wait(argv);
    int dim = 768, tokens = 197, copies = 12, threads = 0, reps = 7;
    bool peer = false;
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
        else if (a == "--peer") peer = true;
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
    std::vector<std::vector<Matrix>> plain(4);  // the weights unpacked, for --peer
    double weight_mb = 0;
    for (int s = 0; s < 4; ++s) {
        const Shape& sh = shapes[s];
        for (int c = 0; c < copies; ++c) {
            const Matrix w = random(sh.k, sh.n);
            for (int v = 0; v < W; ++v) weights[size_t(v)][size_t(s)].emplace_back(w, widths[size_t(v)]);
            if (peer) plain[size_t(s)].push_back(w);
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
                    const auto t0 = std::chrono::steady_clock::now();
                    our_product(sh, inputs[s], weights[size_t(v)][size_t(s)][size_t(c)], biases[s], outputs[s]);
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
    if (peer) return run_peer(shapes, inputs, outputs, biases, weights[0], plain, reps);
    return 0;
}
