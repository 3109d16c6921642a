// Issue 17's bugs, each as a regression test on the desktop app (tiny test ViT and Swin fixtures,
// generated images): the wheel over the Controls dock, hover readouts that follow the data, Recent
// Models only after a load, View > Reset Layout and small windows, the special tokens' over-range
// mark, an image error naming the image kept, ablated heads marked in the heads grid, Swin controls
// that follow the block's stage, and no text cut (predictions table, colourbar labels, chart
// title, hints).
#include "attention_map_figure.h"
#include "attention_stats.h"
#include "controls_dock.h"
#include "default_assets.h"
#include "heads_grid.h"
#include "image_view.h"
#include "main_window.h"
#include "matrix_view.h"
#include "overview_canvas.h"
#include "predictions_panel.h"
#include "query_row_chart.h"
#include "session.h"
#include "swin_figure.h"
#include "test_support.h"
#include "attention_map_figure.h"
#include "view_settings.h"
#include "figure_source.h"
#include "scene.h"

#include <QAbstractButton>
#include <QAction>
#include <QLabel>
#include <QRadioButton>
#include <QSlider>
#include <QTabBar>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QSpinBox>
#include <QStatusBar>
#include <QTemporaryDir>
#include <QTreeWidget>
#include <QWheelEvent>
#include <QtTest>

using namespace vitscope;

namespace {

// Text items whose estimated ink runs past their box or out of the figure.
QStringList cut_texts(const DrawList& dl) {
    QStringList out;
    for (const DrawItem& item : dl.items) {
        const auto* t = std::get_if<TextItem>(&item);
        if (!t || t->text.empty()) continue;
        const float w = text_width_estimate(t->text, t->size, t->bold);
        float x0 = t->box.x;
        if (t->halign == HAlign::Center) x0 = t->box.x + (t->box.w - w) * 0.5f;
        if (t->halign == HAlign::Right) x0 = t->box.right() - w;
        const bool cut = w > t->box.w + 1.0f || x0 < -0.5f || x0 + w > dl.width + 0.5f || t->size < 5.0f;
        if (cut) out << QString("'%1' (size %2, needs %3 px, box %4 px at x %5, figure %6 px)")
                            .arg(QString::fromStdString(t->text)).arg(double(t->size)).arg(double(w))
                            .arg(double(t->box.w)).arg(double(t->box.x)).arg(double(dl.width));
    }
    return out;
}

// Pairs of text items whose estimated ink rectangles overlap (labels that overprint).
QStringList overprints(const DrawList& dl) {
    struct Ink { QRectF r; QString text; };
    std::vector<Ink> inks;
    for (const DrawItem& item : dl.items) {
        const auto* t = std::get_if<TextItem>(&item);
        if (!t || t->text.empty()) continue;
        const float w = text_width_estimate(t->text, t->size, t->bold);
        float x0 = t->box.x;
        if (t->halign == HAlign::Center) x0 = t->box.x + (t->box.w - w) * 0.5f;
        if (t->halign == HAlign::Right) x0 = t->box.right() - w;
        const float h = t->size * 1.1f;
        float y0 = t->box.y + (t->box.h - h) * 0.5f;
        if (t->valign == VAlign::Top) y0 = t->box.y;
        if (t->valign == VAlign::Bottom) y0 = t->box.bottom() - h;
        inks.push_back({QRectF(x0, y0, w, h), QString::fromStdString(t->text)});
    }
    QStringList out;
    for (size_t i = 0; i < inks.size(); ++i)
        for (size_t j = i + 1; j < inks.size(); ++j)
            if (inks[i].r.adjusted(1, 1, -1, -1).intersects(inks[j].r.adjusted(1, 1, -1, -1)))
                out << QString("'%1' / '%2'").arg(inks[i].text, inks[j].text);
    return out;
}

// Widgets of the window whose text does not fit: labels (single-line), buttons and check boxes
// narrower than their text, or reaching past the right edge of a scroll area that does not scroll
// sideways (the Controls dock). Hidden widgets and hidden dock tabs are skipped.
QStringList cut_widgets(QWidget* window) {
    QStringList out;
    auto clipped_right = [](QWidget* w) {
        for (QWidget* p = w->parentWidget(); p; p = p->parentWidget())
            if (auto* sa = qobject_cast<QScrollArea*>(p); sa && sa->horizontalScrollBarPolicy() == Qt::ScrollBarAlwaysOff) {
                const QPoint r = w->mapTo(sa->viewport(), QPoint(w->width(), 0));
                return r.x() > sa->viewport()->width() + 1;
            }
        return false;
    };
    auto shown = [](QWidget* w) { return w->isVisible() && !w->visibleRegion().isEmpty(); };
    for (QLabel* l : window->findChildren<QLabel*>()) {
        if (!shown(l) || l->text().isEmpty() || l->wordWrap() || l->textFormat() == Qt::RichText) continue;
        const QFontMetrics fm(l->font());
        int need = 0;
        for (const QString& line : l->text().split('\n')) need = std::max(need, fm.horizontalAdvance(line));
        if (need > l->contentsRect().width() + 1 || clipped_right(l))
            out << QString("label '%1' (%2 px in %3)").arg(l->text()).arg(need).arg(l->contentsRect().width());
    }
    for (QAbstractButton* b : window->findChildren<QAbstractButton*>()) {
        if (!shown(b) || b->text().isEmpty() || qobject_cast<QTabBar*>(b->parentWidget())) continue;
        if (b->width() < b->sizeHint().width() || clipped_right(b))
            out << QString("button '%1' (%2 px of %3)").arg(b->text()).arg(b->width()).arg(b->sizeHint().width());
    }
    return out;
}

bool has_text(const DrawList& dl, const std::string& needle) {
    for (const DrawItem& item : dl.items)
        if (const auto* t = std::get_if<TextItem>(&item); t && t->text.find(needle) != std::string::npos) return true;
    return false;
}

}  // namespace

