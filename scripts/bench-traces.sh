#!/usr/bin/env bash
# Real traces (../shared/traces, Android's memory_replay recordings) replayed
# on ONE multi_heap region, -m32 as WORKLOADS.md's reference figures:
#   - in a region of 1.25 x the trace's peak live bytes, instructions counted:
#     failed allocations, instructions per operation (inside the allocator
#     call wrappers only), and the footprint against peak live bytes;
#   - natively, by bisection: the smallest region in which the whole trace
#     replays without a failed allocation, / peak live bytes.
# The -m32 build cannot read gzip here, so the 64-bit build's
# bench_trace_convert (the capheap tool's trace readers) turns each trace into
# the compact events of bench/trace_events.h first ($OUT/traces, not committed).
# Expects the builds of scripts/bench.sh; writes $OUT/traces.md and values.
# Environment: TRACES (bench-lib.sh), TRACE_DIR (default ../shared/traces).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
TRACE_DIR=${TRACE_DIR:-../shared/traces}
WRAPPERS=bench_trace_malloc,bench_trace_aligned,bench_trace_realloc,bench_trace_free

# events NAME: the converted events of trace NAME (made once per trace file).
events() {
  local src=$TRACE_DIR/$1.txt.gz dst=$OUT/traces/$1.events
  mkdir -p "$OUT/traces"
  if [ ! -f "$dst" ] || [ "$src" -nt "$dst" ]; then
    echo "bench: converting $src" >&2
    "$(bench_dir m64)/bench/bench_trace_convert" "$src" "$dst.tmp" >"$OUT/traces/$1.convert.txt"
    mv "$dst.tmp" "$dst"
  fi
  echo "$dst"
}

# collected_in TAG: instructions inside the four wrappers (all that was collected).
collected_in() {
  local fn sum=0
  for fn in ${WRAPPERS//,/ }; do sum=$((sum + $(cost_of "$fn" "$1"))); done
  [ "$sum" = "$(collected_total "$1")" ] || { echo "bench: $1: wrappers $sum != $(collected_total "$1")" >&2; exit 1; }
  echo "$sum"
}

measure() { # NAME
  local name=$1 ev tag=trace-$1 f
  ev=$(events "$name")
  echo "bench: counting trace $name in 1.25 x peak live (-m32)" >&2
  count "$tag" "$WRAPPERS" -- "$(bench_dir m32)/bench/bench_trace" "$ev" fixed 1250
  f=$OUT/$tag.txt
  put "trace.$name.events" "$(value events "$f")"
  put "trace.$name.peak_live" "$(value peak_live "$f")"
  put "trace.$name.region" "$(value region "$f")"
  put "trace.$name.failed" "$(value failed "$f")"
  put "trace.$name.instr_per_op" "$(ratio "$(collected_in "$tag")" "$(value calls "$f")" 1)"
  put "trace.$name.high_water" "$(value high_water_ratio "$f")"
  put "trace.$name.used_peak" "$(value used_peak_ratio "$f")"
  echo "bench: smallest region for $name (bisection, native -m32)" >&2
  "$(bench_dir m32)/bench/bench_trace" "$ev" smallest >"$OUT/$tag-smallest.txt"
  put "trace.$name.smallest" "$(value ratio "$OUT/$tag-smallest.txt")"
}

for t in $TRACES; do measure "$t"; done

{
  echo "| trace | events | peak live bytes | failed in 1.25 x peak | instr/op | highest used byte / peak live | (region - min free) / peak live | smallest region / peak live |"
  echo "|---|---|---|---|---|---|---|---|"
  for t in $TRACES; do
    echo "| $t | $(get "trace.$t.events") | $(get "trace.$t.peak_live") | $(get "trace.$t.failed") |" \
         "$(get "trace.$t.instr_per_op") | $(get "trace.$t.high_water") | $(get "trace.$t.used_peak") |" \
         "$(get "trace.$t.smallest") |"
  done
  echo
  echo "capheap is multi_heap on one region, -m32, events in the recorded order (the recording's"
  echo "threads as one sequence). Peak live bytes: the most payload the trace holds (sizes asked"
  echo "for). instr/op: counted inside the malloc, aligned_alloc, realloc and free wrappers, per"
  echo "call. Highest used byte: the end of the highest block ever handed out, from the region's"
  echo "start; region - min free: the most the heap ever used, headers and control data included."
  echo "Smallest region: bisection to 1/1000 of the peak, native. Reference (WORKLOADS.md, -m32,"
  echo "smallest region / peak live, surfaceflinger / systemui): TLSF 3.1 1.019 / 1.063, ESP-IDF"
  echo "multi_heap 1.029 / 1.063, o1heap 1.597 / 1.689; instr/op over surfaceflinger: o1heap 264,"
  echo "TLSF 309, ESP-IDF multi_heap 404."
} >"$OUT/traces.md"
