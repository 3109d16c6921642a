#include "main_window.h"

#include "default_assets.h"

#include "class_labels.h"

#include "attention_stats.h"
#include "controls_dock.h"
#include "analyses_panel.h"
#include "explained_panel.h"
#include "export_dialog.h"
#include "figure_export.h"
#include "heads_grid.h"
#include "image_loader.h"
#include "image_view.h"
#include "kept_attention_note.h"
#include "matrix_view.h"
#include "memory_budget_dialog.h"
#include "model_library_dialog.h"
#include "hub_cache.h"
#include "model_reference.h"
#include "overview_canvas.h"
#include "predictions_panel.h"
#include "query_row_chart.h"
#include "session.h"
#include "swin_figure.h"
#include "view_settings.h"

#include <array>

#include <QActionGroup>
#include <QApplication>
#include <QClipboard>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QFileDialog>
#include <QDir>
#include <QFileInfo>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QScreen>
#include <QTabBar>
#include <QScrollArea>
#include <QScrollBar>
#include <QMenuBar>
#include <QMimeData>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>
#include <QStatusBar>
#include <QTimer>
#include <QVBoxLayout>

namespace vitscope {

namespace {

constexpr int kMaxRecent = 8;

bool looks_like_model(const QString& path) {
    const QFileInfo fi(path);
    if (fi.isDir()) return true;
    return fi.suffix().compare("safetensors", Qt::CaseInsensitive) == 0;
}

// A dock whose body scrolls when the window is made smaller than the body's minimum size: docks
// then never overlap one another (a projector at 640x420), and they grow with the window again.
QDockWidget* make_dock(const QString& title, const QString& name, QWidget* body, QWidget* parent) {
    auto* d = new QDockWidget(title, parent);
    d->setObjectName(name);
    auto* scroll = new QScrollArea;
    scroll->setWidget(body);
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setMinimumSize(120, 80);
    d->setWidget(scroll);
    return d;
}

}  // namespace

MainWindow::MainWindow(bool persist, QWidget* parent)
    : QMainWindow(parent), persist_(persist), session_(new Session(this)), settings_(new ViewSettings(session_, this)) {
    setWindowTitle(tr("vitscope"));
    setAcceptDrops(true);
    if (persist_) {
        QSettings s;
        settings_->load(s);
    }

    startup_clock_.start();
    connect(session_, &Session::model_changed, this, [this] {
        if (startup_.model_ms < 0) startup_.model_ms = double(startup_clock_.nsecsElapsed()) / 1e6;
    });
    connect(session_, &Session::trace_changed, this, [this] {
        if (startup_.trace_ms >= 0 || !session_->has_trace()) return;
        startup_.trace_ms = double(startup_clock_.nsecsElapsed()) / 1e6;
        startup_.forward_ms = session_->last_compute_ms();
        // The first heatmap first: the docks' views paint in the frame after it (Qt composes every
        // GL view of the window in one frame, and under llvmpipe the first text of each costs tens
        // of ms). Connected before the panels, so their refresh() for this trace waits too.
        if (!image_view_->isVisible()) return;
        for (QDockWidget* d : findChildren<QDockWidget*>()) d->setUpdatesEnabled(false);
        QTimer::singleShot(400, this, &MainWindow::resume_dock_updates);  // in case no frame comes
    });
    // First: the frame clock starts before any view rebuilds for the change.
    connect(settings_, &ViewSettings::selection_changed, this, [this] { frame_clock_.start(); });
    connect(settings_, &ViewSettings::style_changed, this, [this] { frame_clock_.start(); });
    image_view_ = new ImageView(session_, settings_);
    connect(image_view_, &QOpenGLWidget::frameSwapped, this, [this] {
        if (startup_.heatmap_ms < 0 && startup_.trace_ms >= 0) {
            startup_.heatmap_ms = double(startup_clock_.nsecsElapsed()) / 1e6;
            emit first_heatmap_shown();
            resume_dock_updates();
        }
        if (!frame_clock_.isValid()) return;
        frame_ms_.push_back(double(frame_clock_.nsecsElapsed()) / 1e6);
        if (frame_ms_.size() > 64) frame_ms_.erase(frame_ms_.begin());
        frame_clock_.invalidate();
        update_status();
    });
    banner_ = new QLabel;
    banner_->setWordWrap(true);
    banner_->setStyleSheet("QLabel { background: #7a1f1f; color: white; padding: 6px; }");
    banner_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    banner_->hide();
    auto* central = new QWidget;
    auto* v = new QVBoxLayout(central);
    v->setContentsMargins(0, 0, 0, 0);
    v->setSpacing(0);
    v->addWidget(banner_);
    v->addWidget(image_view_, 1);
    setCentralWidget(central);

    controls_ = new ControlsDock(session_, settings_, this);
    addDockWidget(Qt::LeftDockWidgetArea, controls_);
    heads_ = new HeadsGrid(session_, settings_);
    QDockWidget* heads_dock = make_dock(tr("Heads"), "heads", heads_, this);
    addDockWidget(Qt::RightDockWidgetArea, heads_dock);
    overview_ = new OverviewCanvas(session_, settings_);
    auto* overview_box = new QWidget;  // not the GL widget itself: a scroll area fills its widget's background
    auto* ov = new QVBoxLayout(overview_box);
    ov->setContentsMargins(0, 0, 0, 0);
    ov->addWidget(overview_);
    QDockWidget* overview_dock = make_dock(tr("Overview"), "overview", overview_box, this);
    addDockWidget(Qt::RightDockWidgetArea, overview_dock);
    tabifyDockWidget(heads_dock, overview_dock);
    heads_dock->raise();
    matrix_ = new AttentionMatrixView(session_, settings_);
    chart_ = new QueryRowChart(session_, settings_);
    auto* matrix_box = new QWidget;
    auto* mv = new QVBoxLayout(matrix_box);
    mv->setContentsMargins(0, 0, 0, 0);
    mv->addWidget(matrix_, 3);
    mv->addWidget(chart_, 1);
    QDockWidget* matrix_dock = make_dock(tr("Attention matrix"), "matrix", matrix_box, this);
    addDockWidget(Qt::RightDockWidgetArea, matrix_dock);
    explained_ = new ExplainedPanel(session_, settings_);
    QDockWidget* explained_dock = make_dock(tr("Explained"), "explained", explained_, this);
    addDockWidget(Qt::RightDockWidgetArea, explained_dock);
    tabifyDockWidget(matrix_dock, explained_dock);
    analyses_ = new AnalysesPanel(session_, settings_);
    QDockWidget* analyses_dock = make_dock(tr("Analyses"), "analyses", analyses_, this);
    addDockWidget(Qt::RightDockWidgetArea, analyses_dock);
    tabifyDockWidget(matrix_dock, analyses_dock);
    matrix_dock->raise();
    predictions_ = new PredictionsPanel(session_);
    addDockWidget(Qt::LeftDockWidgetArea, make_dock(tr("Predictions"), "predictions", predictions_, this));

    build_menus();
    build_status_bar();
    connect(session_, &Session::error, this, [this](const QString& message) {
        // A failed load keeps the previous model; a failed compute keeps the shown trace.
        pending_recent_model_.clear();
        pending_scene_.reset();
        show_error(message);
    });
    connect(session_, &Session::model_changed, this, [this] {
        if (!pending_recent_model_.isEmpty()) {
            add_recent("recent/models", pending_recent_model_);  // only a model that loaded
            pending_recent_model_.clear();
        }
        banner_->hide();
        banner_->clear();
        update_status();
        try {  // e.g. a 21k-class head: no built-in names, say so
            if (const auto m = session_->model()) {
                const std::string note = class_labels_for(*m, default_assets_dir().toStdString()).note;
                if (!note.empty()) statusBar()->showMessage(QString::fromStdString(note), 15000);
            }
        } catch (const std::exception&) {  // no built-in list: the classes show as numbers anyway
        }
        if (pending_scene_) {
            const Scene sc = *pending_scene_;
            pending_scene_.reset();
            apply_scene_state(sc);
        }
    });
    connect(session_, &Session::trace_changed, this, &MainWindow::update_status);
    connect(session_, &Session::busy_changed, this, &MainWindow::update_status);
    // Queued: the question is asked from the event loop, not inside the request that raised it.
    connect(session_, &Session::memory_decision_needed, this, &MainWindow::ask_memory_budget, Qt::QueuedConnection);
    connect(settings_, &ViewSettings::selection_changed, this, &MainWindow::update_status);
    connect(image_view_, &ImageView::hovered, this, [this](const QString& t) {
        if (t.isEmpty())
            statusBar()->clearMessage();
        else
            statusBar()->showMessage(t);
    });
    attach_figure_menu(image_view_, FigureView::Image);
    attach_figure_menu(heads_->canvas(), FigureView::Heads);
    attach_figure_menu(matrix_, FigureView::Matrix);
    attach_figure_menu(chart_, FigureView::Query);
    attach_figure_menu(predictions_, FigureView::Predictions);
    attach_figure_menu(explained_->canvas(), FigureView::Shift);
    attach_figure_menu(analyses_->canvas(), FigureView::Distance);
    attach_figure_menu(overview_, FigureView::Overview);
    connect(overview_, &OverviewCanvas::hovered, this, [this](const QString& t) {
        if (t.isEmpty()) statusBar()->clearMessage();
        else statusBar()->showMessage(t);
    });
    connect(explained_->canvas(), &ExplainedCanvas::hovered, this, [this](const QString& t) {
        if (t.isEmpty()) statusBar()->clearMessage();
        else statusBar()->showMessage(t);
    });
    // 1500x940, or the screen's available area where that is smaller (a 1280x720 projector).
    const QSize avail = screen() ? screen()->availableGeometry().size() : QSize(1500, 940);
    resize(std::min(1500, avail.width()), std::min(940, avail.height()));
    if (persist_) {
        QSettings s;
        restoreGeometry(s.value("window/geometry").toByteArray());
        saved_state_ = s.value("window/state").toByteArray();
    }
}

void MainWindow::showEvent(QShowEvent* e) {
    QMainWindow::showEvent(e);
    if (!default_state_.isEmpty()) return;
    // The layout is in place now: size the docks, keep that for Reset Layout, then restore the last
    // session's docks.
    size_docks();
    default_state_ = saveState();
    if (!saved_state_.isEmpty()) restoreState(saved_state_);
}

MainWindow::~MainWindow() = default;

void MainWindow::closeEvent(QCloseEvent* e) {
    if (persist_) {
        QSettings s;
        settings_->save(s);
        s.setValue("window/geometry", saveGeometry());
        s.setValue("window/state", saveState());
    }
    QMainWindow::closeEvent(e);
}

void MainWindow::build_menus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("Open &Image…"), QKeySequence::Open, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open image"), QString(),
                                                       tr("Images (*.png *.jpg *.jpeg *.bmp *.webp *.gif);;All files (*)"));
        if (!p.isEmpty()) open_image(p);
    });
    file->addAction(tr("Open &Model File…"), QKeySequence(tr("Ctrl+M")), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open model (timm .safetensors or a HF config.json)"),
                                                       QString(), tr("Models (*.safetensors config.json)"));
        if (p.isEmpty()) return;
        open_model(QFileInfo(p).fileName() == "config.json" ? QFileInfo(p).absolutePath() : p);
    });
    file->addAction(tr("Open Model &Folder…"), this, [this] {
        const QString p = QFileDialog::getExistingDirectory(this, tr("Open a Hugging Face model folder"));
        if (!p.isEmpty()) open_model(p);
    });
    file->addAction(tr("Model &Library…"), QKeySequence(tr("Ctrl+Shift+M")), this, [this] {
        model_library()->show();
        model_library()->raise();
    });
    file->addAction(tr("Open &Labels…"), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open class names"), QString(),
                                                       tr("Class names (*.txt *.json);;All files (*)"));
        if (!p.isEmpty()) open_labels(p);
    });
    file->addAction(tr("&Paste Image"), QKeySequence::Paste, this, &MainWindow::paste_image);
    file->addSeparator();
    file->addAction(tr("&Export Figure…"), QKeySequence(tr("Ctrl+E")), this,
                    [this] { export_figure_dialog(current_view_); });
    file->addAction(tr("&Copy Figure"), QKeySequence(tr("Ctrl+Shift+C")), this, [this] { copy_figure(current_view_); });
    file->addAction(tr("Export Side-by-Side Figure (paper vs current)…"), this,
                    [this] { export_figure_dialog(FigureView::Compare); });
    file->addAction(tr("Export Teaching &Sheet (PDF)…"), this, &MainWindow::export_sheet_dialog);
    file->addAction(tr("Export &Layer Sweep (GIF)…"), this, &MainWindow::export_sweep_dialog);
    file->addSeparator();
    file->addAction(tr("Save &Scene…"), QKeySequence(tr("Ctrl+Shift+S")), this, [this] {
        const QString p = QFileDialog::getSaveFileName(this, tr("Save scene"),
                                                       scene_path_.isEmpty() ? QDir::home().filePath(QString("scene") + kSceneSuffix)
                                                                             : scene_path_,
                                                       tr("Scenes (*%1)").arg(kSceneSuffix));
        if (!p.isEmpty()) save_scene(p.endsWith(kSceneSuffix) ? p : p + kSceneSuffix);
    });
    file->addAction(tr("Open S&cene…"), QKeySequence(tr("Ctrl+Shift+O")), this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open scene"), QFileInfo(scene_path_).absolutePath(),
                                                       tr("Scenes (*%1);;All files (*)").arg(kSceneSuffix));
        if (!p.isEmpty()) open_scene(p);
    });
    file->addSeparator();
    recent_models_ = file->addMenu(tr("Recent Models"));
    recent_images_ = file->addMenu(tr("Recent Images"));
    rebuild_recent_menus();
    file->addSeparator();
    file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

    QMenu* view = menuBar()->addMenu(tr("&View"));
    view->addAction(tr("Next Layer"), QKeySequence(Qt::Key_BracketRight), this, [this] { step_layer(1); });
    view->addAction(tr("Previous Layer"), QKeySequence(Qt::Key_BracketLeft), this, [this] { step_layer(-1); });
    view->addAction(tr("Next Head"), QKeySequence(Qt::Key_Period), this, [this] { step_head(1); });
    view->addAction(tr("Previous Head"), QKeySequence(Qt::Key_Comma), this, [this] { step_head(-1); });
    view->addAction(tr("Query: CLS"), QKeySequence(Qt::Key_Home), this, [this] {
        if (!session_->is_swin()) settings_->set_query(0);  // Swin has no CLS token
    });
    QAction* next_scene = view->addAction(tr("Next Scene"), QKeySequence(Qt::Key_PageDown), this, [this] { step_scene(1); });
    next_scene->setObjectName("next_scene");
    QAction* prev_scene = view->addAction(tr("Previous Scene"), QKeySequence(Qt::Key_PageUp), this, [this] { step_scene(-1); });
    prev_scene->setObjectName("previous_scene");
    view->addSeparator();
    for (QDockWidget* d : findChildren<QDockWidget*>()) view->addAction(d->toggleViewAction());
    view->addSeparator();
    QAction* present = view->addAction(tr("&Presentation Mode"), QKeySequence(Qt::Key_F5), this,
                                       [this] { set_presentation(!presenting_); });
    present->setObjectName("presentation");
    present->setToolTip(tr("Full screen: the image and one panel, large text; F6 shows the controls, Esc leaves"));
    QAction* leave = view->addAction(tr("Leave Presentation"), QKeySequence(Qt::Key_Escape), this, [this] {
        if (presenting_) set_presentation(false);
    });
    leave->setVisible(false);  // Esc works, the menu shows F5
    QAction* overlay = view->addAction(tr("Controls Overlay"), QKeySequence(Qt::Key_F6), this,
                                       &MainWindow::toggle_controls_overlay);
    overlay->setObjectName("controls_overlay");
    QMenu* panel = view->addMenu(tr("Presentation Panel"));
    auto* group = new QActionGroup(panel);
    const std::pair<const char*, QString> panels[] = {{"heads", tr("Heads")},
                                                      {"overview", tr("Overview")},
                                                      {"matrix", tr("Attention matrix")},
                                                      {"predictions", tr("Predictions")},
                                                      {"explained", tr("Explained")},
                                                      {"analyses", tr("Analyses")}};
    for (const auto& [name, title] : panels) {
        QAction* a = panel->addAction(title, this, [this, n = QString(name)] { set_presentation_panel(n); });
        a->setCheckable(true);
        a->setChecked(presentation_panel_ == name);
        group->addAction(a);
    }
    view->addSeparator();
    QAction* reset = view->addAction(tr("&Reset Layout"), this, &MainWindow::reset_layout);
    reset->setObjectName("reset_layout");
    reset->setToolTip(tr("Put every panel back where it starts (after the window was small, or panels were closed)"));

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    QAction* keys = help->addAction(tr("&Keyboard Shortcuts"), this, [this] {
        QMessageBox::information(this, tr("Keyboard shortcuts"), shortcuts_html());
    });
    keys->setObjectName("help_shortcuts");
    QAction* tour = help->addAction(tr("&Guided Tour"), QKeySequence::HelpContents, this, [this] {
        QMessageBox box(QMessageBox::NoIcon, tr("Guided tour"), tour_html(), QMessageBox::Close, this);
        box.exec();
    });
    tour->setObjectName("help_tour");
}

