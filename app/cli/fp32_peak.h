// Measures the machine's fp32 multiply-add throughput, so bench can quote a fraction of peak.
#pragma once

namespace vitscope::cli {

struct Fp32Peak {
    double gflops = 0;       // all threads together
    int vector_bits = 0;     // width of the vectors the probe was compiled for
};

// Runs independent fused multiply-add chains on every thread for ~0.2 s; returns the best rate.
Fp32Peak measure_fp32_peak(int threads);

}  // namespace vitscope::cli
