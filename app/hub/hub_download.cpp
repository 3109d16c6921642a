#include "hub_download.h"

#include "hub_cache.h"
#include "shard_assembly.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <memory>
#include <set>

namespace vitscope {

namespace {

constexpr int kMaxRedirects = 10;
constexpr qint64 kMaxIndexBytes = 16 << 20;  // a shard index is a few hundred kB at most

// An ETag as the Hub sends it for LFS files: "sha256" in quotes, maybe weak (W/"...").
QString sha256_from_etag(QByteArray v) {
    v = v.trimmed();
    if (v.startsWith("W/")) v = v.mid(2);
    if (v.size() >= 2 && v.startsWith('"') && v.endsWith('"')) v = v.mid(1, v.size() - 2);
    if (v.size() != 64) return {};
    for (char c : v)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return {};
    return QString::fromLatin1(v).toLower();
}

QString file_sha256(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) return {};
    QCryptographicHash h(QCryptographicHash::Sha256);
    h.addData(&f);
    return QString::fromLatin1(h.result().toHex());
}

// "bytes START-END/TOTAL" -> START (and TOTAL when stated); false when malformed.
bool parse_content_range(const QByteArray& v, qint64& start, qint64& total) {
    if (!v.startsWith("bytes ")) return false;
    const int dash = v.indexOf('-'), slash = v.indexOf('/');
    if (dash < 0 || slash < dash) return false;
    bool ok = false;
    start = v.mid(6, dash - 6).toLongLong(&ok);
    if (!ok) return false;
    const QByteArray t = v.mid(slash + 1);
    total = t == "*" ? -1 : t.toLongLong(&ok);
    return ok || t == "*";
}

bool is_redirect(int status) { return status == 301 || status == 302 || status == 303 || status == 307 || status == 308; }

}  // namespace

HubSettings hub_settings_from_environment() {
    HubSettings s;
    const QString endpoint = qEnvironmentVariable("HF_ENDPOINT");
    if (!endpoint.isEmpty()) s.endpoint = endpoint;
    while (s.endpoint.endsWith('/')) s.endpoint.chop(1);
    s.token = qEnvironmentVariable("HF_TOKEN");
    s.cache_root = hub_cache_root();
    return s;
}

QString describe_progress(const DownloadProgress& p) {
    QString s = QString("%1 (%2/%3): %4").arg(p.file).arg(p.file_index).arg(p.file_count).arg(format_bytes(p.file_received));
    if (p.file_total >= 0) s += " of " + format_bytes(p.file_total);
    if (p.bytes_per_second > 0) s += ", " + format_bytes(qint64(p.bytes_per_second)) + "/s";
    if (p.seconds_left >= 0) s += QString(", %1 s left").arg(qint64(p.seconds_left + 0.5));
    return s;
}

HubDownload::HubDownload(const HubId& id, const HubSettings& settings, QObject* parent)
    : QObject(parent), id_(id), settings_(settings), net_(new QNetworkAccessManager(this)) {
    while (settings_.endpoint.endsWith('/')) settings_.endpoint.chop(1);
    if (settings_.cache_root.isEmpty()) settings_.cache_root = hub_cache_root();
    snapshot_ = snapshot_folder(settings_.cache_root, id_);
}

HubDownload::~HubDownload() {
    if (reply_) {
        reply_->disconnect(this);
        reply_->abort();
    }
}

void HubDownload::start() {
    clock_.start();
    if (!QDir().mkpath(snapshot_)) return fail(snapshot_ + ": cannot create the cache folder (set VITSCOPE_CACHE to a writable folder)");
    queue_ = {{"config.json", Need::Required},
              {"preprocessor_config.json", Need::Optional},
              {"model.safetensors", Need::WeightsOrIndex}};
    next_file();
}

