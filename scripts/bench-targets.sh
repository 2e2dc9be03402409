#!/usr/bin/env bash
# The speed targets of issues #3 and #7, each with the figure measured in this
# run (read from $OUT/values.txt, never typed) and met / NOT met. Writes
# $OUT/targets3.md and $OUT/targets.md (#7).
# Run by scripts/bench.sh after the measuring scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
met=0 total=0

# target DESCRIPTION KEY OP LIMIT [NOTE]: one line; a figure that is missing
# (a part that did not run) counts as NOT met.
target() {
  local v ok
  v=$(get "$2")
  total=$((total + 1))
  if [ -z "$v" ]; then
    echo "- $1 $3 $4: not measured (its part failed), **NOT met**"
    return
  fi
  ok=$(verdict "$v" "$3" "$4")
  [ "$ok" = met ] && met=$((met + 1))
  echo "- $1 $3 $4: measured $v${5:+ ($5)}, **$ok**"
}

caps_name() { case "$1" in esp32) echo 8BIT ;; esp32-dma) echo DMA ;; esp32-exec) echo "32BIT|EXEC" ;; esac; }

# Issue #3: heap_caps_malloc(n, MALLOC_CAP_8BIT)/heap_caps_free on the esp32
# board, small workload.
lines3() {
  target "heap_caps 8BIT instructions per malloc+free pair, small (esp32, -m32)" pair.caps.small.esp32 "<=" 325
  target "heap_caps 8BIT pair / locked multi_heap pair, small (esp32, -m32)" ratio.caps.small.esp32.multi-lock "<=" 1.15
}

lines() {
  target "churn instructions per malloc+free pair (-m32)" pair.m32.churn.capheap "<=" 190
  target "small instructions per malloc+free pair (-m32)" pair.m32.small.capheap "<=" 175
  target "fill (-m32)" fill.m32.capheap ">=" 0.93
  target "overhead 16 B @ 8 KiB (-m32)" overhead.m32.capheap.16@8192 ">=" 0.78
  target "overhead 100 B @ 8 KiB (-m32)" overhead.m32.capheap.100@8192 ">=" 0.94
  local wl mode t
  for wl in small churn; do
    for mode in esp32 esp32-dma esp32-exec; do
      target "heap_caps $(caps_name "$mode") pair / locked multi_heap pair, $wl (esp32, -m32)" \
             "ratio.caps.$wl.$mode.multi-lock" "<=" 1.1
    done
  done
  for wl in small churn; do
    target "flat cost: pair with 32 heaps / with 1 heap, $wl" "ratio.flat.$wl.heaps32" "<=" 1.05
  done
  target "flat cost: churn pair in a 16 MiB region / in 256 KiB" ratio.flat.churn.region16M "<=" 1.05
  target "2 threads on 2 heaps / 1 thread, throughput (median of runs)" threads.as-created.ratio_median ">=" 1.8 \
         "best runs: $(get threads.as-created.ratio_best); CPU share $(get threads.as-created.two_cpu_share); wall clock on a shared 2-core machine"
  for t in $TRACES; do
    target "$t: failed allocations in one region of 1.25 x peak live (-m32)" "trace.$t.failed" "<=" 0
  done
}

# Not in a $(...) subshell: the counts must survive.
lines3 >"$OUT/targets3.md"
{ echo; echo "$met of $total targets met."; } >>"$OUT/targets3.md"
met=0 total=0
lines >"$OUT/targets.md"
{ echo; echo "$met of $total targets met."; } >>"$OUT/targets.md"
