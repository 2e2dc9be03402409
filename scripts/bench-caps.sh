#!/usr/bin/env bash
# The capabilities layer (bench/bench_caps.c), instructions counted, -m32, on
# WORKLOADS.md's small and churn workloads: instructions per malloc+free pair of
#   esp32, esp32-dma, esp32-exec   heap_caps_malloc(n, 8BIT / DMA / 32BIT|EXEC) and
#   esp32-32bit                    heap_caps_free on the esp32 board; and 32BIT alone
#   esp32p4-dma                    DMA on the esp32p4 board: every request aligned
#                                  to its 64-byte cache lines
#   multi, multi-lock              multi_heap on one region, without / with the
#                                  port's lock (every registered heap has one, so
#                                  multi-lock is the baseline of the caps rows)
#   heaps N                        heap_caps with N heaps registered (1, 8, 32)
#   esp32-hooks                    esp32 with ESP-IDF's allocation and free hooks
#                                  defined (bench_caps_hooks of the m32-hooks build)
#   multi 16 MiB                   churn in a 16 MiB region instead of 256 KiB
# and the ratios of issue #7: each caps row against the multi_heap pair, and
# the flat-cost ratios (32 heaps against 1; 16 MiB against 256 KiB).
# Expects the -m32 build of scripts/bench.sh and builds m32-hooks; writes
# $OUT/caps.md and values.
#   WORKLOADS="small" scripts/bench-caps.sh    only some workloads
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/bench-lib.sh
WORKLOADS=${WORKLOADS:-"small churn"}
MODES=("multi" "multi-lock" "esp32" "esp32-dma" "esp32-exec" "esp32-32bit" "esp32p4-dma" "heaps 1" "heaps 8" "heaps 32"
       "esp32-hooks")
bench_build m32-hooks bench_caps_hooks

# program MODE...: the command line that runs MODE.
program() {
  case "$1" in
    esp32-hooks) echo "$(bench_dir m32-hooks)/bench/bench_caps_hooks esp32" ;;
    *) echo "$(bench_dir m32)/bench/bench_caps $*" ;;
  esac
}

# wrappers MODE: the malloc and free wrappers bench_caps uses in MODE.
wrappers() {
  case "$1" in
    multi*) echo "bench_multi_malloc bench_multi_free" ;;
    esp32-dma | esp32p4-dma) echo "bench_caps_malloc_dma bench_caps_free" ;;
    esp32-exec) echo "bench_caps_malloc_exec bench_caps_free" ;;
    esp32-32bit) echo "bench_caps_malloc_32bit bench_caps_free" ;;
    *) echo "bench_caps_malloc bench_caps_free" ;;
  esac
}

# measure WORKLOAD MODE...: records pair.caps.WORKLOAD.<mode-with-dashes> and its parts.
measure() {
  local wl=$1; shift
  local mode="$*" key tag mfn ffn m f p
  key=${mode// /-}
  tag=caps-$wl-$key
  read -r mfn ffn < <(wrappers "$1")
  echo "bench: counting caps $wl $mode" >&2
  local cmd
  read -r -a cmd < <(program "$@")
  count "$tag" "$mfn,$ffn" -- "${cmd[0]}" "$wl" "${cmd[@]:1}"
  read -r m f p < <(per_pair "$tag" "$mfn" "$ffn")
  put "malloc.caps.$wl.$key" "$m"; put "free.caps.$wl.$key" "$f"; put "pair.caps.$wl.$key" "$p"
  put "failed.caps.$wl.$key" "$(value failed "$OUT/$tag.txt")"
  put "served.caps.$wl.$key" "$(value served "$OUT/$tag.txt")"
}

# shares WORKLOAD MODE: which heaps served the mallocs of a run (bench_caps'
# served=START/SIZE:COUNT,...), each as its start address and size (or
# "through an alias") and its share of the successful mallocs; "not measured"
# when WORKLOADS left the run out.
shares() {
  local served
  served=$(get "served.caps.$1.$2")
  [ -n "$served" ] || { echo "not measured"; return; }
  echo "$served" | tr ',' '\n' | awk -F: '{ n[NR] = $1; c[NR] = $2; t += $2 }
    END { for (i = 1; i <= NR; i++) {
            split(n[i], h, "/")
            printf "%s%s %.0f %%", (i > 1 ? ", " : ""), (n[i] == "alias" ? "through an alias" : h[1] " (" h[2] " B)"), 100 * c[i] / t
          } }'
}

for wl in $WORKLOADS; do
  for mode in "${MODES[@]}"; do measure "$wl" $mode; done
done
measure churn multi 16384

# ---- ratios and the tables ----------------------------------------------------

# put_ratio KEY A_KEY B_KEY: records A / B under KEY.
put_ratio() { put "$1" "$(ratio "$(get "$2")" "$(get "$3")")"; }

for wl in $WORKLOADS; do
  for mode in esp32 esp32-dma esp32-exec esp32-32bit; do
    put_ratio "ratio.caps.$wl.$mode.multi-lock" "pair.caps.$wl.$mode" "pair.caps.$wl.multi-lock"
    put_ratio "ratio.caps.$wl.$mode.multi" "pair.caps.$wl.$mode" "pair.caps.$wl.multi"
  done
  put_ratio "ratio.flat.$wl.heaps32" "pair.caps.$wl.heaps-32" "pair.caps.$wl.heaps-1"
  put_ratio "ratio.caps.$wl.esp32-hooks.esp32" "pair.caps.$wl.esp32-hooks" "pair.caps.$wl.esp32"
done
put_ratio "ratio.flat.churn.region16M" "pair.caps.churn.multi-16384" "pair.caps.churn.multi"

describe() {
  case "$1" in
    esp32) echo "heap_caps 8BIT (esp32)" ;;
    esp32-dma) echo "heap_caps DMA (esp32)" ;;
    esp32-exec) echo "heap_caps 32BIT\\|EXEC (esp32)" ;;
    esp32-32bit) echo "heap_caps 32BIT (esp32)" ;;
    esp32p4-dma) echo "heap_caps DMA (esp32p4, 64-byte lines)" ;;
    esp32-hooks) echo "heap_caps 8BIT (esp32), hooks defined" ;;
    multi-16384) echo "multi, 16 MiB region" ;;
    heaps-*) echo "heaps ${1#heaps-}" ;;
    *) echo "$1" ;;
  esac
}

