#!/usr/bin/env bash
# mutants.sh: mutation testing of the library's sources against the host unit
# tests. Do the tests notice when a line is wrong?
#
#   scripts/mutants.sh [options] [FILE...]      (default files: the core)
#
#   -p LEVEL    poisoning: none (default), light or comprehensive
#   -D FLAG     one more CMake flag for the configuration (repeatable), e.g. -D -DCMAKE_C_FLAGS=-m32
#   -b DIR      build directory, configured once (default $BUILD/mutants/<level>)
#   -k K        every K-th mutant of each function (default 1: all of them);
#   -s O        ... starting with the O-th (default 0): a deterministic sample that keeps every function
#   -n N        at most N mutants
#   -R REGEX    the tests to run (ctest -R, default: all)
#   -E REGEX    the tests left out (ctest -E, default: those that are no unit tests or take long)
#   -F REGEX    the tests tried first, which kill most mutants quickly (default: the core's own)
#   -t SECONDS  the least time after which a test run is a hang (default 20; else five times
#               the clean run's time): a hang kills the mutant ("timeout")
#   -r RESULTS  rerun the survivors of an earlier results file instead of generating mutants
#   -o DIR      where results.tsv and report.md go (default: the build directory)
#
# Lines in #if groups that the configuration does not compile get no mutant
# (mutants.py asks the build's own compile command). Each mutant
# (scripts/mutants.py: operators, what is left alone) is written
# into the source tree in place, the build directory rebuilds only that object
# and relinks, and the tests run: the first failing test kills it. A mutant
# that does not compile (-Werror included) is not counted. The tree is
# restored on every exit, Ctrl-C included; do not edit the sources meanwhile.
# Output: results.tsv (one line per mutant) and report.md (the score per
# file and the survivors), both in the output directory.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
JOBS=${JOBS:-2}
CORE=(src/tlsf.c src/multi_heap.c src/multi_heap_diag.c src/poison.c src/corruption.c)

level=none
cmake_extra=()
bdir=
every=1
offset=0
limit=    # at most this many mutants (-n)
include=.
exclude='tool|install|preload|plain_build|cxx|word_only|fuzz|stack'
first='^test_(tlsf|multi_heap|misuse|fail_inject|bitops)$'
timeout=20
rerun=
outdir=

while getopts "p:D:b:k:s:n:R:E:F:t:r:o:h" opt; do
    case $opt in
    p) level=$OPTARG ;;
    D) cmake_extra+=("$OPTARG") ;;
    b) bdir=$OPTARG ;;
    k) every=$OPTARG ;;
    s) offset=$OPTARG ;;
    n) limit=$OPTARG ;;
    R) include=$OPTARG ;;
    E) exclude=$OPTARG ;;
    F) first=$OPTARG ;;
    t) timeout=$OPTARG ;;
    r) rerun=$OPTARG ;;
    o) outdir=$OPTARG ;;
    *) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
