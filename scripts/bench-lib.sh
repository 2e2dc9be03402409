# bench-lib.sh: what the bench-*.sh scripts share (sourced, not run): where
# things go, the builds, instruction counting and the values file.
#
#   $OUT/values.txt   one "key value" line per figure, appended by each part;
#                     bench-targets.sh and bench-plot.py read their figures
#                     from it, so that no figure is typed twice.
# Environment: BUILD (default build), JOBS (default 2).
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
OUT=$BUILD/bench
mkdir -p "$OUT"
. scripts/qemu-plugin-lib.sh
# The real traces (../shared/traces) that bench-traces.sh replays.
TRACES=${TRACES:-"android-surfaceflinger android-systemui"}

arch_label() { # m32, m64, m32-grainN, m32-assertN or m32-hooks
  local label
  [ "${1%%-*}" = m32 ] && label=-m32 || label=64-bit
  case "$1" in *-grain*) label="$label, CAPHEAP_GRAIN=${1#*-grain}" ;; esac
  case "$1" in *-assert*) label="$label, CAPHEAP_ASSERTIONS=${1#*-assert}" ;; esac
  case "$1" in *-hooks) label="$label, CAPHEAP_HEAP_HOOKS" ;; esac
  echo "$label"
}

# bench_dir ARCH: the Release build of the bench programs for m32 or m64.
bench_dir() { echo "$BUILD/bench-$1"; }

# bench_build ARCH [TARGET]: (re)builds every bench program (or only TARGET),
# -O2 -DNDEBUG, no poisoning. ARCH is m32 or m64, optionally with a grain,
# an assertion level or the hooks: m32-grain8 is the -m32 build with
# CAPHEAP_GRAIN=8, m32-assert1 the one with CAPHEAP_ASSERTIONS=1, m32-hooks
# the one with CAPHEAP_HEAP_HOOKS (and bench_caps_hooks).
bench_build() {
  local arch=$1 dir flags="" grain="" assertions=0 hooks=OFF target=()
  dir=$(bench_dir "$1")
  [ "${arch%%-*}" = m32 ] && flags=-m32
  case "$arch" in *-grain*) grain=${arch#*-grain} ;; esac
  case "$arch" in *-assert*) assertions=${arch#*-assert} ;; esac
  case "$arch" in *-hooks) hooks=ON ;; esac
  [ $# -gt 1 ] && target=(--target "$2")
  echo "bench: building $(arch_label "$arch") Release (-O2 -DNDEBUG) in $dir" >&2
  if ! { cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG" \
           "-DCMAKE_C_FLAGS=$flags" -DCAPHEAP_POISONING=none -DCAPHEAP_BUILD_TESTS=OFF \
           -DCAPHEAP_BUILD_BENCH=ON "-DCAPHEAP_GRAIN=$grain" "-DCAPHEAP_ASSERTIONS=$assertions" "-DCAPHEAP_HEAP_HOOKS=$hooks" &&
         cmake --build "$dir" -j"$JOBS" "${target[@]}"; } >"$OUT/build-$arch.log" 2>&1; then
    cat "$OUT/build-$arch.log" >&2
    echo "bench: the $(arch_label "$arch") build failed" >&2
    exit 1
  fi
}

# value KEY FILE: the value of key=value in the first line of FILE that has it.
value() { tr ' ' '\n' <"$2" | sed -n "s/^$1=//p" | head -n1; }

# put KEY VALUE: records a figure in $OUT/values.txt.
put() { echo "$1 $2" >>"$OUT/values.txt"; }

# get KEY: a figure recorded by put (the last one of that key); empty if none.
get() { awk -v k="$1" '$1 == k { v = $2 } END { print v }' "$OUT/values.txt"; }

# How instructions are counted: callgrind where valgrind runs the program;
# otherwise (an -m32 program on a kernel without IA32 emulation, which runs
# it only under QEMU's emulator, where valgrind stops at its first check)
# qemu-i386 with the count_calls plugin
# (tests/target/qemu_plugins/count_calls.c), which counts the same
# instructions: equal to callgrind's counts, inclusive and self, on the
# 64-bit builds where both run (scripts/count-check.sh, a test of make test).
# counter_for EXE: "callgrind" or "qemu".
counter_for() {
  if is_elf32 "$1" && ! valgrind_runs_m32; then
    echo qemu
  else
    echo callgrind
  fi
}

