#!/usr/bin/env bash
# The stack analyser's own test (scripts/stack_depth.py), on two call graphs
# written by hand in GCC's .ci format: a.ci (a chain through a static
# function, a call to a weak definition in b.ci, a call into the C library,
# an indirect call, and two calls GCC writes without a source location: to
# memset, and to a part split off top, the deepest) and b.ci (two functions
# calling each other). Checked by hand: top is 16 + 64 = 80 bytes (by its
# part, not by the weak definition's 40 nor helper's 24 + 8), uses_hook
# 8 + 4 = 12 and memset not counted; ping and pong
# recurse; hooked's indirect call is allowed only when named. Each run must
# print what expected-*.txt holds and exit 1 (the recursion; the unfollowed
# indirect call).
set -uo pipefail
cd "$(dirname "$0")"
failures=0
check() { # name, then the analyser's arguments
  local name=$1 out status
  shift
  out=$(python3 ../../scripts/stack_depth.py "$@")
  status=$?
  if [ "$status" -ne 1 ] || [ "$out" != "$(cat "expected-$name.txt")" ]; then
    echo "stack_depth test $name: exit $status, output:" >&2
    echo "$out" >&2
    failures=$((failures + 1))
  fi
}
check both top,uses_hook hooked a.ci b.ci
check internal uses_hook none a.ci
[ "$failures" -eq 0 ] && echo "stack_depth: its own test passed (2 graphs)"
exit "$failures"