QString MainWindow::shortcuts_html() {
    return tr("<table cellspacing=6>"
              "<tr><td><b>[</b> / <b>]</b></td><td>previous / next layer (Swin: block)</td></tr>"
              "<tr><td><b>,</b> / <b>.</b></td><td>previous / next head (after the last: the mean)</td></tr>"
              "<tr><td><b>Home</b></td><td>query: CLS</td></tr>"
              "<tr><td>click</td><td>pick the query (or mask keys with the Mask tool)</td></tr>"
              "<tr><td>wheel / drag</td><td>zoom / pan the attention matrix</td></tr>"
              "<tr><td><b>Ctrl+O</b>, <b>Ctrl+M</b>, <b>Ctrl+V</b></td><td>open image, open model, paste image</td></tr>"
              "<tr><td><b>Ctrl+E</b>, <b>Ctrl+Shift+C</b></td><td>export / copy the figure</td></tr>"
              "<tr><td><b>F1</b></td><td>guided tour</td></tr>"
              "</table>");
}

QString MainWindow::tour_html() {
    return tr(
        "<h3>1. Attention is a look-up</h3>"
        "<p>Every patch asks a question (its query q) and every patch offers an answer key k. softmax(q·k) says "
        "how much each key is read. Click a patch: the map shows where it looks.</p>"
        "<h3>2. Why divide by √d_k?</h3>"
        "<p>q·k sums d_k products, so its spread grows like √d_k. Large logits push the softmax onto a single key "
        "and its gradients vanish. Set <i>Scale</i> to <i>none</i>: the maps turn into dots and the entropy falls.</p>"
        "<h3>3. Why masks?</h3>"
        "<p>A mask puts −∞ on a logit, so that key gets exactly zero attention: padding must not be read, a "
        "language model must not read the future (<i>causal</i>), and Swin's shifted windows must not mix pieces "
        "from opposite edges (the <i>shift mask</i>). Try the Mask tool on the object and watch the prediction.</p>"
        "<h3>4. Why many heads?</h3>"
        "<p>One softmax can only point one way at a time. Several heads with small d_k look for different things "
        "(neighbours, the object, the background); the heads grid shows them side by side. Switch a head off "
        "(<i>Heads on</i>) to see what the model loses.</p>"
        "<h3>5. Layers</h3>"
        "<p>Step through the layers with [ and ]: early heads look near the query, later ones across the image.</p>");
}

