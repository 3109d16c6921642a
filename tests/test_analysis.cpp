// The analyses of app/analysis on hand-made traces with known answers (rollout, distance, entropy,
// Jacobian, Jensen-Shannon), on the committed fixtures and default models (position embeddings,
// filters, padding leakage for ViT and Swin), and on the real DeiT-Tiny when it is there (distance
// grows with depth, no scaling lowers every layer's entropy).
#include "test_support.h"
#include "attention_distance.h"
#include "attention_rollout.h"
#include "attention_source.h"
#include "embedding_structure.h"
#include "head_similarity.h"
#include "image_loader.h"
#include "mask_leakage.h"
#include "model_loader.h"
#include "softmax_saturation.h"

#include <QDir>
#include <numeric>

using namespace vitscope;
using vitscope::test::data_path;
using vitscope::test::shared_path;

namespace {

std::string assets_path(const std::string& rel) { return std::string(VITSCOPE_ASSETS_DIR) + "/" + rel; }

// A ViT trace by hand: `layers` layers of `heads` heads over 1 CLS + gh x gw patches, every
// probability from `prob(layer, head, query, key)`.
template <typename Prob>
ViTTrace synthetic_trace(int layers, int heads, int gh, int gw, Prob prob) {
    ViTTrace t;
    t.num_heads = heads;
    t.num_prefix = 1;
    t.grid_height = gh;
    t.grid_width = gw;
    t.num_tokens = 1 + gh * gw;
    t.prefix_names = {"CLS"};
    t.padding_key.assign(size_t(t.num_tokens), 0);
    const int N = t.num_tokens;
    t.layers.resize(size_t(layers));
    for (int l = 0; l < layers; ++l) {
        t.layers[size_t(l)].attn.resize(size_t(heads) * N * N);
        for (int h = 0; h < heads; ++h)
            for (int q = 0; q < N; ++q)
                for (int k = 0; k < N; ++k) t.layers[size_t(l)].attn[(size_t(h) * N + q) * N + k] = prob(l, h, q, k);
    }
    return t;
}

ViTTrace uniform_trace(int layers, int heads, int gh, int gw) {
    const float u = 1.0f / float(1 + gh * gw);
    return synthetic_trace(layers, heads, gh, gw, [u](int, int, int, int) { return u; });
}

ModelInput wide_padded_input(const LoadedModel& m) {
    const RgbImage img = load_rgb_image(QString::fromStdString(assets_path("images/wide_scene_160x112.png")));
    return preprocess(img, PreprocessMode::Pad, preprocess_config(m));
}

}  // namespace

