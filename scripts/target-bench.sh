#!/usr/bin/env bash
# Instructions per multi_heap_malloc and multi_heap_free (and per
# heap_caps_malloc and heap_caps_free on the esp32 board) on the target's own
# instruction set: the churn workload of WORKLOADS.md (the host's requests,
# bench/bench_common.h) timed per call under -icount shift=7 (exact,
# identical from run to run; QEMU.md), with -O2:
#   Cortex-M3 on QEMU mps2-an385 (arm-none-eabi-gcc), the CMSDK TIMER0;
#   Xtensa lx106 on QEMU's sim machine (xtensa-lx106-elf-gcc), CCOUNT;
#   RV32IMAC on QEMU virt (riscv64-unknown-elf-gcc, picolibc), minstret;
#   ARMv6-M (Cortex-M0+, as the RP2040) code on mps2-an385's Cortex-M3.
# Prints the tables and writes them to $BUILD/bench-target/churn-cm3.txt,
# churn-lx106.txt, churn-rv32.txt and churn-cm0plus.txt.
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
scripts/target-run.sh --icount 7 --timeout 120 mps2-an385 "$dir/bench_churn" >"$out/churn-cm3.txt"

# The port's lock with CAPHEAP_BAREMETAL_SMP (a spinlock word taken inside
# every heap lock, for several cores; one core here): the same program built
# so, its locked multi_heap row added below the table.
smp_dir="$BUILD/target/cm3-O2-smp-bench"
cmake -S tests/target -B "$smp_dir" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchains/arm-none-eabi.cmake" \
      -DCAPHEAP_TARGET_CPU=cortex-m3 -DCAPHEAP_TARGET_OPT=-O2 -DCAPHEAP_POISONING=none \
      -DCAPHEAP_BAREMETAL_SMP=ON >/dev/null
cmake --build "$smp_dir" -j"$JOBS" --target bench_churn >/dev/null
smp_row=$(scripts/target-run.sh --icount 7 --timeout 120 mps2-an385 "$smp_dir/bench_churn" |
          grep '^multi_heap + bare-metal port lock  ')
{
  echo
  echo "With CAPHEAP_BAREMETAL_SMP=ON (every heap lock also takes a spinlock word; one core):"
  printf '%-33s%s\n' "multi_heap + SMP port lock" "${smp_row#multi_heap + bare-metal port lock}"
} >>"$out/churn-cm3.txt"
cat "$out/churn-cm3.txt"

# The same program on Xtensa, the esp32 board at its own addresses there.
. scripts/target-lib.sh
lx_dir="$BUILD/target/lx106-O2"
# shellcheck disable=SC2046  # config_args prints separate words on purpose
cmake -S tests/target -B "$lx_dir" $(config_args lx106-O2) >/dev/null
cmake --build "$lx_dir" -j"$JOBS" --target bench_churn >/dev/null
scripts/target-run.sh --icount 7 --timeout 120 sim-lx106 "$lx_dir/bench_churn" >"$out/churn-lx106.txt"
echo
cat "$out/churn-lx106.txt"

# And on RV32IMAC: the ESP32-C6's instruction set (the ESP32-C3's is RV32IMC).
rv_dir="$BUILD/target/rv32-O2"
# shellcheck disable=SC2046  # config_args prints separate words on purpose
cmake -S tests/target -B "$rv_dir" $(config_args rv32-O2) >/dev/null
cmake --build "$rv_dir" -j"$JOBS" --target bench_churn >/dev/null
scripts/target-run.sh --icount 7 --timeout 120 virt "$rv_dir/bench_churn" >"$out/churn-rv32.txt"
echo
cat "$out/churn-rv32.txt"

# And ARMv6-M, the RP2040's Cortex-M0+: QEMU has no M0+ board, but its
# instructions are a subset of the Cortex-M3's, so the M0+ program runs on
# mps2-an385 unchanged and every instruction is the one an M0+ would execute.
m0_dir="$BUILD/target/cm0plus-O2"
# shellcheck disable=SC2046  # config_args prints separate words on purpose
cmake -S tests/target -B "$m0_dir" $(config_args cm0plus-O2) >/dev/null
cmake --build "$m0_dir" -j"$JOBS" --target bench_churn >/dev/null
scripts/target-run.sh --icount 7 --timeout 120 mps2-an385 "$m0_dir/bench_churn" >"$out/churn-cm0plus.txt"
echo
cat "$out/churn-cm0plus.txt"