Scene MainWindow::current_scene() const {
    Scene s;
    s.model_path = session_->model_path().isEmpty() ? QString() : QFileInfo(session_->model_path()).absoluteFilePath();
    s.image_path = image_path_;
    s.options = session_->options();
    s.swin_options = session_->swin_options();
    s.preprocess = session_->preprocess_mode();
    s.layer = settings_->layer();
    s.head = settings_->head();
    s.query = settings_->query();
    s.style = settings_->style();
    s.swin_regions = settings_->show_swin_regions();
    return s;
}

bool MainWindow::save_scene(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(scene_to_json(current_scene())) < 0) {
        show_error_keeping(tr("%1: cannot write the scene (%2)").arg(path, f.errorString()), QString());
        return false;
    }
    scene_path_ = QFileInfo(path).absoluteFilePath();
    statusBar()->showMessage(tr("Saved scene %1").arg(QFileInfo(path).fileName()), 5000);
    return true;
}

bool MainWindow::open_scene(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        show_error_keeping(tr("%1: cannot read the scene (%2)").arg(path, f.errorString()), QString());
        return false;
    }
    try {
        const QFileInfo fi(path);
        const Scene s = scene_from_json(f.readAll(), fi.fileName(), fi.absolutePath());
        scene_path_ = fi.absoluteFilePath();
        apply_scene(s);
    } catch (const std::exception& e) {
        show_error_keeping(QString::fromStdString(e.what()), QString());
        return false;
    }
    statusBar()->showMessage(tr("Scene %1").arg(QFileInfo(path).fileName()), 5000);
    return true;
}

