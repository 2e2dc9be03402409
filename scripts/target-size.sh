#!/usr/bin/env bash
# Code size of capheap on Cortex-M4 (arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb
# -Os): text, data and bss of the region allocator, of multi_heap and of the
# whole library (cmake/sources.cmake with the bare-metal port), at each
# poisoning level; and the core's text on Xtensa lx106 and on ARMv6-M. Sizes
# are of the object files (every function of the API),
# plus what a program that only allocates keeps after --gc-sections. Prints a
# Markdown table and writes it to $BUILD/size/size.md, with the largest
# functions of the core.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
out="$BUILD/size"
CC=(arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os -std=c11 -Wall -Wextra -Werror -Iinclude -Isrc)
TARGET_TEXT=2500 # region allocator + multi_heap without poisoning, bytes of text

REGION=(src/tlsf.c)
MULTI_HEAP=(src/multi_heap.c src/multi_heap_diag.c src/log.c src/corruption.c)
LEVELS=(0 1 2)
LEVEL_NAMES=(none light comprehensive)

# The library's sources at a level, as CMake builds them for a target.
whole() { cmake -DCAPHEAP_PORT=baremetal -DCAPHEAP_POISONING_LEVEL="$1" -P cmake/print-sources.cmake; }

# The core at a level: region allocator, multi_heap, and poisoning when on.
core() {
  echo "${REGION[@]}" "${MULTI_HEAP[@]}"
  [ "$1" -gt 0 ] && echo src/poison.c
  return 0
}

obj() { echo "$out/L$1/$(echo "$2" | tr / _).o"; }

# Compiles every source of the library at a level. A source outside the core
# that does not compile for the target is noted (the whole-library cell says
# so) rather than hiding the core's figures; a core source must compile.
compile_level() {
  local level=$1 source
  mkdir -p "$out/L$level"
  : >"$out/L$level/failed"
  for source in $(whole "$level"); do
    if ! "${CC[@]}" -DCAPHEAP_POISONING_LEVEL="$level" -c "$source" -o "$(obj "$level" "$source")" \
         2>>"$out/L$level/errors.log"; then
      echo "$source" >>"$out/L$level/failed"
    fi
  done
  for source in $(core "$level"); do
    if grep -qx "$source" "$out/L$level/failed"; then
      cat "$out/L$level/errors.log" >&2
      echo "target-size: $source does not compile for Cortex-M4" >&2
      exit 1
    fi
  done
}

# "text / data / bss" summed over the objects of some sources at a level.
cell() {
  local level=$1; shift
  local objs=() source
  for source in "$@"; do objs+=("$(obj "$level" "$source")"); done
  arm-none-eabi-size -B -t "${objs[@]}" | tail -1 | awk '{printf "%s / %s / %s", $1, $2, $3}'
}

row() { # name, then a function that lists the sources at a level
  local line="| $1 |" level
  for level in "${LEVELS[@]}"; do
    # shellcheck disable=SC2046
    line+=" $(cell "$level" $("$2" "$level")) |"
  done
  echo "$line"
}

region_only() { echo "${REGION[@]}"; }
multi_heap_only() { core "$1" | tr ' ' '\n' | grep -v -x -F "${REGION[*]}"; }

whole_cell() {
  local level=$1
  if [ -s "$out/L$level/failed" ]; then
    echo "does not compile: $(tr '\n' ' ' <"$out/L$level/failed")"
  else
    # shellcheck disable=SC2046
    cell "$level" $(whole "$level")
  fi
}

# Sum of the linked sizes (a file of "name size") of the functions the objects define.
linked_sum() {
  local linked=$1; shift
  LC_ALL=C arm-none-eabi-nm "$@" | awk 'tolower($2) ~ /^[tw]$/ {print $3}' | LC_ALL=C sort -u |
    LC_ALL=C join - "$linked" | awk '{sum += $2} END {print sum + 0}'
}

