#include "model_library_dialog.h"

#include "default_assets.h"
#include "hub_cache.h"
#include "model_library.h"

#include <QCheckBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QTableWidget>
#include <QVBoxLayout>

namespace vitscope {

namespace {

QTableWidget* make_table(const QStringList& headers, QWidget* parent) {
    auto* t = new QTableWidget(0, int(headers.size()), parent);
    t->setHorizontalHeaderLabels(headers);
    t->setSelectionBehavior(QAbstractItemView::SelectRows);
    t->setSelectionMode(QAbstractItemView::SingleSelection);
    t->setEditTriggers(QAbstractItemView::NoEditTriggers);
    t->verticalHeader()->hide();
    t->horizontalHeader()->setStretchLastSection(true);
    return t;
}

const char* kTokenKey = "hub/token";

}  // namespace

ModelLibraryDialog::ModelLibraryDialog(bool persist, QWidget* parent) : QDialog(parent), persist_(persist) {
    setWindowTitle(tr("Model library"));
    auto* layout = new QVBoxLayout(this);

    auto* intro = new QLabel(tr("Models known to open in vitscope. Downloads come from the Hugging Face Hub "
                                "(%1) into %2 and are reused by the app and vitscope-cli.")
                                 .arg(settings().endpoint, settings().cache_root),
                             this);
    intro->setWordWrap(true);
    layout->addWidget(intro);

    library_ = make_table({tr("Model"), tr("Family"), tr("Params"), tr("Download"), tr("Licence"), tr("Input"),
                           tr("Good for in class")},
                          this);
    const auto& models = model_library();
    library_->setRowCount(int(models.size()));
    for (int r = 0; r < int(models.size()); ++r) {
        const LibraryModel& m = models[size_t(r)];
        const QStringList cells = {QString::fromStdString(m.id), QString::fromStdString(m.family),
                                   QString::fromStdString(m.size),
                                   m.download.empty() ? tr("shipped") : "~" + QString::fromStdString(m.download),
                                   QString::fromStdString(m.licence), QString::number(m.input_size),
                                   QString::fromStdString(m.teaching)};
        for (int c = 0; c < int(cells.size()); ++c) library_->setItem(r, c, new QTableWidgetItem(cells[c]));
    }
    library_->resizeColumnsToContents();
    connect(library_, &QTableWidget::cellDoubleClicked, this, [this] { fetch_selected(); });
    layout->addWidget(library_, 3);

    auto* actions = new QHBoxLayout;
    download_button_ = new QPushButton(tr("Download and Open"), this);
    download_button_->setToolTip(tr("Opens the selected model; Hub models are downloaded first unless cached."));
    connect(download_button_, &QPushButton::clicked, this, &ModelLibraryDialog::fetch_selected);
    actions->addWidget(download_button_);
    id_edit_ = new QLineEdit(this);
    id_edit_->setPlaceholderText(tr("any Hub id: org/name or org/name@revision"));
    connect(id_edit_, &QLineEdit::returnPressed, this, &ModelLibraryDialog::fetch_typed);
    actions->addWidget(id_edit_, 1);
    fetch_typed_button_ = new QPushButton(tr("Fetch"), this);
    connect(fetch_typed_button_, &QPushButton::clicked, this, &ModelLibraryDialog::fetch_typed);
    actions->addWidget(fetch_typed_button_);
    auto* local = new QPushButton(tr("Open Local Folder…"), this);
    connect(local, &QPushButton::clicked, this, &ModelLibraryDialog::open_local);
    actions->addWidget(local);
    auto* local_file = new QPushButton(tr("Open Local File…"), this);
    connect(local_file, &QPushButton::clicked, this, [this] {
        const QString p = QFileDialog::getOpenFileName(this, tr("Open a model file"), QString(),
                                                       tr("Models (*.safetensors config.json)"));
        if (!p.isEmpty()) emit open_requested(QFileInfo(p).fileName() == "config.json" ? QFileInfo(p).absolutePath() : p);
    });
    actions->addWidget(local_file);
    layout->addLayout(actions);

    auto* token_row = new QHBoxLayout;
    token_row->addWidget(new QLabel(tr("Access token (gated repos):"), this));
    token_edit_ = new QLineEdit(this);
    token_edit_->setEchoMode(QLineEdit::Password);
    token_edit_->setPlaceholderText(qEnvironmentVariableIsSet("HF_TOKEN") ? tr("HF_TOKEN is set") : tr("hf_…"));
    if (persist_) token_edit_->setText(QSettings().value(kTokenKey).toString());
    token_row->addWidget(token_edit_, 1);
    remember_token_ = new QCheckBox(tr("Remember"), this);
    remember_token_->setToolTip(tr("Store the token in vitscope's settings file; otherwise it is forgotten on close."));
    remember_token_->setChecked(persist_ && QSettings().contains(kTokenKey));
    token_row->addWidget(remember_token_);
    layout->addLayout(token_row);

    auto* progress_row = new QHBoxLayout;
    progress_ = new QProgressBar(this);
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_row->addWidget(progress_, 1);
    cancel_button_ = new QPushButton(tr("Cancel"), this);
    cancel_button_->setEnabled(false);
    connect(cancel_button_, &QPushButton::clicked, this, &ModelLibraryDialog::cancel_download);
    progress_row->addWidget(cancel_button_);
    layout->addLayout(progress_row);
    status_ = new QLabel(this);
    status_->setWordWrap(true);
    status_->setTextInteractionFlags(Qt::TextSelectableByMouse);  // e.g. the conversion command
    layout->addWidget(status_);

    auto* cache_box = new QGroupBox(tr("Downloaded models"), this);
    auto* cache_layout = new QVBoxLayout(cache_box);
    cache_ = make_table({tr("Model"), tr("Size"), tr("State")}, cache_box);
    connect(cache_, &QTableWidget::cellDoubleClicked, this, [this](int row) {
        if (QTableWidgetItem* it = cache_->item(row, 0)) {
            id_edit_->setText(it->text());
            fetch_typed();
        }
    });
    cache_layout->addWidget(cache_);
    delete_button_ = new QPushButton(tr("Delete from Cache"), cache_box);
    connect(delete_button_, &QPushButton::clicked, this, &ModelLibraryDialog::delete_selected_cache);
    cache_layout->addWidget(delete_button_, 0, Qt::AlignRight);
    layout->addWidget(cache_box, 2);

    resize(1000, 640);
    refresh_cache();
}

ModelLibraryDialog::~ModelLibraryDialog() {
    if (download_) download_->cancel();
}

HubSettings ModelLibraryDialog::settings() const {
    HubSettings s = hub_settings_from_environment();
    if (token_edit_ && !token_edit_->text().trimmed().isEmpty()) s.token = token_edit_->text().trimmed();
    return s;
}

QString ModelLibraryDialog::status_text() const { return status_->text(); }

void ModelLibraryDialog::fetch_selected() {
    const int row = library_->currentRow();
    if (row < 0) {
        status_->setText(tr("Select a model in the table first."));
        return;
    }
    const std::string id = model_library()[size_t(row)].id;
    if (id == "embedded:vitscope-vit-tiny") return emit open_requested(default_vit_model_path());
    if (id == "embedded:vitscope-swin-tiny") return emit open_requested(default_swin_model_path());
    if (const auto hub = parse_hub_id(id)) fetch(*hub);
}

void ModelLibraryDialog::fetch_typed() {
    const QString text = id_edit_->text().trimmed();
    const auto id = parse_hub_id(text.toStdString());
    if (!id) {
        status_->setText(tr("'%1' is not a Hub id: type org/name or org/name@revision.").arg(text));
        return;
    }
    fetch(*id);
}

void ModelLibraryDialog::open_local() {
    const QString p = QFileDialog::getExistingDirectory(this, tr("Open a Hugging Face model folder"));
    if (!p.isEmpty()) emit open_requested(p);
}

void ModelLibraryDialog::fetch(const HubId& id) {
    if (download_) return;
    const HubSettings s = settings();
    if (persist_) {
        if (remember_token_->isChecked() && !token_edit_->text().isEmpty()) QSettings().setValue(kTokenKey, token_edit_->text());
        else QSettings().remove(kTokenKey);
    }
    const QString snapshot = snapshot_folder(s.cache_root, id);
    if (snapshot_complete(snapshot)) {
        status_->setText(tr("%1 is in the cache.").arg(QString::fromStdString(id.text())));
        return emit open_requested(snapshot);
    }
    download_ = new HubDownload(id, s, this);
    connect(download_, &HubDownload::progress, this, &ModelLibraryDialog::on_progress);
    connect(download_, &HubDownload::finished, this, &ModelLibraryDialog::on_finished);
    connect(download_, &HubDownload::failed, this, &ModelLibraryDialog::on_failed);
    connect(download_, &HubDownload::cancelled, this, [this] {
        status_->setText(tr("Cancelled; nothing was kept."));
        set_busy(false);
    });
    set_busy(true);
    status_->setText(tr("Downloading %1…").arg(QString::fromStdString(id.text())));
    download_->start();
}

void ModelLibraryDialog::cancel_download() {
    if (download_) download_->cancel();
}

void ModelLibraryDialog::on_progress(const DownloadProgress& p) {
    if (p.file_total > 0) {
        progress_->setRange(0, 1000);
        progress_->setValue(int(1000.0 * double(p.file_received) / double(p.file_total)));
    } else {
        progress_->setRange(0, 0);  // busy indicator: size not known yet
    }
    status_->setText(describe_progress(p));
}

void ModelLibraryDialog::on_finished(const QString& snapshot) {
    set_busy(false);
    progress_->setRange(0, 1000);
    progress_->setValue(1000);
    status_->setText(tr("Downloaded to %1").arg(snapshot));
    emit open_requested(snapshot);
}

void ModelLibraryDialog::on_failed(const QString& message) {
    set_busy(false);
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    status_->setText(message);  // a PyTorch-only repo: the message holds the conversion command
}

void ModelLibraryDialog::set_busy(bool busy) {
    if (!busy && download_) {
        download_->deleteLater();
        download_ = nullptr;
        refresh_cache();
    }
    cancel_button_->setEnabled(busy);
    download_button_->setEnabled(!busy);
    fetch_typed_button_->setEnabled(!busy);
    delete_button_->setEnabled(!busy);
}

void ModelLibraryDialog::refresh_cache() {
    const std::vector<CachedModel> cached = list_cache(settings().cache_root);
    cache_->setRowCount(int(cached.size()));
    for (int r = 0; r < int(cached.size()); ++r) {
        const CachedModel& c = cached[size_t(r)];
        cache_->setItem(r, 0, new QTableWidgetItem(QString::fromStdString(c.id.text())));
        cache_->setItem(r, 1, new QTableWidgetItem(format_bytes(c.bytes)));
        cache_->setItem(r, 2, new QTableWidgetItem(c.complete ? tr("complete") : tr("incomplete (fetch resumes it)")));
    }
    cache_->resizeColumnsToContents();
}

void ModelLibraryDialog::delete_selected_cache() {
    const int row = cache_->currentRow();
    if (row < 0 || !cache_->item(row, 0)) return;
    const QString text = cache_->item(row, 0)->text();
    const auto id = parse_hub_id(text.toStdString());
    if (!id) return;
    try {
        delete_cached(settings().cache_root, *id);
        status_->setText(tr("Deleted %1 from the cache.").arg(text));
    } catch (const std::exception& e) {
        status_->setText(QString::fromStdString(e.what()));
    }
    refresh_cache();
}

}  // namespace vitscope