void MainWindow::apply_scene(const Scene& s) {
    if (!s.image_path.isEmpty() && s.image_path != image_path_) open_image(s.image_path);
    const QString current = session_->model_path().isEmpty() ? QString() : QFileInfo(session_->model_path()).absoluteFilePath();
    if (!s.model_path.isEmpty() && s.model_path != current) {
        pending_scene_ = s;  // options and selection once the model is in place (a load resets options)
        open_model(s.model_path);
        return;
    }
    apply_scene_state(s);
}

void MainWindow::apply_scene_state(const Scene& s) {
    session_->set_preprocess_mode(s.preprocess);
    session_->set_options(s.options);
    if (session_->is_swin()) session_->set_swin_options(s.swin_options);
    settings_->set_style(s.style);
    settings_->set_show_swin_regions(s.swin_regions);
    settings_->set_layer(s.layer);
    settings_->set_head(s.head);
    settings_->set_query(s.query);
}

bool MainWindow::step_scene(int delta) {
    if (scene_path_.isEmpty()) {
        statusBar()->showMessage(tr("Open a scene first (File > Open Scene…): PageUp/PageDown step through its folder."), 5000);
        return false;
    }
    const QStringList files = scene_files(QFileInfo(scene_path_).absolutePath());
    if (files.isEmpty()) return false;
    const int at = int(files.indexOf(scene_path_));
    const int next = std::clamp(at < 0 ? 0 : at + delta, 0, int(files.size()) - 1);
    if (next == at) return false;
    return open_scene(files[next]);
}

