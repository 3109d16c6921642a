#!/usr/bin/env bash
# Builds the libFuzzer targets (clang-14, ASan + UBSan, tests/fuzz) into ./build-fuzz and runs each
# for a bounded time on its committed seeds with tests/fuzz/vitscope.dict. New inputs go to a
# temporary folder (the committed corpus is never written); crash inputs to build-fuzz/artifacts/.
#   tools/fuzz.sh                       every target, FUZZ_SECONDS (default 30) seconds each
#   tools/fuzz.sh fuzz_model_header 600 one target for 600 s
#   FUZZ_SEED=N                         libFuzzer's -seed (default 0: a new random seed each run).
#                                       .ci/run fixes it, so that CI explores the same inputs each time
#                                       and a red CI means a regression, not a lucky find; long
#                                       campaigns with random seeds are for developers.
# Exit status 1 when any target found a crash, leak, timeout or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-30}
seed=${FUZZ_SEED:-0}
targets=(fuzz_json fuzz_safetensors fuzz_model_header fuzz_model_file fuzz_config fuzz_image)
[ $# -ge 1 ] && targets=("$1")
[ $# -ge 2 ] && seconds=$2

cmake -S . -B build-fuzz -G Ninja -DCMAKE_CXX_COMPILER=clang++-14 -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DVITSCOPE_FUZZ=ON -DVITSCOPE_BLAS=OFF \
  -DVITSCOPE_BUILD_APP=OFF -DVITSCOPE_BUILD_CLI=OFF -DVITSCOPE_BUILD_TESTS=OFF >/dev/null
cmake --build build-fuzz --parallel "$(nproc)" --target "${targets[@]}"

seeds_for() {
  local c=tests/fuzz/corpus
  case "$1" in
    fuzz_json) echo "$c/json $c/model_header $c/config" ;;
    fuzz_safetensors | fuzz_model_file) echo "$c/safetensors tests/data/vit tests/data/swin tests/data/bad_files" ;;
    fuzz_model_header) echo "$c/model_header" ;;
    fuzz_config) echo "$c/config" ;;
    fuzz_image) echo "$c/image" ;;
  esac
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p build-fuzz/artifacts
export ASAN_OPTIONS="detect_leaks=1:detect_stack_use_after_return=0"
export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1"
export LSAN_OPTIONS="suppressions=$PWD/tools/lsan.supp:print_suppressions=0"
failed=()
for t in "${targets[@]}"; do
  mkdir -p "$work/$t"
  echo "== $t: ${seconds}s"
  # shellcheck disable=SC2046
  if ! build-fuzz/tests/fuzz/$t -max_total_time="$seconds" -seed="$seed" -timeout=10 -rss_limit_mb=2560 -max_len=262144 \
      -dict=tests/fuzz/vitscope.dict -artifact_prefix="build-fuzz/artifacts/$t-" -print_final_stats=1 \
      "$work/$t" $(seeds_for "$t") 2>"$work/$t.log"; then
    failed+=("$t")
    tail -n 60 "$work/$t.log"
  fi
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb|#[0-9]+ +DONE)" "$work/$t.log" || true
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "fuzz: crashes in ${failed[*]} (inputs in build-fuzz/artifacts/; add each to tests/data/bad_files)"
  exit 1
fi
echo "fuzz: ${#targets[@]} targets, ${seconds}s each, no crash"
