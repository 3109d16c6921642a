// Downloading a model from the Hugging Face Hub (or a server with the same layout) into the cache:
//   {endpoint}/{repo}/resolve/{revision}/{file}
// config.json, preprocessor_config.json when the repo has one, and model.safetensors or
// model.safetensors.index.json plus its shards. Each file goes to FILE.part (resumed with an HTTP
// Range request when a previous try left one), its SHA-256 is checked against the one the Hub
// reports for LFS files (X-Linked-Etag, else ETag, when 64 hex digits), and only then is it renamed
// into place; shards are joined into one model.safetensors (shard_assembly.h); the snapshot is
// marked complete after the last file. Redirects are followed by hand
// (up to 10) so that the first hop's X-Linked-Etag is kept and the token goes only to the endpoint.
#pragma once

#include "hub_id.h"

#include <QElapsedTimer>
#include <QFile>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <functional>
#include <stdexcept>

class QNetworkAccessManager;
class QNetworkReply;

namespace vitscope {

// Every download failure: one line saying what, where and what to do.
class HubError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct HubSettings {
    QString endpoint = "https://huggingface.co";
    QString token;       // sent as "Authorization: Bearer TOKEN" to the endpoint only
    QString cache_root;  // hub_cache_root() by default
};
// $HF_ENDPOINT (else the Hub), $HF_TOKEN, hub_cache_root().
HubSettings hub_settings_from_environment();

struct DownloadProgress {
    QString file;              // the file being fetched
    qint64 file_received = 0;  // bytes of it on disk (a resumed file counts what it had)
    qint64 file_total = -1;    // -1: unknown
    int file_index = 0;        // 1-based among the files known so far
    int file_count = 0;
    double bytes_per_second = 0;  // over this run
    double seconds_left = -1;     // for this file; -1: unknown
};
// "model.safetensors (2/3): 12.3 MB of 22.9 MB, 4.1 MB/s, 3 s left"
QString describe_progress(const DownloadProgress& p);

// One download of one snapshot. Emits progress, then exactly one of finished / failed / cancelled.
class HubDownload : public QObject {
    Q_OBJECT
public:
    HubDownload(const HubId& id, const HubSettings& settings, QObject* parent = nullptr);
    ~HubDownload() override;

    void start();
    // Stops and removes what this download wrote (its .part files and an incomplete snapshot).
    void cancel();
    const HubId& id() const { return id_; }

signals:
    void progress(const vitscope::DownloadProgress& p);
    void finished(const QString& snapshot_folder);
    void failed(const QString& message);
    void cancelled();

private:
    // What a missing file (404) means: an error, nothing, try the shard index, no safetensors at
    // all (probe for PyTorch weights), or PyTorch weights exist (say how to convert them).
    enum class Need { Required, Optional, WeightsOrIndex, Index, Probe };
    struct Pending {
        QString file;
        Need need;
    };

    void next_file();
    void request(const QUrl& url);
    void on_headers();
    void on_data();
    void on_finished();
    void complete_file();
    void file_missing();
    void fail(const QString& message);
    void stop_transfer();  // done: the reply aborted and disconnected, the .part file closed
    void write_part();
    void remove_partial();
    QString http_error(int status) const;
    void queue_shards(const QString& index_path);
    bool join_shards();  // false: failed (and reported)
    void report_progress(bool force);

    HubId id_;
    HubSettings settings_;
    QString snapshot_;
    QNetworkAccessManager* net_ = nullptr;
    QPointer<QNetworkReply> reply_;
    QList<Pending> queue_;
    QStringList fetched_;
    Pending current_{};
    QFile part_;
    qint64 resume_from_ = 0;    // bytes of the .part file when the request was sent
    qint64 expected_size_ = -1;
    QString expected_sha_;      // lower-case hex, or empty when the server gave none
    int redirects_ = 0;
    bool body_started_ = false;
    bool done_ = false;
    qint64 session_bytes_ = 0;  // downloaded by this run (for the rate)
    QElapsedTimer clock_;
    QElapsedTimer last_report_;
};

// Downloads `id` unless the cache already holds a complete snapshot, reporting progress through
// `on_progress` (may be empty); returns the snapshot folder. Runs its own event loop (creating a
// QCoreApplication for the duration when there is none). Throws HubError.
QString ensure_downloaded(const HubId& id, const HubSettings& settings,
                          const std::function<void(const DownloadProgress&)>& on_progress);

}  // namespace vitscope

Q_DECLARE_METATYPE(vitscope::DownloadProgress)