void MainWindow::set_presentation_panel(const QString& name) {
    presentation_panel_ = name;
    if (presenting_) {
        for (QDockWidget* d : findChildren<QDockWidget*>())
            if (d != controls_) d->setVisible(d->objectName() == name);
        if (QDockWidget* d = findChild<QDockWidget*>(name)) d->raise();
    }
}

void MainWindow::set_presentation(bool on) {
    if (on == presenting_) return;
    presenting_ = on;
    if (on) {
        before_presentation_ = saveState();
        for (QDockWidget* d : findChildren<QDockWidget*>())
            if (d != controls_) d->setVisible(d->objectName() == presentation_panel_);
        controls_->setFloating(true);  // an overlay over the picture, shown on demand (F6)
        controls_->hide();
        settings_->set_text_scale(1.6f);
        showFullScreen();
        if (QDockWidget* d = findChild<QDockWidget*>(presentation_panel_)) {
            d->raise();
            resizeDocks({d}, {width() * 35 / 100}, Qt::Horizontal);
        }
        statusBar()->showMessage(tr("Presentation: F6 shows the controls, Esc or F5 leaves"), 4000);
    } else {
        settings_->set_text_scale(1.0f);
        showNormal();
        controls_->setFloating(false);
        restoreState(before_presentation_);
        for (QDockWidget* d : findChildren<QDockWidget*>())
            if (!d->isFloating() && d->isHidden() && !tabifiedDockWidgets(d).isEmpty()) d->show();
    }
}

void MainWindow::toggle_controls_overlay() {
    if (!presenting_) return;
    if (controls_->isVisible()) {
        controls_->hide();
        return;
    }
    controls_->setFloating(true);
    const QRect g = geometry();
    controls_->setGeometry(g.x() + 12, g.y() + 40, std::max(360, controls_->sizeHint().width()), g.height() * 2 / 3);
    controls_->show();
    controls_->raise();
}

void MainWindow::step_layer(int delta) {
    const auto m = session_->model();
    if (!m) return;
    settings_->set_layer(std::clamp(settings_->layer() + delta, 0, m->attention_layers() - 1));
}

void MainWindow::step_head(int delta) {
    const auto m = session_->model();
    if (!m) return;
    int H = m->vit ? m->vit->hp.num_heads : 1;
    if (const auto st = session_->swin_trace())
        H = st->blocks[size_t(std::clamp(settings_->layer(), 0, int(st->blocks.size()) - 1))].num_heads;
    else if (m->swin)
        return;
    // Positions 0..H-1 are heads, H is the mean.
    const int pos = settings_->head() == kMeanOfHeads ? H : settings_->head();
    const int next = std::clamp(pos + delta, 0, H);
    settings_->set_head(next == H ? kMeanOfHeads : next);
}

void MainWindow::build_status_bar() {
    model_status_ = new QLabel;
    tokens_status_ = new QLabel;
    timing_status_ = new QLabel;
    statusBar()->addPermanentWidget(model_status_);
    statusBar()->addPermanentWidget(tokens_status_);
    statusBar()->addPermanentWidget(timing_status_);
    progress_ = new QProgressBar;
    progress_->setRange(0, 0);  // busy indicator: loads and forwards report no fractions
    progress_->setMaximumWidth(120);
    progress_->setMaximumHeight(14);
    progress_->setTextVisible(false);
    progress_->hide();
    statusBar()->addPermanentWidget(progress_);
}