void HubDownload::next_file() {
    if (done_) return;
    if (queue_.isEmpty()) {
        if (fetched_.contains("model.safetensors.index.json") && !join_shards()) return;
        QFile marker(snapshot_ + "/" + kSnapshotCompleteMarker);
        if (!marker.open(QIODevice::WriteOnly) || marker.write(QString::fromStdString(id_.text() + "\n").toUtf8()) < 0)
            return fail(marker.fileName() + ": cannot write to the cache folder");
        marker.close();
        done_ = true;
        emit finished(snapshot_);
        return;
    }
    current_ = queue_.takeFirst();
    const QString dest = snapshot_ + "/" + current_.file;
    if (current_.need != Need::Probe && QFileInfo::exists(dest)) {  // verified by an earlier run
        fetched_ << current_.file;
        if (current_.need == Need::Index) queue_shards(dest);
        return next_file();
    }
    part_.setFileName(dest + ".part");
    resume_from_ = current_.need == Need::Probe ? 0 : QFileInfo(part_.fileName()).size();
    expected_size_ = -1;
    expected_sha_.clear();
    redirects_ = 0;
    body_started_ = false;
    const QString rev = QString::fromUtf8(QUrl::toPercentEncoding(QString::fromStdString(id_.revision)));
    request(QUrl(settings_.endpoint + "/" + QString::fromStdString(id_.repo) + "/resolve/" + rev + "/" + current_.file));
    report_progress(true);
}

void HubDownload::request(const QUrl& url) {
    QNetworkRequest req(url);
    req.setAttribute(QNetworkRequest::RedirectPolicyAttribute, QNetworkRequest::ManualRedirectPolicy);
    req.setRawHeader("User-Agent", "vitscope/" VITSCOPE_HUB_VERSION);
    req.setRawHeader("Accept-Encoding", "identity");  // byte ranges and hashes are of the file itself
    const QUrl endpoint(settings_.endpoint);
    if (!settings_.token.isEmpty() && url.host() == endpoint.host() && url.port() == endpoint.port())
        req.setRawHeader("Authorization", "Bearer " + settings_.token.toUtf8());
    if (resume_from_ > 0) req.setRawHeader("Range", "bytes=" + QByteArray::number(resume_from_) + "-");
    reply_ = net_->get(req);
    connect(reply_, &QNetworkReply::metaDataChanged, this, &HubDownload::on_headers);
    connect(reply_, &QNetworkReply::readyRead, this, &HubDownload::on_data);
    connect(reply_, &QNetworkReply::finished, this, &HubDownload::on_finished);
}

void HubDownload::on_headers() {
    if (!reply_ || body_started_) return;
    const int status = reply_->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    // The first hop of an LFS file (before the redirect to the storage) names its hash and size.
    if (expected_sha_.isEmpty()) expected_sha_ = sha256_from_etag(reply_->rawHeader("X-Linked-Etag"));
    if (expected_size_ < 0 && reply_->hasRawHeader("X-Linked-Size"))
        expected_size_ = reply_->rawHeader("X-Linked-Size").toLongLong();
    if (status != 200 && status != 206) return;
    if (current_.need == Need::Probe) {
        remove_partial();  // nothing here can ever complete
        return fail(QString("%1 has only PyTorch weights (%2), which vitscope does not read: convert them once with "
                            "`python3 tools/convert_to_safetensors.py %1 FOLDER` and open FOLDER")
                        .arg(QString::fromStdString(id_.text()), current_.file));
    }
    if (expected_sha_.isEmpty()) expected_sha_ = sha256_from_etag(reply_->rawHeader("ETag"));
    QIODevice::OpenMode mode = QIODevice::WriteOnly | QIODevice::Truncate;
    if (status == 206) {
        qint64 start = -1, total = -1;
        if (!parse_content_range(reply_->rawHeader("Content-Range"), start, total) || start != resume_from_)
            return fail(current_.file + ": the server resumed at the wrong place (Content-Range '" +
                        QString::fromLatin1(reply_->rawHeader("Content-Range")) + "' for " +
                        QString::number(resume_from_) + " bytes on disk); delete " + part_.fileName() + " and retry");
        if (expected_size_ < 0) expected_size_ = total;
        mode = QIODevice::WriteOnly | QIODevice::Append;
    } else {
        resume_from_ = 0;  // the server sent the whole file again
        const QVariant length = reply_->header(QNetworkRequest::ContentLengthHeader);
        if (expected_size_ < 0 && length.isValid()) expected_size_ = length.toLongLong();
    }
    if (!part_.open(mode)) return fail(part_.fileName() + ": cannot write to the cache folder (" + part_.errorString() + ")");
    body_started_ = true;
    report_progress(true);  // the size is known now
}

void HubDownload::on_data() {
    if (!reply_) return;
    if (!body_started_) on_headers();
    if (done_) return;
    if (!body_started_) {
        reply_->readAll();  // the body of a redirect or an error page
        return;
    }
    write_part();
}