is_elf32() { [ "$(readelf -h "$1" | awk '/Class:/ {print $2}')" = ELF32 ]; }

# valgrind_runs_m32: whether valgrind runs a 32-bit program here (probed once).
valgrind_runs_m32() {
  if [ -z "${VALGRIND_RUNS_M32:-}" ]; then
    local probe
    probe=$(mktemp -d)
    printf 'int main(void) { return 0; }\n' >"$probe/p.c"
    VALGRIND_RUNS_M32=no
    if { gcc -m32 "$probe/p.c" -o "$probe/p" && valgrind --tool=none -q "$probe/p"; } >/dev/null 2>&1; then
      VALGRIND_RUNS_M32=yes
    fi
    rm -rf "$probe"
    export VALGRIND_RUNS_M32
  fi
  [ "$VALGRIND_RUNS_M32" = yes ]
}

# count TAG FUNCTIONS -- COMMAND...: runs COMMAND, counting the instructions
# executed inside the named functions (comma-separated), callees included.
# Its stdout goes to $OUT/TAG.txt; $OUT/TAG.counts gets "fn NAME INCLUSIVE
# SELF" per function and "total N", all that was counted. LD_BIND_NOW: the
# first call through the PLT does not pay for resolving it. PRELOAD (in the
# environment): a library the program runs with LD_PRELOAD.
count() {
  local tag=$1 fns=$2
  shift 3
  case "$(counter_for "$1")" in
    callgrind) count_callgrind "$tag" "$fns" "$@" ;;
    qemu) count_qemu "$tag" "$fns" "$@" ;;
  esac
}

