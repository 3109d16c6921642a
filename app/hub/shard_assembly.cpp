#include "shard_assembly.h"

#include "hub_download.h"

#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstring>
#include <set>

namespace vitscope {

namespace {

constexpr qint64 kMaxHeaderBytes = 16 << 20;  // as the engine's reader

[[noreturn]] void fail(const QString& file, const QString& what) { throw HubError((file + ": " + what).toStdString()); }

struct Shard {
    QString path;
    QJsonObject header;
    qint64 data_start = 0;  // 8 + header length
    qint64 data_size = 0;
};

Shard read_shard(const QString& path) {
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly)) fail(path, "cannot open the shard (" + f.errorString() + ")");
    quint64 n = 0;
    if (f.read(reinterpret_cast<char*>(&n), 8) != 8 || n == 0 || qint64(n) > kMaxHeaderBytes || qint64(n) > f.size() - 8)
        fail(path, "not a safetensors shard (bad header length)");
    QJsonParseError err{};
    const QJsonDocument doc = QJsonDocument::fromJson(f.read(qint64(n)), &err);
    if (!doc.isObject()) fail(path, "not a safetensors shard (header is not a JSON object: " + err.errorString() + ")");
    return {path, doc.object(), 8 + qint64(n), f.size() - 8 - qint64(n)};
}

}  // namespace

void assemble_shards(const QString& index_path, const QString& out_path) {
    QFile index(index_path);
    if (!index.open(QIODevice::ReadOnly)) fail(index_path, "cannot open the shard index");
    const QJsonObject map = QJsonDocument::fromJson(index.readAll()).object().value("weight_map").toObject();
    if (map.isEmpty()) fail(index_path, "not a shard index (no \"weight_map\" object)");
    std::set<QString> names;
    for (auto it = map.begin(); it != map.end(); ++it) names.insert(it.value().toString());

    const QString dir = QFileInfo(index_path).absolutePath();
    QJsonObject merged;
    std::vector<Shard> shards;
    qint64 base = 0;
    for (const QString& name : names) {
        Shard s = read_shard(dir + "/" + name);
        for (auto it = s.header.begin(); it != s.header.end(); ++it) {
            if (it.key() == "__metadata__") {
                if (!merged.contains("__metadata__")) merged.insert("__metadata__", it.value());
                continue;
            }
            if (merged.contains(it.key())) fail(s.path, "tensor " + it.key() + " is also in another shard");
            QJsonObject t = it.value().toObject();
            const QJsonArray at = t.value("data_offsets").toArray();
            if (at.size() != 2 || !at[0].isDouble() || !at[1].isDouble())
                fail(s.path, "tensor " + it.key() + " has no data_offsets [begin, end]");
            // The engine checks every offset against the joined file; here they only move.
            t.insert("data_offsets", QJsonArray{at[0].toInteger() + base, at[1].toInteger() + base});
            merged.insert(it.key(), t);
        }
        base += s.data_size;
        shards.push_back(std::move(s));
    }

    QByteArray header = QJsonDocument(merged).toJson(QJsonDocument::Compact);
    while (header.size() % 8) header.append(' ');  // data aligned to 8 bytes, as the format suggests
    QFile out(out_path + ".part");
    if (!out.open(QIODevice::WriteOnly | QIODevice::Truncate)) fail(out.fileName(), "cannot write (" + out.errorString() + ")");
    const quint64 n = quint64(header.size());
    char len[8];
    std::memcpy(len, &n, 8);  // little-endian on every platform Debian ships vitscope for
    bool ok = out.write(len, 8) == 8 && out.write(header) == header.size();
    for (const Shard& s : shards) {
        QFile in(s.path);
        ok = ok && in.open(QIODevice::ReadOnly) && in.seek(s.data_start);
        while (ok && !in.atEnd()) {
            const QByteArray chunk = in.read(8 << 20);
            ok = !chunk.isEmpty() && out.write(chunk) == chunk.size();
        }
    }
    out.close();
    if (!ok) {
        out.remove();
        fail(out_path, "cannot join the shards (is the disk full?)");
    }
    QFile::remove(out_path);
    if (!QFile::rename(out.fileName(), out_path)) fail(out_path, "cannot move the joined checkpoint into place");
}

}  // namespace vitscope
