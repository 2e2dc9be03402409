#!/usr/bin/env bash
# run.sh: scripts/mutants.py leaves out the lines of #if groups that the build
# does not compile (--compdb), and keeps every other line's mutants: a C file
# with a group of each kind, and a compile_commands.json that compiles it.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc=${CC:-cc}

cat >"$work/sample.c" <<'C'
#define TWICE(x) \
    ((x) + (x))
#define ON 1
int sample(int a, int b);
int sample(int a, int b) {
    int r = a + 1;
#if ON
    r = r + TWICE(a +
                  b -
                  1);
#else
    r = r - 2;
#if 1
    r = r + 3;
#endif
#endif
#ifdef NEVER_DEFINED
    r = r * 4 + 5;
#elif ON
    r = r - 6;
#endif
    return r;
}
C
printf '[{"directory": "%s", "command": "%s -c sample.c -o sample.o", "file": "sample.c"}]\n' \
    "$work" "$cc" >"$work/compile_commands.json"

lines_of() { python3 "$root/scripts/mutants.py" list "$work/sample.c" "$@" | cut -f3 | sort -un | tr '\n' ' '; }
all=$(lines_of)
compiled=$(lines_of --compdb "$work/compile_commands.json")
# Every line with a mutant: 6, 8 to 10 (a macro call over three lines, whose
# expansion the preprocessor puts on line 8: line 9 gives no token of its
# own), 12, 14, 18, 20. The build compiles neither the #else group (12, and
# the #if 1 inside it, 14) nor the #ifdef group (18).
want_all="6 8 9 10 12 14 18 20 "
want_compiled="6 8 9 10 20 "
status=0
[ "$all" = "$want_all" ] || { echo "FAIL without --compdb: lines $all, expected $want_all"; status=1; }
[ "$compiled" = "$want_compiled" ] || { echo "FAIL with --compdb: lines $compiled, expected $want_compiled"; status=1; }
[ $status = 0 ] && echo "ok: mutants on lines $all; of them compiled: $compiled"
exit $status
