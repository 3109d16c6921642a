#include "model_reference.h"

#include <QFileInfo>

namespace vitscope {

std::optional<HubId> hub_id_of(const QString& text) {
    if (QFileInfo::exists(text)) return std::nullopt;
    return parse_hub_id(text.toStdString());
}

QString resolve_model_reference(const QString& text, const HubSettings& settings,
                                const std::function<void(const DownloadProgress&)>& on_progress) {
    const std::optional<HubId> id = hub_id_of(text);
    if (!id) return text;
    return ensure_downloaded(*id, settings, on_progress);
}

}  // namespace vitscope