void MainWindow::update_status() {
    // Each permanent field has a full, a medium and a short text; the bar shows the longest level at
    // which all of them fit its width (nothing cut, down to a 640 px window); the full text of each is
    // its tooltip.
    const auto m = session_->model();
    QStringList model;
    if (m) {
        model = {tr("%1 · %2").arg(session_->model_name(), QString::fromStdString(m->info().architecture)),
                 tr("%1 · %2").arg(session_->model_name(), m->swin ? tr("Swin") : tr("ViT")), session_->model_name()};
    } else {
        model = {tr("no model"), tr("no model"), tr("no model")};
    }
    if (!startup_note_.isEmpty()) {
        model[0] = startup_note_ + "  ·  " + model[0];
        model[1] = startup_note_ + "  ·  " + model[1];
    }
    const auto t = session_->trace();
    const auto st = session_->swin_trace();
    QStringList tokens = {QString(), QString(), QString()};
    if (st && !st->blocks.empty()) {
        const int b = std::clamp(settings_->layer(), 0, int(st->blocks.size()) - 1);
        const SwinWindowGeometry& g = st->blocks[size_t(b)].geometry;
        const QString block = QString::fromStdString(swin_block_name(*st, b));
        tokens = {tr("%1 · %2×%3 tokens of %4 px · %5 windows of %6×%6, shift %7")
                      .arg(block)
                      .arg(g.height)
                      .arg(g.width)
                      .arg(st->stage_stride(st->blocks[size_t(b)].stage))
                      .arg(g.num_windows())
                      .arg(g.window)
                      .arg(g.shift),
                  tr("%1 · %2×%3 tokens · %4 windows").arg(block).arg(g.height).arg(g.width).arg(g.num_windows()),
                  tr("%1×%2 tokens").arg(g.height).arg(g.width)};
    } else if (t) {
        tokens = {tr("%1 tokens (%2 special + %3×%4 patches)").arg(t->num_tokens).arg(t->num_prefix).arg(t->grid_height).arg(t->grid_width),
                  tr("%1 tokens (%2×%3 patches)").arg(t->num_tokens).arg(t->grid_height).arg(t->grid_width),
                  tr("%1 tokens").arg(t->num_tokens)};
    }
    // Attention kept for some layers only (the memory budget): say so, never a silent blank view.
    if (const std::optional<AttentionSource> src = attention_source(session_->state()); src && src->layers() > 0) {
        const int layer = std::clamp(settings_->layer(), 0, src->layers() - 1);
        const QString not_kept = QString::fromStdString(layer_not_kept_text(*src, layer));
        if (!not_kept.isEmpty()) {
            const QString more = session_->busy() ? tr(" Computing it…") : QString();
            tokens = {not_kept + more, tr("%1 not kept").arg(QString::fromStdString(src->name(layer))) + more,
                      tr("not kept")};
        } else if (!src->all_kept()) {
            for (QString& text : tokens) text += tr(" · attention kept for this layer only (memory budget)");
        }
    }
    QStringList timing = {QString(), QString(), QString()};
    progress_->setVisible(session_->busy());
    if (session_->loading()) {
        timing = {tr("loading model…"), tr("loading…"), tr("loading…")};
    } else if (session_->busy()) {
        timing = {tr("computing…"), tr("computing…"), tr("computing…")};
    } else if (t || st) {
        const QString ms = QString::number(session_->last_compute_ms(), 'f', 1);
        if (session_->last_was_full())
            timing = {tr("forward %1 ms").arg(ms), tr("forward %1 ms").arg(ms), tr("%1 ms").arg(ms)};
        else
            timing = {tr("partial recompute %1 ms (%2 %3 from %4)")
                          .arg(ms)
                          .arg(session_->last_layers_computed())
                          .arg(st ? tr("blocks") : tr("layers"))
                          .arg(session_->last_recompute_from()),
                      tr("partial %1 ms").arg(ms), tr("%1 ms").arg(ms)};
    }
    if (!frame_ms_.empty() && !session_->busy()) {
        const QString last = QString::number(last_frame_ms(), 'f', 0), median = QString::number(median_frame_ms(), 'f', 0);
        timing[0] += tr(" · redraw %1 ms (median %2)").arg(last, median);
        timing[1] += tr(" · redraw %1 ms").arg(last);
        timing[2] += tr(" · %1 ms").arg(last);
    }
    const std::array<QLabel*, 3> fields = {model_status_, tokens_status_, timing_status_};
    const std::array<const QStringList*, 3> texts = {&model, &tokens, &timing};
    // Room: the bar less the progress indicator, the size grip and the spacing between fields.
    const int room = statusBar()->width() - (progress_->isVisible() ? progress_->maximumWidth() : 0) - 60;
    int level = 0;
    for (; level < 2; ++level) {
        int need = 0;
        for (size_t i = 0; i < fields.size(); ++i)
            need += fields[i]->fontMetrics().horizontalAdvance((*texts[i])[level]) + 12;
        if (need <= room) break;
    }
    for (size_t i = 0; i < fields.size(); ++i) {
        fields[i]->setText((*texts[i])[level]);
        fields[i]->setToolTip((*texts[i])[0]);
    }
}

void MainWindow::ask_memory_budget() {
    const std::optional<MemoryDecision>& d = session_->memory_decision();
    if (!d) return;  // answered meanwhile
    const MemoryChoice choice = ask_memory_choice(this, *d, session_->is_swin());
    session_->decide_memory(choice);
    if (choice == MemoryChoice::Cancel)
        statusBar()->showMessage(tr("Forward pass cancelled: its attention would exceed the memory budget."), 8000);
    update_status();
}

void MainWindow::resizeEvent(QResizeEvent* e) {
    QMainWindow::resizeEvent(e);
    update_status();  // the status fields' texts follow the width
}

double MainWindow::median_frame_ms() const {
    if (frame_ms_.empty()) return 0.0;
    std::vector<double> v = frame_ms_;
    std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
    return v[v.size() / 2];
}

void MainWindow::show_error(const QString& message) {
    show_error_keeping(message, session_->model() ? tr("model %1").arg(session_->model_name()) : QString());
}

void MainWindow::show_error_keeping(const QString& message, const QString& kept) {
    banner_->setText(tr("Error: %1").arg(message) + (kept.isEmpty() ? QString() : tr("\nStill using %1.").arg(kept)));
    banner_->show();
}

QStringList MainWindow::recent_models() const {
    return persist_ ? QSettings().value("recent/models").toStringList() : QStringList();
}

QStringList MainWindow::recent_images() const {
    return persist_ ? QSettings().value("recent/images").toStringList() : QStringList();
}

void MainWindow::reset_layout() {
    for (QDockWidget* d : findChildren<QDockWidget*>()) {
        d->setFloating(false);
        d->show();
    }
    restoreState(default_state_);
    size_docks();
}

void MainWindow::size_docks() {
    // Tabs of tabbed docks scroll rather than elide their titles ("Attentio…").
    for (QTabBar* tabs : findChildren<QTabBar*>()) {
        tabs->setElideMode(Qt::ElideNone);
        tabs->setUsesScrollButtons(true);
    }
    // Left: as wide as the controls need (nothing cut), at least a fifth of the window. Right: what
    // the image view leaves, between 300 px and 30% of the window: the view is as wide as a square
    // heatmap filling its height needs (title and bottom line above and below, the special-token
    // column and the colourbar beside), so no band of it stays empty.
    auto* scroll = qobject_cast<QScrollArea*>(controls_->widget());
    int need = 280;
    if (scroll && scroll->widget())
        need = scroll->widget()->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width() + 8;
    const int w = width();
    QDockWidget* right = nullptr;
    for (QDockWidget* d : findChildren<QDockWidget*>())
        if (!d->isHidden() && dockWidgetArea(d) == Qt::RightDockWidgetArea) right = d;
    const int left = std::max(need, w / 5);
    resizeDocks({controls_}, {left}, Qt::Horizontal);
    const int view_h = centralWidget()->height() > 100 ? centralWidget()->height() : height() - 90;
    const int view_w = image_view_->width_to_fill(view_h);
    if (right) resizeDocks({right}, {std::clamp(w - left - view_w, 300, std::max(w * 30 / 100, 300))}, Qt::Horizontal);
}

