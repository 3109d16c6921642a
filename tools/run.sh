#!/usr/bin/env bash
# Install dependencies, build, and start vitscope on the embedded default model and image.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install_deps.sh
bash tools/build.sh
if [ -x build/app/desktop/vitscope ]; then
  exec build/app/desktop/vitscope "$@"
fi
# Until the desktop app lands, the command-line tool stands in.
exec build/app/cli/vitscope-cli info tests/data/vit/deit_distilled_tiny_hf
