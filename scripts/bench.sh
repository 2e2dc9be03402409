#!/usr/bin/env bash
# `make bench`: the workloads of WORKLOADS.md (bench/bench_workloads.c) for
# capheap (through the multi_heap API), a bump pointer (the floor) and glibc
# malloc, built -m32 and 64-bit, and one table of the results.
#
#   churn, small     instructions per malloc and per free call, counted by
#                    callgrind inside the wrappers bench_malloc_<allocator> and
#                    bench_free_<allocator> only (--toggle-collect), divided by
#                    the calls the program made (failed mallocs included)
#   fill, overhead   payload / region, run natively (no instruction counts)
#
# The table goes to stdout and to $BUILD/bench/results.md; the raw program
# output and callgrind files stay in $BUILD/bench/ (per-function costs:
# callgrind_annotate $BUILD/bench/callgrind-m32-churn-capheap.out).
# Environment: BUILD (default build), JOBS (default 2), ARCHES (default "m32 m64").
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
ARCHES=${ARCHES:-"m32 m64"}
OUT=$BUILD/bench
ALLOCATORS="capheap bump glibc"
started=$(date +%s)
mkdir -p "$OUT"

for tool in cmake valgrind callgrind_annotate; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/deps.sh installs it)" >&2; exit 1; }
done

arch_label() { [ "$1" = m32 ] && echo "-m32" || echo "64-bit"; }

# ---- build ------------------------------------------------------------------
build() {
  local arch=$1 dir=$BUILD/bench-$1 flags=""
  [ "$arch" = m32 ] && flags=-m32
  echo "bench: building $(arch_label "$arch") Release (-O2 -DNDEBUG) in $dir" >&2
  if ! { cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release "-DCMAKE_C_FLAGS_RELEASE=-O2 -DNDEBUG" \
           "-DCMAKE_C_FLAGS=$flags" -DCAPHEAP_POISONING=none -DCAPHEAP_BUILD_TESTS=OFF \
           -DCAPHEAP_BUILD_BENCH=ON &&
         cmake --build "$dir" -j"$JOBS" --target bench_workloads; } >"$OUT/build-$arch.log" 2>&1; then
    cat "$OUT/build-$arch.log" >&2
    echo "bench: the $(arch_label "$arch") build failed" >&2
    exit 1
  fi
}

exe() { echo "$BUILD/bench-$1/bench/bench_workloads"; }

# value KEY FILE: the value of key=value in the first line of FILE that has it.
value() { tr ' ' '\n' <"$2" | sed -n "s/^$1=//p" | head -n1; }

# ---- churn and small under callgrind -----------------------------------------
# The cost of one function in a callgrind_annotate listing (inclusive or self,
# as the listing was made); 0 when it is not listed.
cost_of() {
  awk -v fn="$1" '$0 ~ (":" fn " \\[") { gsub(",", "", $1); print $1; found = 1; exit }
                  END { if (!found) print 0 }' "$2"
}

measure() {
  local arch=$1 wl=$2 alloc=$3
  local tag=$arch-$wl-$alloc cg=$OUT/callgrind-$arch-$wl-$alloc.out
  echo "bench: callgrind $wl $alloc $(arch_label "$arch")" >&2
  # LD_BIND_NOW: glibc's first call does not pay for resolving its symbol.
  LD_BIND_NOW=1 valgrind --tool=callgrind --callgrind-out-file="$cg" \
    --toggle-collect="bench_malloc_$alloc" --toggle-collect="bench_free_$alloc" \
    "$(exe "$arch")" "$wl" "$alloc" >"$OUT/$tag.txt" 2>"$OUT/$tag.valgrind.log" ||
    { cat "$OUT/$tag.valgrind.log" >&2; echo "bench: $tag failed" >&2; exit 1; }
  callgrind_annotate --inclusive=yes --threshold=100 "$cg" >"$OUT/$tag.inclusive.txt"
  local m f total
  m=$(cost_of "bench_malloc_$alloc" "$OUT/$tag.inclusive.txt")
  f=$(cost_of "bench_free_$alloc" "$OUT/$tag.inclusive.txt")
  total=$(sed -n 's/^totals: *//p' "$cg" | awk '{print $1}')
  # Only the two wrappers are collected, so they must account for every instruction.
  if [ "$m" = 0 ] || [ "$f" = 0 ] || [ "$((m + f))" != "$total" ]; then
    echo "bench: $tag: wrapper costs $m + $f differ from the collected total $total" >&2
    exit 1
  fi
  echo "malloc_ir=$m free_ir=$f" >>"$OUT/$tag.txt"
}