void HubDownload::write_part() {
    const QByteArray bytes = reply_->readAll();
    if (bytes.isEmpty()) return;
    if (current_.need == Need::Index && part_.size() + bytes.size() > kMaxIndexBytes)
        return fail(current_.file + ": larger than " + format_bytes(kMaxIndexBytes) + "; not a shard index");
    if (part_.write(bytes) != bytes.size())
        return fail(part_.fileName() + ": cannot write (" + part_.errorString() + "; is the disk full?)");
    session_bytes_ += bytes.size();
    report_progress(false);
}

void HubDownload::on_finished() {
    if (done_ || !reply_) return;
    QNetworkReply* r = reply_;
    r->deleteLater();
    const int status = r->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    if (is_redirect(status)) {
        const QUrl to = r->url().resolved(QUrl::fromEncoded(r->rawHeader("Location")));
        if (++redirects_ > kMaxRedirects || !to.isValid() || to.isEmpty())
            return fail(current_.file + ": too many or broken redirects (last from " + r->url().toString() + ")");
        return request(to);
    }
    if (body_started_) {
        write_part();
        if (done_) return;
        report_progress(true);
        part_.close();
        const qint64 have = QFileInfo(part_.fileName()).size();
        if (r->error() != QNetworkReply::NoError || (expected_size_ >= 0 && have != expected_size_))
            return fail(QString("%1: the download was interrupted after %2 of %3 (%4); run it again to resume")
                            .arg(current_.file, format_bytes(have),
                                 expected_size_ >= 0 ? format_bytes(expected_size_) : QString("?"),
                                 r->error() != QNetworkReply::NoError ? r->errorString() : QString("connection closed early")));
        return complete_file();
    }
    if (status == 404) return file_missing();
    if (status == 0)
        return fail(QString("%1: cannot reach %2 (%3); check the network or HF_ENDPOINT")
                        .arg(QString::fromStdString(id_.text()), settings_.endpoint, r->errorString()));
    fail(http_error(status));
}

QString HubDownload::http_error(int status) const {
    const QString id = QString::fromStdString(id_.text());
    if (status == 401 || status == 403)
        return QString("%1: access denied (HTTP %2 for %3): the repo is gated or private; accept its terms on the Hub "
                       "and set HF_TOKEN (or type a token in the Model library)")
            .arg(id)
            .arg(status)
            .arg(current_.file);
    if (status == 404)
        return QString("%1: not found on %2 (HTTP 404 for %3): check the model id and revision")
            .arg(id, settings_.endpoint, current_.file);
    return QString("%1: the server answered HTTP %2 for %3; try again later").arg(id).arg(status).arg(current_.file);
}

void HubDownload::file_missing() {
    switch (current_.need) {
    case Need::Required: return fail(http_error(404));
    case Need::Optional: return next_file();
    case Need::WeightsOrIndex: queue_.prepend({"model.safetensors.index.json", Need::Index}); return next_file();
    case Need::Index:
        queue_ = {{"pytorch_model.bin", Need::Probe}};
        return next_file();
    case Need::Probe:
        remove_partial();
        return fail(QString("%1 has no model.safetensors, model.safetensors.index.json or pytorch_model.bin; "
                            "not a model vitscope can open")
                        .arg(QString::fromStdString(id_.text())));
    }
}

void HubDownload::complete_file() {
    if (!expected_sha_.isEmpty()) {
        const QString got = file_sha256(part_.fileName());
        if (got != expected_sha_) {
            const QString message = QString("%1: SHA-256 mismatch (expected %2, got %3): the download was corrupted "
                                            "and nothing was kept; try again")
                                        .arg(current_.file, expected_sha_, got);
            remove_partial();
            return fail(message);
        }
    }
    const QString dest = snapshot_ + "/" + current_.file;
    QFile::remove(dest);
    if (!QFile::rename(part_.fileName(), dest)) return fail(dest + ": cannot move the downloaded file into place");
    fetched_ << current_.file;
    if (current_.need == Need::Index) queue_shards(dest);
    next_file();
}

