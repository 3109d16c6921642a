// Attention options on a real fixture: scale modes follow their formula, temperature, causal and
// all-masked rows, layer ranges, head ablation, and partial recompute from the changed layer only.
#include "test_support.h"
#include "vit_forward.h"

#include <cmath>

using namespace vitscope;
using vitscope::test::data_path;

class TestAttentionOptions : public QObject {
    Q_OBJECT
    ViTModel model_;
    ModelInput input_;

    ViTTrace run(const AttentionOptions& o) {
        ViTTrace t;
        vit_forward(model_, input_, o, t);
        return t;
    }
    static std::vector<float> vec(const RowVector& v) { return {v.data(), v.data() + v.size()}; }

private slots:
    void initTestCase() {
        model_ = load_vit_model(open_checkpoint(data_path("vit/vit_tiny_hf")));
        SafetensorsFile ref(data_path("vit/vit_tiny_expected.safetensors"));
        input_ = model_input_from_tensor(ref.read_f32("input"), 32, 32, 8);
    }

    void scale_modes_follow_the_formula() {
        // 1/sqrt(d_model) is the paper's scale divided by sqrt(d_model/d_head): same as a temperature.
        AttentionOptions model_scale;
        model_scale.scale_mode = ScaleMode::InvSqrtModelDim;
        AttentionOptions temp;
        temp.temperature = std::sqrt(32.0f / 16.0f);
        VITSCOPE_COMPARE_NEAR(vec(run(model_scale).logits), vec(run(temp).logits), 1e-6);
        // No scaling = temperature 1/sqrt(d_head).
        AttentionOptions none;
        none.scale_mode = ScaleMode::None;
        AttentionOptions cold;
        cold.temperature = 1.0f / 4.0f;
        VITSCOPE_COMPARE_NEAR(vec(run(none).logits), vec(run(cold).logits), 1e-6);
        // The logits captured before softmax are exactly scale * q.k.
        AttentionOptions keep;
        keep.keep_logits = true;
        keep.scale_mode = ScaleMode::None;
        ViTTrace a = run(keep);
        keep.scale_mode = ScaleMode::InvSqrtHeadDim;
        ViTTrace b = run(keep);
        for (size_t i = 0; i < a.layers[0].logits.size(); ++i)
            QVERIFY(std::fabs(a.layers[0].logits[i] * 0.25f - b.layers[0].logits[i]) < 1e-5f);
    }

    void unscaled_logits_sharpen_attention() {
        // Without 1/sqrt(d) the softmax saturates: mean row entropy drops and the max probability rises.
        auto mean_entropy = [](const ViTTrace& t) {
            const int N = t.num_tokens;
            double e = 0;
            for (int h = 0; h < t.num_heads; ++h)
                for (int q = 0; q < N; ++q)
                    for (int k = 0; k < N; ++k) {
                        const double p = t.layers[1].prob(h, q, k, N);
                        if (p > 0) e -= p * std::log(p);
                    }
            return e / (t.num_heads * N);
        };
        AttentionOptions none;
        none.scale_mode = ScaleMode::None;
        QVERIFY(mean_entropy(run(none)) < mean_entropy(run({})));
        AttentionOptions hot;
        hot.temperature = 100.0f;
        QVERIFY(mean_entropy(run(hot)) > mean_entropy(run({})));
        QVERIFY(mean_entropy(run(hot)) > 0.99 * std::log(17.0));  // nearly uniform
    }

    void causal_mask() {
        AttentionOptions c;
        c.causal = true;
        ViTTrace t = run(c);
        const int N = t.num_tokens;
        for (const ViTLayerTrace& l : t.layers)
            for (int h = 0; h < t.num_heads; ++h)
                for (int q = 0; q < N; ++q)
                    for (int k = q + 1; k < N; ++k) QCOMPARE(l.prob(h, q, k, N), 0.0f);
        QCOMPARE(t.layers[0].prob(0, 0, 0, N), 1.0f);  // CLS sees only itself
        QCOMPARE(t.all_masked_rows(), 0);
    }

