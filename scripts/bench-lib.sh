# bench-lib.sh: what the bench-*.sh scripts share (sourced, not run): where
# things go, the builds, callgrind counting and the values file.
#
#   $OUT/values.txt   one "key value" line per figure, appended by each part;
#                     bench-targets.sh and bench-plot.py read their figures
#                     from it, so that no figure is typed twice.
# Environment: BUILD (default build), JOBS (default 2).
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
OUT=$BUILD/bench
mkdir -p "$OUT"
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

# callgrind TAG FUNCTIONS -- COMMAND...: runs COMMAND under callgrind,
# collecting only inside the named functions (comma-separated); its stdout
# goes to $OUT/TAG.txt, the inclusive listing to $OUT/TAG.inclusive.txt.
# LD_BIND_NOW: the first call through the PLT does not pay for resolving it.
callgrind() {
  local tag=$1 fns=$2 toggles=() fn
  shift 3
  for fn in ${fns//,/ }; do toggles+=("--toggle-collect=$fn"); done
  LD_BIND_NOW=1 valgrind --tool=callgrind --callgrind-out-file="$OUT/$tag.callgrind" "${toggles[@]}" \
    "$@" >"$OUT/$tag.txt" 2>"$OUT/$tag.valgrind.log" ||
    { cat "$OUT/$tag.valgrind.log" >&2; echo "bench: $tag failed" >&2; exit 1; }
  callgrind_annotate --inclusive=yes --threshold=100 "$OUT/$tag.callgrind" >"$OUT/$tag.inclusive.txt"
}

# cost_of FUNCTION LISTING: its cost in a callgrind_annotate listing; 0 if absent.
cost_of() {
  awk -v fn="$1" '$0 ~ (":" fn " \\[") { gsub(",", "", $1); print $1; found = 1; exit }
                  END { if (!found) print 0 }' "$2"
}

# collected_total TAG: every instruction callgrind collected in the run.
collected_total() { sed -n 's/^totals: *//p' "$OUT/$1.callgrind" | awk '{print $1}'; }

# per_pair TAG MALLOC_FN FREE_FN: "malloc free pair" instructions per call,
# from the wrappers' inclusive costs and the calls the program counted. The
# wrappers must account for every collected instruction (nothing else was).
per_pair() {
  local tag=$1 m f
  m=$(cost_of "$2" "$OUT/$tag.inclusive.txt")
  f=$(cost_of "$3" "$OUT/$tag.inclusive.txt")
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
