// The drawing commands end to end (figure, sheet, sweep) against the engine's own numbers: SVG cells
// are one rectangle per patch in the colour of its value, PNG cell centres are exactly the colormap
// of their value, CSV files hold the trace's floats, the sheet has a page per layer with the
// provenance on each, the GIF a frame per layer; every error leaves the target folder empty.
#include "test_support.h"

#include "attention_stats.h"
#include "gif_writer.h"
#include "image_loader.h"
#include "input_picture.h"
#include "median_cut_palette.h"
#include "model_loader.h"
#include "view_figures.h"

#include <gif_lib.h>

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QXmlStreamReader>

#include <cstdlib>
#include <cstring>
#include <limits>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

using namespace vitscope;
using vitscope::test::data_path;

namespace {

struct Result {
    int code = -1;
    QString out, err;
};

Result cli(const QStringList& args, const QProcessEnvironment& env = QProcessEnvironment::systemEnvironment()) {
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(VITSCOPE_CLI_PATH, args);
    p.waitForFinished(300000);
    return {p.exitCode(), QString::fromUtf8(p.readAllStandardOutput()), QString::fromUtf8(p.readAllStandardError())};
}

QString vit_model() { return QString::fromStdString(data_path("vit/vit_tiny_hf")); }
QString swin_model() { return QString::fromStdString(data_path("swin/swin_tiny_hf")); }
QString sample_image() { return QStringLiteral(VITSCOPE_ASSETS_DIR "/images/default.png"); }

// What the CLI draws from, built the way it does (default preprocessing and options, the paper's
// options as their own baseline).
FigureInputs run_like_the_cli(const QString& model_path, const QString& image_path) {
    const LoadedModel m = load_model(model_path.toStdString());
    const PreprocessConfig cfg = preprocess_config(m);
    const ModelInput input = preprocess(load_rgb_image(image_path), PreprocessMode::Crop, cfg);
    FigureInputs in;
    in.image = input_picture(input, cfg.mean, cfg.std);
    in.labels = m.info().labels;
    in.model_name = m.info().name;
    in.image_name = QFileInfo(image_path).fileName().toStdString();
    in.preprocess = "crop";
    if (m.swin) {
        auto t = std::make_shared<SwinTrace>();
        swin_forward(*m.swin, input, {}, {}, *t);
        in.swin = in.swin_baseline = t;
    } else {
        auto t = std::make_shared<ViTTrace>();
        vit_forward(*m.vit, input, {}, *t);
        in.vit = in.vit_baseline = t;
    }
    return in;
}

// Every entry of a folder, hidden ones (temporary files) included.
QStringList entries(const QString& dir) {
    return QDir(dir).entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
}

// The CSV's rows as fields.
std::vector<QStringList> read_csv(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    std::vector<QStringList> rows;
    for (const QByteArray& line : f.readAll().split('\n'))
        if (!line.isEmpty()) rows.push_back(QString::fromUtf8(line).split(','));
    return rows;
}

// The float a CSV field names (it was printed with %.9g: reading it back gives the same float).
float field(const QString& s) { return std::strtof(s.toUtf8().constData(), nullptr); }

bool same_float(float a, float b) { return std::memcmp(&a, &b, sizeof a) == 0; }

QString hex_of(Rgb8 c) { return QColor(c.r, c.g, c.b).name(); }

Rgb8 cell_colour(const HeatmapFigure& f, int cell) {
    return colormap_lookup(f.colormap, normalize_value(f.values[size_t(cell)], f.value_range, f.log_scale));
}

struct GifCloser {
    void operator()(GifFileType* g) const {
        int error = 0;
        DGifCloseFile(g, &error);
    }
};
using GifFile = std::unique_ptr<GifFileType, GifCloser>;

GifFile read_gif_file(const QString& path) {
    int error = 0;
    GifFile g(DGifOpenFileName(QFile::encodeName(path).constData(), &error));
    if (g && DGifSlurp(g.get()) != GIF_OK) return nullptr;
    return g;
}

struct MemoryReader {
    const QByteArray* bytes;
    int at = 0;
};
int read_memory(GifFileType* g, GifByteType* out, int n) {
    auto* r = static_cast<MemoryReader*>(g->UserData);
    n = std::min(n, int(r->bytes->size()) - r->at);
    std::memcpy(out, r->bytes->constData() + r->at, size_t(n));
    r->at += n;
    return n;
}

GifFile read_gif_bytes(const QByteArray& bytes, MemoryReader& reader) {
    reader = {&bytes, 0};
    int error = 0;
    GifFile g(DGifOpen(&reader, read_memory, &error));
    if (g && DGifSlurp(g.get()) != GIF_OK) return nullptr;
    return g;
}

// The colour of pixel (x, y) of frame `i` of a slurped GIF (no local colour tables are written).
QRgb gif_pixel(const GifFileType* g, int i, int x, int y) {
    const SavedImage& im = g->SavedImages[i];
    const ColorMapObject* map = im.ImageDesc.ColorMap ? im.ImageDesc.ColorMap : g->SColorMap;
    const GifColorType c = map->Colors[im.RasterBits[size_t(y) * size_t(im.ImageDesc.Width) + size_t(x)]];
    return qRgb(c.Red, c.Green, c.Blue);
}

}  // namespace

