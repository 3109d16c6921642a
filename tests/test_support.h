// Shared helpers for the QtTest suites: fixture paths, reference files, tolerances.
#pragma once

#include "safetensors.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <cstring>
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

namespace vitscope::test {

inline std::string data_path(const std::string& rel) { return std::string(VITSCOPE_TEST_DATA_DIR) + "/" + rel; }
inline std::string shared_path(const std::string& rel) { return std::string(VITSCOPE_SHARED_DIR) + "/" + rel; }

// Largest absolute difference; infinity when sizes differ or a value is not finite.
template <typename A, typename B>
double max_abs_diff(const A& a, const B& b, size_t n) {
    double m = 0.0;
    for (size_t i = 0; i < n; ++i) {
        const double d = std::fabs(double(a[i]) - double(b[i]));
        if (!std::isfinite(d)) return INFINITY;
        m = std::max(m, d);
    }
    return m;
}

inline double max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
    if (a.size() != b.size()) return INFINITY;
    return max_abs_diff(a, b, a.size());
}

// Copies the Hugging Face ViT folder `from` to `to` with layer 1's query and key biases set to
// 3e38: every weight is finite (so it loads), but q.k overflows to infinity in layer 1 and its
// softmax is NaN. Returns false when a file cannot be read or written.
inline bool write_overflowing_vit(const QString& from, const QString& to) {
    if (!QDir().mkpath(to) || !QFile::copy(from + "/config.json", to + "/config.json")) return false;
    QFile src(from + "/model.safetensors");
    if (!src.open(QIODevice::ReadOnly)) return false;
    QByteArray bytes = src.readAll();
    quint64 header = 0;
    std::memcpy(&header, bytes.constData(), 8);
    const QJsonObject tensors = QJsonDocument::fromJson(bytes.mid(8, qsizetype(header))).object();
    for (const char* name : {"vit.encoder.layer.1.attention.attention.query.bias",
                             "vit.encoder.layer.1.attention.attention.key.bias"}) {
        const QJsonArray at = tensors[name].toObject()["data_offsets"].toArray();
        if (at.size() != 2) return false;
        const float huge = 3.0e38f;
        for (qint64 o = at[0].toInteger(); o < at[1].toInteger(); o += qint64(sizeof huge))
            std::memcpy(bytes.data() + 8 + qsizetype(header) + o, &huge, sizeof huge);
    }
    QFile dst(to + "/model.safetensors");
    return dst.open(QIODevice::WriteOnly) && dst.write(bytes) == bytes.size();
}

}  // namespace vitscope::test

// Compares two float sequences element-wise within `tol`, reporting the worst index.
#define VITSCOPE_COMPARE_NEAR(actual, expected, tol)                                                             \
    do {                                                                                                      \
        const auto& a_ = (actual);                                                                            \
        const auto& e_ = (expected);                                                                          \
        QCOMPARE(size_t(a_.size()), size_t(e_.size()));                                                       \
        double worst_ = 0;                                                                                    \
        size_t at_ = 0;                                                                                       \
        for (size_t i_ = 0; i_ < size_t(e_.size()); ++i_) {                                                   \
            const double d_ = std::fabs(double(a_[i_]) - double(e_[i_]));                                     \
            if (!(d_ <= worst_)) { worst_ = std::isfinite(d_) ? d_ : INFINITY; at_ = i_; }                    \
        }                                                                                                     \
        if (!(worst_ <= (tol)))                                                                               \
            QFAIL(qPrintable(QString("max |diff| %1 at index %2 (actual %3, expected %4) exceeds %5")         \
                                 .arg(worst_).arg(at_).arg(double(a_[at_])).arg(double(e_[at_])).arg(tol))); \
    } while (0)
