#!/usr/bin/env bash
# Code size of capheap on Cortex-M4 (arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb
# -Os): text, data and bss of the region allocator, of multi_heap and of the
# whole library (cmake/sources.cmake with the bare-metal port), at each
# poisoning level. Sizes are of the object files: every function of the API,
# before any linker garbage collection. Prints a Markdown table and writes it
# to $BUILD/size/size.md, with the largest functions of the core.
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

# Object file of a source at a level.
obj() { echo "$out/L$1/$(echo "$2" | tr / _).o"; }

compile_level() {
  local level=$1 source
  mkdir -p "$out/L$level"
  for source in $(cmake -DCAPHEAP_PORT=baremetal -DCAPHEAP_POISONING_LEVEL="$level" -P cmake/print-sources.cmake); do
    "${CC[@]}" -DCAPHEAP_POISONING_LEVEL="$level" -c "$source" -o "$(obj "$level" "$source")"
  done
}

# "text data bss" summed over the objects of some sources at a level.
sum_size() {
  local level=$1; shift
  local objs=() source
  for source in "$@"; do objs+=("$(obj "$level" "$source")"); done
  arm-none-eabi-size -B -t "${objs[@]}" | tail -1 | awk '{print $1, $2, $3}'
}

cell() { read -r text data bss <<<"$1"; printf '%s / %s / %s' "$text" "$data" "$bss"; }

rm -rf "$out"
for level in "${LEVELS[@]}"; do compile_level "$level"; done

row() { # name, then the sources at level 0 (poison.c joins them at 1 and 2)
  local name=$1; shift
  local line="| $name |" level extra
  for level in "${LEVELS[@]}"; do
    extra=()
    [ "$level" -gt 0 ] && [ "$name" != "region allocator (src/tlsf.c)" ] && extra=(src/poison.c)
    line+=" $(cell "$(sum_size "$level" "$@" "${extra[@]}")") |"
  done
  echo "$line"
}

whole() { cmake -DCAPHEAP_PORT=baremetal -DCAPHEAP_POISONING_LEVEL="$1" -P cmake/print-sources.cmake; }
whole_row() {
  local line="| whole library (cmake/sources.cmake, bare-metal port) |" level
  for level in "${LEVELS[@]}"; do
    # shellcheck disable=SC2046
    line+=" $(cell "$(sum_size "$level" $(whole "$level"))") |"
  done
  echo "$line"
}

# What a program that allocates but never checks, dumps or walks keeps of the
# library after --gc-sections: the text of capheap's functions in the linked
# program (newlib's memcpy and abort not counted).
linked_text() {
  local level=$1 dir="$out/linked-L$1" source objs=()
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
  for source in $(whole "$level") "$dir/main.c"; do
    objs+=("$dir/$(basename "$source" .c).o")
    "${CC[@]}" -ffunction-sections -fdata-sections -DCAPHEAP_POISONING_LEVEL="$level" -c "$source" -o "${objs[-1]}"
  done
  arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os --specs=nosys.specs -Wl,--gc-sections "${objs[@]}" -o "$dir/prog.elf"
  # Functions defined by capheap's objects (main.o excluded), as they survive in the program.
  unset 'objs[-1]'
  LC_ALL=C arm-none-eabi-nm "${objs[@]}" | awk 'tolower($2) == "t" {print $3}' | LC_ALL=C sort -u >"$dir/ours.txt"
  arm-none-eabi-nm -S -t d "$dir/prog.elf" | awk 'tolower($3) == "t" {print $4, $2 + 0}' | LC_ALL=C sort >"$dir/linked.txt"
  LC_ALL=C join "$dir/ours.txt" "$dir/linked.txt" | awk '{sum += $2} END {print sum + 0}'
}
linked_row() {
  local line="| linked: register, malloc, free, realloc, aligned_alloc, get_info (--gc-sections, text) |" level
  for level in "${LEVELS[@]}"; do line+=" $(linked_text "$level") |"; done
  echo "$line"
}

core_text=$(sum_size 0 "${REGION[@]}" "${MULTI_HEAP[@]}" | awk '{print $1}')
{
  echo "## capheap code size: arm-none-eabi-gcc $(arm-none-eabi-gcc -dumpversion), -mcpu=cortex-m4 -mthumb -Os"
  echo
  echo "Bytes of text / data / bss of the object files (every API function, before"
  echo "--gc-sections). multi_heap is src/multi_heap.c, multi_heap_diag.c, log.c and"
  echo "corruption.c; with poisoning, src/poison.c is added to it."
  echo
  echo "| part | ${LEVEL_NAMES[0]} | ${LEVEL_NAMES[1]} | ${LEVEL_NAMES[2]} |"
  echo "|---|---|---|---|"
  row "region allocator (src/tlsf.c)" "${REGION[@]}"
  row "multi_heap" "${MULTI_HEAP[@]}"
  row "region allocator + multi_heap" "${REGION[@]}" "${MULTI_HEAP[@]}"
  whole_row
  linked_row
  echo
  if [ "$core_text" -le "$TARGET_TEXT" ]; then
    echo "Region allocator + multi_heap without poisoning: $core_text bytes of text, within the target of $TARGET_TEXT."
  else
    echo "Region allocator + multi_heap without poisoning: $core_text bytes of text, $((core_text - TARGET_TEXT)) over the target of $TARGET_TEXT."
  fi
  echo "(For comparison, WORKLOADS.md: ESP-IDF multi_heap + TLSF 5,924, TLSF 1,963, o1heap 828.)"
  echo
  echo "Largest functions of region allocator + multi_heap, no poisoning (bytes):"
  echo
  echo '```'
  objs=()
  for source in "${REGION[@]}" "${MULTI_HEAP[@]}"; do objs+=("$(obj 0 "$source")"); done
  arm-none-eabi-nm -S -t d "${objs[@]}" | awk 'tolower($3) == "t" {printf "%6d %s\n", $2 + 0, $4}' | sort -rn | head -25
  echo '```'
} | tee "$out/size.md.tmp"
mv "$out/size.md.tmp" "$out/size.md"
echo "written to $out/size.md" >&2
