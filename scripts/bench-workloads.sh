#!/usr/bin/env bash
# The workloads of WORKLOADS.md (bench/bench_workloads.c) for capheap (the
# multi_heap API on one region), the bump pointer (the floor) and the
# process's malloc: glibc's, and jemalloc, tcmalloc and mimalloc put in front
# of it with LD_PRELOAD (Debian's amd64 and i386 libraries, scripts/deps.sh
# bench; a row whose library is not installed is left out).
#
#   churn, small     instructions per malloc and per free call, counted by
#                    callgrind inside the wrappers bench_malloc_<allocator> and
#                    bench_free_<allocator> only, divided by the calls made
#   fill, overhead   payload / region, run natively (no instruction counts)
#
# Expects the builds of scripts/bench.sh (bench-lib.sh: bench_build). Writes
# $OUT/workloads.md and the figures to $OUT/values.txt.
# Environment: ARCHES (default "m32 m64").
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
ARCHES=${ARCHES:-"m32 m64"}
PRELOADED="jemalloc tcmalloc mimalloc"

exe() { echo "$(bench_dir "$1")/bench/bench_workloads"; }

# library NAME ARCH: the shared library LD_PRELOAD loads for NAME; empty when
# it is not installed (the row is then left out, and said so).
library() {
  local dir so
  dir=/usr/lib/$(gcc $([ "$2" = m32 ] && echo -m32) -print-multiarch)
  case "$1" in
    jemalloc) so=libjemalloc.so.2 ;;
    tcmalloc) so=libtcmalloc_minimal.so.4 ;;
    mimalloc) so=libmimalloc.so.2 ;;
  esac
  [ -f "$dir/$so" ] && echo "$dir/$so"
}

# allocators ARCH: the rows of ARCH; each is capheap, bump, glibc or a preloaded name.
allocators() {
  local a list="capheap bump glibc"
  for a in $PRELOADED; do [ -n "$(library "$a" "$1")" ] && list="$list $a"; done
  echo "$list"
}

# Whose malloc did the wrappers reach? callgrind's listing names each function's
# object: under LD_PRELOAD some must be in the preloaded library and none may
# be glibc's own malloc internals; for glibc, those internals must be there.
# Counted under QEMU (no listing): the objects that define the malloc and free
# the wrappers call (bench_workloads prints them) must be the preloaded
# library, or glibc's C library for glibc.
check_objects() { # ALLOC ARCH TAG
  if [ "$(counter_for "$(exe "$2")")" = callgrind ]; then
    check_listing "$1" "$2" "$OUT/$3.inclusive.txt"
  else
    check_resolved "$@"
  fi
}

check_resolved() { # ALLOC ARCH TAG
  local want key
  if [ "$1" = glibc ]; then want=/libc.so.6; else want=/$(basename "$(library "$1" "$2")"); fi
  for key in malloc_object free_object; do
    case "$(value "$key" "$OUT/$3.txt")" in
      *"$want") ;;
      *) echo "bench: $3: $key is $(value "$key" "$OUT/$3.txt"), not ...$want" >&2; exit 1 ;;
    esac
  done
}

check_listing() { # ALLOC ARCH LISTING
  local alloc=$1 listing=$3 lib
  if [ "$alloc" = glibc ]; then
    grep -q 'malloc.c:_int_malloc \[.*libc\.so' "$listing" && return
    echo "bench: $listing: glibc's _int_malloc not reached" >&2; exit 1
  fi
  lib=$(basename "$(library "$alloc" "$2")" | sed 's/\.so.*//')
  if ! grep -q "\[.*/$lib\.so" "$listing" || grep -q 'malloc.c:_int_\(malloc\|free\) ' "$listing"; then
    echo "bench: $listing: the calls did not go to $lib" >&2; exit 1
  fi
}

