// The window: lays out the panels, owns the File menu, drag and drop, paste, the status bar and the
// error banner. It wires panels to the Session and ViewSettings and knows nothing else.
#pragma once

#include "figure_exporter.h"
#include "scene.h"

#include <QElapsedTimer>
#include <QMainWindow>

#include <optional>
#include <vector>

class QLabel;
class QProgressBar;
class QMenu;

namespace vitscope {

class Session;
class ViewSettings;
class ImageView;
class HeadsGrid;
class AttentionMatrixView;
class QueryRowChart;
class ControlsDock;
class PredictionsPanel;
class ExplainedPanel;
class AnalysesPanel;
class OverviewCanvas;
struct RgbImage;

struct StartupChoice {
    QString model_path;  // empty: the default model (or the fallback)
    QString image_path;  // empty: the default image (or a generated one)
};

class ModelLibraryDialog;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    // persist: read and write QSettings (off in tests).
    explicit MainWindow(bool persist = true, QWidget* parent = nullptr);
    ~MainWindow() override;

    void start(const StartupChoice& choice);
    // A folder, a file, or a Hub id "org/name[@rev]" (opened from the cache; downloaded first in the
    // Model library dialog when missing).
    void open_model(const QString& path);
    // File > Model library… (created on first use).
    ModelLibraryDialog* model_library();
    bool open_image(const QString& path);
    // Class names from a text file (one per line, in class order) or JSON (a list, or {"0": "tench", …}
    // as a config's id2label). false, with the reason in the banner, when the file holds none.
    bool open_labels(const QString& path);
    void set_image(const RgbImage& image, const QString& name);

    Session* session() const { return session_; }
    ViewSettings* view_settings() const { return settings_; }
    ImageView* image_view() const { return image_view_; }
    HeadsGrid* heads_grid() const { return heads_; }
    AttentionMatrixView* matrix_view() const { return matrix_; }
    QueryRowChart* row_chart() const { return chart_; }
    ControlsDock* controls() const { return controls_; }
    PredictionsPanel* predictions() const { return predictions_; }
    ExplainedPanel* explained() const { return explained_; }
    AnalysesPanel* analyses() const { return analyses_; }
    OverviewCanvas* overview() const { return overview_; }
    QString error_text() const;  // the banner's message ("" when hidden)
    // Input-to-pixels time of the image view: from a selection or style change (a key, a slider, a
    // click) to the frame on screen (QOpenGLWidget::frameSwapped), with no forward pass. The last
    // value and the median of the last 64, in ms (0 before the first); also in the status bar.
    double last_frame_ms() const { return frame_ms_.empty() ? 0.0 : frame_ms_.back(); }
    double median_frame_ms() const;
    // Start-up, in ms since the origin (the window's construction unless set_startup_origin gives an
    // earlier clock, e.g. main()'s first line): the first model in place, the first trace, and the
    // first frame of the image view with that trace's heatmap on screen; -1 until they happen.
    struct StartupTimes {
        double model_ms = -1, trace_ms = -1, heatmap_ms = -1;
        double forward_ms = -1;  // the first forward pass itself (the session's timer)
    };
    const StartupTimes& startup_times() const { return startup_; }
    void set_startup_origin(const QElapsedTimer& origin) { startup_clock_ = origin; }
    // File > Recent Models / Recent Images as stored (empty when not persisting).
    QStringList recent_models() const;
    QStringList recent_images() const;
    // Scenes: the state on screen as a Scene, saved to / read from a JSON file; opening one loads its
    // model (if another) and image, then applies options and selection. PageUp/PageDown open the
    // previous/next scene file of the folder the last scene came from. false (banner) on errors.
    Scene current_scene() const;
    bool save_scene(const QString& path);
    bool open_scene(const QString& path);
    void apply_scene(const Scene& scene);
    bool step_scene(int delta);
    QString scene_path() const { return scene_path_; }

    // Presentation mode (F5, Esc leaves): full screen, the image view and one chosen panel
    // ("heads", "matrix", "overview", "predictions", "explained", "analyses"), figure fonts x1.6, the
    // Controls dock as a floating overlay that F6 shows and hides.
    void set_presentation(bool on);
    bool presenting() const { return presenting_; }
    void set_presentation_panel(const QString& dock_name);
    QString presentation_panel() const { return presentation_panel_; }
    void toggle_controls_overlay();

