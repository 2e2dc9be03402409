#!/usr/bin/env bash
# run.sh LIB MIN PROGRAM [ARGS...]
# Runs PROGRAM on the system allocator, then on capheap (LD_PRELOAD=LIB with
# CAPHEAP_PRELOAD_STATS=1), and fails unless both runs give the same exit
# status, stdout and stderr (the statistics lines aside), every heap passed its
# integrity check at exit, no block had to be moved onto the 16-byte grain (without
# poisoning: PRELOAD_EXPECT_GRAIN=1), and
# the main process's heap served at least MIN
# allocations: a run that fell back to glibc has no statistics and fails.
# Exit 77 (CTest: skipped) when PROGRAM is not installed (scripts/deps.sh preload).
set -u
lib=$1 min=$2
shift 2
if ! command -v "$1" >/dev/null 2>&1; then
  echo "SKIP: $1 is not installed (scripts/deps.sh preload)"
  exit 77
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

start=$(date +%s%N)
"$@" >"$tmp/sys.out" 2>"$tmp/sys.err"
sys_rc=$?
mid=$(date +%s%N)
CAPHEAP_PRELOAD_STATS=1 LD_PRELOAD="$lib" "$@" >"$tmp/cap.out" 2>"$tmp/cap.err"
cap_rc=$?
end=$(date +%s%N)
echo "system allocator: exit $sys_rc, $(( (mid - start) / 1000000 )) ms; capheap: exit $cap_rc, $(( (end - mid) / 1000000 )) ms"

grep '^capheap-preload: ' "$tmp/cap.err" >"$tmp/stats"
grep -v '^capheap-preload: ' "$tmp/cap.err" >"$tmp/cap.prog.err"
cat "$tmp/stats"
status=0
if [ "$sys_rc" != "$cap_rc" ]; then
  echo "FAIL: exit status $sys_rc on the system allocator, $cap_rc on capheap"
  status=1
fi
if ! diff -u "$tmp/sys.out" "$tmp/cap.out" >"$tmp/diff"; then
  echo "FAIL: stdout differs"; head -40 "$tmp/diff"; status=1
fi
if ! diff -u "$tmp/sys.err" "$tmp/cap.prog.err" >"$tmp/diff"; then
  echo "FAIL: stderr differs"; head -40 "$tmp/diff"; status=1
fi
if grep -q 'INTEGRITY FAILED' "$tmp/stats"; then
  echo "FAIL: a heap failed its integrity check"; status=1
fi
# Without poisoning (PRELOAD_EXPECT_GRAIN=1) every block is on the 16-byte grain
# (preload.c): none had to be moved onto it.
if [ "${PRELOAD_EXPECT_GRAIN:-0}" = 1 ] && grep ' calls: ' "$tmp/stats" | grep -qv ' 0 realigned,'; then
  echo "FAIL: blocks came back off the 16-byte grain and were moved (realigned)"; status=1
fi
# The last "calls:" line is the main process's (children exit first).
served=$(grep ' calls: ' "$tmp/stats" | tail -n 1 |
  sed -E 's/.* calls: ([0-9]+) malloc, ([0-9]+) calloc, ([0-9]+) realloc, ([0-9]+) aligned, ([0-9]+) free.*/\1 \2 \3 \4 \5/')
read -r m c r a f <<<"${served:-0 0 0 0 0}"
if [ $((m + c + r + a)) -lt "$min" ] || [ "$f" -eq 0 ]; then
  echo "FAIL: capheap served $((m + c + r + a)) allocations and $f frees, expected at least $min allocations"
  status=1
fi
[ $status -eq 0 ] && echo "PASS: same output; capheap served $((m + c + r + a)) allocations and $f frees"
exit $status
