// What a user may type wherever a model is asked for: a local folder or file, or a Hub id
// ("org/name[@revision]") that resolves to the cache and is downloaded when missing.
#pragma once

#include "hub_download.h"

#include <QString>

#include <functional>
#include <optional>

namespace vitscope {

// The Hub id `text` names, or nullopt when `text` is a path that exists or is not an id at all
// (a local path always wins: "models/deit" beside you is that folder).
std::optional<HubId> hub_id_of(const QString& text);

// The local path to load for `text`: itself unless it names a Hub id, else the cached snapshot
// (downloaded first when the cache lacks a complete one). Throws HubError.
QString resolve_model_reference(const QString& text, const HubSettings& settings,
                                const std::function<void(const DownloadProgress&)>& on_progress = {});

}  // namespace vitscope
