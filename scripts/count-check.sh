#!/usr/bin/env bash
# Checks the count_calls QEMU plugin (tests/target/qemu_plugins/count_calls.c)
# against callgrind: counts the probe functions of PROGRAM (a build of
# tests/count_calls/count_probe.c) both ways, as make bench would
# (scripts/bench-lib.sh: count_callgrind, count_qemu), and fails unless every
# function ran and every inclusive and self count is the same; and that a
# function left by a longjmp fails the count.
#
#   scripts/count-check.sh PROGRAM
#
# The program must be one valgrind runs here (64-bit on a kernel without IA32
# emulation). Needs valgrind, qemu-user and a C compiler (scripts/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# = 1 ] || { echo "usage: scripts/count-check.sh PROGRAM" >&2; exit 2; }
program=$1
BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
. scripts/bench-lib.sh

FNS=probe_calls,probe_tail,probe_indirect,probe_libc,probe_rep,probe_page
count_callgrind callgrind "$FNS" "$program" 300
count_qemu qemu "$FNS" "$program" 300
echo "function, callgrind inclusive self, plugin inclusive self:"
join <(grep '^fn' "$OUT/callgrind.counts" | cut -d' ' -f2- | sort) \
     <(grep '^fn' "$OUT/qemu.counts" | cut -d' ' -f2- | sort)
for fn in ${FNS//,/ }; do
  [ "$(cost_of "$fn" callgrind)" != 0 ] || { echo "count-check: $fn never ran" >&2; exit 1; }
done
if ! diff "$OUT/callgrind.counts" "$OUT/qemu.counts" >&2; then
  echo "count-check: the plugin's counts differ from callgrind's" >&2
  exit 1
fi
echo "count-check: equal ($(collected_total qemu) instructions)"

# A function left by a longjmp (probe_jump) cannot be followed: the count must
# fail, not give the rest of the program to it.
if (count_qemu jump probe_jump "$program" 10 longjmp) 2>"$OUT/jump.err"; then
  echo "count-check: a longjmp out of a counted function went unreported" >&2
  exit 1
fi
grep -q '^open probe_jump ' "$OUT/jump.err" || { cat "$OUT/jump.err" >&2; exit 1; }
echo "count-check: a longjmp out of a counted function is reported"