measure() { # ARCH WL ALLOC
  local arch=$1 wl=$2 alloc=$3 tag=$1-$2-$3 kind=$3 preload=""
  case "$alloc" in capheap | bump) ;; glibc) kind=system ;; *) kind=system; preload=$(library "$alloc" "$arch") ;; esac
  echo "bench: counting $wl $alloc $(arch_label "$arch")" >&2
  PRELOAD=$preload count "$tag" "bench_malloc_$kind,bench_free_$kind" -- "$(exe "$arch")" "$wl" "$kind"
  [ "$kind" = system ] && check_objects "$alloc" "$arch" "$tag"
  local m f p
  read -r m f p < <(per_pair "$tag" "bench_malloc_$kind" "bench_free_$kind")
  put "malloc.$arch.$wl.$alloc" "$m"; put "free.$arch.$wl.$alloc" "$f"; put "pair.$arch.$wl.$alloc" "$p"
  put "failed.$arch.$wl.$alloc" "$(value failed "$OUT/$tag.txt")"
}

# The capheap malloc wrapper's own instructions per call (its self cost),
# which every pair figure includes.
record_wrapper_cost() { # ARCH
  local tag=$1-churn-capheap
  put "wrapper.$1" "$(ratio "$(cost_of bench_malloc_capheap "$tag" self)" \
                             "$(value malloc_calls "$OUT/$tag.txt")" 1)"
}

run_native() { # ARCH WL ALLOC: fill and overhead, key=value lines to $OUT/ARCH-WL-ALLOC.txt
  "$(exe "$1")" "$2" "$3" >"$OUT/$1-$2-$3.txt"
}

record_region_figures() { # ARCH ALLOC...: the overhead runs of each ALLOC
  local arch=$1 alloc line
  shift
  put "fill.$arch.capheap" "$(value fill "$OUT/$arch-fill-capheap.txt")"
  for alloc in "$@"; do
    while read -r line; do
      put "overhead.$arch.$alloc.$(value size <(echo "$line"))@$(value region <(echo "$line"))" \
          "$(value ratio <(echo "$line"))"
    done <"$OUT/$arch-overhead-$alloc.txt"
  done
}

for arch in $ARCHES; do
  for wl in churn small; do
    for alloc in $(allocators "$arch"); do measure "$arch" "$wl" "$alloc"; done
  done
  record_wrapper_cost "$arch"
  run_native "$arch" fill capheap
  run_native "$arch" overhead capheap
  run_native "$arch" overhead bump
  record_region_figures "$arch" capheap bump
done

# What a larger grain costs in payload (-m32, whose default grain is 4):
# capheap's fill and overhead built with CAPHEAP_GRAIN=8 and 16.
GRAIN_BUILDS=""
case " $ARCHES " in *" m32 "*) GRAIN_BUILDS="m32-grain8 m32-grain16" ;; esac
for arch in $GRAIN_BUILDS; do
  bench_build "$arch" bench_workloads
  run_native "$arch" fill capheap
  run_native "$arch" overhead capheap
  record_region_figures "$arch" capheap
done

# What the internal assertions cost (-m32, CAPHEAP_ASSERTIONS=1: each
# helper's pre- and postconditions): capheap's churn and small pairs.
ASSERT_BUILDS=""
case " $ARCHES " in *" m32 "*) ASSERT_BUILDS="m32-assert1" ;; esac
for arch in $ASSERT_BUILDS; do
  bench_build "$arch" bench_workloads
  for wl in churn small; do measure "$arch" "$wl" capheap; done
done

# ---- the tables ----------------------------------------------------------------

package_of() { case "$1" in jemalloc) echo libjemalloc2 ;; tcmalloc) echo libtcmalloc-minimal4 ;; mimalloc) echo libmimalloc2.0 ;; esac; }