pair_table() {
  local wl mode key r1 r2
  echo "| workload | front end | malloc instr/call | free instr/call | instr/pair | / multi-lock | / multi |"
  echo "|---|---|---|---|---|---|---|"
  for wl in $WORKLOADS; do
    for mode in "${MODES[@]}" $([ "$wl" = churn ] && echo "multi-16384"); do
      key=${mode// /-}
      r1=$(ratio "$(get "pair.caps.$wl.$key")" "$(get "pair.caps.$wl.multi-lock")")
      r2=$(ratio "$(get "pair.caps.$wl.$key")" "$(get "pair.caps.$wl.multi")")
      echo "| $wl | $(describe "$key") | $(get "malloc.caps.$wl.$key") | $(get "free.caps.$wl.$key") |" \
           "$(get "pair.caps.$wl.$key") | $r1 | $r2 |"
    done
  done
}

failures() {
  local k n list=""
  for k in $(awk '$1 ~ /^failed\.caps\./ && $2 != 0 { print $1 }' "$OUT/values.txt"); do
    list="$list ${k#failed.caps.}: $(get "$k");"
  done
  echo "${list:- none}"
}

{
  pair_table
  echo
  echo "On the esp32 board 8BIT and DMA are served from DRAM; 32BIT|EXEC from IRAM first and then"
  echo "from D/IRAM through its instruction-bus alias; 32BIT alone from IRAM first, at its own address. On the"
  echo "esp32p4 board DMA requests are served in whole 64-byte cache lines, so each takes the aligned path. Every registered heap has a lock, so the"
  echo "locked multi_heap pair (multi-lock) is the comparable baseline; / multi is the cost of the"
  echo "whole layer, lock included. Which heaps served the blocks (share of the mallocs): 8BIT on"
  echo "esp32, small: $(shares small esp32); churn: $(shares churn esp32). A heap that has failed"
  echo "keeps a fail floor, which the fast path reads to pass it over and which every change to the"
  echo "heap renews under its lock: the esp32 rows pay it for the first heap, far smaller than the"
  echo "workloads' live bytes; \`heaps N\` is the layer on a heap that never fills."
  echo "With ESP-IDF's allocation and free hooks defined (capheap built"
  echo "with CAPHEAP_HEAP_HOOKS; empty hooks), each free checks its pointer under its heap's lock"
  echo "before the free hook sees it, then frees: $(get "ratio.caps.churn.esp32-hooks.esp32" 2>/dev/null)x the 8BIT"
  echo "pair on churn, $(get "ratio.caps.small.esp32-hooks.esp32" 2>/dev/null)x on small. Failed mallocs:$(failures)"
} >"$OUT/caps.md"