class TestFigureExport : public QObject {
    Q_OBJECT
    QTemporaryDir dir_;

    QString fresh_folder(const QString& name) {
        const QString path = dir_.filePath(name);
        QDir(path).removeRecursively();
        QDir().mkpath(path);
        return path;
    }

private slots:
    void help_lists_the_drawing_commands() {
        const Result r = cli({"--help"});
        QCOMPARE(r.code, 0);
        for (const char* word : {"figure [MODEL] IMAGE --view VIEW", "sheet [MODEL] IMAGE --out F.pdf",
                                 "sweep [MODEL] IMAGE --out F.gif"})
            QVERIFY2(r.out.contains(word), word);
        const Result f = cli({"figure", "--help"});
        QVERIFY(f.out.contains("--query cls|TOKEN|R,C"));
        QVERIFY(f.out.contains("--mask-keys"));  // every attention option of dump
        QVERIFY(cli({"sweep", "--help"}).out.contains("--frames-dir DIR"));
    }

    // --view image as SVG: exactly one <rect> per patch inside the grid, each filled with the colormap
    // colour of that patch's value; the caption and the provenance as <text>; the provenance as metadata.
    void svg_has_one_rect_per_patch_and_the_provenance_as_text() {
        const QString out = fresh_folder("svg") + "/image.svg";
        const QString caption = "Figure 1: what the CLS token looks at";
        const Result r = cli({"figure", vit_model(), sample_image(), "--view", "image", "--no-photo", "--layer", "-1",
                              "--head", "1", "--caption", caption, "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));

        const FigureInputs in = run_like_the_cli(vit_model(), sample_image());
        const FigureSelection sel{1, 1, 0};
        FigureOptions opt;
        opt.show_photo = false;
        opt.caption = caption.toStdString();
        const BuiltFigure b = build_view_figure(FigureView::Image, in, sel, opt, theme_light(), 760, 720);
        QVERIFY(!b.panels.empty());
        const RectF grid = b.panels[0].layout.grid;
        const int gw = b.figure.grid_w, gh = b.figure.grid_h;
        QCOMPARE(gw * gh, 16);  // vit_tiny_hf: 32x32 input, patch 8
        const double cw = grid.w / gw, ch = grid.h / gh;

        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QXmlStreamReader xml(&f);
        std::vector<QString> fills{""};  // the fill of each open <g>
        std::set<int> cells;
        int cell_rects = 0;
        QStringList texts;
        QString provenance_model;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() && xml.name() == u"g") {
                const QString fill = xml.attributes().value("fill").toString();
                fills.push_back(fill.isEmpty() ? fills.back() : fill);
            } else if (xml.isEndElement() && xml.name() == u"g") {
                fills.pop_back();
            } else if (xml.isStartElement() && xml.name() == u"rect") {
                const auto at = [&](const char* k) { return xml.attributes().value(k).toDouble(); };
                const double x = at("x"), y = at("y"), w = at("width"), h = at("height");
                const bool cell_sized = std::abs(w - cw) < 0.01 && std::abs(h - ch) < 0.01;
                const bool inside = x >= grid.x - 0.01 && y >= grid.y - 0.01 && x + w <= grid.right() + 0.01 &&
                                    y + h <= grid.bottom() + 0.01;
                if (!cell_sized || !inside) continue;
                ++cell_rects;
                const int col = int(std::lround((x - grid.x) / cw)), row = int(std::lround((y - grid.y) / ch));
                const int cell = row * gw + col;
                QVERIFY2(cells.insert(cell).second, qPrintable(QString("cell %1 drawn twice").arg(cell)));
                QCOMPARE(fills.back(), hex_of(cell_colour(b.figure, cell)));
            } else if (xml.isStartElement() && xml.name() == u"text") {
                texts << xml.readElementText(QXmlStreamReader::IncludeChildElements);
            } else if (xml.isStartElement() && xml.name() == u"provenance") {
                provenance_model = xml.attributes().value("model").toString();
            }
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(cell_rects, gw * gh);
        QCOMPARE(int(cells.size()), gw * gh);
        QVERIFY2(texts.contains(caption), qPrintable(texts.join(" | ")));
        const QString provenance = QString::fromStdString(provenance_text(in, sel));
        QVERIFY2(texts.contains(provenance), qPrintable(provenance + " not in: " + texts.join(" | ")));
        QVERIFY(provenance.startsWith("model vit_tiny_hf · image default.png · layer 1 · head 1 · query CLS"));
        QCOMPARE(provenance_model, QString("vit_tiny_hf"));
    }

    // --no-photo PNG: the pixel at the centre of every patch cell is the colormap colour of its value,
    // at 1:1 and at twice the pixel count.
    void png_cell_centres_are_the_colormap_of_the_values_data() {
        QTest::addColumn<int>("dpi");
        QTest::newRow("96 dpi") << 96;
        QTest::newRow("192 dpi") << 192;
    }
    void png_cell_centres_are_the_colormap_of_the_values() {
        QFETCH(int, dpi);
        const QString out = fresh_folder("png") + "/image.png";
        const Result r = cli({"figure", vit_model(), sample_image(), "--view", "image", "--no-photo", "--layer", "0",
                              "--head", "0", "--query", "2,1", "--size", "500x480", "--dpi", QString::number(dpi),
                              "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QImage png(out);
        const double scale = dpi / 96.0;
        QCOMPARE(png.width(), int(std::lround(500 * scale)));
        QCOMPARE(png.height(), int(std::lround(480 * scale)));

        const FigureInputs in = run_like_the_cli(vit_model(), sample_image());
        const int query = in.vit->num_prefix + 2 * in.vit->grid_width + 1;
        FigureOptions opt;
        opt.show_photo = false;
        const BuiltFigure b = build_view_figure(FigureView::Image, in, {0, 0, query}, opt, theme_light(), 500, 480);
        const RectF grid = b.panels[0].layout.grid;
        const HeatmapFigure& f = b.figure;
        std::set<int> colours;
        for (int row = 0; row < f.grid_h; ++row)
            for (int col = 0; col < f.grid_w; ++col) {
                const double cx = grid.x + (col + 0.5) * grid.w / f.grid_w, cy = grid.y + (row + 0.5) * grid.h / f.grid_h;
                const QRgb px = png.pixel(int(cx * scale), int(cy * scale));
                const Rgb8 want = cell_colour(f, row * f.grid_w + col);
                QVERIFY2(px == qRgb(want.r, want.g, want.b),
                         qPrintable(QString("cell (%1,%2): %3, expected %4")
                                        .arg(row).arg(col).arg(QColor(px).name(), hex_of(want))));
                colours.insert(int(px & 0xFFFFFF));
            }
        QVERIFY2(colours.size() > 4, "the cells should not all have one colour");
    }

    // --csv: the numbers of the view are the trace's floats, bit for bit.
    void csv_holds_the_trace_numbers() {
        const QString folder = fresh_folder("csv");
        const FigureInputs in = run_like_the_cli(vit_model(), sample_image());
        const ViTTrace& t = *in.vit;
        const int N = t.num_tokens, H = t.num_heads;
        const int query = t.num_prefix + 1 * t.grid_width + 2;  // --query 1,2

        Result r = cli({"figure", vit_model(), sample_image(), "--view", "heads", "--layer", "1", "--query", "1,2",
                        "--out", folder + "/heads.png", "--csv", folder + "/heads.csv"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        auto rows = read_csv(folder + "/heads.csv");
        QCOMPARE(int(rows.size()), 1 + H + 1);
        QCOMPARE(rows[0].size(), N + 1);
        QCOMPARE(rows[0][0], QString("head"));
        QCOMPARE(rows[0][N], QString("p%1").arg(N - 1));
        std::vector<float> mean(size_t(N), 0.0f);
        for (int h = 0; h < H; ++h) {
            QCOMPARE(rows[size_t(1 + h)][0], QString::number(h));
            for (int k = 0; k < N; ++k) {
                const float p = t.layers[1].prob(h, query, k, N);
                mean[size_t(k)] += p;
                QVERIFY2(same_float(field(rows[size_t(1 + h)][k + 1]), p),
                         qPrintable(QString("head %1 key %2: %3 vs %4").arg(h).arg(k).arg(rows[size_t(1 + h)][k + 1]).arg(double(p), 0, 'g', 9)));
            }
        }
        QCOMPARE(rows.back()[0], QString("mean"));
        for (int k = 0; k < N; ++k) QVERIFY(same_float(field(rows.back()[k + 1]), mean[size_t(k)] / float(H)));

        r = cli({"figure", vit_model(), sample_image(), "--view", "matrix", "--layer", "0", "--head", "1", "--out",
                 folder + "/matrix.svg", "--csv", folder + "/matrix.csv"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        rows = read_csv(folder + "/matrix.csv");
        QCOMPARE(int(rows.size()), N);
        for (int q = 0; q < N; ++q) {
            QCOMPARE(rows[size_t(q)].size(), N);
            for (int k = 0; k < N; ++k) QVERIFY(same_float(field(rows[size_t(q)][k]), t.layers[0].prob(1, q, k, N)));
        }

        r = cli({"figure", vit_model(), sample_image(), "--view", "image", "--head", "0", "--out", folder + "/map.pdf",
                 "--csv", folder + "/map.csv"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        rows = read_csv(folder + "/map.csv");
        QCOMPARE(rows[0], QStringList({"token", "attention"}));
        QCOMPARE(int(rows.size()), 1 + N);
        for (int k = 0; k < N; ++k) {
            QCOMPARE(rows[size_t(1 + k)][0].toInt(), k);
            QVERIFY(same_float(field(rows[size_t(1 + k)][1]), t.layers[1].prob(0, 0, k, N)));  // last layer, CLS
        }

        r = cli({"figure", vit_model(), sample_image(), "--view", "predictions", "--out", folder + "/top.png", "--csv",
                 folder + "/top.csv"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        rows = read_csv(folder + "/top.csv");
        QCOMPARE(rows[0], QStringList({"rank", "class", "p"}));
        QCOMPARE(int(rows.size()), 1 + 5);
        const Eigen::ArrayXf logits = t.logits.array().transpose();
        const Eigen::ArrayXf p = (logits - logits.maxCoeff()).exp() / (logits - logits.maxCoeff()).exp().sum();
        float previous = 2;
        for (int i = 1; i <= 5; ++i) {
            QCOMPARE(rows[size_t(i)][0].toInt(), i);
            const int cls = rows[size_t(i)][1].toInt();
            QVERIFY(std::abs(field(rows[size_t(i)][2]) - p[cls]) < 1e-6f);
            QVERIFY(field(rows[size_t(i)][2]) <= previous);
            previous = field(rows[size_t(i)][2]);
        }
        QCOMPARE(rows[1][1].toInt(), int(std::max_element(p.begin(), p.end()) - p.begin()));
    }

    // Swin: the heads CSV is the query window's slots, straight from the trace's [nW, H, M^2, M^2] buffer.
    void swin_csv_holds_the_window_rows() {
        const QString folder = fresh_folder("swin_csv");
        const Result r = cli({"figure", swin_model(), sample_image(), "--view", "heads", "--layer", "-1", "--query",
                              "3,9", "--out", folder + "/heads.svg", "--csv", folder + "/heads.csv"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const FigureInputs in = run_like_the_cli(swin_model(), sample_image());
        const SwinTrace& t = *in.swin;
        const int block = int(t.blocks.size()) - 1;
        const SwinBlockTrace& bt = t.blocks[size_t(block)];
        const SwinQuery q = swin_query(t, block, 3 * t.grid_width + 9);
        const int M2 = bt.geometry.window_tokens();
        const auto rows = read_csv(folder + "/heads.csv");
        QCOMPARE(int(rows.size()), 1 + bt.num_heads + 1);
        QCOMPARE(rows[0].size(), 1 + M2);
        for (int h = 0; h < bt.num_heads; ++h)
            for (int k = 0; k < M2; ++k)
                QVERIFY(same_float(field(rows[size_t(1 + h)][1 + k]), bt.prob(q.window, h, q.position, k)));
    }

    // The teaching sheet: a title page and a page per layer (Swin: per block), the provenance of what
    // each page shows on it (read back with pdftotext), the page count by pdfinfo.
    void sheet_pdf_has_a_page_per_layer_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("ViT") << vit_model();
        QTest::newRow("Swin") << swin_model();
    }
    void sheet_pdf_has_a_page_per_layer() {
        QFETCH(QString, model);
        const QString out = fresh_folder("sheet") + "/sheet.pdf";
        const Result r = cli({"sheet", model, sample_image(), "--head", "1", "--out", out});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const FigureInputs in = run_like_the_cli(model, sample_image());
        const int layers = in.num_layers();
        QVERIFY(layers >= 2);

        QProcess info;
        info.start("pdfinfo", {out});
        QVERIFY2(info.waitForFinished(60000), "pdfinfo (poppler-utils) is needed");
        const QString meta = QString::fromUtf8(info.readAllStandardOutput());
        QVERIFY2(meta.contains(QRegularExpression(QString("Pages:\\s+%1\\n").arg(1 + layers))), qPrintable(meta));

        FigureSelection sel;
        sel.head = 1;
        sel.query = in.swin ? (in.swin->grid_height / 2) * in.swin->grid_width + in.swin->grid_width / 2 : 0;
        for (int page = 1; page <= 1 + layers; ++page) {
            QProcess text;
            text.start("pdftotext", {"-f", QString::number(page), "-l", QString::number(page), out, "-"});
            QVERIFY(text.waitForFinished(60000));
            const QString words = QString::fromUtf8(text.readAllStandardOutput()).simplified();
            sel.layer = page == 1 ? layers - 1 : page - 2;
            const QString provenance = QString::fromStdString(provenance_text(in, sel)).simplified();
            QVERIFY2(words.contains(provenance),
                     qPrintable(QString("page %1 lacks '%2': %3").arg(page).arg(provenance, words.left(600))));
            if (page > 1) QVERIFY(words.contains(QString::fromStdString(in.layer_name(sel.layer))));
        }

        // The same sheet built in this process: a TextItem with each page's provenance, a cell grid per head + mean.
        const std::vector<DrawList> pages = build_teaching_sheet(in, sel, {}, theme_light());
        QCOMPARE(int(pages.size()), 1 + layers);
        for (int l = 0; l < layers; ++l) {
            FigureSelection s = sel;
            s.layer = l;
            const std::string provenance = provenance_text(in, s);
            bool found = false;
            for (const DrawItem& item : pages[size_t(1 + l)].items)
                if (const auto* t = std::get_if<TextItem>(&item)) found = found || t->text == provenance;
            QVERIFY2(found, provenance.c_str());
            QVERIFY(pages[size_t(1 + l)].count<CellGridItem>() >= in.num_heads(l) + 1 + 1);  // heads, mean, matrix
        }
    }

    // The sweep: a GIF frame per layer (giflib reads it back), the loop extension and the delay, and
    // the same frames as numbered PNGs that the GIF's colours follow closely.
    void sweep_gif_has_a_frame_per_layer_data() {
        QTest::addColumn<QString>("model");
        QTest::newRow("ViT") << vit_model();
        QTest::newRow("Swin") << swin_model();
    }
    void sweep_gif_has_a_frame_per_layer() {
        QFETCH(QString, model);
        const QString folder = fresh_folder("sweep");
        const Result r = cli({"sweep", model, sample_image(), "--size", "320x300", "--delay", "250", "--out",
                              folder + "/attention.gif", "--frames-dir", folder + "/frames"});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const FigureInputs in = run_like_the_cli(model, sample_image());
        const int layers = in.num_layers();
        const GifFile gif = read_gif_file(folder + "/attention.gif");
        QVERIFY(gif);
        QCOMPARE(gif->ImageCount, layers);
        QCOMPARE(gif->SWidth, 320);
        QCOMPARE(gif->SHeight, 300);
        bool loops = false;
        for (int e = 0; e < gif->SavedImages[0].ExtensionBlockCount; ++e) {
            const ExtensionBlock& b = gif->SavedImages[0].ExtensionBlocks[e];
            if (b.Function == APPLICATION_EXT_FUNC_CODE && b.ByteCount == 11 &&
                std::memcmp(b.Bytes, "NETSCAPE2.0", 11) == 0)
                loops = true;
        }
        QVERIFY2(loops, "no NETSCAPE2.0 loop extension");
        for (int i = 0; i < layers; ++i) {
            GraphicsControlBlock gcb;
            QCOMPARE(DGifSavedExtensionToGCB(gif.get(), i, &gcb), GIF_OK);
            QCOMPARE(gcb.DelayTime, 25);  // hundredths of a second
            const QString png = folder + QString("/frames/attention_%1.png").arg(i, 3, 10, QChar('0'));
            QVERIFY2(QFile::exists(png), qPrintable(png));
            const QImage read = QImage(png);
            QCOMPARE(read.text("vitscope.layer"), QString::fromStdString(in.layer_name(i)));
            const QImage frame = read.convertToFormat(QImage::Format_RGB32);
            QCOMPARE(frame.size(), QSize(320, 300));
            double error = 0;
            for (int y = 0; y < frame.height(); y += 3)
                for (int x = 0; x < frame.width(); x += 3) {
                    const QRgb a = frame.pixel(x, y), b = gif_pixel(gif.get(), i, x, y);
                    error += std::abs(qRed(a) - qRed(b)) + std::abs(qGreen(a) - qGreen(b)) + std::abs(qBlue(a) - qBlue(b));
                }
            error /= 3.0 * ((frame.height() + 2) / 3) * ((frame.width() + 2) / 3);
            QVERIFY2(error < 4.0, qPrintable(QString("frame %1: mean error %2 per channel").arg(i).arg(error)));
        }
        QCOMPARE(entries(folder + "/frames").size(), layers);
    }

    // The palette: frames with few colours come back exactly; many colours within a few levels.
    void gif_palette_keeps_few_colours_exactly() {
        std::vector<QImage> frames;
        for (int f = 0; f < 3; ++f) {
            QImage img(40, 30, QImage::Format_RGB32);
            for (int y = 0; y < 30; ++y)
                for (int x = 0; x < 40; ++x) img.setPixel(x, y, qRgb((x / 4) * 25, (y / 6) * 40, f * 60));
            frames.push_back(img);
        }
        const std::vector<PaletteColor> palette = median_cut_palette(frames);
        QCOMPARE(int(palette.size()), 10 * 5 * 3);  // the distinct colours, no more
        const QByteArray bytes = encode_gif(frames, {120, 0});
        MemoryReader reader;
        const GifFile gif = read_gif_bytes(bytes, reader);
        QVERIFY(gif);
        QCOMPARE(gif->ImageCount, 3);
        for (int f = 0; f < 3; ++f)
            for (int y = 0; y < 30; ++y)
                for (int x = 0; x < 40; ++x)
                    QCOMPARE(gif_pixel(gif.get(), f, x, y), frames[size_t(f)].pixel(x, y) | 0xFF000000u);
    }

    void gif_palette_approximates_many_colours() {
        QImage img(256, 256, QImage::Format_RGB32);  // 65536 colours
        for (int y = 0; y < 256; ++y)
            for (int x = 0; x < 256; ++x) img.setPixel(x, y, qRgb(x, y, (x + y) / 2));
        const std::vector<PaletteColor> palette = median_cut_palette({img});
        QCOMPARE(int(palette.size()), 256);
        PaletteMapper mapper(palette);
        const std::vector<uint8_t> indices = map_to_palette(img, mapper);
        double error = 0;
        int worst = 0;
        for (int y = 0; y < 256; ++y)
            for (int x = 0; x < 256; ++x) {
                const PaletteColor c = palette[indices[size_t(y) * 256 + size_t(x)]];
                const int e = std::abs(c.r - x) + std::abs(c.g - y) + std::abs(c.b - (x + y) / 2);
                error += e;
                worst = std::max(worst, e);
            }
        error /= 3.0 * 65536;
        QVERIFY2(error < 6.0, qPrintable(QString("mean error %1 per channel").arg(error)));
        QVERIFY2(worst < 60, qPrintable(QString("worst error %1").arg(worst)));
        QVERIFY_THROWS_EXCEPTION(std::exception, encode_gif({}));
        QVERIFY_THROWS_EXCEPTION(std::exception, encode_gif({img, img.scaled(10, 10)}));
    }

    // --theme dark: the figure's background is the dark theme's, the cells are unchanged.
    void dark_theme_colours_the_background() {
        const QString folder = fresh_folder("theme");
        for (const char* theme : {"light", "dark"}) {
            const Result r = cli({"figure", vit_model(), sample_image(), "--view", "image", "--theme", theme, "--out",
                                  folder + "/" + theme + ".png"});
            QVERIFY2(r.code == 0, qPrintable(r.err));
        }
        const Rgba dark = theme_dark().background, light = theme_light().background;
        QCOMPARE(QImage(folder + "/dark.png").pixel(1, 1), qRgb(dark.r, dark.g, dark.b));
        QCOMPARE(QImage(folder + "/light.png").pixel(1, 1), qRgb(light.r, light.g, light.b));
    }

    // Without MODEL the embedded default model, and no display needed: QT_QPA_PLATFORM and DISPLAY unset.
    void default_model_without_a_display() {
        const QString out = fresh_folder("default") + "/top.svg";
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("QT_QPA_PLATFORM");
        env.remove("DISPLAY");
        env.remove("WAYLAND_DISPLAY");
        const Result r = cli({"figure", sample_image(), "--view", "predictions", "--out", out}, env);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QVERIFY2(r.err.isEmpty(), qPrintable(r.err));
        QFile f(out);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray svg = f.readAll();
        QVERIFY(svg.contains("model vitscope-vit-tiny"));
        QVERIFY(svg.contains("top-5"));
    }

    // Every refusal: one line on stderr, exit status 1 (2 for a missing --out), and nothing in the
    // target folder, temporary files included.
    void errors_leave_no_file_data() {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("target");  // relative to the case's folder
        QTest::addColumn<QString>("message"); // %1 = the case's folder; exact unless it starts with '~'
        QTest::addColumn<int>("code");
        const QStringList fig = {"figure", vit_model(), sample_image(), "--view", "image"};
        QTest::newRow("unknown extension") << fig << "f.jpg"
                                           << "%1/f.jpg: unknown figure format 'jpg' (use .png, .svg, .pdf)" << 1;
        QTest::newRow("missing folder") << fig << "missing/f.png"
                                        << "%1/missing/f.png: the folder %1/missing does not exist" << 1;
        QTest::newRow("file as folder") << fig << "file.txt/f.png" << "%1/file.txt/f.png: %1/file.txt is not a folder"
                                        << 1;
        QTest::newRow("layer out of range")
            << (fig + QStringList{"--layer", "2"}) << "f.png"
            << "--layer 2 is out of range: the model has 2 layers (0..1, or -2..-1 from the end)" << 1;
        QTest::newRow("negative layer out of range")
            << (fig + QStringList{"--layer", "-3"}) << "f.svg"
            << "--layer -3 is out of range: the model has 2 layers (0..1, or -2..-1 from the end)" << 1;
        QTest::newRow("head out of range") << (fig + QStringList{"--head", "2"}) << "f.png"
                                           << "--head 2 is out of range: layer 1 has 2 heads (0..1, or mean)" << 1;
        QTest::newRow("query out of range")
            << (fig + QStringList{"--query", "4,0"}) << "f.png"
            << "--query 4,0: no such patch (the grid is 4 rows x 4 columns); use cls, a token 0..16 or R,C (a patch) "
               "with R in 0..3 and C in 0..3"
            << 1;
        QTest::newRow("query not a query") << (fig + QStringList{"--query", "middle"}) << "f.pdf"
                                           << "~--query middle: not cls, a number or R,C" << 1;
        QTest::newRow("Swin has no CLS")
            << QStringList{"figure", swin_model(), sample_image(), "--view", "image", "--query", "cls"} << "f.png"
            << "~--query cls: Swin models have no CLS token" << 1;
        QTest::newRow("csv into a missing folder") << (fig + QStringList{"--csv", "/nonexistent-vitscope/x.csv"})
                                                   << "f.png" << "~/nonexistent-vitscope does not exist" << 1;
        QTest::newRow("sheet as png") << QStringList{"sheet", vit_model(), sample_image()} << "s.png"
                                      << "%1/s.png: unknown sheet format 'png' (the sheet has a page per layer: use .pdf)"
                                      << 1;
        QTest::newRow("sweep head out of range")
            << QStringList{"sweep", swin_model(), sample_image(), "--head", "3"} << "s.gif"
            << "--head 3 is out of range: every block has at least 2 heads (0..1, or mean)" << 1;
        QTest::newRow("sweep as pdf") << QStringList{"sweep", vit_model(), sample_image()} << "s.pdf"
                                      << "~unknown sweep format 'pdf'" << 1;
    }
    void errors_leave_no_file() {
        QFETCH(QStringList, args);
        QFETCH(QString, target);
        QFETCH(QString, message);
        QFETCH(int, code);
        const QString folder = fresh_folder("errors");
        if (target.startsWith("file.txt/")) {
            QFile f(folder + "/file.txt");
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("not a folder\n");
        }
        const QStringList before = entries(folder);
        const Result r = cli(args + QStringList{"--out", folder + "/" + target});
        QCOMPARE(r.code, code);
        QVERIFY2(r.err.endsWith('\n') && r.err.count('\n') == 1, qPrintable("not one line: " + r.err));
        const QString line = r.err.trimmed();
        if (message.startsWith('~'))
            QVERIFY2(line.contains(message.mid(1)), qPrintable(line));
        else
            QCOMPARE(line, "vitscope-cli: " + (message.contains("%1") ? message.arg(folder) : message));
        QCOMPARE(entries(folder), before);
        QVERIFY(r.out.isEmpty());
    }

    // A model whose attention turns non-finite in layer 1: the CLI refuses to draw it rather than
    // drawing garbage.
    void non_finite_attention_is_refused() {
        const QString folder = fresh_folder("nan_model");
        const QString model = folder + "/vit_nan";
        QVERIFY(test::write_overflowing_vit(vit_model(), model));

        const QString out_folder = fresh_folder("nan_out");
        const Result r = cli({"figure", model, sample_image(), "--view", "image", "--out", out_folder + "/f.png"});
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err.trimmed(), "vitscope-cli: " + sample_image() +
                                      ": the forward pass gave non-finite values (NaN or infinity) in layer 1's "
                                      "attention; refusing to draw them (try the paper's --scale head and "
                                      "--temperature 1)");
        QVERIFY(entries(out_folder).isEmpty());
    }

    // A folder the user may not write into. Root writes anywhere, so as root this case cannot happen
    // (the file-as-folder case above fails for root too).
    void read_only_folder_leaves_no_file() {
        const QString folder = fresh_folder("read_only");
        QVERIFY(::chmod(QFile::encodeName(folder).constData(), 0555) == 0);
        const bool writable = ::access(QFile::encodeName(folder).constData(), W_OK) == 0;
        if (writable) {
            ::chmod(QFile::encodeName(folder).constData(), 0755);
            QSKIP("running as root: a 0555 folder is still writable, so there is no refusal to check");
        }
        const Result r = cli({"figure", vit_model(), sample_image(), "--view", "image", "--out", folder + "/f.png"});
        ::chmod(QFile::encodeName(folder).constData(), 0755);
        QCOMPARE(r.code, 1);
        QCOMPARE(r.err.trimmed(), "vitscope-cli: " + folder + "/f.png: cannot write into the folder " + folder +
                                      " (permission denied)");
        QVERIFY(entries(folder).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestFigureExport)
#include "test_figure_export.moc"
