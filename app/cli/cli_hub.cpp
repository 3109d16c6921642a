#include "cli_hub.h"

#include "cli_commands.h"
#include "cli_model_run.h"

#include "hub_cache.h"
#include "hub_download.h"
#include "model_library.h"
#include "model_reference.h"

#include <cstdio>
#include <unistd.h>

namespace vitscope::cli {

namespace {

// Progress on stderr: one rewritten line on a terminal, one line per file otherwise (so that a
// failure before any file arrives is one line, as every CLI error).
class ProgressPrinter {
public:
    void operator()(const DownloadProgress& p) {
        if (tty_) {
            std::fprintf(stderr, "\r\033[Kvitscope-cli: %s", qPrintable(describe_progress(p)));
            dirty_ = true;
        } else if (p.file != last_file_ && p.file_total >= 0) {  // once the server answered with the file
            std::fprintf(stderr, "vitscope-cli: downloading %s\n", qPrintable(p.file));
            last_file_ = p.file;
        }
    }
    ~ProgressPrinter() {
        if (dirty_) std::fputc('\n', stderr);
    }

private:
    bool tty_ = isatty(2) != 0;
    bool dirty_ = false;
    QString last_file_;
};

std::string pad(std::string s, size_t n) {
    if (s.size() < n) s.append(n - s.size(), ' ');
    return s;
}

}  // namespace

LoadedModel load_cli_model(const std::string& path_or_id) {
    const QString text = QString::fromStdString(path_or_id);
    if (!hub_id_of(text)) return load_model(path_or_id);
    std::string local;
    {
        ProgressPrinter printer;
        local = resolve_model_reference(text, hub_settings_from_environment(), std::ref(printer)).toStdString();
    }
    return load_model(local);
}

int cmd_models(const Args& a) {
    require_positional(a, 0, "models");
    std::printf("%s %s %s %s %s %s %s\n", pad("id", 40).c_str(), pad("family", 19).c_str(), pad("params", 7).c_str(),
                pad("download", 9).c_str(), pad("licence", 17).c_str(), pad("input", 5).c_str(), "good for");
    for (const LibraryModel& m : model_library())
        std::printf("%s %s %s %s %s %s %s\n", pad(m.id, 40).c_str(), pad(m.family, 19).c_str(), pad(m.size, 7).c_str(),
                    pad(m.download.empty() ? "-" : "~" + m.download, 9).c_str(), pad(m.licence, 17).c_str(),
                    pad(std::to_string(m.input_size), 5).c_str(), m.teaching.c_str());
    std::printf("\nAny Hub id (org/name[@revision]) or a local folder or .safetensors file works as MODEL too.\n");
    const QString root = hub_cache_root();
    const std::vector<CachedModel> cached = list_cache(root);
    std::printf("\nCache %s: %s\n", qPrintable(root),
                cached.empty() ? "empty" : (std::to_string(cached.size()) + (cached.size() == 1 ? " model" : " models")).c_str());
    for (const CachedModel& c : cached)
        std::printf("  %s %s %s\n", pad(c.id.text(), 48).c_str(), pad(format_bytes(c.bytes).toStdString(), 10).c_str(),
                    c.complete ? "" : "(incomplete: `pull` resumes it)");
    return 0;
}

int cmd_pull(const Args& a) {
    require_positional(a, 1, "pull ORG/NAME[@REVISION]");
    const std::optional<HubId> id = parse_hub_id(a.positional[0]);
    if (!id) throw UsageError("pull expects a Hub id ORG/NAME[@REVISION], got '" + a.positional[0] + "'");
    const HubSettings settings = hub_settings_from_environment();
    const QString snapshot = snapshot_folder(settings.cache_root, *id);
    const bool had = snapshot_complete(snapshot);
    {
        ProgressPrinter printer;
        ensure_downloaded(*id, settings, std::ref(printer));
    }
    std::printf("%s %s %s\n", id->text().c_str(), had ? "already in the cache:" : "downloaded to", qPrintable(snapshot));
    return 0;
}

}  // namespace vitscope::cli
