#!/usr/bin/env bash
# Two threads on two heaps (bench/bench_threads.c, -m32): wall-clock
# throughput of churn with two threads, each on its own locked multi_heap,
# against one thread; the median and the best of REPS alternating runs.
# Wall-clock figures vary with the machine and its load (this one has 2 cores
# and is shared): the output says so. Expects the builds of scripts/bench.sh;
# writes $OUT/threads.md and values. Environment: REPS (default 9).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
REPS=${REPS:-9}
f=$OUT/threads.txt

echo "bench: two threads on two heaps, $REPS runs of each (wall clock, -m32)" >&2
"$(bench_dir m32)/bench/bench_threads" "$REPS" >"$f"
line() { grep "^locks=$1 " "$f"; }
for locks in as-created spaced; do
  for k in one_median one_best two_median two_best ratio_median ratio_best; do
    put "threads.$locks.$k" "$(value "$k" <(line "$locks"))"
  done
done

mops() { awk -v v="$(get "$1")" 'BEGIN { printf "%.1f", v / 1e6 }'; }

{
  echo "| heap locks | 1 thread, M ops/s (median / best) | 2 threads, M ops/s (median / best) | ratio of medians | ratio of bests |"
  echo "|---|---|---|---|---|"
  for locks in as-created spaced; do
    echo "| $locks | $(mops "threads.$locks.one_median") / $(mops "threads.$locks.one_best") |" \
         "$(mops "threads.$locks.two_median") / $(mops "threads.$locks.two_best") |" \
         "$(get "threads.$locks.ratio_median") | $(get "threads.$locks.ratio_best") |"
  done
  echo
  echo "Churn (256 KiB region, 256 slots, log-uniform 16..4096 B), 4,000,000 operations per thread,"
  echo "each thread on its own multi_heap with the posix port's lock; $REPS runs of one thread and of"
  echo "two, alternately. Wall clock on a shared 2-core machine ($(nproc) CPUs online, load"
  echo "average $(cut -d' ' -f1-3 /proc/loadavg) when it ended): the figures vary from run to run."
  echo "as-created: the locks as capheap_port_lock_create hands them out (the target figure);"
  echo "spaced: the two locks 128 bytes apart in the port's pool, which shows what sharing one"
  echo "cache line between the two heaps' locks costs."
} >"$OUT/threads.md"
