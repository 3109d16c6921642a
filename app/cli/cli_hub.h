// The model library and the Hub from the command line: `models`, `pull ID[@rev]`, and the one
// loader every command uses, which accepts a Hub id wherever a model path is asked for.
#pragma once

#include "cli_args.h"

#include "model_loader.h"

#include <string>

namespace vitscope::cli {

// `path_or_id` loaded; a Hub id ("org/name[@rev]") resolves to the cache and is downloaded first
// when missing, with progress on stderr.
LoadedModel load_cli_model(const std::string& path_or_id);

int cmd_models(const Args& a);  // the curated library, then the cache with sizes
int cmd_pull(const Args& a);    // download ID[@rev] into the cache (or say it is there)

}  // namespace vitscope::cli