    void all_masked_rows_give_zeros_not_nan() {
        AttentionOptions all;
        for (int k = 0; k < 17; ++k) all.masked_keys.push_back(k);
        ViTTrace t = run(all);
        QCOMPARE(t.all_masked_rows(), 2 * 2 * 17);  // layers x heads x queries
        for (const ViTLayerTrace& l : t.layers)
            for (float p : l.attn) QCOMPARE(p, 0.0f);
        for (Eigen::Index i = 0; i < t.logits.size(); ++i) QVERIFY(std::isfinite(t.logits[i]));
    }

    void padding_mask_follows_the_input() {
        ModelInput padded = input_;
        padded.patch_is_padding.assign(16, 0);
        padded.patch_is_padding[15] = 1;  // token 16
        ViTTrace t;
        vit_forward(model_, padded, {}, t);
        for (int q = 0; q < 17; ++q) QCOMPARE(t.layers[1].prob(1, q, 16, 17), 0.0f);
        AttentionOptions off;
        off.padding_mask = false;
        vit_forward(model_, padded, off, t);
        QVERIFY(t.layers[1].prob(1, 0, 16, 17) > 0.0f);
    }

    void layer_range_and_heads() {
        AttentionOptions o;
        o.masked_keys = {3};
        o.first_layer = 1;
        o.heads = {1};
        ViTTrace base = run({});
        ViTTrace t = run(o);
        QCOMPARE(t.layers[0].attn, base.layers[0].attn);  // layer 0 untouched
        QVERIFY(t.layers[1].prob(0, 0, 3, 17) > 0.0f);   // head 0 not chosen
        QCOMPARE(t.layers[1].prob(1, 0, 3, 17), 0.0f);    // head 1 masked
    }

    void head_ablation_zeroes_a_heads_output() {
        AttentionOptions o;
        o.ablated_heads = {0};
        o.first_layer = o.last_layer = 1;
        ViTTrace base = run({});
        ViTTrace t = run(o);
        QCOMPARE(t.layers[1].attn, base.layers[1].attn);  // probabilities still recorded
        QVERIFY(max_abs_diff_logits(t, base) > 1e-4);
        // Equivalent by hand: zero the head's slice of V's contribution = zero its rows in proj.
        ViTModel manual = model_;
        Linear& proj = manual.w.blocks[1].proj;
        Matrix w = proj.weight.unpack();  // [in, out]
        w.topRows(16).setZero();
        proj = make_linear_in_out(w, proj.bias);
        ViTTrace m;
        vit_forward(manual, input_, {}, m);
        VITSCOPE_COMPARE_NEAR(vec(t.logits), vec(m.logits), 1e-5);
    }

    void partial_recompute_from_the_changed_layer() {
        ViTTrace t = run({});
        QCOMPARE(t.layers_computed, 2);
        AttentionOptions o;
        o.scale_mode = ScaleMode::None;
        o.first_layer = 1;
        QCOMPARE(vit_update_options(model_, o, t), 1);
        QCOMPARE(t.layers_computed, 1);
        ViTTrace full = run(o);
        QCOMPARE(vec(t.logits), vec(full.logits));
        QCOMPARE(t.layers[1].attn, full.layers[1].attn);
        // The same options again: nothing to recompute.
        QCOMPARE(vit_update_options(model_, o, t), 2);
        QCOMPARE(t.layers_computed, 0);
        // Back to the defaults from layer 0 on.
        AttentionOptions causal;
        causal.causal = true;
        QCOMPARE(vit_update_options(model_, causal, t), 0);
        QCOMPARE(t.layers_computed, 2);
    }

private:
    static double max_abs_diff_logits(const ViTTrace& a, const ViTTrace& b) {
        return (a.logits - b.logits).cwiseAbs().maxCoeff();
    }
};

QTEST_APPLESS_MAIN(TestAttentionOptions)
#include "test_attention_options.moc"
