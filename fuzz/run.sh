#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, ASan+UBSan) in $BUILD/fuzz and runs them.
#   fuzz/run.sh run     each target for FUZZ_SECONDS (default 60) from the
#                       committed corpus plus what earlier runs found; new
#                       entries go to $BUILD/fuzz/corpus/<corpus>, never to git
#   fuzz/run.sh smoke   each target over the committed corpus (every file is a
#                       regression input) plus FUZZ_SMOKE_RUNS mutations
#                       (default 3000, at most FUZZ_SMOKE_SECONDS, default 15,
#                       per target), from a fixed seed: the step make test runs
#   fuzz/run.sh coverage  replays both corpora of each target in a build
#                       instrumented for llvm-cov ($BUILD/fuzz-cov) and reports
#                       line coverage of the library's files ($BUILD/fuzz/coverage.txt)
# FUZZ_TARGETS="fuzz_multi_heap" limits any of them to some targets.
# FUZZ_GRAIN=16 builds them with CAPHEAP_GRAIN=16 (16-aligned blocks behind
# 8-byte headers; give it a BUILD of its own).
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

build() {
  cmake -S . -B "$1" -DCMAKE_C_COMPILER=clang -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAPHEAP_BUILD_FUZZ=ON \
    -DCAPHEAP_BUILD_TESTS=OFF -DCAPHEAP_BUILD_BENCH=OFF -DCAPHEAP_FUZZ_COVERAGE="$2" \
    -DCAPHEAP_GRAIN="${FUZZ_GRAIN:-}" >/dev/null
  cmake --build "$1" -j"$JOBS" --target fuzzers
}
if [ "$mode" = coverage ]; then build "$BUILD/fuzz-cov" ON; else build "$dir" OFF; fi

# The variants of a harness (poisoning levels, boards) share its corpus: same
# input format.
corpus_of() {
  case "$1" in
    fuzz_multi_heap*) echo fuzz_multi_heap ;;
    fuzz_heap_caps*) echo fuzz_heap_caps ;;
    *) echo "$1" ;;
  esac
}

all_targets() {
  local d=$dir
  [ "$mode" = coverage ] && d="$BUILD/fuzz-cov"
  for t in fuzz_multi_heap fuzz_multi_heap_light fuzz_multi_heap_comprehensive fuzz_heap_caps fuzz_heap_caps_esp32s3 fuzz_heap_caps_psram fuzz_heap_caps_esp32p4 fuzz_tool_inputs; do
    if [ -x "$d/fuzz/$t" ]; then echo "$t"; fi
  done
}

# The files a target is meant to exercise (existing ones only).
scope_of() {
  local files
  case "$1" in
    fuzz_multi_heap*) files="src/tlsf.c src/multi_heap.c src/multi_heap_diag.c src/poison.c src/corruption.c" ;;
    fuzz_tool_inputs) files="tools/board.c tools/board_file.c tools/board_info.c tools/caps_names.c tools/trace_*.c tools/replay.c tools/report.c tools/picture.c" ;;
    *) files="src/heap_caps*.c src/registry*.c src/board_layout.c ports/posix/*.c" ;;
  esac
  for f in $files; do if [ -f "$f" ]; then echo "$f"; fi; done
}

# Line coverage of the target's files after replaying every corpus entry
# once; the table goes to coverage.txt, its total line to stdout.
coverage_one() {
  local t=$1 c bin="$BUILD/fuzz-cov/fuzz/$1" raw="$BUILD/fuzz-cov/$1.profraw" data="$BUILD/fuzz-cov/$1.profdata"
  c=$(corpus_of "$t")
  mkdir -p "$dir/corpus/$c"
  rm -f "$raw"
  LLVM_PROFILE_FILE="$raw" "$bin" -runs=0 "$dir/corpus/$c" "fuzz/corpus/$c" >"$BUILD/fuzz-cov/$t.log" 2>&1
  llvm-profdata merge -sparse "$raw" -o "$data"
  local scope
  scope=$(scope_of "$t")
  # shellcheck disable=SC2086 # one argument per file
  { echo "== $t"; llvm-cov report "$bin" -instr-profile="$data" $scope; } >>"$dir/coverage.txt"
  # shellcheck disable=SC2086
  echo "$t: $(llvm-cov report "$bin" -instr-profile="$data" $scope | awk '/^TOTAL/ {print "lines " $10 ", branches " $13}')" \
    "of" $scope
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
if [ "$mode" = coverage ]; then
  mkdir -p "$dir" && : >"$dir/coverage.txt"
  for t in $targets; do coverage_one "$t"; done
  exit 0
fi
echo "| target | $mode: last status line |" >"$dir/results.md"
echo "|---|---|" >>"$dir/results.md"
failed=0
for t in $targets; do
  run_one "$t" || failed=$((failed + 1))
done
echo "fuzz $mode: $(echo $targets | wc -w) targets, $failed failed (summary in $dir/results.md)"
[ "$failed" -eq 0 ]
