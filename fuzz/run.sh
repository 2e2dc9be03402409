#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in $BUILD/fuzz and runs them.
#   fuzz/run.sh run     each target for FUZZ_SECONDS (default 60) from the
#                       committed corpus plus what earlier runs found; new
#                       entries go to $BUILD/fuzz/corpus/<corpus>, never to git
#   fuzz/run.sh smoke   each target over the committed corpus (every file is a
#                       regression input) plus FUZZ_SMOKE_RUNS mutations
#                       (default 3000, at most FUZZ_SMOKE_SECONDS, default 15,
#                       per target), from a fixed seed: the step make test runs
# FUZZ_TARGETS="fuzz_multi_heap" limits either to some targets.
# A crash leaves its input in $BUILD/fuzz/artifacts/<target>/ and fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-run}
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
FUZZ_SMOKE_RUNS=${FUZZ_SMOKE_RUNS:-3000}
FUZZ_SMOKE_SECONDS=${FUZZ_SMOKE_SECONDS:-15}
dir="$BUILD/fuzz"

cmake -S . -B "$dir" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAPHEAP_BUILD_FUZZ=ON \
  -DCAPHEAP_BUILD_TESTS=OFF -DCAPHEAP_BUILD_BENCH=OFF >/dev/null
cmake --build "$dir" -j"$JOBS" --target fuzzers

# The poisoning variants of a harness share its corpus: same input format.
corpus_of() {
  case "$1" in
    fuzz_multi_heap*) echo fuzz_multi_heap ;;
    *) echo "$1" ;;
  esac
}

all_targets() {
  for t in fuzz_multi_heap fuzz_multi_heap_light fuzz_multi_heap_comprehensive fuzz_heap_caps; do
    if [ -x "$dir/fuzz/$t" ]; then echo "$t"; fi
  done
}

# The last status line of a libFuzzer log: "cov: N ft: N corp: N/Nb ... exec/s: N".
summary_of() { grep -E '^#[0-9]+.*cov:' "$1" | tail -n 1 | sed -E 's/^#([0-9]+)[[:space:]]+[A-Z]+[[:space:]]+/\1 runs, /'; }

run_one() {
  local t=$1 c
  c=$(corpus_of "$t")
  local work="$dir/corpus/$c" art="$dir/artifacts/$t/" log="$dir/$t.log"
  mkdir -p "$work" "$art"
  local args=(-artifact_prefix="$art" -print_final_stats=1 -max_len=4096)
  if [ "$mode" = smoke ]; then
    work="$dir/smoke/$t"
    rm -rf "$work" && mkdir -p "$work"
    args+=(-runs="$FUZZ_SMOKE_RUNS" -seed=1 -max_total_time="$FUZZ_SMOKE_SECONDS")
  else
    args+=(-max_total_time="$FUZZ_SECONDS")
  fi
  echo "--- $t ($mode) ---"
  if "$dir/fuzz/$t" "${args[@]}" "$work" "fuzz/corpus/$c" >"$log" 2>&1; then
    echo "$t: $(summary_of "$log")"
    echo "| $t | $(summary_of "$log") |" >>"$dir/results.md"
    return 0
  fi
  tail -n 40 "$log"
  echo "$t: FAILED (log $log, input in $art)"
  return 1
}

targets=${FUZZ_TARGETS:-$(all_targets)}
echo "| target | $mode: last status line |" >"$dir/results.md"
echo "|---|---|" >>"$dir/results.md"
failed=0
for t in $targets; do
  run_one "$t" || failed=$((failed + 1))
done
echo "fuzz $mode: $(echo $targets | wc -w) targets, $failed failed (summary in $dir/results.md)"
[ "$failed" -eq 0 ]