QString MainWindow::error_text() const { return banner_->isHidden() ? QString() : banner_->text(); }

void MainWindow::open_model(const QString& path) {
    if (const std::optional<HubId> id = hub_id_of(path)) {
        const QString snapshot = snapshot_folder(hub_cache_root(), *id);
        if (!snapshot_complete(snapshot)) {  // the dialog downloads it, then asks to open the snapshot
            model_library()->show();
            model_library()->fetch(*id);
            return;
        }
        pending_recent_model_ = path;
        session_->open_model(snapshot);
        return;
    }
    pending_recent_model_ = path;
    session_->open_model(path);
}

ModelLibraryDialog* MainWindow::model_library() {
    if (!model_library_) {
        model_library_ = new ModelLibraryDialog(persist_, this);
        connect(model_library_, &ModelLibraryDialog::open_requested, this, [this](const QString& p) {
            pending_recent_model_ = p;
            session_->open_model(p);
        });
    }
    return model_library_;
}

bool MainWindow::open_image(const QString& path) {
    try {
        QString note;  // e.g. a very large image downscaled on decode
        set_image(load_rgb_image(path, &note), QFileInfo(path).fileName());
        if (!note.isEmpty()) statusBar()->showMessage(note, 10000);
    } catch (const std::exception& e) {
        // The image on screen stays: name it, not the model.
        const QString kept = session_->image_name();
        show_error_keeping(QString::fromStdString(e.what()), kept.isEmpty() ? QString() : tr("image %1").arg(kept));
        return false;
    }
    add_recent("recent/images", path);
    image_path_ = QFileInfo(path).absoluteFilePath();
    return true;
}

bool MainWindow::open_labels(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) {
        show_error(tr("%1: cannot read (%2)").arg(path, f.errorString()));
        return false;
    }
    const QByteArray data = f.readAll();
    QStringList labels;
    const QJsonDocument doc = QJsonDocument::fromJson(data);
    if (doc.isArray()) {
        for (const QJsonValue& v : doc.array()) labels << v.toString();
    } else if (doc.isObject()) {
        QJsonObject o = doc.object();
        if (o.contains("id2label") && o.value("id2label").isObject()) o = o.value("id2label").toObject();
        int n = 0;
        for (const QString& k : o.keys()) n = std::max(n, k.toInt() + 1);
        labels.resize(n);
        for (const QString& k : o.keys()) labels[k.toInt()] = o.value(k).toString();
    } else {
        labels = QString::fromUtf8(data).split('\n');
        for (QString& l : labels) l = l.trimmed();
        while (!labels.isEmpty() && labels.last().isEmpty()) labels.removeLast();
    }
    const int classes = session_->logits() ? int(session_->logits()->size()) : 0;
    if (labels.isEmpty()) {
        show_error(tr("%1: no class names found (one per line, or JSON)").arg(QFileInfo(path).fileName()));
        return false;
    }
    session_->set_labels(labels);
    statusBar()->showMessage(classes > 0 && labels.size() != classes
                                 ? tr("%1 class names for %2 classes: the others show as \"class N\"").arg(labels.size()).arg(classes)
                                 : tr("%1 class names from %2").arg(labels.size()).arg(QFileInfo(path).fileName()),
                             6000);
    return true;
}

void MainWindow::set_image(const RgbImage& image, const QString& name) {
    banner_->hide();
    image_path_.clear();  // open_image sets it after this
    session_->set_image(image, name);
    setWindowTitle(tr("vitscope — %1").arg(name));
}

void MainWindow::paste_image() {
    const QImage img = QApplication::clipboard()->image();
    if (img.isNull()) {
        show_error(tr("the clipboard holds no image"));
        return;
    }
    set_image(rgb_image_from_qimage(img), tr("pasted image"));
}

void MainWindow::dragEnterEvent(QDragEnterEvent* e) {
    if (e->mimeData()->hasUrls() || e->mimeData()->hasImage()) e->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* e) {
    const QMimeData* md = e->mimeData();
    if (md->hasUrls() && !md->urls().isEmpty() && md->urls().first().isLocalFile()) {
        const QString p = md->urls().first().toLocalFile();
        if (looks_like_model(p))
            open_model(p);
        else
            open_image(p);
        e->acceptProposedAction();
    } else if (md->hasImage()) {
        set_image(rgb_image_from_qimage(qvariant_cast<QImage>(md->imageData())), tr("dropped image"));
        e->acceptProposedAction();
    }
}

void MainWindow::add_recent(const QString& key, const QString& path) {
    if (!persist_) return;
    QSettings s;
    QStringList list = s.value(key).toStringList();
    list.removeAll(path);
    list.prepend(QFileInfo(path).absoluteFilePath());
    while (list.size() > kMaxRecent) list.removeLast();
    s.setValue(key, list);
    rebuild_recent_menus();
}

void MainWindow::rebuild_recent_menus() {
    recent_models_->clear();
    recent_images_->clear();
    if (!persist_) return;
    QSettings s;
    for (const QString& p : s.value("recent/models").toStringList())
        recent_models_->addAction(p, this, [this, p] { open_model(p); });
    for (const QString& p : s.value("recent/images").toStringList())
        recent_images_->addAction(p, this, [this, p] { open_image(p); });
}

void MainWindow::resume_dock_updates() {
    for (QDockWidget* d : findChildren<QDockWidget*>()) {
        if (d->updatesEnabled()) continue;
        d->setUpdatesEnabled(true);
        for (GlFigureWidget* v : d->findChildren<GlFigureWidget*>()) v->update();
        d->update();
    }
}