class TestAppClassroom : public QObject {
    Q_OBJECT
    std::unique_ptr<MainWindow> w_;
    QTemporaryDir settings_dir_;

    Session* session() { return w_->session(); }
    ImageView* view() { return w_->image_view(); }
    ViewSettings* settings() { return w_->view_settings(); }

    void open_vit() {
        w_->open_model(QString::fromStdString(test::data_path("vit/vit_tiny_hf")));
        QVERIFY(session()->wait_idle());
        QVERIFY(session()->trace());
    }
    void open_swin() {
        w_->open_model(QString::fromStdString(test::data_path("swin/swin_tiny_hf")));
        QVERIFY(session()->wait_idle());
        QVERIFY(session()->swin_trace());
    }

private slots:
    void initTestCase() {
        QSurfaceFormat::setDefaultFormat(gl_core_format());
        // Settings (recent files, layout) in a folder of our own, never the user's.
        QVERIFY(settings_dir_.isValid());
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, settings_dir_.path());
        QCoreApplication::setOrganizationName("vitscope-test");
        QCoreApplication::setApplicationName("test_app_classroom");
        w_ = std::make_unique<MainWindow>(/*persist=*/true);
        w_->show();
        QVERIFY(QTest::qWaitForWindowExposed(w_.get()));
        w_->start({QString::fromStdString(test::data_path("vit/vit_tiny_hf")), QString()});
        QVERIFY(session()->wait_idle());
        QVERIFY(session()->trace());
    }

    // Bug 1: the wheel over a combo box scrolls the dock; the combo keeps its value.
    void wheel_over_controls_scrolls_the_dock() {
        w_->resize(1100, 560);  // the Controls dock needs its scroll bar
        QTest::qWait(50);
        auto* scroll = qobject_cast<QScrollArea*>(w_->controls()->widget());
        QVERIFY(scroll);
        QScrollBar* bar = scroll->verticalScrollBar();
        QVERIFY2(bar->maximum() > 0, "the dock should scroll at this size");
        bar->setValue(0);
        QComboBox* combo = w_->controls()->scale_combo();
        QVERIFY(!combo->hasFocus());
        QCOMPARE(combo->focusPolicy(), Qt::StrongFocus);
        const int index = combo->currentIndex();
        const QPointF at(combo->width() / 2.0, combo->height() / 2.0);
        QWheelEvent down(at, combo->mapToGlobal(at), QPoint(), QPoint(0, -120), Qt::NoButton, Qt::NoModifier,
                         Qt::NoScrollPhase, false);
        QApplication::sendEvent(combo, &down);
        QCOMPARE(combo->currentIndex(), index);
        QVERIFY(bar->value() > 0);
        // The sliders too.
        const int layer = w_->controls()->layer_slider()->value();
        QWheelEvent up(at, at, QPoint(), QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(w_->controls()->layer_slider(), &up);
        QCOMPARE(w_->controls()->layer_slider()->value(), layer);
        QVERIFY(session()->wait_idle());
        w_->resize(1500, 940);
    }

    // Bug 2: after a layer change the readout is the new layer's value under the same mouse position.
    void hover_readout_follows_the_layer() {
        settings()->set_layer(0);
        settings()->set_head(0);
        settings()->set_query(0);
        const int patch = 5;
        QTest::mouseMove(view(), view()->patch_center(patch));
        QTRY_VERIFY(!view()->hover_text().isEmpty());
        auto expected = [&] {
            const auto t = session()->trace();
            return QString("token %1 · patch %2 (row %3, col %4) · attention %5")
                .arg(patch + t->num_prefix).arg(patch).arg(patch / t->grid_width).arg(patch % t->grid_width)
                .arg(double(view()->figure().values[size_t(patch)]), 0, 'g', 4);
        };
        QCOMPARE(view()->hover_text(), expected());
        const QString before = view()->hover_text();
        QSignalSpy spy(view(), &ImageView::hovered);
        settings()->set_layer(1);  // what `]` does
        QCOMPARE(view()->hover_text(), expected());
        QVERIFY(view()->hover_text() != before);
        QVERIFY(!spy.isEmpty());
        QCOMPARE(spy.last().first().toString(), expected());
        // The readout is also the view's bottom line (never cut there, unlike a narrow status bar).
        QVERIFY(has_text(view()->built().list, expected().toStdString()));
        settings()->set_layer(0);
    }

    // Bug 3: a file that fails to load as a model is not a recent model; one that loads is.
    void recent_models_only_after_a_load() {
        const QString readme = QString::fromStdString(test::data_path("vit/README.md"));
        w_->open_model(readme);
        QVERIFY(session()->wait_idle());
        QVERIFY(!w_->error_text().isEmpty());
        QVERIFY(!w_->recent_models().contains(QFileInfo(readme).absoluteFilePath()));
        const QString good = QString::fromStdString(test::data_path("vit/vit_tiny_hf"));
        w_->open_model(good);
        QVERIFY(session()->wait_idle());
        QVERIFY(w_->error_text().isEmpty());
        QVERIFY(w_->recent_models().contains(QFileInfo(good).absoluteFilePath()));
        QVERIFY(!w_->recent_models().contains(QFileInfo(readme).absoluteFilePath()));
    }

    // Bug 4: at 640x420 the docks do not overlap one another; View > Reset Layout brings them back.
    void small_window_and_reset_layout() {
        const QList<QDockWidget*> docks = w_->findChildren<QDockWidget*>();
        int right_width = 0;
        for (QDockWidget* d : docks)
            if (w_->dockWidgetArea(d) == Qt::RightDockWidgetArea && d->isVisible()) right_width = d->width();
        QVERIFY(right_width > 0);
        w_->resize(640, 420);
        QTest::qWait(100);
        QVERIFY2(w_->width() <= 660 && w_->height() <= 440,
                 qPrintable(QString("the window stays %1x%2").arg(w_->width()).arg(w_->height())));
        for (QDockWidget* a : docks)
            for (QDockWidget* b : docks) {
                if (a == b || !a->isVisible() || !b->isVisible() || a->visibleRegion().isEmpty() ||
                    b->visibleRegion().isEmpty())
                    continue;
                QVERIFY2(!a->geometry().intersects(b->geometry()),
                         qPrintable(a->objectName() + " overlaps " + b->objectName()));
            }
        // The heads grid's labels do not overprint at this size.
        HeadsCanvas* heads = w_->heads_grid()->canvas();
        QVERIFY2(overprints(heads->built().list).isEmpty(), qPrintable(overprints(heads->built().list).join("; ")));
        w_->resize(1500, 940);
        QTest::qWait(50);
        auto* reset = w_->findChild<QAction*>("reset_layout");
        QVERIFY(reset);
        reset->trigger();
        QTest::qWait(100);
        for (QDockWidget* d : docks) {
            if (!d->isVisible() || d->isFloating() || d->visibleRegion().isEmpty()) continue;  // hidden tabs
            QVERIFY2(d->width() >= 250, qPrintable(QString("%1 is %2 px wide").arg(d->objectName()).arg(d->width())));
        }
        QVERIFY(view()->width() >= 400);
        // On the default model (14x14 patches) the image view's heatmap fills its height: no empty
        // band below it (it was a third of the view).
        w_->open_model(default_vit_model_path());
        QVERIFY(session()->wait_idle());
        // 1500x940: the right docks at their 300 px minimum, the grid 75% of the view's height (it was
        // 66%); 1920x1080: 85% and more (the rest: title and bottom lines).
        for (const auto& [size, share] : {std::pair{QSize(1500, 940), 0.75f}, std::pair{QSize(1920, 1080), 0.85f}}) {
            w_->resize(size);
            QTest::qWait(50);
            reset->trigger();
            QTest::qWait(100);
            const HeatmapLayout l = view()->built().panels.front().layout;
            QVERIFY2(l.grid.h >= share * float(view()->height()),
                     qPrintable(QString("grid %1x%2 px in a %3x%4 px view").arg(l.grid.w).arg(l.grid.h).arg(view()->width()).arg(view()->height())));
        }
        w_->resize(1500, 940);
        QTest::qWait(50);
        w_->open_model(QString::fromStdString(test::data_path("vit/vit_tiny_hf")));
        QVERIFY(session()->wait_idle());
    }

    // The status bar's permanent fields at narrow widths: shorter texts, none cut or pushed out of the
    // bar; the full text stays in the tooltip.
    void status_fields_fit_narrow_windows() {
        auto status_cut = [this] {
            QStringList out;
            QStatusBar* bar = w_->statusBar();
            for (QLabel* l : bar->findChildren<QLabel*>()) {
                if (!l->isVisible() || l->text().isEmpty()) continue;
                const int need = l->fontMetrics().horizontalAdvance(l->text());
                const int right = l->mapTo(bar, QPoint(l->width(), 0)).x();
                if (need > l->contentsRect().width() + 1 || right > bar->width())
                    out << QString("'%1' (%2 px in %3, right edge %4 of %5)")
                               .arg(l->text()).arg(need).arg(l->contentsRect().width()).arg(right).arg(bar->width());
            }
            return out;
        };
        // Swin's block description and the redraw timing make the longest texts.
        open_swin();
        settings()->set_layer(1);
        QTRY_VERIFY(w_->last_frame_ms() > 0);
        for (const QSize size : {QSize(1500, 940), QSize(1000, 700), QSize(800, 600), QSize(660, 440)}) {
            w_->resize(size);
            QTest::qWait(60);
            QTRY_VERIFY2(status_cut().isEmpty(), qPrintable(QString("%1x%2: ").arg(w_->width()).arg(w_->height()) +
                                                            status_cut().join("; ")));
        }
        bool full_tooltip = false;
        for (QLabel* l : w_->statusBar()->findChildren<QLabel*>())
            full_tooltip = full_tooltip || l->toolTip().contains("windows of");
        QVERIFY(full_tooltip);
        w_->resize(1500, 940);
        w_->open_model(QString::fromStdString(test::data_path("vit/vit_tiny_hf")));
        QVERIFY(session()->wait_idle());
        settings()->set_layer(0);
        QTest::qWait(50);
    }

    // Bug 5: a special token above the patches' range gets an over-range mark, or the range includes it.
    void special_tokens_over_range() {
        const FigureInputs in = figure_inputs(*session());
        FigureOptions o = figure_options(*settings());
        o.style.normalization = Normalization::PerMap;
        // A (layer, head, query) where CLS gets more than any patch.
        FigureSelection found{-1, 0, 0};
        for (int l = 0; l < in.num_layers() && found.layer < 0; ++l)
            for (int h = 0; h < in.num_heads(l) && found.layer < 0; ++h)
                for (int q = 0; q < in.num_query_tokens() && found.layer < 0; ++q) {
                    const HeatmapFigure f = attention_map_figure(*attention_source(in), l, h, q, o.style);
                    if (f.side_values[0] > range_of(f.values).hi) found = {l, h, q};
                }
        if (found.layer < 0) QSKIP("the fixture has no map where CLS tops the patches");
        o.style.special_in_range = false;
        const BuiltFigure marked = build_view_figure(FigureView::Image, in, found, o, theme_light(), 700, 500);
        QVERIFY(!marked.figure.over_label.empty());
        QVERIFY(marked.figure.over_label.rfind("CLS ", 0) == 0);
        QVERIFY(has_text(marked.list, "\u25B2"));
        QVERIFY2(overprints(marked.list).isEmpty(), qPrintable(overprints(marked.list).join("; ")));
        o.style.special_in_range = true;
        const BuiltFigure included = build_view_figure(FigureView::Image, in, found, o, theme_light(), 700, 500);
        QVERIFY(included.figure.over_label.empty());
        QVERIFY(!has_text(included.list, "\u25B2"));
        QVERIFY(included.figure.value_range.hi >= included.figure.side_values[0]);
        // The control switches the live view.
        settings()->set_layer(found.layer);
        settings()->set_head(found.head);
        settings()->set_query(found.query);
        w_->controls()->special_in_range()->setChecked(false);
        QVERIFY(!view()->figure().over_label.empty());
        w_->controls()->special_in_range()->setChecked(true);
        QVERIFY(view()->figure().over_label.empty());
        QVERIFY(settings()->style().special_in_range);
        w_->controls()->special_in_range()->setChecked(false);
        settings()->set_query(0);
    }

    // Bug 6: an image that fails to open names the image kept.
    void image_error_names_the_image_kept() {
        const QString kept = session()->image_name();
        QVERIFY(!kept.isEmpty());
        QVERIFY(!w_->open_image("/nonexistent/missing.png"));
        const QString e = w_->error_text();
        QVERIFY2(e.contains(tr("Still using image %1").arg(kept)), qPrintable(e));
        QVERIFY2(!e.contains(session()->model_name()) || kept.contains(session()->model_name()), qPrintable(e));
    }

    // Bug 7: an ablated head is marked in the heads grid (and so in its exports).
    void ablated_head_is_marked() {
        settings()->set_layer(0);
        const std::vector<QCheckBox*>& boxes = w_->controls()->head_on_boxes();
        QVERIFY(boxes.size() >= 2);
        boxes[1]->setChecked(false);
        QVERIFY(session()->wait_idle());
        const DrawList& dl = w_->heads_grid()->canvas()->built().list;
        QVERIFY(has_text(dl, "head 1 · ablated"));
        QVERIFY(!has_text(dl, "head 0 · ablated"));
        const FigureInputs in = figure_inputs(*session());
        const BuiltFigure exported = build_view_figure(FigureView::Heads, in, figure_selection(*settings()),
                                                       FigureOptions{}, theme_light(), 900, 600);
        QVERIFY(has_text(exported.list, "head 1 · ablated"));
        boxes[1]->setChecked(true);
        QVERIFY(session()->wait_idle());
        QVERIFY(!has_text(w_->heads_grid()->canvas()->built().list, "ablated"));
    }

    // Bug 9: nothing elided: class names in the predictions table, colourbar labels, chart title, hints.
    void nothing_cut() {
        const QList<QTreeWidget*> trees = w_->predictions()->findChildren<QTreeWidget*>();
        QVERIFY(!trees.isEmpty());
        int rows = 0;
        for (QTreeWidget* t : trees) {
            if (!t->isVisible()) continue;
            const QFontMetrics fm(t->font());
            for (int i = 0; i < t->topLevelItemCount(); ++i)
                for (int c = 0; c < t->columnCount(); ++c) {
                    const QString text = t->topLevelItem(i)->text(c);
                    if (text.isEmpty() || t->isColumnHidden(c)) continue;
                    ++rows;
                    QVERIFY2(fm.horizontalAdvance(text) <= t->columnWidth(c),
                             qPrintable(QString("'%1' needs %2 px, column %3 is %4 px")
                                            .arg(text).arg(fm.horizontalAdvance(text)).arg(c).arg(t->columnWidth(c))));
                }
        }
        QVERIFY(rows > 0);
        // The figures of the docks at narrow sizes: every text inside its box and the figure.
        const FigureInputs in = figure_inputs(*session());
        const FigureSelection sel = figure_selection(*settings());
        FigureOptions o = figure_options(*settings());
        o.hint = "rows: queries · columns: keys · wheel: zoom · drag: pan";
        for (const FigureView v : {FigureView::Image, FigureView::Heads, FigureView::Matrix, FigureView::Query})
            for (const float width : {220.0f, 320.0f, 480.0f}) {
                const BuiltFigure b = build_view_figure(v, in, sel, o, theme_dark(), width, 260);
                const QStringList cut = cut_texts(b.list);
                QVERIFY2(cut.isEmpty(), qPrintable(QString("%1 at %2 px: ").arg(figure_view_name(v)).arg(double(width)) +
                                                   cut.join("; ")));
            }
        // The live matrix and chart.
        QVERIFY2(cut_texts(w_->matrix_view()->built().list).isEmpty(),
                 qPrintable(cut_texts(w_->matrix_view()->built().list).join("; ")));
    }

    // The layout: at a projector's 1280x720 up to 4K nothing in the window is cut.
    void layout_cuts_nothing_data() {
        QTest::addColumn<QSize>("size");
        QTest::newRow("1280x720") << QSize(1280, 720);
        QTest::newRow("1920x1080") << QSize(1920, 1080);
        QTest::newRow("3840x2160") << QSize(3840, 2160);
    }
    void layout_cuts_nothing() {
        QFETCH(QSize, size);
        w_->resize(size);
        w_->reset_layout();
        QTest::qWait(100);
        QCOMPARE(w_->size(), size);
        QTRY_VERIFY2(cut_widgets(w_.get()).isEmpty(), qPrintable(cut_widgets(w_.get()).join("; ")));
        // The image view uses the space it has: its grid spans most of the limiting side (the rest of
        // the width holds the CLS column, the colourbar and its labels).
        const RectF g = view()->built().panels.front().layout.grid;
        QVERIFY2(g.h >= 0.8f * float(view()->height()) || g.w >= 0.6f * float(view()->width()),
                 qPrintable(QString("grid %1x%2 in a %3x%4 view").arg(double(g.w)).arg(double(g.h))
                                .arg(view()->width()).arg(view()->height())));
        w_->resize(1500, 940);
    }

    // Explanations where the user acts: every option has a tooltip and a note; Help has the shortcuts and a tour.
    void options_are_explained() {
        ControlsDock* c = w_->controls();
        const std::vector<QWidget*> widgets{c->scale_combo(), c->layer_slider(), c->head_slider(), c->query_box(),
                                            c->query_tool(),  c->mask_tool(),    c->swin_shift(),  c->swin_shift_mask(),
                                            c->swin_bias(),   c->special_in_range()};
        for (QWidget* wdg : widgets)
            QVERIFY2(!wdg->toolTip().isEmpty(), qPrintable(wdg->objectName() + " " + wdg->metaObject()->className()));
        QVERIFY(c->findChildren<QLabel*>("option_note").size() >= 6);
        QVERIFY(w_->findChild<QAction*>("help_shortcuts"));
        QVERIFY(w_->findChild<QAction*>("help_tour"));
        const QString tour = MainWindow::tour_html();
        for (const char* idea : {"√d_k", "mask", "many heads"}) QVERIFY2(tour.contains(QString::fromUtf8(idea)), idea);
        QVERIFY(MainWindow::shortcuts_html().contains("Home"));
    }

    // Start-up: the first heatmap is timed, and the docks (held back for its frame) paint again.
    void startup_first_heatmap_then_docks() {
        QTRY_VERIFY_WITH_TIMEOUT(w_->startup_times().heatmap_ms >= 0, 5000);
        const MainWindow::StartupTimes& t = w_->startup_times();
        QVERIFY(t.model_ms >= 0);
        QVERIFY(t.trace_ms >= t.model_ms);
        QVERIFY(t.heatmap_ms >= t.trace_ms);
        QVERIFY(t.forward_ms >= 0);
        for (QDockWidget* d : w_->findChildren<QDockWidget*>()) QVERIFY2(d->updatesEnabled(), qPrintable(d->objectName()));
        const int frames = w_->heads_grid()->canvas()->frames();
        w_->heads_grid()->canvas()->update();
        QTRY_VERIFY(w_->heads_grid()->canvas()->frames() > frames);
    }

    // Predictions follow the paper's top-5 under the current options too.
    void predictions_follow_the_paper_top5() {
        w_->controls()->scale_combo()->setCurrentIndex(int(ScaleMode::None));
        QVERIFY(session()->wait_idle());
        const QList<QTreeWidget*> trees = w_->predictions()->findChildren<QTreeWidget*>();
        QTreeWidget* paper = nullptr;
        for (QTreeWidget* t : trees)
            if (t->columnCount() == 5) paper = t;
        QVERIFY(paper && paper->isVisible());
        QVERIFY(paper->topLevelItemCount() > 0);
        // Row 1: the paper's top-1, its probability under the paper and now.
        const RowVector& now = *session()->logits();
        const RowVector& base = *session()->baseline_logits();
        Eigen::Index top = 0;
        base.maxCoeff(&top);
        const double p_now = std::exp(double(now[top] - now.maxCoeff())) / (now.array() - now.maxCoeff()).exp().sum();
        QCOMPARE(paper->topLevelItem(0)->text(3), QString::number(p_now, 'f', 4));
        w_->controls()->scale_combo()->setCurrentIndex(int(ScaleMode::InvSqrtHeadDim));
        QVERIFY(session()->wait_idle());
        QVERIFY(!paper->isVisible());
    }

    // Scenes: save the state, change everything, reopen; PageDown steps to the next scene file.
    void scenes_save_reopen_and_step() {
        QTemporaryDir dir;
        AttentionOptions o;
        o.scale_mode = ScaleMode::None;
        o.ablated_heads = {1};
        o.masked_keys = {3};
        o.temperature = 2.0f;
        session()->set_options(o);
        QVERIFY(session()->wait_idle());
        FigureStyle st = settings()->style();
        st.colormap = Colormap::Inferno;
        st.special_in_range = true;
        settings()->set_style(st);
        settings()->set_layer(1);
        settings()->set_head(kMeanOfHeads);
        settings()->set_query(5);
        const QString a = dir.filePath(QString("a") + kSceneSuffix), b = dir.filePath(QString("b") + kSceneSuffix);
        QVERIFY(w_->save_scene(a));
        QFile saved(a);
        QVERIFY(saved.open(QIODevice::ReadOnly));
        const Scene back = scene_from_json(saved.readAll(), "a", dir.path());
        QCOMPARE(back.layer, 1);
        QCOMPARE(back.head, kMeanOfHeads);
        settings()->set_layer(0);
        settings()->set_head(0);
        QVERIFY(w_->save_scene(b));
        // Everything back to the defaults, then reopen a.
        session()->set_options(AttentionOptions{});
        settings()->set_style(FigureStyle{});
        settings()->set_query(0);
        QVERIFY(session()->wait_idle());
        QVERIFY(w_->open_scene(a));
        QVERIFY(session()->wait_idle());
        QCOMPARE(int(session()->options().scale_mode), int(ScaleMode::None));
        QCOMPARE(session()->options().ablated_heads, std::vector<int>{1});
        QCOMPARE(session()->options().masked_keys, std::vector<int>{3});
        QCOMPARE(session()->options().temperature, 2.0f);
        QCOMPARE(int(session()->trace()->options.scale_mode), int(ScaleMode::None));
        QCOMPARE(int(settings()->style().colormap), int(Colormap::Inferno));
        QVERIFY(settings()->style().special_in_range);
        QCOMPARE(settings()->layer(), 1);
        QCOMPARE(settings()->head(), kMeanOfHeads);
        QCOMPARE(settings()->query(), 5);
        QCOMPARE(w_->controls()->scale_combo()->currentIndex(), int(ScaleMode::None));
        // PageDown: the next scene of the folder.
        w_->findChild<QAction*>("next_scene")->trigger();
        QVERIFY(session()->wait_idle());
        QCOMPARE(w_->scene_path(), QFileInfo(b).absoluteFilePath());
        QCOMPARE(settings()->layer(), 0);
        QCOMPARE(settings()->head(), 0);
        w_->findChild<QAction*>("previous_scene")->trigger();
        QCOMPARE(w_->scene_path(), QFileInfo(a).absoluteFilePath());
        // A scene with another model: options apply after that model has loaded.
        Scene swin;
        swin.model_path = QString::fromStdString(test::data_path("swin/swin_tiny_hf"));
        swin.options.scale_mode = ScaleMode::None;
        swin.swin_options.shift_mask = false;
        swin.layer = 1;
        const QString c = dir.filePath(QString("c") + kSceneSuffix);
        {
            QFile f(c);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(scene_to_json(swin));
        }
        QVERIFY(w_->open_scene(c));
        QVERIFY(session()->wait_idle());
        QVERIFY(session()->swin_trace());
        QCOMPARE(int(session()->swin_trace()->options.scale_mode), int(ScaleMode::None));
        QVERIFY(!session()->swin_trace()->swin_options.shift_mask);
        QCOMPARE(settings()->layer(), 1);
        // A broken scene: the reason in the banner, nothing changes.
        const QString bad = dir.filePath(QString("d") + kSceneSuffix);
        {
            QFile f(bad);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(R"({"layer": "three"})");
        }
        QVERIFY(!w_->open_scene(bad));
        QVERIFY2(w_->error_text().contains("\"layer\" must be a number"), qPrintable(w_->error_text()));
        // Back to the ViT for the tests after this one.
        open_vit();
        settings()->set_style(FigureStyle{});
    }

    // Presentation mode: full screen, the image and one panel, big figure text, controls on demand.
    void presentation_mode() {
        auto visible_docks = [&] {
            QStringList v;
            for (QDockWidget* d : w_->findChildren<QDockWidget*>())
                if (d->isVisible() && !d->visibleRegion().isEmpty()) v << d->objectName();
            v.sort();
            return v;
        };
        const QStringList before = visible_docks();
        const float title = theme_dark().title_size;
        w_->set_presentation_panel("overview");
        w_->findChild<QAction*>("presentation")->trigger();
        QTest::qWait(100);
        QVERIFY(w_->presenting());
        QVERIFY(w_->isFullScreen());
        QCOMPARE(visible_docks(), QStringList{"overview"});
        QVERIFY(!w_->controls()->isVisible());
        float biggest = 0;
        for (const DrawItem& item : view()->built().list.items)
            if (const auto* t = std::get_if<TextItem>(&item)) biggest = std::max(biggest, t->size);
        QVERIFY2(biggest >= 1.5f * title, qPrintable(QString::number(double(biggest))));
        w_->findChild<QAction*>("controls_overlay")->trigger();
        QVERIFY(w_->controls()->isVisible());
        QVERIFY(w_->controls()->isFloating());
        w_->findChild<QAction*>("controls_overlay")->trigger();
        QVERIFY(!w_->controls()->isVisible());
        w_->findChild<QAction*>("presentation")->trigger();
        QTest::qWait(100);
        QVERIFY(!w_->presenting());
        QVERIFY(!w_->isFullScreen());
        QVERIFY(!w_->controls()->isFloating());
        QCOMPARE(visible_docks(), before);
        QCOMPARE(settings()->text_scale(), 1.0f);
    }

    // Latency: a layer step redraws without a forward pass; the input-to-pixels time is measured.
    void key_to_pixels_is_measured() {
        QAction* next = nullptr;
        QAction* prev = nullptr;
        for (QAction* a : w_->findChildren<QAction*>()) {
            if (a->shortcut() == QKeySequence(Qt::Key_BracketRight)) next = a;
            if (a->shortcut() == QKeySequence(Qt::Key_BracketLeft)) prev = a;
        }
        QVERIFY(next && prev);
        settings()->set_layer(0);
        const int forwards = session()->forward_passes();
        std::vector<double> ms;
        for (int i = 0; i < 20; ++i) {
            const int frames = view()->frames();
            (i % 2 ? prev : next)->trigger();
            QTRY_VERIFY(view()->frames() > frames);
            QTRY_VERIFY(w_->last_frame_ms() > 0);
            ms.push_back(w_->last_frame_ms());
            QTest::qWait(5);
        }
        QCOMPARE(session()->forward_passes(), forwards);
        std::sort(ms.begin(), ms.end());
        qInfo("key-to-pixels (image view, Xvfb + llvmpipe): median %.1f ms, max %.1f ms over %d steps", ms[ms.size() / 2],
              ms.back(), int(ms.size()));
        QVERIFY(w_->median_frame_ms() > 0);
        QVERIFY(w_->findChild<QStatusBar*>()->findChildren<QLabel*>().size() > 0);
        bool shown = false;
        for (QLabel* l : w_->statusBar()->findChildren<QLabel*>()) shown = shown || l->text().contains("redraw");
        QVERIFY(shown);
        settings()->set_layer(0);
    }

    // File > Open Labels…: the predictions table names the classes from the file.
    void open_labels_names_the_classes() {
        QTemporaryDir dir;
        const int n = int(session()->logits()->size());
        QStringList names;
        for (int i = 0; i < n; ++i) names << QString("animal number %1").arg(i);
        const QString txt = dir.filePath("classes.txt");
        {
            QFile f(txt);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(names.join('\n').toUtf8() + "\n");
        }
        QVERIFY(w_->open_labels(txt));
        QCOMPARE(session()->labels(), names);
        bool named = false;
        for (QTreeWidget* t : w_->predictions()->findChildren<QTreeWidget*>())
            for (int i = 0; i < t->topLevelItemCount(); ++i) named = named || t->topLevelItem(i)->text(1).startsWith("animal number");
        QVERIFY(named);
        const QString json = dir.filePath("config.json");
        {
            QFile f(json);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(R"({"id2label": {"1": "bravo", "0": "alpha"}})");
        }
        QVERIFY(w_->open_labels(json));
        QCOMPARE(session()->labels(), (QStringList{"alpha", "bravo"}));
        const QString empty = dir.filePath("empty.txt");
        {
            QFile f(empty);
            QVERIFY(f.open(QIODevice::WriteOnly));
        }
        QVERIFY(!w_->open_labels(empty));
        QVERIFY(w_->error_text().contains("no class names"));
        open_vit();  // the model's own names again
    }

    // Overview: every layer x head for the query; hover reads out entropy and distance; click selects.
    void overview_selects_layer_and_head() {
        auto* dock = w_->findChild<QDockWidget*>("overview");
        QVERIFY(dock);
        dock->show();
        dock->raise();
        OverviewCanvas* o = w_->overview();
        QTRY_VERIFY(o->isVisible() && o->frames() > 0);
        QVERIFY2(o->gl_error().isEmpty(), qPrintable(o->gl_error()));
        QVERIFY(!o->autoFillBackground());  // a filled background would hide the GL frame on screen
        const auto t = session()->trace();
        QCOMPARE(o->tile_count(), int(t->layers.size()) * t->num_heads);
        settings()->set_query(t->num_prefix + 5);  // a patch query: the distance is defined
        const int L = int(t->layers.size()) - 1, H = t->num_heads - 1;  // the last map
        const QPoint c = o->tile_center(L, H);
        QVERIFY(c.x() >= 0);
        QTest::mouseMove(o, c);
        QTRY_VERIFY(o->hover_text().contains("entropy"));
        QVERIFY2(o->hover_text().contains("mean distance") && o->hover_text().contains("px"), qPrintable(o->hover_text()));
        QTest::mouseClick(o, Qt::LeftButton, {}, c);
        QCOMPARE(settings()->layer(), L);
        QCOMPARE(settings()->head(), H);
        // Drawn: the GL frame holds the maps (not just the background).
        const QImage img = o->grabFramebuffer();
        const double dpr = o->devicePixelRatioF();
        const QColor px = img.pixelColor(int(c.x() * dpr), int(c.y() * dpr));
        const Rgba bg = theme_dark().background;
        QVERIFY2(px != QColor(bg.r, bg.g, bg.b), "the tile is background");
        settings()->set_layer(0);
        settings()->set_head(0);
        settings()->set_query(0);
        w_->findChild<QDockWidget*>("heads")->raise();
    }

    // Bug 8 (Swin): the Heads-on boxes and the Query box follow the block's stage; bug 2 for the matrix.
    void swin_controls_follow_the_stage() {
        w_->set_image(generated_gradient_image(56, 56), "generated 56x56");
        open_swin();
        auto visible_boxes = [&] {
            int n = 0;
            for (QCheckBox* c : w_->controls()->head_on_boxes()) n += c->isVisibleTo(w_->controls()) ? 1 : 0;
            return n;
        };
        settings()->set_layer(0);
        QCOMPARE(visible_boxes(), 2);
        QCOMPARE(w_->controls()->query_box()->maximum(), 14 * 14 - 1);
        settings()->set_layer(2);  // stage 1: 4 heads, a 7x7 map
        QCOMPARE(visible_boxes(), 4);
        QCOMPARE(w_->controls()->query_box()->maximum(), 7 * 7 - 1);
        w_->controls()->query_box()->setValue(48);
        const SwinQuery q = swin_query(*session()->swin_trace(), 2, settings()->query());
        QCOMPARE(q.row, 6);
        QCOMPARE(q.col, 6);
        // Nothing cut at a projector's size with the Swin labels ("stage 1 · block 0 (W-MSA)").
        w_->resize(1280, 720);
        w_->reset_layout();
        QTest::qWait(100);
        // The status bar's texts change with every frame; its layout follows a moment later.
        QTRY_VERIFY2(cut_widgets(w_.get()).isEmpty(), qPrintable(cut_widgets(w_.get()).join("; ")));
        w_->resize(1500, 940);
        settings()->set_layer(0);
        QCOMPARE(w_->controls()->query_box()->value(), settings()->query());  // stage 0: the patch itself
    }

    void swin_matrix_readout_follows_the_block() {
        // Block 1 (SW-MSA): a corner query's window holds shift-masked entries; hover one.
        settings()->set_layer(1);
        settings()->set_head(0);
        settings()->set_query(14 * 14 - 1);
        AttentionMatrixView* m = w_->matrix_view();
        const HeatmapFigure& f = m->figure();
        int masked = -1;
        for (int i = 0; i < f.num_cells() && masked < 0; ++i)
            if (f.cell_flags[size_t(i)] & kCellShiftMasked) masked = i;
        QVERIFY(masked >= 0);
        float x = 0, y = 0;
        cell_center(f, m->built().panels.front().layout, HitResult::Patch, masked, x, y);
        QTest::mouseMove(m, QPoint(int(x), int(y)));
        QTRY_VERIFY(m->hover_text().contains("shift mask"));
        // Stage 1 has no shift: the readout is recomputed for the block now shown.
        settings()->set_layer(2);
        QVERIFY2(!m->hover_text().contains("shift mask"), qPrintable(m->hover_text()));
        if (!m->hover_text().isEmpty())
            QVERIFY(m->hover_text().startsWith(QString("window %1:").arg(m->swin_query_shown().window)));
        settings()->set_layer(0);
    }

    void cleanupTestCase() { w_.reset(); }
};

QTEST_MAIN(TestAppClassroom)
#include "test_app_classroom.moc"
