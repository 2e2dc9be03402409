#!/usr/bin/env bash
# Instructions per malloc+free pair of the capabilities layer (bench/bench_caps.c)
# under callgrind, -m32 -O2 -DNDEBUG, on WORKLOADS.md's small and churn workloads:
#   esp32        heap_caps_malloc(n, MALLOC_CAP_8BIT) / heap_caps_free on capheap_init("esp32")
#   multi        multi_heap on one region, no lock
#   multi-lock   multi_heap on one region with the port's lock (as every registered heap)
#   heaps N      heap_caps with N heaps registered (1, 8, 32)
# Each figure is the inclusive cost of the malloc wrapper per call plus that of
# the free wrapper per call. Writes a table to stdout and to $BUILD/bench-caps/results.md.
#   WORKLOADS="small" scripts/bench-caps.sh    only some workloads
set -euo pipefail
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
WORKLOADS=${WORKLOADS:-"small churn"}
dir="$BUILD/bench-caps-m32"

cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG" "-DCMAKE_C_FLAGS=-m32" \
  -DCAPHEAP_POISONING=none -DCAPHEAP_BUILD_TESTS=OFF -DCAPHEAP_BUILD_BENCH=ON >/dev/null
cmake --build "$dir" -j"$JOBS" --target bench_caps >/dev/null
bin="$dir/bench/bench_caps"
out="$BUILD/bench-caps"
mkdir -p "$out"

# inclusive <callgrind file> <function>: the function's inclusive instruction count.
inclusive() {
  callgrind_annotate --inclusive=yes --threshold=100 "$1" 2>/dev/null |
    awk -v fn="$2" '$0 ~ (":" fn " ") { gsub(",", "", $1); print $1; exit }'
}

# measure <workload> <mode...>: prints "malloc free pair" instructions per call.
measure() {
  local workload=$1; shift
  local args="$*"
  local tag="${workload}-${args// /-}" prefix=bench_caps
  case "$1" in multi|multi-lock) prefix=bench_multi ;; esac
  local cg="$out/callgrind.$tag"
  local line
  line=$(LD_BIND_NOW=1 valgrind --tool=callgrind --callgrind-out-file="$cg" --collect-atstart=no \
           --toggle-collect="${prefix}_malloc" --toggle-collect="${prefix}_free" "$bin" "$workload" "$@" 2>/dev/null)
  local mallocs frees im if_
  mallocs=$(sed -n 's/.*malloc_calls=\([0-9]*\).*/\1/p' <<<"$line")
  frees=$(sed -n 's/.*free_calls=\([0-9]*\).*/\1/p' <<<"$line")
  im=$(inclusive "$cg" "${prefix}_malloc")
  if_=$(inclusive "$cg" "${prefix}_free")
  awk -v im="$im" -v mc="$mallocs" -v ifr="$if_" -v fc="$frees" \
    'BEGIN { m = im / mc; f = ifr / fc; printf "%.1f %.1f %.1f\n", m, f, m + f }'
}

{
  echo "| workload | front end | malloc instr/call | free instr/call | instr/pair |"
  echo "|---|---|---|---|---|"
  for w in $WORKLOADS; do
    for mode in "multi" "multi-lock" "esp32" "heaps 1" "heaps 8" "heaps 32"; do
      read -r m f p < <(measure "$w" $mode)
      echo "| $w | $mode | $m | $f | $p |"
    done
  done
} | tee "$out/results.md"
