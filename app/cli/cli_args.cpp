#include "cli_args.h"

#include "cli_analyze.h"

#include <cmath>
#include <set>
#include <stdexcept>

namespace vitscope::cli {

namespace {

const std::set<std::string> kFlags = {"help",     "json",          "causal",      "no-padding-mask", "logits",
                                      "no-shift", "no-shift-mask", "no-rel-bias", "no-photo", "fixed-threads"};
const std::set<std::string> kValued = {"topk",  "preprocess", "labels",     "out",   "scale",      "temperature",
                                       "mask-keys", "threads", "runs",  "from-layer", "input-size", "ablate-heads",
                                       "layers", "heads", "image", "keep-attention",
                                       // the drawing commands
                                       "view", "layer", "head", "query", "size", "dpi", "theme", "caption", "csv",
                                       "frames-dir", "delay", "step",
                                       // analyze
                                       "what", "fusion", "discard", "start-layer"};

}  // namespace

std::string Args::get(const std::string& name, const std::string& fallback) const {
    auto it = options.find(name);
    return it == options.end() ? fallback : it->second;
}

int Args::get_int(const std::string& name, int fallback, int min_value, int max_value) const {
    if (!has(name)) return fallback;
    const std::string& s = options.at(name);
    size_t used = 0;
    int v = 0;
    try {
        v = std::stoi(s, &used);
    } catch (...) {
        used = 0;
    }
    if (used != s.size() || s.empty())
        throw std::invalid_argument("--" + name + " expects a whole number, got '" + s + "'");
    if (v < min_value || v > max_value)
        throw std::invalid_argument("--" + name + " must be between " + std::to_string(min_value) + " and " +
                                    std::to_string(max_value) + ", got " + s);
    return v;
}

float Args::get_float(const std::string& name, float fallback) const {
    if (!has(name)) return fallback;
    const std::string& s = options.at(name);
    size_t used = 0;
    float v = 0;
    try {
        v = std::stof(s, &used);
    } catch (...) {
        used = 0;
    }
    if (used != s.size() || s.empty() || !std::isfinite(v))
        throw std::invalid_argument("--" + name + " expects a number, got '" + s + "'");
    return v;
}

Args parse_args(int argc, char** argv) {
    Args a;
    for (int i = 1; i < argc; ++i) {
        std::string s = argv[i];
        if (s == "-h") s = "--help";
        if (s.rfind("--", 0) == 0 && s.size() > 2) {
            std::string name = s.substr(2), value;
            const size_t eq = name.find('=');
            if (eq != std::string::npos) {
                value = name.substr(eq + 1);
                name = name.substr(0, eq);
            }
            if (kFlags.count(name)) {
                if (eq != std::string::npos) throw std::invalid_argument("--" + name + " takes no value");
                a.options[name] = "1";
            } else if (kValued.count(name)) {
                if (eq == std::string::npos) {
                    if (i + 1 >= argc) throw std::invalid_argument("--" + name + " needs a value");
                    value = argv[++i];
                }
                a.options[name] = value;
            } else {
                throw std::invalid_argument("unknown option --" + name + " (see vitscope-cli --help)");
            }
        } else if (a.command.empty()) {
            a.command = s;
        } else {
            a.positional.push_back(s);
        }
    }
    return a;
}

std::string usage_text(const std::string& command) {
    const std::string run_options =
        "  --preprocess crop|pad|none  crop: resize shorter side to size/crop_pct (bicubic) and center-crop\n"
        "                              (default); pad: letterbox the whole image, padding patches masked;\n"
        "                              none: the image must already be the model's input size\n"
        "  --input-size HxW            run at another resolution (multiples of the patch size); position\n"
        "                              embeddings are interpolated bicubically\n"
        "  --scale head|model|none     attention logit scale: 1/sqrt(d_head) (paper, default),\n"
        "                              1/sqrt(d_model) (a common bug), or none\n"
        "  --temperature T             divide the scaled logits by T (default 1)\n"
        "  --mask-keys i,j,...         token indices no query may attend to (0 = CLS; patches follow\n"
        "                              the prefix tokens); filled with -inf before softmax\n"
        "  --causal                    causal mask: query i sees keys j <= i only\n"
        "  --no-padding-mask           let queries attend to padding patches (with --preprocess pad)\n"
        "  --layers A-B                apply scale/temperature/masks/ablation to layers A..B only\n"
        "  --heads i,j                 apply scale/temperature/masks to these heads only\n"
        "  --ablate-heads i,j          zero these heads' outputs (within --layers)\n"
        "  --keep-attention all|none|L,M\n"
        "                              store the attention maps (and --logits) of these layers only\n"
        "                              (default all); the outputs are the same, the memory smaller\n"
        "                              (a 896 px ViT keeps ~0.27 GB per layer of 6 heads)\n"
        "  --threads N                 engine threads (default: OMP_NUM_THREADS, else all cores); the\n"
        "                              engine runs on the calling thread alone for a while when the\n"
        "                              machine is oversubscribed (helpers preempted mid-loop) and\n"
        "                              while other tasks leave no core free for a helper (loops of\n"
        "                              3 ms of CPU or more still share then), always while other\n"
        "                              tasks fill every core\n"
        "  --fixed-threads             always use all N threads (no adaptation to load)\n"
        "Swin only:\n"
        "  --no-shift                  no cyclic shift in odd blocks (plain W-MSA everywhere)\n"
        "  --no-shift-mask             shift without the -100 mask between regions (shows the leak)\n"
        "  --no-rel-bias               leave out the relative position bias\n"
        "  (--mask-keys takes stage-0 patch indices row*W+col for Swin; --layers counts blocks)\n";
    if (command == "models")
        return "usage: vitscope-cli models\n\n"
               "Lists the curated model library (id, family, parameters, approximate download, licence,\n"
               "input size, what it is good for in class), then every model in the download cache with\n"
               "its size on disk (an interrupted download is marked incomplete; `pull` resumes it).\n"
               "Delete a cached model in the app (File > Model library) or remove its folder.\n";
    if (command == "pull")
        return "usage: vitscope-cli pull ORG/NAME[@REVISION]\n\n"
               "Downloads a model from the Hugging Face Hub into the cache: config.json,\n"
               "preprocessor_config.json when present, and model.safetensors (or the sharded\n"
               "model.safetensors.index.json and its shards, joined into one model.safetensors). Progress\n"
               "goes to stderr. Each file is written as FILE.part, resumed with an HTTP Range request after\n"
               "an interruption, checked against the SHA-256 the Hub reports (X-Linked-Etag / ETag) and only\n"
               "then renamed: nothing half-downloaded is ever loaded. REVISION: a branch, tag or commit\n"
               "(default main). Every command that takes MODEL accepts the same id and pulls it when missing.\n\n"
               "Environment:\n"
               "  HF_ENDPOINT                 the server (default https://huggingface.co)\n"
               "  HF_TOKEN                    access token for gated or private repos\n"
               "  VITSCOPE_CACHE              the cache folder (default ~/.cache/vitscope/hub; layout\n"
               "                              models--ORG--NAME/snapshots/REVISION/)\n\n"
               "Repos with only pytorch_model.bin: convert them with tools/convert_to_safetensors.py.\n";
    if (command == "info")
        return "usage: vitscope-cli info MODEL\n\n"
               "Prints the architecture, naming scheme, hyper-parameters, parameter count and what was\n"
               "inferred. MODEL is a Hugging Face folder (config.json + model.safetensors) or a timm\n"
               ".safetensors file.\n";
    if (command == "predict")
        return "usage: vitscope-cli predict [MODEL] IMAGE [options]\n\n"
               "Prints the top-k classes with probabilities. Without MODEL, the embedded default ViT\n"
               "(assets/models/vitscope-vit-tiny; $VITSCOPE_ASSETS overrides the assets folder).\n\n"
               "  --topk K                    how many classes (default 5)\n"
               "  --labels FILE               class names, one per line (overrides the model's own; a\n"
               "                              1000-class model without names gets the built-in ImageNet-1k\n"
               "                              names, other models show class numbers)\n"
               "  --json                      print {\"model\", \"top\":[{\"index\",\"label\",\"prob\"}], \"logits\"}\n" +
               run_options;
    if (command == "dump")
        return "usage: vitscope-cli dump MODEL IMAGE --out FILE.safetensors [options]\n\n"
               "Writes float32 tensors: logits [C], features [D], input [3,H,W], attn.L [H,N,N] for every\n"
               "layer L (and logits.L with --logits). Swin: attn.S.B [nW,H,M*M,M*M] for every stage S and\n"
               "block B, mask.S.B [nW,M*M,M*M] for shifted blocks, bias.S.B [H,M*M,M*M] (and with --logits\n"
               "the QK^T term logits_qk.S.B). With --keep-attention only the kept layers' attn/logits are\n"
               "written (metadata kept_layers says which). The file is written to a temporary name and\n"
               "renamed.\n\n"
               "  --logits                    also write the pre-softmax attention logits logits.L [H,N,N]\n" +
               run_options;
    if (command == "bench")
        return "usage: vitscope-cli bench MODEL [--threads N] [--fixed-threads] [--runs R] [--from-layer L]\n"
               "                          [--input-size HxW] [--keep-attention all|none|L,M]\n\n"
               "Times the forward pass with every attention map captured (median of R runs after one\n"
               "warm-up; default R = 20) and prints ms, GFLOP/s (a multiply-add counts as 2) and the\n"
               "fraction of the machine's fp32 peak, measured on the spot by independent fused\n"
               "multiply-add chains on every thread. --from-layer L times a partial recompute of\n"
               "layers L.. only. --keep-attention stores the maps of those layers only (default all).\n"
               "Then the memory: the trace's size as estimated before the pass and as measured after it,\n"
               "and the process's peak resident set (VmHWM); and where the wall time went (load, input,\n"
               "warm-up, timed passes, peak measurement).\n"
               "--image FILE times a real image instead of a synthetic input.\n"
               "The schedule line tells how the engine's threads shared the work: loops run with\n"
               "helper threads, loops run on the calling thread alone (how many while other tasks\n"
               "filled every core, how many while they left no core free for a helper; in how many\n"
               "periods, after how many signs of load: a helper preempted mid-loop, the caller getting\n"
               "under 80% of a core, helpers that hardly run; loops of 3 ms of CPU or more still share\n"
               "in those periods and while no core is free), the time spent waiting for helpers.\n"
               "--fixed-threads turns that adaptation off.\n";
    const std::string draw_options =
        "\nWithout MODEL, the embedded default ViT. Layers count from 0 (Swin: blocks of all stages in\n"
        "order); a negative --layer counts from the end. No display is needed (Qt's offscreen platform\n"
        "unless QT_QPA_PLATFORM says otherwise). Files are written to a temporary name and renamed: on\n"
        "any error nothing is left behind.\n\n"
        "  --head H|mean               the head shown (default mean: the mean of every head)\n"
        "  --query cls|TOKEN|R,C       the query: the CLS token, a token index (Swin: a stage-0 patch\n"
        "                              index) or the patch at row R, column C (default: CLS; Swin: the\n"
        "                              centre patch)\n"
        "  --size WxH                  figure size in figure pixels (default: one per view; sheet:\n"
        "                              1123x794, A4 landscape; sweep: 640x600)\n"
        "  --dpi N                     PNG resolution: 96 = one pixel per figure pixel (default)\n"
        "  --theme light|dark          colours (default light)\n"
        "  --no-photo                  heatmaps without the image under them\n"
        "  --caption TEXT              a line of your own above the provenance line\n"
        "  --step N                    --view shift: the step of the cyclic shift, 1-5 (map, roll,\n"
        "                              partition, masked attention, reverse roll; default 1)\n"
        "  --labels FILE               class names, one per line (overrides the model's own; default:\n"
        "                              its id2label, the built-in ImageNet-1k names for 1000 classes)\n";
    if (command == "analyze") return analyze_usage() + run_options;
    if (command == "figure")
        return "usage: vitscope-cli figure [MODEL] IMAGE --view VIEW --out FILE.png|svg|pdf [options]\n\n"
               "Draws one view of the app as PNG, SVG (cells as rectangles, text as text) or PDF, with a\n"
               "provenance line (model, image, layer, head, query, options, version) on the figure and in\n"
               "the file's metadata.\n"
               "VIEW: image (the query's attention over the image), heads (every head and their mean),\n"
               "matrix (the attention matrix; Swin: the query window's), query (the query's row as bars),\n"
               "windows (Swin: windows and shift regions beside the window matrix), predictions (top-5),\n"
               "compare (the paper's defaults beside the current options), shift (Swin: one step of the\n"
               "cyclic shift, --step 1-5), logits (the query's logits split into q.k, relative position\n"
               "bias and shift mask, with the softmax; --head must be one head), bias (Swin: the head's\n"
               "relative position bias table, its window matrix, seen from the query), hierarchy (Swin:\n"
               "the stages side by side with the patch merging); the analyses (see `analyze`): rollout\n"
               "(--fusion, --discard, --start-layer), distance, saturation (current options beside the\n"
               "paper's), sandbox (--dk 1-1024), leakage, similarity, posembed, filters; overview (every\n"
               "layer x head for the query, BertViz's model view for images).\n\n"
               "  --layer L                   the layer (Swin: block) shown (default -1, the last)\n"
               "  --csv FILE                  also write the view's numbers as CSV (exact values, %.9g)\n" +
               draw_options + run_options;
    if (command == "sheet")
        return "usage: vitscope-cli sheet [MODEL] IMAGE --out FILE.pdf [options]\n\n"
               "The teaching sheet as a PDF: a title page (model, image, options, the query's attention and\n"
               "the predictions), then one page per layer (Swin: per block) with every head's attention\n"
               "for the query and their mean, the matrix of --head (Swin: the windows and the query\n"
               "window's matrix) and the predictions; the provenance on every page.\n\n"
               "  --layer L                   the layer the title page shows (default -1, the last)\n" +
               draw_options + run_options;
    if (command == "sweep")
        return "usage: vitscope-cli sweep [MODEL] IMAGE --out FILE.gif [options]\n\n"
               "The query's attention over the image at every layer (Swin: every block), as an animated\n"
               "GIF (one 256-colour palette for all frames, looping; --dpi scales its pixels).\n\n"
               "  --delay MS                  time per frame (default 800)\n"
               "  --frames-dir DIR            also write the frames as DIR/STEM_000.png, ... (STEM: the GIF's\n"
               "                              name; DIR is created when missing)\n" +
               draw_options + run_options;
    return "usage: vitscope-cli COMMAND [ARGS] [options]\n\n"
           "Commands:\n"
           "  info MODEL                  architecture, naming, hyper-parameters, parameters, inferences\n"
           "  predict [MODEL] IMAGE       top-k classes (--topk, --json, --labels, --preprocess ...);\n"
           "                              without MODEL, the embedded default model\n"
           "  dump MODEL IMAGE --out F    write logits and every layer's attention [H,N,N] to safetensors\n"
           "  bench MODEL                 median forward time with attention capture, GFLOP/s\n"
           "  figure [MODEL] IMAGE --view VIEW --out F.png|svg|pdf\n"
           "                              one view (image, heads, matrix, query, windows, predictions,\n"
           "                              compare; Swin's shift, logits, bias, hierarchy; the analyses;\n"
           "                              overview) as a figure, its numbers with --csv\n"
           "  sheet [MODEL] IMAGE --out F.pdf\n"
           "                              the teaching sheet: a title page and a page per layer\n"
           "  sweep [MODEL] IMAGE --out F.gif\n"
           "                              the query's attention at every layer as an animated GIF\n"
           "  analyze [MODEL] IMAGE --what WHAT\n"
           "                              rollout, mean attention distance, softmax saturation, padding\n"
           "                              leakage, head similarity, position embeddings, patch filters\n"
           "                              as a table or --json\n"
           "  models                      the curated model library and the download cache with sizes\n"
           "  pull ORG/NAME[@REV]         download a model from the Hugging Face Hub into the cache\n"
           "  help [COMMAND]              this text, or a command's options\n\n"
           "MODEL: a Hugging Face model folder (config.json + model.safetensors), a timm-named\n"
           ".safetensors file (F32/F16/BF16), or a Hub id ORG/NAME[@REV] (downloaded into the cache when\n"
           "missing; see `vitscope-cli pull --help`). Supported: ViT, DeiT (plain and distilled), DINO,\n"
           "DINOv2 (LayerScale, registers), Swin v1 (Hugging Face, timm >= 0.9 and Microsoft naming).\n"
           "IMAGE: PNG, JPEG, BMP, ... (anything Qt decodes).\n"
           "Exit status: 0 on success, 1 on any error (one line on stderr), 2 for usage errors, 3 when the\n"
           "model's output holds NaN or infinity (a warning on stderr; predict prints no classes, dump\n"
           "still writes the file).\n\n"
           "`vitscope-cli COMMAND --help` lists a command's options.\n";
}

}  // namespace vitscope::cli