# What a program that allocates but never checks, dumps or walks keeps of the
# core and the port after --gc-sections ("text (port N)"; newlib's memcpy and
# abort not counted).
linked_cell() {
  local level=$1 dir="$out/linked-L$1" source object objs=() port_objs=()
  mkdir -p "$dir"
  cat >"$dir/main.c" <<'PROG'
#include "multi_heap.h"
static _Alignas(8) unsigned char region[4096];
void *volatile sink;
int main(void) {
    multi_heap_handle_t heap = multi_heap_register(region, sizeof region);
    void *p = multi_heap_malloc(heap, 10);
    p = multi_heap_realloc(heap, p, 20);
    sink = multi_heap_aligned_alloc(heap, 10, 64);
    multi_heap_free(heap, p);
    multi_heap_info_t info;
    multi_heap_get_info(heap, &info);
    sink = (void *)info.total_free_bytes;
    return 0;
}
PROG
  for source in $(core "$level") $(whole "$level" | grep '^ports/'); do
    object="$dir/$(echo "$source" | tr / _).o"
    "${CC[@]}" -ffunction-sections -fdata-sections -DCAPHEAP_POISONING_LEVEL="$level" -c "$source" -o "$object"
    objs+=("$object")
    case "$source" in ports/*) port_objs+=("$object") ;; esac
  done
  "${CC[@]}" -c "$dir/main.c" -o "$dir/main.o"
  arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os --specs=nosys.specs -Wl,--gc-sections \
    "$dir/main.o" "${objs[@]}" -o "$dir/prog.elf"
  arm-none-eabi-nm -S -t d "$dir/prog.elf" | awk 'tolower($3) ~ /^[tw]$/ {print $4, $2 + 0}' |
    LC_ALL=C sort >"$dir/linked.txt"
  echo "$(linked_sum "$dir/linked.txt" "${objs[@]}") (port $(linked_sum "$dir/linked.txt" "${port_objs[@]}"))"
}

# Text of the core without poisoning (and of the sources in $EXTRA), each
# file compiled into $out/$1 by the command after the size tool $2.
core_text() {
  local dir="$out/$1" size=$2 source objs=()
  shift 2
  mkdir -p "$dir"
  for source in $(core 0) ${EXTRA:-}; do
    objs+=("$dir/$(echo "$source" | tr / _).o")
    "$@" -DCAPHEAP_POISONING_LEVEL=0 -c "$source" -o "${objs[-1]}"
  done
  "$size" -B -t "${objs[@]}" | tail -1 | awk '{print $1}'
}

# Built with CAPHEAP_GRAIN=$1 (8 or 16).
grain_text() { core_text "grain$1" arm-none-eabi-size "${CC[@]}" -DCAPHEAP_GRAIN="$1"; }

# Built with CAPHEAP_ASSERTIONS=$1 (1 or 2), src/assertions.c included: what
# the internal assertions cost.
assert_text() {
  EXTRA=src/assertions.c core_text "assert$1" arm-none-eabi-size "${CC[@]}" -DCAPHEAP_ASSERTIONS="$1"
}

# On Xtensa lx106 (the ESP8266's core; -mlongcalls, as its toolchain file
# builds): the instruction set of ESP-IDF's own heap.
xtensa_text() {
  core_text xtensa xtensa-lx106-elf-size xtensa-lx106-elf-gcc -mlongcalls -Os -std=c11 -Wall -Wextra -Werror \
    -Iinclude -Isrc --specs=/usr/lib/xtensa-lx106-elf/picolibc.specs
}

# On ARMv6-M (the RP2040's Cortex-M0+), which has no count-leading-zeros
# instruction: the de Bruijn bit scans and their tables (src/bitops.h) count.
armv6m_text() {
  core_text armv6m arm-none-eabi-size arm-none-eabi-gcc -mcpu=cortex-m0plus -mthumb -Os -std=c11 -Wall -Wextra \
    -Werror -Iinclude -Isrc
}

# The whole library without poisoning, configured for a chip with a few KiB
# of RAM: its bss is mostly the registry, sized by these options
# (src/registry.h; tests/plain_build's config header sets the same). Prints
# "text / data / bss".
SMALL=(-DCAPHEAP_MAX_HEAPS=4 -DCAPHEAP_CANDIDATE_LISTS=4 -DCAPHEAP_NESTED_HEAPS=1)
small_whole_cell() {
  local dir="$out/small" source objs=()
  mkdir -p "$dir"
  for source in $(whole 0); do
    objs+=("$dir/$(echo "$source" | tr / _).o")
    "${CC[@]}" "${SMALL[@]}" -DCAPHEAP_POISONING_LEVEL=0 -c "$source" -o "${objs[-1]}"
  done
  arm-none-eabi-size -B -t "${objs[@]}" | tail -1 | awk '{printf "%s / %s / %s", $1, $2, $3}'
}

# The worst-case stack (no poisoning) of each function of scripts/stack-usage.sh
# on each core (-Os), then on Cortex-M4 at -O2, in bytes: one Markdown row per
# function (as Cortex-M4's table lists them; the figure only, not what is not
# counted). Cortex-M4's -Os table is the one printed above it; the others are
# made here.
STACK_CORES=(cm4 cm0plus rv32 lx106)
stack_by_core() {
  local core files=()
  for core in "${STACK_CORES[@]}"; do
    if [ "$core" != cm4 ]; then
      BUILD=$BUILD scripts/stack-usage.sh 0 "$core" >/dev/null
    fi
    files+=("$BUILD/stack/stack-$core-L0.md")
  done
  OPT=-O2 BUILD=$BUILD scripts/stack-usage.sh 0 cm4 >/dev/null
  files+=("$BUILD/stack/stack-cm4-O2-L0.md")
  echo "| function | Cortex-M4 | Cortex-M0+ (ARMv6-M) | RV32IMAC | Xtensa lx106 | Cortex-M4, -O2 |"
  echo "|---|---|---|---|---|---|"
  awk -F'|' 'FNR > 2 && NF > 4 { split($3, n, " "); row[FNR] = row[FNR] " " n[1] " |"; name[FNR] = $2 }
             END { for (i = 3; i in name; i++) print "|" name[i] "|" row[i] }' "${files[@]}"
}

rm -rf "$out"
for level in "${LEVELS[@]}"; do compile_level "$level"; done

core_text=$(cell 0 $(core 0) | awk '{print $1}')
{
  echo "## capheap code size: arm-none-eabi-gcc $(arm-none-eabi-gcc -dumpversion), -mcpu=cortex-m4 -mthumb -Os"
  echo
  echo "Bytes of text / data / bss of the object files (every API function, before"
  echo "--gc-sections). multi_heap is src/multi_heap.c, multi_heap_diag.c, log.c and"
  echo "corruption.c; with poisoning, src/poison.c is added to it."
  echo
  echo "| part | ${LEVEL_NAMES[0]} | ${LEVEL_NAMES[1]} | ${LEVEL_NAMES[2]} |"
  echo "|---|---|---|---|"
  row "region allocator (src/tlsf.c)" region_only
  row "multi_heap" multi_heap_only
  row "region allocator + multi_heap" core
  line="| whole library (cmake/sources.cmake, bare-metal port) |"
  for level in "${LEVELS[@]}"; do line+=" $(whole_cell "$level") |"; done
  echo "$line"
  line="| linked by a program using register, malloc, free, realloc, aligned_alloc, get_info (--gc-sections; text) |"
  for level in "${LEVELS[@]}"; do line+=" $(linked_cell "$level") |"; done
  echo "$line"
  echo
  if [ "$core_text" -le "$TARGET_TEXT" ]; then
    echo "Region allocator + multi_heap without poisoning: $core_text bytes of text, within the target of $TARGET_TEXT."
  else
    echo "Region allocator + multi_heap without poisoning: $core_text bytes of text, $((core_text - TARGET_TEXT)) over the target of $TARGET_TEXT."
  fi
  echo "(For comparison, WORKLOADS.md: ESP-IDF multi_heap + TLSF 5,924, TLSF 1,963, o1heap 828.)"
  echo "With \`CAPHEAP_GRAIN\` 4 (the default) / 8 / 16, the same: $core_text / $(grain_text 8) / $(grain_text 16) bytes."
  echo "With \`CAPHEAP_ASSERTIONS\` 0 (the default) / 1 / 2, the same: $core_text / $(assert_text 1) / $(assert_text 2) bytes"
  echo "(most of the difference is the text of the conditions, kept for the report)."
  echo "On Xtensa lx106 (xtensa-lx106-elf-gcc $(xtensa-lx106-elf-gcc -dumpversion) -mlongcalls -Os), the same: $(xtensa_text) bytes."
  echo "On ARMv6-M (-mcpu=cortex-m0plus -Os; bit scans by de Bruijn multiplies, their 64 bytes of tables"
  echo "included), the same: $(armv6m_text) bytes."
  echo "The whole library's bss is mostly the registry of heaps and candidate lists. Configured for a"
  echo "chip with a few KiB of RAM (${SMALL[*]}; no poisoning),"
  echo "the whole library is $(small_whole_cell) bytes of text / data / bss (tests/plain_build runs with them)."
  echo
  echo "Largest functions of region allocator + multi_heap, no poisoning (bytes):"
  echo
  echo '```'
  objs=()
  for source in $(core 0); do objs+=("$(obj 0 "$source")"); done
  arm-none-eabi-nm -S -t d "${objs[@]}" | awk 'tolower($3) ~ /^[tw]$/ {printf "%6d %s\n", $2 + 0, $4}' |
    sort -rn | head -25
  echo '```'
  echo
  echo "### Worst-case stack on Cortex-M4 (-Os): \`scripts/stack-usage.sh\`"
  echo
  echo "Bytes of stack a call can take at most, from GCC's call graph (-fcallgraph-info=su) of the"
  echo "library with the bare-metal port and its malloc family: the frames, saved registers included,"
  echo "along the deepest chain of calls, error paths too. Not counted: what the C library's functions"
  echo "named take (a few words each in newlib), the application's own callbacks (the failed-allocation"
  echo "callback, the corruption handler, the trace sink: add theirs), and an interrupt's frame on top."
  echo "The diagnostics (check, walk, dump) call the library's own visitors through a pointer: below"
  echo "the function that passes one (multi_heap_dump passes the dump's, which prints), a walk is counted"
  echo "as calling that one only (scripts/stack_visitors.py holds these bindings to the sources); where"
  echo "no such function is on the chain (GCC inlined it, or the application called the walk), as if it"
  echo "could call any of the library's, an upper bound. The application's walkers are not counted."
  for level in 0 2; do
    echo
    BUILD=$BUILD scripts/stack-usage.sh "$level"
  done
  echo
  echo "The same figures on each core the target tests run on (no poisoning, bytes; -Os; the RV32"
  echo "and Xtensa frames are larger: more saved registers and 16-byte stack alignment), and on"
  echo "Cortex-M4 at -O2, whose inlining changes the frames and the chains:"
  echo
  stack_by_core
} | tee "$out/size.md.tmp"
mv "$out/size.md.tmp" "$out/size.md"
for level in "${LEVELS[@]}"; do
  if [ -s "$out/L$level/failed" ]; then
    echo "target-size: at level $level, $(tr '\n' ' ' <"$out/L$level/failed")did not compile; see $out/L$level/errors.log" >&2
  fi
done
echo "written to $out/size.md" >&2
