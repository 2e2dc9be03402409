#!/usr/bin/env bash
# Worst-case stack of the allocation API and of the diagnostics on a core
# (-Os, or OPT), at a poisoning level: the library's sources with the
# bare-metal port and its malloc family are compiled with
# -fcallgraph-info=su, and scripts/stack_depth.py adds the frames along the
# deepest chain of calls of each function. Writes a Markdown table to
# $BUILD/stack/stack-<core>-L<level>.md and prints it. Fails when a function
# recurses or has a frame of dynamic size anywhere in the library, when a
# path calls through a pointer other than to the application's callbacks or
# to the library's own visitors (VIA), when a visitor passed in the sources
# is not among VIA's, or when a function of the table is missing.
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
           multi_heap_aligned_alloc heap_caps_get_info
           multi_heap_check heap_caps_check_integrity_all multi_heap_walk heap_caps_walk_all multi_heap_dump
           heap_caps_dump_all heap_caps_print_heap_info)
# The functions whose indirect calls reach the application's own code: the
# failed-allocation callback, the corruption handler, the trace sink, the
# walkers of multi_heap_walk and heap_caps_walk.
APP_CALLERS=(capheap_caps_alloc_failed capheap_report_corruption src/trace.c:emit src/multi_heap_diag.c:walk_one_block
             src/heap_caps_info.c:walk_one_block)
# The library's own visitors, which its walks and checks call through a
# pointer: each site (the function that makes the call; GCC may inline a
# helper, so both are named) and the functions it can reach, followed as
# calls. check_visitors (below) holds this list to the sources.
TLSF_FAULTS=src/multi_heap_diag.c:on_fault+src/assertions.c:region_fault
TLSF_WALKERS=src/multi_heap_diag.c:walk_one_block+src/multi_heap_diag.c:check_one_block+src/multi_heap_diag.c:dump_one_block
TLSF_WALKERS+=+src/multi_heap_diag.c:find_one_block+src/poison.c:fill_free_block
HEAP_WALKERS=src/heap_caps_info.c:walk_one_block+src/heap_caps_task_info.c:tally_block+src/heap_caps_task_stat.c:list_block
HEAP_WALKERS+=+src/heap_caps_task_stat_print.c:print_block
VIA=(--via "capheap_tlsf_check=$TLSF_FAULTS" --via "src/tlsf.c:fail=$TLSF_FAULTS"
     --via "capheap_poison_check_block=src/multi_heap_diag.c:on_fault"
     --via "capheap_tlsf_walk=$TLSF_WALKERS" --via "src/multi_heap_diag.c:walk_one_block=$HEAP_WALKERS")

# Every function of src/ passed to a walk or a check as its visitor must be
# one of VIA's targets, or the figures would leave its frames out.
check_visitors() {
  local name missing=0
  for name in $(grep -hoE '\b(capheap_tlsf_walk|locked_walk|capheap_tlsf_check|multi_heap_walk|capheap_poison_check_block)\([^;{]*' src/*.c |
                sed -E 's/^[a-z_]+\(//' | tr ',' '\n' | sed -E 's/^ +| +$//g' | grep -E '^[a-z_]+$' | sort -u); do
    grep -qE "^static (bool|void) $name\(" src/*.c || continue
    if ! printf '%s\n' "${VIA[@]}" | grep -qE ":$name(\+|$)"; then
      echo "stack-usage: $name is passed to a walk or a check but is not among VIA's targets" >&2
      missing=1
    fi
  done
  return "$missing"
}
check_visitors

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
  python3 scripts/stack_depth.py "${VIA[@]}" "$(IFS=,; echo "${FUNCTIONS[*]}")" "$(IFS=,; echo "${APP_CALLERS[*]}")" \
    "$out"/*.ci || status=$?
} >"$BUILD/stack/stack-$tag-L$level.md"
cat "$BUILD/stack/stack-$tag-L$level.md"
exit "$status"
