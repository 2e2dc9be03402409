#!/usr/bin/env bash
# Worst-case stack of the allocation API and of the diagnostics on a core
# (-Os, or OPT), at a poisoning level: the library's sources with the
# bare-metal port and its malloc family are compiled with
# -fcallgraph-info=su, and scripts/stack_depth.py adds the frames along the
# deepest chain of calls of each function. Writes a Markdown table to
# $BUILD/stack/stack-<core>-L<level>.md and prints it. Fails when a function
# recurses or has a frame of dynamic size anywhere in the library, when a
# path calls through a pointer other than to the application's callbacks or
# to the library's own visitors (VIA), when the visitor lists do not say what
# the sources pass (scripts/stack_visitors.py), or when a function of the
# table is missing.
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
# helper, so both are named) and every function it can reach, followed as
# calls wherever the site is reached (an upper bound: VIA), and the visitor
# each function of the library passes (BIND: below that binder the site
# reaches its visitor only; multi_heap_walk's chain then never reaches the
# dump's formatter). scripts/stack_visitors.py holds both to the sources.
TLSF_FAULTS=src/multi_heap_diag.c:on_fault+src/assertions.c:region_fault
TLSF_WALKERS=src/multi_heap_diag.c:walk_one_block+src/multi_heap_diag.c:check_one_block+src/multi_heap_diag.c:dump_one_block
TLSF_WALKERS+=+src/multi_heap_diag.c:find_one_block+src/poison.c:fill_free_block
HEAP_WALKERS=src/heap_caps_info.c:walk_one_block+src/heap_caps_task_info.c:tally_block+src/heap_caps_task_stat.c:list_block
HEAP_WALKERS+=+src/heap_caps_task_stat_print.c:collect_block
VIA=(--via "capheap_tlsf_check=$TLSF_FAULTS" --via "src/tlsf.c:fail=$TLSF_FAULTS"
     --via "capheap_poison_check_block=src/multi_heap_diag.c:on_fault"
     --via "capheap_tlsf_walk=$TLSF_WALKERS" --via "src/multi_heap_diag.c:walk_one_block=$HEAP_WALKERS")
DIAG=src/multi_heap_diag.c
BIND=(--bind "multi_heap_check@capheap_tlsf_check=$DIAG:on_fault" --bind "multi_heap_check@src/tlsf.c:fail=$DIAG:on_fault"
      --bind "multi_heap_check@capheap_tlsf_walk=$DIAG:check_one_block"
      --bind "$DIAG:check_one_block@capheap_poison_check_block=$DIAG:on_fault"
      --bind "capheap_verify_region@capheap_tlsf_check=src/assertions.c:region_fault"
      --bind "capheap_verify_region@src/tlsf.c:fail=src/assertions.c:region_fault"
      --bind "multi_heap_walk@capheap_tlsf_walk=$DIAG:walk_one_block"
      --bind "multi_heap_dump@capheap_tlsf_walk=$DIAG:dump_one_block"
      --bind "multi_heap_find_containing_block@capheap_tlsf_walk=$DIAG:find_one_block"
      --bind "capheap_poison_new_heap@capheap_tlsf_walk=src/poison.c:fill_free_block"
      --bind "heap_caps_walk@$DIAG:walk_one_block=src/heap_caps_info.c:walk_one_block"
      --bind "heap_caps_get_per_task_info@$DIAG:walk_one_block=src/heap_caps_task_info.c:tally_block"
      --bind "src/heap_caps_task_stat.c:fill_heap@$DIAG:walk_one_block=src/heap_caps_task_stat.c:list_block"
      --bind "src/heap_caps_task_stat_print.c:print_blocks@$DIAG:walk_one_block=src/heap_caps_task_stat_print.c:collect_block")
python3 scripts/stack_visitors.py "${VIA[@]}" "${BIND[@]}" src/*.c

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
  python3 scripts/stack_depth.py "${VIA[@]}" "${BIND[@]}" "$(IFS=,; echo "${FUNCTIONS[*]}")" "$(IFS=,; echo "${APP_CALLERS[*]}")" \
    "$out"/*.ci || status=$?
} >"$BUILD/stack/stack-$tag-L$level.md"
cat "$BUILD/stack/stack-$tag-L$level.md"
exit "$status"