    // Help > Keyboard Shortcuts and Help > Guided Tour (HTML shown in a message box).
    static QString shortcuts_html();
    static QString tour_html();
    // View > Reset Layout: every dock back where and how large it starts.
    void reset_layout();

    // Export without a dialog (the dialog's OK, tests): writes the figure, or shows the error in the
    // banner and returns false; nothing else in the window changes.
    bool export_figure_to(const ExportRequest& request);
    bool export_sheet_to(const QString& pdf_path, bool dark = false);
    bool export_sweep_to(const QString& gif_path, const QString& frames_folder, bool dark = false);
    // File > Export figure… for a view (opens the dialog).
    void export_figure_dialog(FigureView view);
    // Copy figure: the view onto the clipboard as PNG and SVG (light theme, the last export's size).
    void copy_figure(FigureView view);

signals:
    void first_heatmap_shown();  // once: startup_times().heatmap_ms is set

protected:
    void dragEnterEvent(QDragEnterEvent* e) override;
    void dropEvent(QDropEvent* e) override;
    void closeEvent(QCloseEvent* e) override;
    void showEvent(QShowEvent* e) override;
    void resizeEvent(QResizeEvent* e) override;

private:
    void build_menus();
    void build_status_bar();
    void update_status();
    void ask_memory_budget();  // the memory budget question (memory_budget_dialog.h), then the choice
    void show_error(const QString& message);
    // The banner for a failed request; `kept` says what is still in use ("model X", "image Y").
    void show_error_keeping(const QString& message, const QString& kept);
    void paste_image();
    void add_recent(const QString& key, const QString& path);
    void rebuild_recent_menus();
    void size_docks();  // the Controls dock as wide as its controls, the right docks 30%
    void step_layer(int delta);
    void step_head(int delta);
    void attach_figure_menu(QWidget* view, FigureView kind);
    void apply_view_extras(ExportRequest& r) const;  // the step, rollout and d_k the panels show
    void export_sheet_dialog();
    void export_sweep_dialog();
    void resume_dock_updates();  // after the first heatmap: the docks' views paint again

    bool persist_;
    ModelLibraryDialog* model_library_ = nullptr;
    Session* session_;
    ViewSettings* settings_;
    ImageView* image_view_;
    HeadsGrid* heads_;
    AttentionMatrixView* matrix_;
    QueryRowChart* chart_;
    ControlsDock* controls_;
    PredictionsPanel* predictions_;
    ExplainedPanel* explained_;
    AnalysesPanel* analyses_;
    OverviewCanvas* overview_;
    QLabel* banner_;
    QLabel* model_status_;
    QLabel* tokens_status_;
    QLabel* timing_status_;
    QProgressBar* progress_;  // indeterminate, shown while the engine works
    QString startup_note_;
    QMenu* recent_models_ = nullptr;
    QMenu* recent_images_ = nullptr;
    QString pending_recent_model_;    // added to Recent Models once it has loaded
    QByteArray default_state_;        // the docks as first laid out (View > Reset Layout)
    QByteArray saved_state_;
    QString image_path_;              // the image file on screen ("" for pasted or generated images)
    QString scene_path_;              // the last scene opened or saved
    bool presenting_ = false;
    QElapsedTimer startup_clock_;
    StartupTimes startup_;
    QElapsedTimer frame_clock_;       // runs from an input until the image view's frame is on screen
    std::vector<double> frame_ms_;    // the last 64 input-to-pixels times
    QString presentation_panel_ = "heads";
    QByteArray before_presentation_;  // the docks as they were before F5
    std::optional<Scene> pending_scene_;  // applied once its model has loaded
    void apply_scene_state(const Scene& scene);  // options, selection, style (model in place)          // the docks as the last session left them (restored on first show)
    ExportRequest last_export_;       // the dialog starts from the last request
    FigureView current_view_ = FigureView::Image;  // the view Ctrl+E / Ctrl+Shift+C act on
};

}  // namespace vitscope
