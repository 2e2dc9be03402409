#!/usr/bin/env bash
# Runs one target ELF under QEMU and turns the outcome into pass or fail.
#
#   scripts/target-run.sh [options] MACHINE ELF
#     MACHINE            mps2-an385 (Cortex-M3), mps2-an386 (Cortex-M4F), microbit (Cortex-M0),
#                        mps2-an505 (Cortex-M33), mps2-an521 (two Cortex-M33,
#                        the second held until the program starts it): newlib
#                        with semihosting; virt (RV32): picolibc with semihosting;
#                        virt-noa: the same with the CPU's A extension off, as
#                        the ESP32-C3's RV32IMC (an atomic instruction faults);
#                        sim-lx106 (Xtensa lx106 on the sim machine): picolibc,
#                        the simulator's calls (simcall) as semihosting
#     --expect-status N  pass when the guest exits with N (default 0)
#     --expect-output RE pass only if the output also matches the extended regex RE
#     --icount SHIFT     deterministic time: each instruction advances the
#                        virtual clock 2^SHIFT ns (timer figures become exact;
#                        TARGET_ICOUNT=SHIFT does the same for every run, so a
#                        failure that depends on where interrupts fall repeats)
#     --timeout S        stop a guest that has not exited after S seconds
#                        (default 60, or TARGET_TIMEOUT)
#     --smp N            N cores (virt; 2 on mps2-an521, which has two), each
#                        on a host thread of its own (-accel tcg,thread=multi),
#                        so they really run at once
#     --word-only RANGES --word-only-plugin SO
#                        pass only if the guest reached the address ranges
#                        (START:END[,START:END...], END excluded) with aligned
#                        32-bit loads and stores alone, as the instruction RAM
#                        of the ESP32 and ESP8266 demands: the TCG plugin SO
#                        (tests/target/qemu_plugins/word_only.c) watches every
#                        access and its report is printed
#
# The guest's exit status (semihosting SYS_EXIT_EXTENDED, or main's return
# through the C library) is QEMU's exit status, low 8 bits. A guest that hangs
# never exits by itself: timeout stops it and the run fails as a hang. The
# guest's console (semihosting) is this script's stdout.
set -uo pipefail

expect_status=0
expect_output=""
icount=${TARGET_ICOUNT:-}
limit=${TARGET_TIMEOUT:-60}
smp=""
word_only=""
word_only_plugin=""
while [ $# -gt 2 ]; do
  case "$1" in
    --expect-status) expect_status=$2; shift 2 ;;
    --expect-output) expect_output=$2; shift 2 ;;
    --icount) icount=$2; shift 2 ;;
    --timeout) limit=$2; shift 2 ;;
    --smp) smp=$2; shift 2 ;;
    --word-only) word_only=$2; shift 2 ;;
    --word-only-plugin) word_only_plugin=$2; shift 2 ;;
    *) echo "target-run: unknown option $1" >&2; exit 2 ;;
  esac
done
if [ $# -ne 2 ]; then
  echo "usage: $0 [--expect-status N] [--expect-output RE] [--icount SHIFT] [--timeout S] [--smp N]" \
       "[--word-only RANGES --word-only-plugin SO] MACHINE ELF" >&2
  exit 2
fi
machine=$1
elf=$2
# QEMU waits forever without its kernel: say so instead of timing out.
[ -f "$elf" ] || { echo "target-run: no program $elf" >&2; exit 2; }

# Semihosting console on stdout, through a chardev: without one, QEMU writes
# SYS_WRITE0 output to stderr. No serial, no monitor, no display.
common=(-display none -monitor none -serial none
        -chardev stdio,id=sh0,signal=off
        -semihosting-config enable=on,target=native,chardev=sh0
        -kernel "$elf")
[ -n "$icount" ] && common+=(-icount "shift=$icount")
case "$machine" in
  mps2-an385|mps2-an386|mps2-an500|mps2-an505|mps2-an511|mps2-an521|microbit) cmd=(qemu-system-arm -M "$machine" "${common[@]}") ;;
  virt) cmd=(qemu-system-riscv32 -M virt -bios none "${common[@]}") ;;
  virt-noa) cmd=(qemu-system-riscv32 -M virt -cpu rv32,a=false -bios none "${common[@]}") ;;
  sim-lx106) cmd=(qemu-system-xtensa -M sim -cpu lx106 "${common[@]}") ;;
  *) echo "target-run: unknown machine $machine" >&2; exit 2 ;;
esac
if [ -n "$smp" ]; then
  # -icount needs the single-threaded round robin: the two do not go together.
  { [ "$machine" = virt ] || { [ "$machine" = mps2-an521 ] && [ "$smp" = 2 ]; }; } && [ -z "$icount" ] ||
    { echo "target-run: --smp is for virt (or 2 on mps2-an521), without --icount" >&2; exit 2; }
  cmd+=(-smp "$smp" -accel tcg,thread=multi)
fi

out=$(mktemp)
report=$(mktemp)
trap 'rm -f "$out" "$report"' EXIT
if [ -n "$word_only" ]; then
  [ -f "$word_only_plugin" ] || { echo "target-run: --word-only needs --word-only-plugin SO (built)" >&2; exit 2; }
  . "$(dirname "$0")/word-only-lib.sh"
  cmd+=(-plugin "$(word_only_plugin_arg "$word_only_plugin" "$word_only" "$report")")
fi
start=$(date +%s%N)
timeout --kill-after=5 "$limit" "${cmd[@]}" </dev/null | tee "$out"
status=${PIPESTATUS[0]}
ms=$(( ($(date +%s%N) - start) / 1000000 ))

name=$(basename "$elf")
case "$status" in
  124|137) echo "target-run: FAIL $name on $machine: hung, stopped after ${limit}s" >&2; exit 1 ;;
esac
if [ "$status" -ne "$expect_status" ]; then
  echo "target-run: FAIL $name on $machine: exit status $status, expected $expect_status" >&2
  exit 1
fi
if [ -n "$word_only" ] && ! word_only_verdict "$report" "$word_only" "$name"; then
  echo "target-run: FAIL $name on $machine: the word-only check" >&2
  exit 1
fi
if [ -n "$expect_output" ] && ! grep -Eq -- "$expect_output" "$out"; then
  echo "target-run: FAIL $name on $machine: output does not match /$expect_output/" >&2
  exit 1
fi
echo "target-run: PASS $name on $machine (exit status $status, ${ms} ms)" >&2
exit 0