# per_call ARCH WL ALLOC: "malloc free pair" instructions per call.
per_call() {
  local t=$OUT/$1-$2-$3.txt
  awk -v mi="$(value malloc_ir "$t")" -v fi="$(value free_ir "$t")" \
      -v mc="$(value malloc_calls "$t")" -v fc="$(value free_calls "$t")" \
      'BEGIN { m = mi / mc; f = fi / fc; printf "%.1f %.1f %.1f\n", m, f, m + f }'
}

# ---- fill and overhead natively ----------------------------------------------
run_native() {
  local arch=$1 wl=$2 alloc=$3
  "$(exe "$arch")" "$wl" "$alloc" >"$OUT/$arch-$wl-$alloc.txt"
}

overhead_ratio() { # ARCH ALLOC REGION SIZE
  awk -v r="$3" -v s="$4" '{ delete v; for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } }
       v["region"] == r && v["size"] == s { print v["ratio"] }' "$OUT/$1-overhead-$2.txt"
}

for arch in $ARCHES; do
  build "$arch"
  for wl in churn small; do
    for alloc in $ALLOCATORS; do
      measure "$arch" "$wl" "$alloc"
    done
  done
  run_native "$arch" fill capheap
  run_native "$arch" overhead capheap
  run_native "$arch" overhead bump
done

# ---- the table ---------------------------------------------------------------
MI=1048576
OVERHEAD_COLS="16:8192 100:8192 100:65536 16:65536 16:$MI 100:$MI"

label() {
  case "$1" in
    capheap) echo "capheap (multi_heap API)" ;;
    bump) echo "bump pointer (floor, never frees)" ;;
    glibc) echo "glibc malloc (not region-bound)" ;;
  esac
}

# Reference figures, copied from WORKLOADS.md (x86, gcc 12, -m32 -O2).
# name|churn pair|small pair|fill|16 B @8 KiB|100 B @8 KiB|100 B @64 KiB
REFERENCE="TLSF 3.1 (mattconte)|316|243|0.884|0.488|0.586|0.914
ESP-IDF multi_heap (TLSF, no poisoning)|448|370|0.907|0.762|0.879|0.949
o1heap 2.2|189|174|0.659|0.490|0.757|0.778
umm_malloc|931|1717|0.931|0.664|0.952|0.961
glibc malloc (not region-bound)|293|204|-|-|-|-
bump pointer (floor, never frees)|18|18|-|-|-|-"

target_line() { # DESCRIPTION VALUE OP LIMIT
  local ok
  ok=$(awk -v v="$2" -v l="$4" -v op="$3" 'BEGIN { print ((op == "<=" ? v <= l : v >= l) ? "met" : "NOT met") }')
  echo "- $1 $3 $4: measured $2, **$ok**"
}

