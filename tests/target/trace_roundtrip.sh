#!/usr/bin/env bash
# A trace taken on the target, replayed on the host: runs test_trace_capture
# under QEMU, cuts capheap's trace out of its console, replays it with the
# host's capheap tool on the same board, and checks that the tool's report
# gives the account the device kept of its own pattern (every allocation
# succeeded; the blocks and bytes still allocated; per caps mask the
# requests, the peak live bytes and the live bytes at the end).
#
#   trace_roundtrip.sh MACHINE ELF TOOL WORKDIR
set -uo pipefail
machine=$1 elf=$2 tool=$3 work=$4
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
failures=0

ok() { echo "ok   $1"; }
bad() { echo "FAIL $1"; failures=$((failures + 1)); }
commas() { sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; }

"$here/../../scripts/target-run.sh" "$machine" "$elf" >"$work/console.txt" || {
  cat "$work/console.txt"; echo "FAIL the capture did not run"; exit 1; }
sed -n '/^--- capheap trace begin ---$/,/^--- capheap trace end ---$/p' "$work/console.txt" | sed '1d;$d' \
  >"$work/device.trace"
events=$(grep -cE '^(alloc|realloc|free) ' "$work/device.trace")
[ "$events" -gt 1000 ] && ok "$events events captured" || bad "only $events events captured"

"$tool" replay --quiet --board qemu-mps2-an385 "$work/device.trace" >"$work/report.txt" 2>&1
status=$?
[ "$status" -eq 0 ] && ok "replayed on the host (exit 0)" || { bad "replay exit $status"; cat "$work/report.txt"; }
grep -q "every allocation succeeded" "$work/report.txt" && ok "every allocation succeeded" ||
  bad "the replay had failures"

read -r blocks bytes < <(sed -n 's/^device: still allocated \([0-9]*\) blocks, \([0-9]*\) bytes$/\1 \2/p' \
  "$work/console.txt")
noun=blocks; [ "$blocks" = 1 ] && noun=block
want="Still allocated at the end: $(echo "$blocks" | commas) $noun, $(echo "$bytes" | commas) bytes requested"
grep -qF "$want" "$work/report.txt" && ok "$want" || bad "no line '$want'"

masks=0
while read -r name requests peak end; do
  masks=$((masks + 1))
  line=$(grep -E "^  $(echo "$name" | sed 's/|/\\|/g') +[0-9,]+ " "$work/report.txt")
  # shellcheck disable=SC2086  # the report's columns
  set -- $line
  got="$2 $3 $4 $5"
  want="$(echo "$requests" | commas) $(echo "$peak" | commas) $(echo "$end" | commas) 0"
  [ "$got" = "$want" ] && ok "$name: requests, peak live, live at end: $want" ||
    bad "$name: the report says '$got', the device '$want'"
done < <(sed -n 's/^device: \([A-Z0-9|]*\) requests \([0-9]*\) peak \([0-9]*\) end \([0-9]*\)$/\1 \2 \3 \4/p' \
  "$work/console.txt")

[ "$masks" -eq 5 ] && ok "the device's account has its 5 caps masks" || bad "the device reported $masks caps masks, not 5"

echo "trace round trip: $failures failed"
[ "$failures" -eq 0 ]