label() {
  case "$1" in
    capheap) echo "capheap (multi_heap API)" ;;
    bump) echo "bump pointer (floor, never frees)" ;;
    glibc) echo "glibc $(ldd --version | head -n1 | awk '{print $NF}') malloc (not region-bound)" ;;
    *) echo "$1 $(dpkg-query -W -f='${Version}\n' "$(package_of "$1")" | head -n1 | sed 's/[-+].*//') (LD_PRELOAD, not region-bound)" ;;
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

instruction_table() {
  local arch alloc wl row failed=""
  echo "| allocator | build | churn malloc | churn free | churn pair | small malloc | small free | small pair |"
  echo "|---|---|---|---|---|---|---|---|"
  for arch in $ARCHES $ASSERT_BUILDS; do
    for alloc in $(allocators "$arch"); do
      case "$arch" in *-assert*) [ "$alloc" = capheap ] || continue ;; esac
      row="| $(label "$alloc") | $(arch_label "$arch")"
      for wl in churn small; do
        row="$row | $(get "malloc.$arch.$wl.$alloc") | $(get "free.$arch.$wl.$alloc") | $(get "pair.$arch.$wl.$alloc")"
        [ "$(get "failed.$arch.$wl.$alloc")" != 0 ] && failed="$failed $alloc/$wl/$(arch_label "$arch")"
      done
      echo "$row |"
    done
  done
  while IFS='|' read -r name churn small _; do
    echo "| $name (reference, from WORKLOADS.md) | -m32 | | | $churn | | | $small |"
  done <<<"$REFERENCE"
  echo
  local wrap=""
  for arch in $ARCHES; do wrap="$wrap $(get "wrapper.$arch") on $(arch_label "$arch"),"; done
  echo "Pair = per malloc + per free, each including its wrapper's own instructions (the capheap"
  echo "malloc wrapper's self cost per call:${wrap%,}; -m32 code is position-independent and"
  echo "also calls __x86.get_pc_thunk, 2 instructions). The"
  echo "LD_PRELOAD rows were checked to run in the preloaded library and not in glibc's malloc (in"
  echo "callgrind's listing; counted under QEMU, by the library that defines the malloc and free"
  echo "called); each allocator's first malloc (its set-up) is made before counting."
  echo "Failed mallocs:${failed:- none}."
}

region_table() {
  local arch alloc col row fill
  echo "| allocator | build | fill | 16 B @ 8 KiB | 100 B @ 8 KiB | 100 B @ 64 KiB | 16 B @ 64 KiB | 16 B @ 1 MiB | 100 B @ 1 MiB |"
  echo "|---|---|---|---|---|---|---|---|---|"
  for arch in $ARCHES $GRAIN_BUILDS; do
    for alloc in capheap bump; do
      case "$arch" in *-grain*) [ "$alloc" = capheap ] || continue ;; esac
      fill=$(get "fill.$arch.$alloc")
      row="| $(label "$alloc") | $(arch_label "$arch") | ${fill:--}"
      for col in 16@8192 100@8192 100@65536 16@65536 16@1048576 100@1048576; do
        row="$row | $(get "overhead.$arch.$alloc.$col")"
      done
      echo "$row |"
    done
  done
  while IFS='|' read -r name _ _ fill o1 o2 o3; do
    [ "$fill" = - ] || echo "| $name (reference, from WORKLOADS.md) | -m32 | $fill | $o1 | $o2 | $o3 | | | |"
  done <<<"$REFERENCE"
}

{
  echo "### Instructions per call (inside the wrappers, 1,000,000 ops)"
  echo
  instruction_table
  echo
  echo "### Payload / region (higher is better)"
  echo
  echo "fill: 64 KiB, 4096 slots, log-uniform 8..2048 B, 2,000 rounds, mean live payload / region at"
  echo "the first failure. overhead: fixed-size allocations until failure, payload / region. The bump"
  echo "pointer's overhead is the ceiling (alignment only, no headers); fill does not apply to it (it"
  echo "never frees). Neither applies to the allocators that are not bound to a region."
  echo
  region_table
} >"$OUT/workloads.md"
