// File > Model library…: the curated models (app/hub/model_library.h), any Hub id, a local folder
// or file, and the download cache. A download shows a progress bar with bytes, rate and time left
// and can be cancelled; cached models can be deleted. Asks the window to open a model by emitting
// open_requested with a local path (a finished download's snapshot, an embedded model, a file).
#pragma once

#include "hub_download.h"

#include <QDialog>
#include <QPointer>

class QCheckBox;
class QLabel;
class QLineEdit;
class QProgressBar;
class QPushButton;
class QTableWidget;

namespace vitscope {

class ModelLibraryDialog : public QDialog {
    Q_OBJECT
public:
    // persist: the token may be stored in QSettings (only when the user ticks "Remember").
    explicit ModelLibraryDialog(bool persist = true, QWidget* parent = nullptr);
    ~ModelLibraryDialog() override;

    // Opens `id` from the cache, or downloads it first (progress in the dialog).
    void fetch(const HubId& id);
    bool downloading() const { return download_ != nullptr; }
    QString status_text() const;
    QTableWidget* library_table() const { return library_; }
    QTableWidget* cache_table() const { return cache_; }
    QLineEdit* hub_id_edit() const { return id_edit_; }

signals:
    void open_requested(const QString& local_path);

private:
    void fetch_selected();
    void fetch_typed();
    void open_local();
    void cancel_download();
    void delete_selected_cache();
    void refresh_cache();
    void on_progress(const DownloadProgress& p);
    void on_finished(const QString& snapshot);
    void on_failed(const QString& message);
    void set_busy(bool busy);
    HubSettings settings() const;

    bool persist_;
    QTableWidget* library_ = nullptr;
    QTableWidget* cache_ = nullptr;
    QLineEdit* id_edit_ = nullptr;
    QLineEdit* token_edit_ = nullptr;
    QCheckBox* remember_token_ = nullptr;
    QProgressBar* progress_ = nullptr;
    QLabel* status_ = nullptr;
    QPushButton* download_button_ = nullptr;
    QPushButton* fetch_typed_button_ = nullptr;
    QPushButton* cancel_button_ = nullptr;
    QPushButton* delete_button_ = nullptr;
    QPointer<HubDownload> download_;
};

}  // namespace vitscope
