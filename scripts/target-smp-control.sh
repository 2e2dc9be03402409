#!/usr/bin/env bash
# The negative control of tests/target/test_smp.c: the same program built with
# a lock that does not wait (CAPHEAP_TEST_SMP_NO_SPIN, so the port's
# CAPHEAP_BAREMETAL_SMP_TEST_NO_SPIN), run RUNS times on two harts. It should
# fail: a test that also passes without the lock proves nothing. Prints how
# each run ended and the count; exits 1 when fewer than half the runs failed.
#
#   scripts/target-smp-control.sh            RUNS=10
#   RUNS=30 scripts/target-smp-control.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RUNS=${RUNS:-10}
dir="$BUILD/target/rv32-O2-smp-nospin"

cmake -S tests/target -B "$dir" -DCMAKE_TOOLCHAIN_FILE="$PWD/cmake/toolchains/riscv32-picolibc.cmake" \
      -DCAPHEAP_TARGET_CPU=rv32imac -DCAPHEAP_TARGET_OPT=-O2 -DCAPHEAP_POISONING=none \
      -DCAPHEAP_BAREMETAL_SMP=ON -DCAPHEAP_TEST_SMP_NO_SPIN=ON >/dev/null
cmake --build "$dir" --target test_smp >/dev/null

failed=0
for i in $(seq 1 "$RUNS"); do
  log="$dir/control-$i.log"
  if scripts/target-run.sh --smp 2 --timeout 30 virt "$dir/test_smp" >"$log" 2>&1; then
    echo "run $i: passed (no failure detected)"
  else
    failed=$((failed + 1))
    echo "run $i: failed: $(grep -Em1 '^(FAILED|FAULT)|target-run: FAIL' "$log")"
  fi
done
echo "negative control: $failed of $RUNS runs failed without the lock's spin"
[ $((failed * 2)) -ge "$RUNS" ]
