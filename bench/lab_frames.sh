#!/usr/bin/env bash
# Frame times of vitscope-lab under Xvfb (Mesa llvmpipe without a GPU): runs each lab script RUNS
# times at 1600x1000 and prints, per run, the median and 99th percentile of the frame times while a
# layer sweep runs and while a forward pass runs (the lab's --print-state report), and how many
# frames were drawn (a frame that would not change the screen is not).
#   bench/lab_frames.sh LAB_BINARY MODEL [RUNS] [SCRIPT...]
# defaults: 3 runs of bench/lab_sweep.lab and bench/lab_forwards.lab. Run from the repository root.
set -euo pipefail
lab=$1 model=$2 runs=${3:-3}
shift $(( $# < 3 ? $# : 3 ))
scripts=("$@")
[ ${#scripts[@]} -gt 0 ] || scripts=(bench/lab_sweep.lab bench/lab_forwards.lab)
for s in "${scripts[@]}"; do
  for i in $(seq "$runs"); do
    xvfb-run -a -s "-screen 0 1600x1000x24" "$lab" "$model" --script "$s" --print-state 2>/dev/null |
      python3 -c '
import json, sys
s = json.load(sys.stdin)
w, c = s["frame_ms_sweeping"], s["frame_ms_computing"]
print("%-18s sweeping median %5.1f p99 %5.1f ms (%d frames) | computing median %5.1f p99 %5.1f ms (%d frames)"
      " | %d of %d frames drawn" % (sys.argv[1], w["median_ms"], w["p99_ms"], w["frames"], c["median_ms"], c["p99_ms"],
                                    c["frames"], s.get("frames_drawn", s["frames"]), s["frames"]))' "$(basename "$s")"
  done
done