void HubDownload::queue_shards(const QString& index_path) {
    QFile f(index_path);
    QJsonParseError err{};
    const QJsonDocument doc = f.open(QIODevice::ReadOnly) && f.size() <= kMaxIndexBytes
                                  ? QJsonDocument::fromJson(f.readAll(), &err)
                                  : QJsonDocument();
    const QJsonObject map = doc.object().value("weight_map").toObject();
    if (map.isEmpty()) {
        QFile::remove(index_path);
        return fail(index_path + ": not a shard index (no \"weight_map\" object)");
    }
    std::set<QString> shards;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const QString shard = it.value().toString();
        // A shard is a plain file name beside the index: nothing may point outside the snapshot.
        if (shard.isEmpty() || shard.contains('/') || shard.contains('\\') || shard.startsWith('.')) {
            QFile::remove(index_path);
            return fail(index_path + ": weight_map names '" + shard + "', not a file name beside the index");
        }
        shards.insert(shard);
    }
    for (const QString& s : shards) queue_.append({s, Need::Required});
}

bool HubDownload::join_shards() {
    const QString index = snapshot_ + "/model.safetensors.index.json";
    try {
        assemble_shards(index, snapshot_ + "/model.safetensors");
    } catch (const HubError& e) {
        fail(QString::fromStdString(e.what()));
        return false;
    }
    // The joined file replaces the shards (the index stays as the record of what was joined).
    for (const QString& f : fetched_)
        if (f.endsWith(".safetensors") && f != "model.safetensors") QFile::remove(snapshot_ + "/" + f);
    return true;
}

void HubDownload::report_progress(bool force) {
    if (!force && last_report_.isValid() && last_report_.elapsed() < 100) return;
    last_report_.start();
    DownloadProgress p;
    p.file = current_.file;
    p.file_received = part_.isOpen() ? part_.size() : resume_from_;
    p.file_total = expected_size_;
    p.file_index = int(fetched_.size()) + 1;
    p.file_count = int(fetched_.size() + queue_.size()) + 1;
    const double seconds = double(clock_.elapsed()) / 1000.0;
    if (seconds > 0.2 && session_bytes_ > 0) p.bytes_per_second = double(session_bytes_) / seconds;
    if (p.bytes_per_second > 0 && p.file_total >= 0)
        p.seconds_left = double(std::max<qint64>(0, p.file_total - p.file_received)) / p.bytes_per_second;
    emit progress(p);
}

void HubDownload::stop_transfer() {
    done_ = true;
    if (reply_) {
        reply_->disconnect(this);
        reply_->abort();
    }
    part_.close();
}

void HubDownload::fail(const QString& message) {
    if (done_) return;
    stop_transfer();
    // An empty snapshot (nothing fetched) leaves no trace; .part files stay for a resume.
    if (QDir(snapshot_).isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden)) remove_partial();
    emit failed(message);
}

void HubDownload::cancel() {
    if (done_) return;
    stop_transfer();
    remove_partial();
    emit cancelled();
}

void HubDownload::remove_partial() {
    part_.close();
    if (snapshot_complete(snapshot_)) return;
    try {
        delete_cached(settings_.cache_root, id_);
    } catch (const std::exception&) {  // what is left is never loaded: it has no completion marker
    }
}

QString ensure_downloaded(const HubId& id, const HubSettings& settings,
                          const std::function<void(const DownloadProgress&)>& on_progress) {
    const QString root = settings.cache_root.isEmpty() ? hub_cache_root() : settings.cache_root;
    const QString snapshot = snapshot_folder(root, id);
    if (snapshot_complete(snapshot)) return snapshot;
    // The network needs an event loop, and an event loop an application object.
    static int argc = 1;
    static char name[] = "vitscope";
    static char* argv[] = {name, nullptr};
    std::unique_ptr<QCoreApplication> app;
    if (!QCoreApplication::instance()) app = std::make_unique<QCoreApplication>(argc, argv);
    QString result, error;
    {
        QEventLoop loop;
        HubDownload d(id, settings);
        QObject::connect(&d, &HubDownload::finished, &loop, [&](const QString& s) {
            result = s;
            loop.quit();
        });
        QObject::connect(&d, &HubDownload::failed, &loop, [&](const QString& m) {
            error = m;
            loop.quit();
        });
        if (on_progress) QObject::connect(&d, &HubDownload::progress, &loop, on_progress);
        d.start();
        if (result.isEmpty() && error.isEmpty()) loop.exec();
    }
    if (!error.isEmpty()) throw HubError(error.toStdString());
    return result;
}

}  // namespace vitscope
