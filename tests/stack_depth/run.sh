#!/usr/bin/env bash
# The stack analyser's own test (scripts/stack_depth.py), on three call graphs
# written by hand in GCC's .ci format: a.ci (a chain through a static
# function, a call to a weak definition in b.ci, a call into the C library,
# an indirect call, and two calls GCC writes without a source location: to
# memset, and to a part split off top, the deepest), b.ci (two functions
# calling each other) and c.ci (a function passing a visitor to hooked).
# Checked by hand: top is 16 + 64 = 80 bytes (by its part, not by the weak
# definition's 40 nor helper's 24 + 8), uses_hook 8 + 4 = 12 and memset not
# counted; ping and pong recurse; hooked's indirect call is allowed only when
# named, or followed (--via) to the functions it can reach: then uses_hook is
# 8 + 4 + 8 = 20 by leaf (the other target named is not defined, so not
# built). With hooked's call bound (--bind) below binds_small to
# small_visitor: binds_small is 12 + 4 + 2 = 18, not 24 by leaf; uses_hook,
# through no binder, still 20; calls_both, over both, 4 + 20; calls_part,
# through the part GCC split off binds_small, 4 + 16 + 4 + 2 = 26 (32 were the
# part not taken for its binder). A binder not in
# the graph (inlined away) binds nothing (24); a bound site without --via is
# refused (exit 2). Each run must print (stdout and stderr) what
# expected-*.txt holds and exit as given (1: the recursion, or the unfollowed
# indirect call). Then the visitor check (scripts/stack_visitors.py) on
# visitors.c, one binder passing one visitor to a walk: the right lists pass;
# a visitor not bound, or bound where no call passes it, fails (exit 1).
set -uo pipefail
cd "$(dirname "$0")"
failures=0
check() { # name, exit status, then the analyser's arguments
  local name=$1 want=$2 out status
  shift 2
  out=$(python3 ../../scripts/stack_depth.py "$@" 2>&1)
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
check bind 0 --via hooked=leaf+small_visitor --bind binds_small@hooked=small_visitor binds_small,uses_hook,calls_both,calls_part \
  none a.ci c.ci
check bind-gone 0 --via hooked=leaf+small_visitor --bind gone@hooked=small_visitor binds_small none a.ci c.ci
check bind-no-via 2 --via hooked=leaf --bind binds_small@other=leaf binds_small none a.ci c.ci
visitors() { # name, exit status, then the checker's arguments
  local name=$1 want=$2 out status
  shift 2
  out=$(python3 ../../scripts/stack_visitors.py "$@" visitors.c 2>&1)
  status=$?
  if [ "$status" -ne "$want" ] || [ "$out" != "$(cat "expected-visitors-$name.txt")" ]; then
    echo "stack_visitors test $name: exit $status, output:" >&2
    echo "$out" >&2
    failures=$((failures + 1))
  fi
}
walk=capheap_tlsf_walk
visitors right 0 --via $walk=visitors.c:count_one --bind count_all@$walk=visitors.c:count_one
visitors unbound 1 --via $walk=visitors.c:count_one
visitors stale 1 --via $walk=visitors.c:count_one+visitors.c:gone \
  --bind count_all@$walk=visitors.c:count_one+visitors.c:gone
[ "$failures" -eq 0 ] && echo "stack_depth: its own test passed (3 graphs, 7 runs; the visitor check, 3 runs)"
exit "$failures"
