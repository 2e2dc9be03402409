#!/usr/bin/env bash
# The stack analyser's own test (scripts/stack_depth.py), on two call graphs
# written by hand in GCC's .ci format: a.ci (a chain through a static
# function, a call to a weak definition in b.ci, a call into the C library,
# an indirect call, and two calls GCC writes without a source location: to
# memset, and to a part split off top, the deepest) and b.ci (two functions
# calling each other). Checked by hand: top is 16 + 64 = 80 bytes (by its
# part, not by the weak definition's 40 nor helper's 24 + 8), uses_hook
# 8 + 4 = 12 and memset not counted; ping and pong
# recurse; hooked's indirect call is allowed only when named, or followed
# (--via) to the functions it can reach: then uses_hook is 8 + 4 + 8 = 20 by
# leaf (the other target named is not defined, so not built). Each run must
# print what expected-*.txt holds and exit as given (1: the recursion, or the
# unfollowed indirect call).
set -uo pipefail
cd "$(dirname "$0")"
failures=0
check() { # name, exit status, then the analyser's arguments
  local name=$1 want=$2 out status
  shift 2
  out=$(python3 ../../scripts/stack_depth.py "$@")
  status=$?
  if [ "$status" -ne "$want" ] || [ "$out" != "$(cat "expected-$name.txt")" ]; then
    echo "stack_depth test $name: exit $status, output:" >&2
    echo "$out" >&2
    failures=$((failures + 1))
  fi
}
check both 1 top,uses_hook hooked a.ci b.ci
check internal 1 uses_hook none a.ci
check via 0 --via hooked=leaf+not_built uses_hook none a.ci
check via-caller 0 --via hooked=leaf uses_hook hooked a.ci
[ "$failures" -eq 0 ] && echo "stack_depth: its own test passed (2 graphs, 4 runs)"
exit "$failures"
