#!/usr/bin/env bash
# Builds capheap as a project without CMake would (an IDE project, a
# Makefile of its own): every file of src/ and boards/ and one port, compiled
# with the same flags, options only in capheap_config.h (named by
# CAPHEAP_CONFIG_HEADER), then main.c, which checks each option took.
#
#   run.sh host OUTDIR    posix port, $CC $CFLAGS (CTest: each host configuration's
#                         compiler and flags); builds and runs the program
#   run.sh cross OUTDIR   bare-metal port, arm-none-eabi-gcc for Cortex-M4 -Os
#                         (scripts/target-test.sh); compiles and links the program
#                         (newlib's nosys stubs), which shows the file list is whole
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
mode=${1:?usage: run.sh host|cross OUTDIR}
out=${2:?usage: run.sh host|cross OUTDIR}
mkdir -p "$out"

flags=(-std=c11 -Wall -Wextra -Werror -I"$repo/include" -I"$repo/src" -I"$repo/tests/plain_build"
       "-DCAPHEAP_CONFIG_HEADER=\"capheap_config.h\"")
library=("$repo"/src/*.c "$repo"/boards/*.c)

case "$mode" in
  host)
    # shellcheck disable=SC2086  # CFLAGS holds several flags
    ${CC:-cc} ${CFLAGS:-} -O2 "${flags[@]}" -I"$repo/ports/posix" "${library[@]}" \
      "$repo/ports/posix/port_posix.c" "$repo/ports/posix/memory_posix.c" "$repo/tests/plain_build/main.c" \
      -pthread -o "$out/plain_build"
    "$out/plain_build"
    ;;
  cross)
    arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -Os "${flags[@]}" -I"$repo/ports/baremetal" "${library[@]}" \
      "$repo/ports/baremetal/port_baremetal.c" "$repo/ports/baremetal/memory_baremetal.c" \
      "$repo/ports/baremetal/malloc_family.c" "$repo/tests/plain_build/main.c" \
      --specs=nosys.specs -Wl,--gc-sections -o "$out/plain_build.elf"
    echo "plain build: linked $out/plain_build.elf for Cortex-M4"
    ;;
  *) echo "usage: run.sh host|cross OUTDIR" >&2; exit 2 ;;
esac
