// The model cache shared by the app and the CLI, in the Hub's folder layout:
//   <root>/models--ORG--NAME/snapshots/REVISION/{config.json, model.safetensors, ...}
// A snapshot is usable only once its download finished and every file was verified: the
// downloader writes the marker file last. Files being downloaded are FILE.part beside their place.
#pragma once

#include "hub_id.h"

#include <QString>

#include <vector>

namespace vitscope {

constexpr const char* kSnapshotCompleteMarker = ".vitscope-complete";

// $VITSCOPE_CACHE when set, else the platform's cache folder + "/vitscope/hub"
// (~/.cache/vitscope/hub on Linux).
QString hub_cache_root();

QString repo_folder(const QString& root, const HubId& id);      // <root>/models--ORG--NAME
QString snapshot_folder(const QString& root, const HubId& id);  // .../snapshots/REVISION ('/' as "--")
bool snapshot_complete(const QString& folder);

struct CachedModel {
    HubId id;
    QString path;          // the snapshot folder
    qint64 bytes = 0;      // every file in it, .part files included
    bool complete = false; // false: an interrupted download (resumed by the next pull)
};
// Every snapshot under `root`, sorted by id.
std::vector<CachedModel> list_cache(const QString& root);

// Removes the snapshot of `id` (and its repo folder when nothing else is left in it). Throws
// std::runtime_error naming the folder when it cannot be removed.
void delete_cached(const QString& root, const HubId& id);

// "12.3 MB", "856 kB", "17 B" (powers of 1000, as the Hub shows sizes).
QString format_bytes(qint64 bytes);

}  // namespace vitscope