void MainWindow::start(const StartupChoice& choice) {
    QStringList notes;
    QString model = choice.model_path;
    if (model.isEmpty()) {
        const QString def = default_vit_model_path();
        if (QFileInfo(def + "/model.safetensors").exists()) {
            model = def;
        } else {
            model = QStringLiteral(VITSCOPE_FALLBACK_MODEL);
            notes << tr("default model not built yet: test fixture");
        }
    }
    if (const auto id = hub_id_of(model); id && !snapshot_complete(snapshot_folder(hub_cache_root(), *id))) {
        // Downloaded in the Model library, which opens it when done; the default model meanwhile.
        session_->open_model(default_vit_model_path());
        open_model(model);
    } else if (id) {
        open_model(model);  // from the cache
    } else {
        if (!choice.model_path.isEmpty()) pending_recent_model_ = model;  // a recent file once it loads
        session_->open_model(model);
    }

    QString image = choice.image_path;
    if (image.isEmpty()) {
        const QString def = default_image_path();
        if (QFileInfo(def).exists()) image = def;
    }
    if (image.isEmpty() || !open_image(image)) {
        if (choice.image_path.isEmpty()) notes << tr("default image missing: generated gradient");
        set_image(generated_gradient_image(), tr("generated gradient"));
    }
    startup_note_ = notes.join(", ");
    update_status();
}

}  // namespace vitscope

namespace vitscope {

void MainWindow::attach_figure_menu(QWidget* view, FigureView kind) {
    view->setContextMenuPolicy(Qt::CustomContextMenu);
    connect(view, &QWidget::customContextMenuRequested, this, [this, view, kind0 = kind](const QPoint& pos) {
        // Canvases that switch between figures export the one they show.
        const auto* canvas = qobject_cast<const GlFigureWidget*>(view);
        const FigureView kind = canvas ? canvas->figure_view() : kind0;
        current_view_ = kind;
        QMenu menu(view);
        menu.addAction(tr("Export Figure…"), this, [this, kind] { export_figure_dialog(kind); });
        menu.addAction(tr("Copy Figure"), this, [this, kind] { copy_figure(kind); });
        if (kind == FigureView::Image && session_->is_swin())
            menu.addAction(tr("Export Windows Figure…"), this, [this] { export_figure_dialog(FigureView::Windows); });
        menu.addAction(tr("Export Side-by-Side Figure…"), this, [this] { export_figure_dialog(FigureView::Compare); });
        menu.exec(view->mapToGlobal(pos));
    });
}

void MainWindow::apply_view_extras(ExportRequest& r) const {
    r.swin_step = explained_->canvas()->step();
    r.rollout = analyses_->canvas()->extra_options().rollout;
    r.sandbox_dk = analyses_->canvas()->extra_options().sandbox_dk;
}

bool MainWindow::export_figure_to(const ExportRequest& r) {
    try {
        const QStringList written = export_view(*session_, *settings_, r);
        statusBar()->showMessage(tr("Exported %1").arg(written.join(", ")), 8000);
        return true;
    } catch (const std::exception& e) {
        show_error(tr("Export failed: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
}

bool MainWindow::export_sheet_to(const QString& path, bool dark) {
    try {
        export_teaching_sheet(*session_, *settings_, path, dark);
        statusBar()->showMessage(tr("Exported %1").arg(path), 8000);
        return true;
    } catch (const std::exception& e) {
        show_error(tr("Export failed: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
}

bool MainWindow::export_sweep_to(const QString& gif, const QString& frames, bool dark) {
    try {
        const QStringList written = export_layer_sweep(*session_, *settings_, gif, frames, dark);
        statusBar()->showMessage(tr("Exported %1 (%2 files)").arg(gif).arg(written.size()), 8000);
        return true;
    } catch (const std::exception& e) {
        show_error(tr("Export failed: %1").arg(QString::fromStdString(e.what())));
        return false;
    }
}

void MainWindow::export_figure_dialog(FigureView view) {
    if (!session_->has_trace()) {
        show_error(tr("Nothing to export yet: open a model and an image first."));
        return;
    }
    ExportRequest r = last_export_;
    r.view = view;
    apply_view_extras(r);
    if (r.path.isEmpty()) r.path = QDir::home().filePath(QStringLiteral("vitscope-%1.png").arg(figure_view_name(view)));
    ExportDialog d(r, session_->is_swin(), this);
    if (d.exec() != QDialog::Accepted) return;
    last_export_ = d.request();
    apply_view_extras(last_export_);
    export_figure_to(last_export_);
}

void MainWindow::copy_figure(FigureView view) {
    ExportRequest r = last_export_;
    r.view = view;
    apply_view_extras(r);
    try {
        copy_view_to_clipboard(*session_, *settings_, r);
        statusBar()->showMessage(tr("Copied the %1 figure (PNG and SVG)").arg(figure_view_name(view)), 5000);
    } catch (const std::exception& e) {
        show_error(tr("Copy failed: %1").arg(QString::fromStdString(e.what())));
    }
}

void MainWindow::export_sheet_dialog() {
    const QString p = QFileDialog::getSaveFileName(this, tr("Export teaching sheet"),
                                                   QDir::home().filePath("vitscope-sheet.pdf"), tr("PDF (*.pdf)"));
    if (!p.isEmpty()) export_sheet_to(p, last_export_.dark);
}

void MainWindow::export_sweep_dialog() {
    const QString p = QFileDialog::getSaveFileName(this, tr("Export layer sweep"),
                                                   QDir::home().filePath("vitscope-sweep.gif"), tr("GIF (*.gif)"));
    if (p.isEmpty()) return;
    const QFileInfo fi(p);
    const auto answer = QMessageBox::question(
        this, tr("Layer sweep"), tr("Also write every frame as a numbered PNG in %1?").arg(fi.completeBaseName() + "_frames"));
    export_sweep_to(p, answer == QMessageBox::Yes ? fi.dir().filePath(fi.completeBaseName() + "_frames") : QString(),
                    last_export_.dark);
}

}  // namespace vitscope
