#!/usr/bin/env bash
# Worst-case stack of the allocation API on Cortex-M4 (arm-none-eabi-gcc
# -mcpu=cortex-m4 -mthumb -Os), at a poisoning level: the library's sources
# with the bare-metal port and its malloc family are compiled with
# -fcallgraph-info=su, and scripts/stack_depth.py adds the frames along the
# deepest chain of calls of each function. Writes a Markdown table to
# $BUILD/stack/stack-L<level>.md and prints it. Fails when a function
# recurses or has a frame of dynamic size anywhere in the library, or when a
# function of the table is missing.
#   scripts/stack-usage.sh LEVEL        (0 none, 1 light, 2 comprehensive)
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
level=${1:?usage: scripts/stack-usage.sh LEVEL}
out="$BUILD/stack/L$level"
rm -rf "$out"
mkdir -p "$out"

FUNCTIONS=(malloc free realloc calloc memalign heap_caps_malloc heap_caps_free heap_caps_realloc heap_caps_calloc
           heap_caps_aligned_alloc heap_caps_malloc_prefer multi_heap_malloc multi_heap_free multi_heap_realloc
           multi_heap_aligned_alloc heap_caps_get_info)
# The functions whose indirect calls reach the application's own code: the
# failed-allocation callback, the corruption handler, the trace sink.
APP_CALLERS=(capheap_caps_alloc_failed capheap_report_corruption src/trace.c:emit)

sources=$(cmake -DCAPHEAP_PORT=baremetal -DCAPHEAP_POISONING_LEVEL="$level" -P cmake/print-sources.cmake)
for source in $sources ports/baremetal/malloc_family.c; do
  arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -std=c11 -Wall -Wextra -Werror -Iinclude -Isrc -Iports/baremetal \
    -DCAPHEAP_POISONING_LEVEL="$level" -fcallgraph-info=su -c "$source" -o "$out/$(echo "$source" | tr / _).o"
done

names=("none" "light" "comprehensive")
{
  echo "| function | worst-case stack, bytes (${names[$level]} poisoning) | deepest chain of calls (each one's frame) | indirect calls reached (not followed) |"
  echo "|---|---|---|---|"
  status=0
  python3 scripts/stack_depth.py "$(IFS=,; echo "${FUNCTIONS[*]}")" "$(IFS=,; echo "${APP_CALLERS[*]}")" \
    "$out"/*.ci || status=$?
} >"$BUILD/stack/stack-L$level.md"
cat "$BUILD/stack/stack-L$level.md"
exit "$status"
