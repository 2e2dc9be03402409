#!/usr/bin/env bash
# cppcheck over the library, its boards and host ports, the tool, the benchmarks
# and the examples: warnings, portability, performance and style, every #if
# configuration cppcheck finds. Any finding fails (exit 1) and is printed with
# its file and line. A finding judged wrong is silenced where it stands, with
# "// cppcheck-suppress <id>" and the reason beside it.
#
# Not checked here: ports/baremetal (its #error picks a core, which only a
# cross build has: the target tests compile it for each) and the tests.
#
# Then the call graph of the library built for Cortex-M4, with no poisoning and
# with comprehensive poisoning (scripts/stack-usage.sh): no function may
# recurse or have a frame of dynamic size, and the allocation functions may
# make no indirect call but to the application's callbacks, so that their
# worst-case stack (make size) is a bound.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
out="$BUILD/static-analysis"
mkdir -p "$out"

sources=(src boards tools ports/posix ports/freertos ports/espidf bench examples)
# CAPHEAP_CONFIG_HEADER names a file a build without CMake brings; none here.
if ! cppcheck --quiet --error-exitcode=1 --enable=warning,portability,performance,style --std=c11 \
     --inline-suppr -UCAPHEAP_CONFIG_HEADER -Iinclude -Isrc -Iports/posix \
     --cppcheck-build-dir="$out" "${sources[@]}" 2>"$out/findings.txt"; then
  cat "$out/findings.txt" >&2
  echo "static-analysis: $(grep -c '^[^ ].*: \(error\|warning\|style\|performance\|portability\):' \
    "$out/findings.txt") findings (cppcheck $(cppcheck --version | cut -d' ' -f2))" >&2
  exit 1
fi
echo "static-analysis: no findings (cppcheck $(cppcheck --version | cut -d' ' -f2); ${sources[*]})"
tests/stack_depth/run.sh # the analyser's own test first
for level in 0 2; do
  if ! BUILD=$BUILD scripts/stack-usage.sh "$level" >/dev/null; then
    cat "$BUILD/stack/stack-cm4-L$level.md" >&2
    echo "static-analysis: the call graph at poisoning level $level has an unbounded or unfollowed call" >&2
    exit 1
  fi
done
echo "static-analysis: the call graph is bounded (no recursion, no frame of dynamic size; levels 0 and 2)"
