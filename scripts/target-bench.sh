#!/usr/bin/env bash
# Instructions per multi_heap_malloc and multi_heap_free (and per
# heap_caps_malloc and heap_caps_free on the esp32 board moved into RAM) on the
# target's own instruction set: the churn workload of WORKLOADS.md on Cortex-M3 (QEMU
# mps2-an385, arm-none-eabi-gcc -O2), timed per call with the CMSDK TIMER0
# under -icount shift=7 (exact, identical from run to run; QEMU.md). Prints the
# table and writes it to $BUILD/bench-target/churn-cm3.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
dir="$BUILD/target/cm3-O2"
out="$BUILD/bench-target"
mkdir -p "$out"

cmake -S tests/target -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchains/arm-none-eabi.cmake" \
      -DCAPHEAP_TARGET_CPU=cortex-m3 -DCAPHEAP_TARGET_OPT=-O2 -DCAPHEAP_POISONING=none >/dev/null
cmake --build "$dir" -j"$JOBS" --target bench_churn >/dev/null
scripts/target-run.sh --icount 7 --timeout 120 mps2-an385 "$dir/bench_churn" | tee "$out/churn-cm3.txt"