report() {
  local commit gccv vgv
  commit=$(git describe --always --dirty 2>/dev/null || echo unknown)
  gccv=$(gcc -dumpfullversion 2>/dev/null || gcc -dumpversion)
  vgv=$(valgrind --version)
  echo "## capheap benchmark (make bench)"
  echo
  echo "Measured $(date -u +%Y-%m-%d) at commit $commit: gcc $gccv -O2 -DNDEBUG (CMake Release), $vgv, $(uname -m)."
  echo "capheap is multi_heap_malloc/multi_heap_free on one region, no poisoning, no lock."
  echo "Every capheap, bump and glibc figure below was measured in this run; reference rows are"
  echo "copied from WORKLOADS.md (x86, gcc 12, -m32 -O2)."
  echo
  echo "### Instructions per call (callgrind, inside the wrappers, 1,000,000 ops)"
  echo
  echo "| allocator | build | churn malloc | churn free | churn pair | small malloc | small free | small pair |"
  echo "|---|---|---|---|---|---|---|---|"
  local arch alloc wl
  for arch in $ARCHES; do
    for alloc in $ALLOCATORS; do
      local row="| $(label "$alloc") | $(arch_label "$arch")"
      for wl in churn small; do
        read -r m f p < <(per_call "$arch" "$wl" "$alloc")
        row="$row | $m | $f | $p"
      done
      echo "$row |"
    done
  done
  while IFS='|' read -r name churn small _; do
    echo "| $name (reference, from WORKLOADS.md) | -m32 | | | $churn | | | $small |"
  done <<<"$REFERENCE"
  echo
  local failed=""
  for arch in $ARCHES; do
    for wl in churn small; do
      for alloc in $ALLOCATORS; do
        local n
        n=$(value failed "$OUT/$arch-$wl-$alloc.txt")
        [ "$n" != 0 ] && failed="$failed $alloc/$wl/$(arch_label "$arch"): $n;"
      done
    done
  done
  local wrap="" t
  for arch in $ARCHES; do
    t=$OUT/$arch-churn-capheap
    callgrind_annotate --threshold=100 "$OUT/callgrind-$arch-churn-capheap.out" >"$t.self.txt"
    wrap="$wrap $(awk -v ir="$(cost_of bench_malloc_capheap "$t.self.txt")" -v n="$(value malloc_calls "$t.txt")" \
                     'BEGIN { printf "%.1f", ir / n }') on $(arch_label "$arch"),"
  done
  echo "Pair = per malloc + per free. Each figure includes its wrapper's own instructions (the"
  echo "capheap malloc wrapper's self cost per call:${wrap%,}; -m32 code is position-independent"
  echo "and also calls __x86.get_pc_thunk, 2 instructions). Failed mallocs:${failed:- none}"
  echo
  echo "### Payload / region (higher is better)"
  echo
  echo "fill: 64 KiB, 4096 slots, log-uniform 8..2048 B, 2,000 rounds, mean live payload / region at"
  echo "the first failure. overhead: fixed-size allocations until failure, payload / region."
  echo
  echo "| allocator | build | fill | 16 B @ 8 KiB | 100 B @ 8 KiB | 100 B @ 64 KiB | 16 B @ 64 KiB | 16 B @ 1 MiB | 100 B @ 1 MiB |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for arch in $ARCHES; do
    for alloc in $ALLOCATORS; do
      local row="| $(label "$alloc") | $(arch_label "$arch")" col
      if [ "$alloc" = capheap ]; then
        row="$row | $(value fill "$OUT/$arch-fill-capheap.txt")"
      else
        row="$row | -"
      fi
      for col in $OVERHEAD_COLS; do
        if [ "$alloc" = glibc ]; then
          row="$row | -"
        else
          row="$row | $(overhead_ratio "$arch" "$alloc" "${col#*:}" "${col%%:*}")"
        fi
      done
      echo "$row |"
    done
  done
  while IFS='|' read -r name _ _ fill o1 o2 o3; do
    echo "| $name (reference, from WORKLOADS.md) | -m32 | $fill | $o1 | $o2 | $o3 | | | |"
  done <<<"$REFERENCE"
  echo
  echo "Bump pointer overhead is the ceiling (alignment only, no headers); fill does not apply to it"
  echo "(it never frees), and neither figure applies to glibc (not bound to a region)."
  echo
  if [[ " $ARCHES " == *" m32 "* ]]; then
    echo "### Targets (-m32)"
    echo
    local pair fill o100
    read -r _ _ pair < <(per_call m32 churn capheap)
    fill=$(value fill "$OUT/m32-fill-capheap.txt")
    o100=$(overhead_ratio m32 capheap 8192 100)
    target_line "churn instructions per malloc+free pair" "$pair" "<=" 250
    target_line "fill" "$fill" ">=" 0.92
    target_line "overhead 100 B @ 8 KiB" "$o100" ">=" 0.93
  fi
}

report >"$OUT/results.md"
# The capabilities layer on the esp32 board, in the same run (scripts/bench-caps.sh).
if BUILD=$BUILD JOBS=$JOBS scripts/bench-caps.sh >"$OUT/caps.log" 2>&1; then
  { echo; echo "### Capabilities layer: heap_caps on the esp32 board (-m32)"; echo
    cat "$BUILD/bench-caps/results.md"; } >>"$OUT/results.md"
else
  echo "bench: scripts/bench-caps.sh failed, see $OUT/caps.log" >&2
fi
echo
cat "$OUT/results.md"
echo
echo "bench: table written to $OUT/results.md ($(($(date +%s) - started)) s)"