files=("$@")
[ ${#files[@]} -gt 0 ] || files=("${CORE[@]}")
bdir=${bdir:-$BUILD/mutants/$level}
outdir=${outdir:-$bdir}
case $rerun in /* | '') ;; *) rerun=$PWD/$rerun ;; esac
cd "$ROOT"
mkdir -p "$bdir" "$outdir"

# ---- the tree is restored whatever happens ---------------------------------
saved=$(mktemp -d)
restore() {
    local f
    for f in "${files[@]}"; do
        [ -f "$saved/$f" ] && cp "$saved/$f" "$ROOT/$f"
    done
    rm -rf "$saved"
}
trap restore EXIT
trap 'echo "mutants.sh: interrupted, tree restored" >&2; exit 130' INT TERM
for f in "${files[@]}"; do
    [ -f "$f" ] || { echo "mutants.sh: no such file: $f" >&2; exit 2; }
    mkdir -p "$saved/$(dirname "$f")"
    cp "$f" "$saved/$f"
done

# ---- configure once, and the tests must pass on the tree as it is ----------
# The compile commands tell mutants.py which #if groups the build compiles.
if [ ! -f "$bdir/CMakeCache.txt" ]; then
    cmake -S "$ROOT" -B "$bdir" -DCMAKE_BUILD_TYPE=Debug -DCAPHEAP_POISONING="$level" \
        -DCAPHEAP_BUILD_BENCH=OFF -DCAPHEAP_BUILD_TOOLS=OFF -DCAPHEAP_BUILD_PRELOAD=OFF \
        -DCMAKE_EXPORT_COMPILE_COMMANDS=ON "${cmake_extra[@]}" >"$bdir/mutants-configure.log"
elif [ ! -f "$bdir/compile_commands.json" ]; then
    cmake -B "$bdir" -DCMAKE_EXPORT_COMPILE_COMMANDS=ON >"$bdir/mutants-configure.log"
fi
build() { cmake --build "$bdir" -j"$JOBS" >"$bdir/mutants-build.log" 2>&1; }

# One of the two test runs: "first", the quick killers, or "rest". The tests
# set their own TIMEOUT property, which ctest --timeout does not override:
# timeout(1) bounds the run instead, and kills its process group (a test's
# forked children with it). Prints ctest's output; its status is ctest's, or
# 124 on a hang.
run_stage() {
    local sel=$include skip="$exclude|$first" limit=$2
    [ "$1" = first ] && sel=$first skip=$exclude
    (cd "$bdir" && timeout -k 5 "$limit" ctest -j"$JOBS" -R "$sel" -E "$skip" --stop-on-failure 2>&1)
}

# Runs both stages; prints the first failing test (with "(timeout)" when it
# hung, "(crash)" on a signal) and fails, or succeeds when all pass.
run_tests() {
    local out stage rc limit
    for stage in first rest; do
        rc=0
        limit=$limit_rest
        [ $stage = first ] && limit=$limit_first
        out=$(run_stage $stage "$limit") || rc=$?
        if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
            echo "a test of the $stage run hung (timeout, ${limit} s)"
            return 1
        fi
        [ $rc -eq 0 ] && continue
        # "  3/9 Test  #3: test_tlsf ....***Failed" or "***Exception: ..."
        echo "$out" | awk '/Test +#[0-9]+: / && !/ Passed / {
            name = $0; sub(/.*Test +#[0-9]+: /, "", name); sub(/ .*/, "", name)
            how = /Timeout/ ? " (timeout)" : /Exception/ ? " (crash)" : ""
            print name how; found = 1; exit }
            END { if (!found) print "ctest failed (no test named)" }'
        return 1
    done
}

build || { echo "mutants.sh: the tree does not build in $bdir (see $bdir/mutants-build.log)" >&2; exit 1; }
# The clean runs must pass; each is timed, and a mutant's run is a hang when
# it takes five times as long (at least -t seconds): a loaded machine is no hang.
for stage in first rest; do
    start=$SECONDS
    if ! out=$(run_stage $stage 900); then
        echo "mutants.sh: the tests fail before any mutation:" >&2
        echo "$out" | grep -v " Passed " >&2
        exit 1
    fi
    took=$((SECONDS - start + 1))
    bound=$((5 * took > timeout ? 5 * took : timeout))
    if [ $stage = first ]; then limit_first=$bound; else limit_rest=$bound; fi
done
echo "mutants.sh: a hang is a run of the core's tests longer than ${limit_first} s, of the others longer than ${limit_rest} s"

# ---- the mutants ------------------------------------------------------------
list=$outdir/mutants.tsv
if [ -n "$rerun" ]; then
    awk -F'\t' -v OFS='\t' '$8 == "survived" { $8 = ""; $9 = ""; NF = 7; print }' "$rerun" >"$list"
else
    python3 scripts/mutants.py list "${files[@]}" --every "$every" --offset "$offset" ${limit:+--limit "$limit"} \
        --compdb "$bdir/compile_commands.json" >"$list"
fi
results=$outdir/results.tsv
: >"$results"
total=$(wc -l <"$list")
echo "mutants.sh: $total mutants of ${files[*]} (poisoning $level, build $bdir)"

while IFS=$'\t' read -r id file line func op old new; do
    cp "$saved/$file" "$file"
    if ! python3 scripts/mutants.py apply "$file" "$line" "$old" "$new"; then
        status=stale detail="line $line is no longer the original"
    else
        if ! build; then
            status=nocompile detail=
        elif killer=$(run_tests); then
            status=survived detail=
        else
            status=killed detail=$killer
        fi
    fi
    cp "$saved/$file" "$file"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$id" "$file" "$line" "$func" "$op" "$old" "$new" "$status" "$detail" >>"$results"
    printf '[%s/%s] %s:%s %s %s %s\n' "$id" "$total" "$file" "$line" "$op" "$status" "$detail"
done <"$list"

# The last object built was a mutant's: rebuild from the restored tree.
restore
trap - EXIT
build || true
python3 scripts/mutants.py report "$results" >"$outdir/report.md"
cat "$outdir/report.md"
echo "mutants.sh: results in $results, report in $outdir/report.md"