class TestAnalysis : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() { set_engine_threads(2); }

    // Two layers, three tokens (CLS + 2 patches), computed by hand:
    // A1' = [[.75,.125,.125],[.1,.8,.1],[.05,.05,.9]], A2' = [[.7,.2,.1],[.15,.65,.2],[1/6,1/6,2/3]],
    // row 0 of A2' A1' = [.55, .2525, .1975] -> the map [1, 79/101].
    void rollout_matches_a_hand_computed_example() {
        Eigen::MatrixXd A1(3, 3), A2(3, 3);
        A1 << .5, .25, .25, .2, .6, .2, .1, .1, .8;
        A2 << .4, .4, .2, .3, .3, .4, 1.0 / 3, 1.0 / 3, 1.0 / 3;
        const Eigen::MatrixXd R = rollout_product({A1, A2}, 0.0);
        QVERIFY(std::fabs(R(0, 0) - 0.55) < 1e-12);
        QVERIFY(std::fabs(R(0, 1) - 0.2525) < 1e-12);
        QVERIFY(std::fabs(R(0, 2) - 0.1975) < 1e-12);
        const std::vector<float> row = rollout_row(R, 1);
        VITSCOPE_COMPARE_NEAR(row, (std::vector<float>{1.0f, 79.0f / 101.0f}), 1e-6);
        // Discard 0.5: floor(4.5) = 4 smallest entries outside column 0 go (A1: .1 .2 .25 .25; A2: .2 .3
        // 1/3 1/3); by hand row 0 becomes [65/81, 16/81, 0].
        const Eigen::MatrixXd Rd = rollout_product({A1, A2}, 0.5);
        QVERIFY(std::fabs(Rd(0, 0) - 65.0 / 81) < 1e-12);
        QVERIFY(std::fabs(Rd(0, 1) - 16.0 / 81) < 1e-12);
        QCOMPARE(Rd(0, 2), 0.0);
        // Rows of R stay distributions.
        for (int r = 0; r < 3; ++r) QVERIFY(std::fabs(R.row(r).sum() - 1.0) < 1e-12);
    }

    void rollout_of_uniform_attention_is_uniform() {
        const ViTTrace t = uniform_trace(4, 3, 3, 4);
        for (int start : {0, 2}) {
            const RolloutMap m = attention_rollout(t, {HeadFusion::Mean, 0.0, start});
            QCOMPARE(m.grid_height, 3);
            QCOMPARE(m.grid_width, 4);
            VITSCOPE_COMPARE_NEAR(m.values, std::vector<float>(12, 1.0f), 1e-6);
        }
    }

    void uniform_distance_closed_form() {
        // Brute force over all ordered pairs (a patch with itself included).
        for (auto [gh, gw] : {std::pair{14, 14}, std::pair{3, 5}}) {
            double sum = 0;
            for (int a = 0; a < gh * gw; ++a)
                for (int b = 0; b < gh * gw; ++b)
                    sum += 16.0 * std::hypot(double(a / gw - b / gw), double(a % gw - b % gw));
            const double brute = sum / (double(gh * gw) * gh * gw);
            QVERIFY(std::fabs(uniform_attention_distance(gh, gw, 16.0) - brute) < 1e-9);
        }
        const double d = uniform_attention_distance(14, 14, 16.0);
        qInfo("uniform attention distance, 14x14 patches of 16 px: %.3f px", d);
        QVERIFY(std::fabs(d - 116.5) < 0.05);
    }

    void distance_of_uniform_and_of_self_attention() {
        const ViTTrace u = uniform_trace(2, 2, 4, 5);
        const std::vector<std::vector<double>> du = mean_attention_distance(AttentionSource(u, 8));
        const double expected = uniform_attention_distance(4, 5, 8.0);
        for (const auto& layer : du)
            for (double v : layer) QVERIFY2(std::fabs(v - expected) < 1e-4, qPrintable(QString::number(v)));
        // One-hot on the query itself: 0 (the CLS query puts its mass on CLS, which is left out).
        const ViTTrace self = synthetic_trace(1, 2, 4, 5, [](int, int, int q, int k) { return q == k ? 1.0f : 0.0f; });
        const std::vector<std::vector<double>> ds = mean_attention_distance(AttentionSource(self, 8));
        for (double v : ds[0]) QCOMPARE(v, 0.0);
    }

    void entropy_of_uniform_attention_is_log_n() {
        const ViTTrace u = uniform_trace(2, 3, 3, 3);
        const SaturationStats s = softmax_saturation(AttentionSource(u, 16));
        QCOMPARE(int(s.entropy.size()), 2);
        for (int l = 0; l < 2; ++l)
            for (int h = 0; h < 3; ++h) {
                QVERIFY(std::fabs(s.entropy[size_t(l)][size_t(h)] - std::log(10.0)) < 1e-5);
                QVERIFY(std::fabs(s.max_prob[size_t(l)][size_t(h)] - 0.1) < 1e-6);
            }
    }

    // diag(p) - p p^T for p = (1/4, 3/4) is [[3/16, -3/16], [-3/16, 3/16]]: Frobenius norm 3/8.
    void jacobian_norm_by_hand() {
        const std::vector<float> p{0.25f, 0.75f};
        QVERIFY(std::fabs(softmax_jacobian_frobenius(p) - 0.375) < 1e-7);
        const std::vector<float> one_hot{0.0f, 1.0f, 0.0f};
        QCOMPARE(softmax_jacobian_frobenius(one_hot), 0.0);
    }

    void sandbox_dot_product_grows_like_sqrt_dk() {
        const std::vector<DotProductSpread> s = dot_product_spread(sandbox_dims(), 4000, 7);
        QCOMPARE(s.front().d_k, 1);
        QCOMPARE(s.back().d_k, 1024);
        for (const DotProductSpread& d : s) {
            const double ratio = d.std / std::sqrt(double(d.d_k));
            QVERIFY2(ratio > 0.9 && ratio < 1.1, qPrintable(QString("d_k %1: std %2").arg(d.d_k).arg(d.std)));
        }
        const SoftmaxScalingRow r = softmax_scaling_row(1024, 16, 3);
        const float max_unscaled = *std::max_element(r.unscaled.begin(), r.unscaled.end());
        const float max_scaled = *std::max_element(r.scaled.begin(), r.scaled.end());
        qInfo("d_k 1024, 16 keys: largest probability %.4f unscaled, %.4f scaled", double(max_unscaled), double(max_scaled));
        QVERIFY(max_unscaled > 0.99f);
        QVERIFY(max_scaled < max_unscaled);
    }

    void position_cosine_of_a_patch_with_itself_is_one() {
        const ViTModel m = load_vit_model(open_checkpoint(data_path("vit/deit_distilled_tiny_hf")));
        const PositionSimilarity s = position_embedding_similarity(m);
        const int N = s.grid_height * s.grid_width;
        QCOMPARE(int(s.cosine.size()), N * N);
        for (int i = 0; i < N; ++i) {
            QVERIFY(std::fabs(s.cosine[size_t(i) * N + i] - 1.0f) < 1e-5f);
            for (int j = 0; j < N; ++j) QCOMPARE(s.cosine[size_t(i) * N + j], s.cosine[size_t(j) * N + i]);
        }
    }

    void filter_components_are_rgb_tiles() {
        const ViTModel m = load_vit_model(open_checkpoint(data_path("vit/vit_tiny_hf")));  // D 32, patch 8
        const FilterComponents f = patch_filter_components(m, 28);
        QCOMPARE(int(f.tiles.size()), 28);
        for (size_t i = 0; i < f.tiles.size(); ++i) {
            QCOMPARE(int(f.tiles[i].size()), 8 * 8 * 3);
            const auto [lo, hi] = std::minmax_element(f.tiles[i].begin(), f.tiles[i].end());
            QCOMPARE(*lo, 0.0f);
            QVERIFY(std::fabs(*hi - 1.0f) < 1e-6f);
            if (i) QVERIFY(f.variance[i] <= f.variance[i - 1]);
        }
    }

    void js_of_a_head_with_itself_is_zero() {
        const std::vector<float> p{0.1f, 0.2f, 0.7f}, q{0.7f, 0.2f, 0.1f};
        QCOMPARE(jensen_shannon(p, p), 0.0);
        QVERIFY(jensen_shannon(p, q) > 0.0);
        QVERIFY(jensen_shannon(std::vector<float>{1, 0}, std::vector<float>{0, 1}) - std::log(2.0) < 1e-12);
        // Heads 0 and 1 identical, head 2 one-hot on CLS.
        const ViTTrace t = synthetic_trace(1, 3, 2, 2, [](int, int h, int q, int k) {
            if (h == 2) return k == 0 ? 1.0f : 0.0f;
            return k == q ? 0.6f : 0.1f;
        });
        const std::vector<double> js = head_js_divergence(AttentionSource(t, 4))[0];
        QCOMPARE(int(js.size()), 9);
        for (int h = 0; h < 3; ++h) QCOMPARE(js[size_t(h) * 3 + h], 0.0);
        QVERIFY(std::fabs(js[1]) < 1e-9);
        QVERIFY(js[2] > 0.1 && std::fabs(js[2] - js[6]) < 1e-12);
    }

    void leakage_is_zero_with_the_padding_mask_and_not_without() {
        for (const char* model : {"models/vitscope-vit-tiny", "models/vitscope-swin-tiny"}) {
            const LoadedModel m = load_model(assets_path(model));
            const ModelInput in = wide_padded_input(m);
            QVERIFY(in.has_padding());
            AttentionOptions off;
            off.padding_mask = false;
            std::vector<std::vector<double>> on_share, off_share;
            if (m.vit) {
                ViTTrace a, b;
                vit_forward(*m.vit, in, {}, a);
                vit_forward(*m.vit, in, off, b);
                on_share = padding_attention_share(AttentionSource(a, m.patch_size()));
                off_share = padding_attention_share(AttentionSource(b, m.patch_size()));
            } else {
                SwinTrace a, b;
                swin_forward(*m.swin, in, {}, {}, a);
                swin_forward(*m.swin, in, off, {}, b);
                on_share = padding_attention_share(AttentionSource(a));
                off_share = padding_attention_share(AttentionSource(b));
            }
            QString line;
            for (size_t l = 0; l < on_share.size(); ++l)
                for (size_t h = 0; h < on_share[l].size(); ++h) {
                    QCOMPARE(on_share[l][h], 0.0);
                    QVERIFY2(off_share[l][h] > 0.0, qPrintable(QString("%1 layer %2 head %3").arg(model).arg(l).arg(h)));
                    line += QString(" %1").arg(off_share[l][h], 0, 'f', 3);
                }
            qInfo("%s: share of attention on padding without the mask:%s", model, qPrintable(line));
        }
    }

    void swin_source_rows_stay_in_the_window() {
        const LoadedModel m = load_model(assets_path("models/vitscope-swin-tiny"));
        const ModelInput in = wide_padded_input(m);
        SwinTrace t;
        swin_forward(*m.swin, in, {}, {}, t);
        const AttentionSource s(t);
        QCOMPARE(s.num_special(), 0);
        QCOMPARE(s.layers(), int(t.blocks.size()));
        for (int l : {0, 1, s.layers() - 1}) {
            const int T = s.num_tokens(l), q = T / 2 + 1;
            const std::vector<float> row = s.row(l, kMeanOfHeads, q);
            double in_window = 0;
            for (int k = 0; k < T; ++k) {
                if (!s.attends(l, q, k)) QCOMPARE(row[size_t(k)], 0.0f);
                else in_window += row[size_t(k)];
            }
            QVERIFY(in_window > 0.5 && in_window <= 1.0 + 1e-5);
            const PixelRect r = s.key_rect(l, q);
            QVERIFY(!r.empty() && r.x1 <= s.image_width() && r.y1 <= s.image_height());
        }
        const std::vector<std::vector<double>> d = mean_attention_distance(s);
        QCOMPARE(int(d.size()), s.layers());
        QVERIFY(d.back()[0] > 0);
    }

    // The real DeiT-Tiny (12 layers, 3 heads, 14 x 14 patches of 16 px) on the shared photos.
    void real_deit_distance_and_entropy() {
        const std::string dir = shared_path("models/deit-tiny-patch16-224");
        if (!QFile::exists(QString::fromStdString(dir + "/model.safetensors")))
            QSKIP(qPrintable("the real DeiT-Tiny is not available at " + QString::fromStdString(dir)));
        const QStringList images = QDir(QString::fromStdString(shared_path("images"))).entryList({"*.png"}, QDir::Files, QDir::Name);
        if (images.isEmpty()) QSKIP("no ../shared/images/*.png");
        const LoadedModel m = load_model(dir + "/model.safetensors");
        const PreprocessConfig cfg = preprocess_config(m);
        const int L = m.vit->hp.depth;
        std::vector<double> dist(size_t(L), 0), ent_paper(size_t(L), 0), ent_none(size_t(L), 0);
        for (const QString& name : images) {
            const RgbImage img = load_rgb_image(QString::fromStdString(shared_path("images/")) + name);
            const ModelInput in = preprocess(img, PreprocessMode::Crop, cfg);
            AttentionOptions none;
            none.scale_mode = ScaleMode::None;
            ViTTrace paper, unscaled;
            vit_forward(*m.vit, in, {}, paper);
            vit_forward(*m.vit, in, none, unscaled);
            const auto d = mean_attention_distance(AttentionSource(paper, 16));
            const SaturationStats sp = softmax_saturation(AttentionSource(paper, 16));
            const SaturationStats sn = softmax_saturation(AttentionSource(unscaled, 16));
            for (int l = 0; l < L; ++l) {
                const auto mean = [](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / v.size(); };
                dist[size_t(l)] += mean(d[size_t(l)]) / images.size();
                ent_paper[size_t(l)] += mean(sp.entropy[size_t(l)]) / images.size();
                ent_none[size_t(l)] += mean(sn.entropy[size_t(l)]) / images.size();
            }
        }
        qInfo("DeiT-Tiny over %lld images (mean of heads); uniform distance %.1f px, uniform entropy ln 197 = %.3f",
              (long long)images.size(), uniform_attention_distance(14, 14, 16.0), std::log(197.0));
        for (int l = 0; l < L; ++l)
            qInfo("layer %2d: distance %6.1f px   entropy %.3f nats (paper) %.3f (scale none)", l, dist[size_t(l)],
                  ent_paper[size_t(l)], ent_none[size_t(l)]);
        const double first4 = (dist[0] + dist[1] + dist[2] + dist[3]) / 4;
        const double last4 = (dist[size_t(L - 1)] + dist[size_t(L - 2)] + dist[size_t(L - 3)] + dist[size_t(L - 4)]) / 4;
        QVERIFY2(last4 > first4, qPrintable(QString("last 4 layers %1 px, first 4 %2 px").arg(last4).arg(first4)));
        for (int l = 0; l < L; ++l)
            QVERIFY2(ent_none[size_t(l)] < ent_paper[size_t(l)], qPrintable(QString("layer %1").arg(l)));
    }
};

QTEST_APPLESS_MAIN(TestAnalysis)
#include "test_analysis.moc"
