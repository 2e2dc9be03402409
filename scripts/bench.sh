#!/usr/bin/env bash
# `make bench`: every benchmark of the project in one run, one report.
#   scripts/bench-workloads.sh  WORKLOADS.md's workloads: capheap beside glibc,
#                               jemalloc, tcmalloc, mimalloc and the bump floor
#   scripts/bench-caps.sh       the capabilities layer on the esp32 board; flat cost
#   scripts/bench-traces.sh     Android's real traces on one region
#   scripts/bench-threads.sh    two threads on two heaps (wall clock)
#   scripts/bench-targets.sh    the targets of issues #3 and #7, met or not, from the figures
#   scripts/bench-plot.py       the picture of the main figures
# The report goes to stdout and $BUILD/bench/results.md, the picture to
# $BUILD/bench/bench.svg (scripts/readme-figures.sh copies both into the
# README and docs/); each part's raw output and callgrind files stay in
# $BUILD/bench/ (e.g. callgrind_annotate $BUILD/bench/m32-churn-capheap.callgrind).
# Environment: BUILD (default build), JOBS (default 2), ARCHES (default "m32 m64").
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
export BUILD JOBS
started=$(date +%s)

for tool in cmake valgrind callgrind_annotate python3; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/deps.sh bench installs it)" >&2; exit 1; }
done

# A part that fails leaves its figures out (the targets say "not measured")
# and the run goes on: one broken part should not hide the others.
part() {
  if ! "$@"; then
    echo "bench: $* failed" >&2
    failed_parts="$failed_parts $(basename "$1")"
  fi
}

# counter_text: what counted the instructions of this run.
counter_text() {
  if [[ " ${ARCHES:-m32 m64} " == *" m32 "* ]] && ! valgrind_runs_m32; then
    echo "callgrind ($(valgrind --version)) for 64-bit programs and, valgrind being unable to run"
    echo "32-bit programs on this kernel, by $(qemu-i386 --version | head -n1 | cut -d' ' -f1-3) with the"
    echo "count_calls plugin for -m32 ones (it counts what callgrind counts)"
  else
    echo "callgrind ($(valgrind --version))"
  fi
}

header() {
  echo "## capheap benchmark (make bench)"
  echo
  echo "Measured $(date -u +%Y-%m-%d) at commit $(git describe --always --dirty 2>/dev/null || echo unknown):" \
       "gcc $(gcc -dumpfullversion) -O2 -DNDEBUG (CMake Release), $(uname -m). Instructions counted by $(counter_text)."
  echo "capheap is multi_heap_malloc/multi_heap_free on one region, no poisoning, no lock, unless"
  echo "a table says otherwise. Every figure without \"reference\" was measured in this run."
}

# section TITLE FILE: a part's table under its title, if the part wrote it.
section() {
  echo
  echo "### $1"
  echo
  if [ -f "$2" ]; then cat "$2"; else echo "(not measured: its part failed, see the output of make bench)"; fi
}

report() {
  header
  section "Targets of issue #3" "$OUT/targets3.md"
  section "Targets of issue #7" "$OUT/targets.md"
  echo
  if [ -f "$OUT/workloads.md" ]; then cat "$OUT/workloads.md"; else echo "### Workloads (not measured: its part failed)"; fi
  section "Capabilities layer: heap_caps on the esp32 board (-m32)" "$OUT/caps.md"
  section "Real traces on one region (-m32)" "$OUT/traces.md"
  section "Two threads on two heaps (wall clock)" "$OUT/threads.md"
}

# callgrind runs 32-bit programs only on a kernel that runs them itself: under
# QEMU's emulator (scripts/i386-exec.sh) valgrind stops at its first check, and
# the -m32 programs are counted under qemu-i386 instead (bench-lib.sh: count).
if [[ " ${ARCHES:-m32 m64} " == *" m32 "* ]] && ! valgrind_runs_m32; then
  command -v qemu-i386 >/dev/null || { echo "bench: qemu-i386 is missing (scripts/deps.sh installs it)" >&2; exit 1; }
  echo "bench: valgrind cannot run 32-bit programs on this machine (a kernel without IA32 emulation):" \
       "the -m32 programs are counted under qemu-i386 with the count_calls plugin" >&2
fi

failed_parts=""
rm -f "$OUT/values.txt" "$OUT"/{workloads,caps,traces,threads,targets,targets3}.md
for arch in ${ARCHES:-m32 m64}; do bench_build "$arch"; done
part scripts/bench-threads.sh # first: the wall-clock part wants the machine quiet
part scripts/bench-workloads.sh
part scripts/bench-caps.sh
part scripts/bench-traces.sh
scripts/bench-targets.sh
python3 scripts/bench-plot.py "$OUT/values.txt" "$OUT/bench.svg" \
  "make bench, $(date -u +%Y-%m-%d), commit $(git describe --always --dirty 2>/dev/null || echo unknown), gcc $(gcc -dumpfullversion) -O2"
report >"$OUT/results.md"
echo
cat "$OUT/results.md"
echo
echo "bench: report in $OUT/results.md, picture in $OUT/bench.svg ($(($(date +%s) - started)) s)"
[ -z "$failed_parts" ] || { echo "bench: failed:$failed_parts" >&2; exit 1; }
