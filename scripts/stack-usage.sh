#!/usr/bin/env bash
# Worst-case stack of the allocation API on a core (-Os, or OPT), at a poisoning
# level: the library's sources with the bare-metal port and its malloc family
# are compiled with -fcallgraph-info=su, and scripts/stack_depth.py adds the
# frames along the deepest chain of calls of each function. Writes a Markdown
# table to $BUILD/stack/stack-<core>-L<level>.md and prints it. Fails when a
# function recurses or has a frame of dynamic size anywhere in the library,
# when an allocation path calls through a pointer other than the
# application's callbacks, or when a function of the table is missing.
#   scripts/stack-usage.sh LEVEL [CORE]   LEVEL 0 none, 1 light, 2 comprehensive;
#                                         CORE cm4 (default), cm0plus, rv32, lx106
#   OPT=-O2 scripts/stack-usage.sh ...    another optimisation level (inlining
#                                         changes the frames); its table is
#                                         stack-<core>-O2-L<level>.md
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
level=${1:?usage: scripts/stack-usage.sh LEVEL [CORE]}
core=${2:-cm4}
case "$core" in
  cm4) CC=(arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb) ;;
  cm0plus) CC=(arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb) ;;
  rv32) CC=(riscv64-unknown-elf-gcc -march=rv32imac_zicsr -mabi=ilp32 --specs=picolibc.specs) ;;
  lx106) CC=(xtensa-lx106-elf-gcc -mlongcalls --specs=/usr/lib/xtensa-lx106-elf/picolibc.specs) ;;
  *) echo "stack-usage: unknown core $core (cm4, cm0plus, rv32, lx106)" >&2; exit 2 ;;
esac
OPT=${OPT:--Os}
tag=$core
[ "$OPT" = -Os ] || tag=$core$OPT
out="$BUILD/stack/$tag-L$level"
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
  "${CC[@]}" "$OPT" -std=c11 -Wall -Wextra -Werror -Iinclude -Isrc -Iports/baremetal \
    -DCAPHEAP_POISONING_LEVEL="$level" -fcallgraph-info=su -c "$source" -o "$out/$(echo "$source" | tr / _).o"
done

names=("none" "light" "comprehensive")
{
  echo "| function | worst-case stack, bytes (${names[$level]} poisoning) | deepest chain of calls (each one's frame) | indirect calls reached (not followed) |"
  echo "|---|---|---|---|"
  status=0
  python3 scripts/stack_depth.py "$(IFS=,; echo "${FUNCTIONS[*]}")" "$(IFS=,; echo "${APP_CALLERS[*]}")" \
    "$out"/*.ci || status=$?
} >"$BUILD/stack/stack-$tag-L$level.md"
cat "$BUILD/stack/stack-$tag-L$level.md"
exit "$status"
