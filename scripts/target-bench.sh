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
. scripts/target-lib.sh
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
out="$BUILD/bench-target"
mkdir -p "$out"

# bench_build CONFIG DIR: bench_churn of a target configuration (the names of
# scripts/target-test.sh), built in DIR.
bench_build() {
  # shellcheck disable=SC2046  # config_args prints separate words on purpose
  cmake -S tests/target -B "$2" $(config_args "$1") >/dev/null
  cmake --build "$2" -j"$JOBS" --target bench_churn >/dev/null
}

# bench_run MACHINE DIR: the table of the bench_churn built in DIR.
bench_run() { scripts/target-run.sh --icount 7 --timeout 120 "$1" "$2/bench_churn"; }

# bench_table CONFIG MACHINE NAME: built, run, written to $out/churn-NAME.txt and shown.
bench_table() {
  bench_build "$1" "$BUILD/target/$1"
  bench_run "$2" "$BUILD/target/$1" >"$out/churn-$3.txt"
  echo
  cat "$out/churn-$3.txt"
}

bench_build cm3-O2 "$BUILD/target/cm3-O2"
bench_run mps2-an385 "$BUILD/target/cm3-O2" >"$out/churn-cm3.txt"

# The port's lock with CAPHEAP_BAREMETAL_SMP (a spinlock word taken inside
# every heap lock, for several cores; one core here): the same program built
# so, its locked multi_heap row added below the table.
bench_build cm3-O2-smp "$BUILD/target/cm3-O2-smp-bench"
smp_row=$(bench_run mps2-an385 "$BUILD/target/cm3-O2-smp-bench" | grep '^multi_heap + bare-metal port lock  ')
{
  echo
  echo "With CAPHEAP_BAREMETAL_SMP=ON (every heap lock also takes a spinlock word; one core):"
  printf '%-33s%s\n' "multi_heap + SMP port lock" "${smp_row#multi_heap + bare-metal port lock}"
} >>"$out/churn-cm3.txt"
cat "$out/churn-cm3.txt"

# The same program on Xtensa, the esp32 board at its own addresses there.
bench_table lx106-O2 sim-lx106 lx106

# On RV32IMAC: the ESP32-C6's instruction set (the ESP32-C3's is RV32IMC).
bench_table rv32-O2 virt rv32

# On ARMv6-M, the RP2040's Cortex-M0+: QEMU has no M0+ board, but its
# instructions are a subset of the Cortex-M3's, so the M0+ program runs on
# mps2-an385 unchanged and every instruction is the one an M0+ would execute.
bench_table cm0plus-O2 mps2-an385 cm0plus
