#!/usr/bin/env bash
# Runs a 64-bit host program (a firmware's unit tests over capheap's host model
# of a chip) under QEMU's user-mode emulator with the word-only plugin
# (tests/target/qemu_plugins/word_only.c), which watches every load and store
# the program makes to the chip's memory that takes aligned 32-bit accesses
# only: what would be a LoadStoreError on the chip, and passes unnoticed on a PC.
#
#   scripts/word-only.sh [--board BOARD|START:END[,START:END...]] PROGRAM [ARGS...]
#
#   esp32    (the default) IRAM and the D/IRAM instruction-bus window,
#            0x40070000-0x400C0000
#   esp8266  IRAM, 0x40100000-0x40110000
#   any other board, or a board file: the regions `capheap info` marks "32BIT
#            only" (no 8BIT in their caps), read with the capheap tool
#            ($BUILD/default/tools/capheap, or CAPHEAP_TOOL); instruction-bus
#            windows are not derived, give them as START:END
#
# Prints the plugin's report (accesses seen, and the first ones that were not
# aligned words, with the instruction's address). Exit status: the program's
# own, or 1 when it made an access other than aligned words there, or when it
# made none at all there (the board was not at the chip's addresses, or the
# program never reached that memory: nothing was checked), 2 on a usage error.
#
# The library must be built with CAPHEAP_WORD_ONLY_MEMORY=1 (cmake
# -DCAPHEAP_WORD_ONLY_MEMORY=1): by default it is off on a PC, and capheap's own
# control data there has byte fields. 32-bit programs are refused: under
# qemu-i386 the chip's addresses are taken and the host model moves the board.
# Needs qemu-user (scripts/deps.sh) and a C compiler for the plugin, which is
# built on first use into $BUILD (default build).
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

ranges="0x40070000:0x400C0000"
if [ "${1:-}" = "--board" ]; then
  case "${2:-}" in
    esp32) ranges="0x40070000:0x400C0000" ;;
    esp8266) ranges="0x40100000:0x40110000" ;;
    *:*) ranges=$2 ;;
    *) tool=${CAPHEAP_TOOL:-$BUILD/default/tools/capheap}
       [ -x "$tool" ] || { echo "word-only: --board $2 needs the capheap tool: $tool (CAPHEAP_TOOL names another)" >&2; exit 2; }
       ranges=$("$tool" info --board "$2" | awk '/ 32BIT only$/ { split($1, r, "-"); printf "%s%s:%s", sep, r[1], r[2]; sep = "," }')
       [ -n "$ranges" ] || { echo "word-only: board $2 has no region marked 32BIT only (capheap info)" >&2; exit 2; } ;;
  esac
  shift 2
fi
if [ $# -lt 1 ] || [ ! -f "$1" ]; then
  echo "usage: $0 [--board BOARD|START:END[,...]] PROGRAM [ARGS...]" >&2
  exit 2
fi
program=$1
shift
if ! readelf -h "$program" 2>/dev/null | grep -q 'Class: *ELF64'; then
  echo "word-only: $program is not a 64-bit program (qemu-i386 takes the chip's addresses)" >&2
  exit 2
fi

. scripts/word-only-lib.sh
plugin="$BUILD/word_only.so"
word_only_build_plugin "$plugin"

report=$(mktemp)
trap 'rm -f "$report"' EXIT
status=0
qemu-x86_64 -plugin "$(word_only_plugin_arg "$plugin" "$ranges" "$report")" "$program" "$@" || status=$?
word_only_verdict "$report" "$ranges" "$program" || exit 1
exit "$status"
