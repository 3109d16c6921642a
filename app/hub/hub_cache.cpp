#include "hub_cache.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QStandardPaths>

#include <algorithm>
#include <stdexcept>

namespace vitscope {

namespace {

QString folder_revision(const std::string& revision) { return QString::fromStdString(revision).replace("/", "--"); }

qint64 folder_bytes(const QString& folder) {
    qint64 n = 0;
    QDirIterator it(folder, QDir::Files | QDir::Hidden, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        it.next();
        n += it.fileInfo().size();
    }
    return n;
}

}  // namespace

QString hub_cache_root() {
    const QString env = qEnvironmentVariable("VITSCOPE_CACHE");
    if (!env.isEmpty()) return env;
    return QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) + "/vitscope/hub";
}

QString repo_folder(const QString& root, const HubId& id) {
    return root + "/models--" + QString::fromStdString(id.repo).replace("/", "--");
}

QString snapshot_folder(const QString& root, const HubId& id) {
    return repo_folder(root, id) + "/snapshots/" + folder_revision(id.revision);
}

bool snapshot_complete(const QString& folder) { return QFileInfo::exists(folder + "/" + kSnapshotCompleteMarker); }

std::vector<CachedModel> list_cache(const QString& root) {
    std::vector<CachedModel> out;
    const QDir dir(root);
    for (const QString& repo : dir.entryList({"models--*"}, QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        // models--ORG--NAME (Hub names never contain "--").
        const QString rest = repo.mid(int(qstrlen("models--")));
        const int sep = rest.indexOf("--");
        if (sep <= 0) continue;
        const QDir snapshots(dir.filePath(repo + "/snapshots"));
        for (const QString& rev : snapshots.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
            CachedModel m;
            m.id.repo = (rest.left(sep) + "/" + rest.mid(sep + 2)).toStdString();
            m.id.revision = QString(rev).replace("--", "/").toStdString();
            m.path = snapshots.filePath(rev);
            m.bytes = folder_bytes(m.path);
            m.complete = snapshot_complete(m.path);
            out.push_back(m);
        }
    }
    std::sort(out.begin(), out.end(), [](const CachedModel& a, const CachedModel& b) { return a.id.text() < b.id.text(); });
    return out;
}

void delete_cached(const QString& root, const HubId& id) {
    const QString snap = snapshot_folder(root, id);
    if (QFileInfo::exists(snap) && !QDir(snap).removeRecursively())
        throw std::runtime_error(snap.toStdString() + ": cannot remove the cached model (check the folder's permissions)");
    const QString repo = repo_folder(root, id);
    QDir snapshots(repo + "/snapshots");
    if (snapshots.exists() && snapshots.isEmpty(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden))
        QDir(repo).removeRecursively();
}

QString format_bytes(qint64 bytes) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    double v = double(bytes);
    int u = 0;
    while (v >= 1000.0 && u < 4) {
        v /= 1000.0;
        ++u;
    }
    return u == 0 ? QString("%1 B").arg(bytes) : QString("%1 %2").arg(v, 0, 'f', v < 10 ? 2 : 1).arg(units[u]);
}

}  // namespace vitscope
