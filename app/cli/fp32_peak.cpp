#include "fp32_peak.h"

#include <chrono>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace vitscope::cli {

namespace {

#if defined(__AVX512F__)
constexpr int kLanes = 16;
#elif defined(__AVX__)
constexpr int kLanes = 8;
#else
constexpr int kLanes = 4;
#endif
typedef float VecF __attribute__((vector_size(kLanes * 4)));

// 16 independent accumulators hide the FMA latency; the compiler emits one FMA per line.
float fma_chains(long iterations) {
    VecF acc[16];
    VecF a, b;
    for (int l = 0; l < kLanes; ++l) {
        a[l] = 0.999f;
        b[l] = 0.001f;
    }
    for (int i = 0; i < 16; ++i) acc[i] = a * float(i + 1) * 0.01f;
    for (long it = 0; it < iterations; ++it)
        for (int i = 0; i < 16; ++i) acc[i] = acc[i] * a + b;
    float s = 0;
    for (int i = 0; i < 16; ++i)
        for (int l = 0; l < kLanes; ++l) s += acc[i][l];
    return s;
}

}  // namespace

Fp32Peak measure_fp32_peak(int threads) {
    constexpr long kIterations = 4'000'000;  // 16 chains x kLanes x 2 FLOP each
    double best = 0;
    volatile float sink = 0;
    for (int rep = 0; rep < 3; ++rep) {
        const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel for num_threads(threads) schedule(static, 1)
        for (int t = 0; t < threads; ++t) sink = sink + fma_chains(kIterations);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const double flops = double(threads) * kIterations * 16 * kLanes * 2;
        if (flops / s > best) best = flops / s;
    }
    return {best / 1e9, kLanes * 32};
}

}  // namespace vitscope::cli
