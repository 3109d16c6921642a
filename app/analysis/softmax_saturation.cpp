#include "softmax_saturation.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <random>

namespace vitscope {

double row_entropy(std::span<const float> p) {
    double e = 0;
    for (float v : p)
        if (v > 0) e -= double(v) * std::log(double(v));
    return e;
}

double softmax_jacobian_frobenius(std::span<const float> p) {
    double s2 = 0, s3 = 0;
    for (float v : p) {
        const double d = v;
        s2 += d * d;
        s3 += d * d * d;
    }
    return std::sqrt(std::max(0.0, s2 - 2 * s3 + s2 * s2));
}

SaturationStats softmax_saturation(const AttentionSource& s) {
    SaturationStats out;
    for (int l = 0; l < s.layers(); ++l) {
        const int T = s.num_tokens(l), H = s.heads(l);
        std::vector<double> ent(size_t(H), 0), peak(size_t(H), 0), jac(size_t(H), 0);
        for (int h = 0; h < H; ++h) {
            for (int q = 0; q < T; ++q) {
                const std::vector<float> row = s.row(l, h, q);
                ent[size_t(h)] += row_entropy(row);
                peak[size_t(h)] += *std::max_element(row.begin(), row.end());
                jac[size_t(h)] += softmax_jacobian_frobenius(row);
            }
            ent[size_t(h)] /= T;
            peak[size_t(h)] /= T;
            jac[size_t(h)] /= T;
        }
        out.entropy.push_back(std::move(ent));
        out.max_prob.push_back(std::move(peak));
        out.jacobian_fro.push_back(std::move(jac));
    }
    return out;
}

std::vector<int> sandbox_dims() {
    std::vector<int> d;
    for (int v = 1; v <= 1024; v *= 2) d.push_back(v);
    return d;
}

std::vector<DotProductSpread> dot_product_spread(const std::vector<int>& dims, int samples, unsigned seed) {
    assert(samples >= 2 && "dot_product_spread: needs at least two samples");
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<DotProductSpread> out;
    for (int d : dims) {
        assert(d >= 1 && "dot_product_spread: d_k must be positive");
        double sum = 0, sum2 = 0;
        for (int i = 0; i < samples; ++i) {
            double dot = 0;
            for (int j = 0; j < d; ++j) dot += normal(rng) * normal(rng);
            sum += dot;
            sum2 += dot * dot;
        }
        const double mean = sum / samples;
        out.push_back({d, std::sqrt(std::max(0.0, (sum2 - samples * mean * mean) / (samples - 1)))});
    }
    return out;
}

namespace {

std::vector<float> softmax(const std::vector<double>& logits) {
    const double top = *std::max_element(logits.begin(), logits.end());
    std::vector<float> p;
    double sum = 0;
    for (double v : logits) sum += std::exp(v - top);
    for (double v : logits) p.push_back(float(std::exp(v - top) / sum));
    return p;
}

}  // namespace

SoftmaxScalingRow softmax_scaling_row(int d_k, int keys, unsigned seed) {
    assert(d_k >= 1 && keys >= 1 && "softmax_scaling_row: needs d_k >= 1 and a key");
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, 1.0);
    std::vector<double> q(static_cast<size_t>(d_k)), logits;
    for (double& v : q) v = normal(rng);
    for (int k = 0; k < keys; ++k) {
        double dot = 0;
        for (int j = 0; j < d_k; ++j) dot += q[size_t(j)] * normal(rng);
        logits.push_back(dot);
    }
    SoftmaxScalingRow r;
    r.unscaled = softmax(logits);
    for (double& v : logits) v /= std::sqrt(double(d_k));
    r.scaled = softmax(logits);
    return r;
}

}  // namespace vitscope