# Under callgrind; the inclusive listing stays in $OUT/TAG.inclusive.txt.
count_callgrind() {
  local tag=$1 fns=$2 toggles=() fn
  shift 2
  for fn in ${fns//,/ }; do toggles+=("--toggle-collect=$fn"); done
  LD_PRELOAD=${PRELOAD:-} LD_BIND_NOW=1 valgrind --tool=callgrind --callgrind-out-file="$OUT/$tag.callgrind" "${toggles[@]}" \
    "$@" >"$OUT/$tag.txt" 2>"$OUT/$tag.valgrind.log" ||
    { cat "$OUT/$tag.valgrind.log" >&2; echo "bench: $tag failed" >&2; exit 1; }
  callgrind_annotate --inclusive=yes --threshold=100 "$OUT/$tag.callgrind" >"$OUT/$tag.inclusive.txt"
  callgrind_annotate --threshold=100 "$OUT/$tag.callgrind" >"$OUT/$tag.self.txt"
  {
    for fn in ${fns//,/ }; do
      echo "fn $fn $(listed_cost "$fn" "$OUT/$tag.inclusive.txt") $(listed_cost "$fn" "$OUT/$tag.self.txt")"
    done
    echo "total $(sed -n 's/^totals: *//p' "$OUT/$tag.callgrind" | awk '{print $1}')"
  } >"$OUT/$tag.counts"
}

# Under QEMU's user-mode emulator (qemu-i386, or qemu-x86_64 for a 64-bit
# program) with the count_calls plugin, built here from its source when
# that changed (qemu-plugin-lib.sh).
count_qemu() {
  local tag=$1 fns=$2 exe=$3 so="$BUILD/qemu-plugins/count_calls.so" qemu=qemu-x86_64 args guest=(-E LD_BIND_NOW=1)
  shift 2
  is_elf32 "$exe" && qemu="qemu-i386"
  qemu_plugin_build "$so" tests/target/qemu_plugins/count_calls.c
  args=$(count_calls_args "$tag" "$exe" "$fns")
  [ -z "${PRELOAD:-}" ] || guest+=(-E "LD_PRELOAD=$PRELOAD")
  rm -f "$OUT/$tag.plugin.txt"
  if ! "$qemu" "${guest[@]}" -plugin "$so$args,out=$OUT/$tag.plugin.txt" "$@" \
         >"$OUT/$tag.txt" 2>"$OUT/$tag.qemu.log" || [ ! -s "$OUT/$tag.plugin.txt" ]; then
    cat "$OUT/$tag.qemu.log" >&2
    echo "bench: $tag failed under $qemu" >&2
    exit 1
  fi
  # One read of the report: the counts, and any "open" line (to stderr) fails.
  if ! awk '$1 == "open" { print > "/dev/stderr"; open = 1 }
            $1 == "fn" { print $1, $2, $3, $4 } $1 == "total"
            END { exit open }' "$OUT/$tag.plugin.txt" >"$OUT/$tag.counts"; then
    echo "bench: $tag ended inside a counted function (left by no return: a longjmp, an exit?); its counts are not trusted" >&2
    exit 1
  fi
}

# count_calls_args TAG EXE FUNCTIONS: the plugin's arguments, ",code=...,fn=...,plt=...",
# from the ELF file: its first code segment, the functions, the PLT sections
# (callgrind counts a stub in its caller's self cost).
count_calls_args() {
  local tag=$1 exe=$2 fn at addr size
  printf ',code=%s' "$(readelf -lW "$exe" | awk '$1 == "LOAD" && ($7 ~ /E/ || $8 == "E") { print $3; exit }')"
  for fn in ${3//,/ }; do
    at=$(nm -S "$exe" | awk -v f="$fn" '$4 == f { print "0x" $1 ":0x" $2 }')
    [ -n "$at" ] || { echo "bench: $tag: $fn is not in $exe" >&2; exit 1; }
    printf ',fn=%s:%s' "$fn" "$at"
  done
  while read -r _ addr size; do
    printf ',plt=0x%s:0x%x' "$addr" $((0x$addr + 0x$size))
  done < <(readelf -SW "$exe" | sed 's/^ *\[ *[0-9]*\] *//' | awk '$1 ~ /^\.plt(\.got|\.sec)?$/ { print $1, $3, $5 }')
}

# listed_cost FUNCTION LISTING: its cost in a callgrind_annotate listing; 0 if absent.
listed_cost() {
  awk -v fn="$1" '$0 ~ (":" fn " \\[") { gsub(",", "", $1); print $1; found = 1; exit }
                  END { if (!found) print 0 }' "$2"
}

# cost_of FUNCTION TAG [self]: the inclusive (or self) count of a function
# named to count; 0 if it never ran.
cost_of() {
  awk -v fn="$1" -v col="$([ "${3:-}" = self ] && echo 4 || echo 3)" \
    '$1 == "fn" && $2 == fn { print $col; found = 1; exit } END { if (!found) print 0 }' "$OUT/$2.counts"
}

# collected_total TAG: every instruction counted in the run.
collected_total() { awk '$1 == "total" { print $2 }' "$OUT/$1.counts"; }

# per_pair TAG MALLOC_FN FREE_FN: "malloc free pair" instructions per call,
# from the wrappers' inclusive costs and the calls the program counted. The
# wrappers must account for every collected instruction (nothing else was).
per_pair() {
  local tag=$1 m f
  m=$(cost_of "$2" "$tag")
  f=$(cost_of "$3" "$tag")
  if [ "$m" = 0 ] || [ "$f" = 0 ] || [ "$((m + f))" != "$(collected_total "$tag")" ]; then
    echo "bench: $tag: wrapper costs $m + $f differ from the collected total $(collected_total "$tag")" >&2
    exit 1
  fi
  awk -v mi="$m" -v fi="$f" -v mc="$(value malloc_calls "$OUT/$tag.txt")" -v fc="$(value free_calls "$OUT/$tag.txt")" \
      'BEGIN { m = mi / mc; f = fi / fc; printf "%.1f %.1f %.1f\n", m, f, m + f }'
}

# ratio A B [DIGITS]: A / B.
ratio() { awk -v a="$1" -v b="$2" -v d="${3:-3}" 'BEGIN { printf "%.*f\n", d, a / b }'; }

# verdict VALUE OP LIMIT: "met" or "NOT met".
verdict() {
  awk -v v="$1" -v l="$3" -v op="$2" 'BEGIN { print ((op == "<=" ? v <= l : v >= l) ? "met" : "NOT met") }'
}
