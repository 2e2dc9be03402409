#!/usr/bin/env bash
# The negative control of tests/target/test_smp.c: the same program built with
# a lock that does not wait (CAPHEAP_TEST_SMP_NO_SPIN, so the port's
# CAPHEAP_BAREMETAL_SMP_TEST_NO_SPIN), run RUNS times on two cores: RV32 harts
# on virt, or with CORE=cm33 the two Cortex-M33 of mps2-an521; with PORT=espidf
# the ESP-IDF port over its model, whose spinlock then does not wait. It should fail:
# a test that also passes without the lock proves nothing. Prints how each run
# ended and the count; exits 1 when fewer than half the runs failed.
#
#   scripts/target-smp-control.sh            RUNS=10, CORE=rv32
#   RUNS=30 CORE=cm33 scripts/target-smp-control.sh
#   PORT=espidf scripts/target-smp-control.sh       (PORT=baremetal by default)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/target-lib.sh
BUILD=${BUILD:-build}
RUNS=${RUNS:-10}
CORE=${CORE:-rv32}
PORT=${PORT:-baremetal}
case "$PORT" in
  baremetal) config="$CORE-O2-smp" ;;
  espidf) config="$CORE-O2-idf" ;;
  *) echo "target-smp-control: PORT is baremetal or espidf" >&2; exit 2 ;;
esac
case "$CORE" in
  rv32) machine=virt ;;
  cm33) machine=mps2-an521 ;;
  *) echo "target-smp-control: CORE is rv32 or cm33" >&2; exit 2 ;;
esac
dir="$BUILD/target/$config-nospin"

# shellcheck disable=SC2046  # config_args prints separate words on purpose
cmake -S tests/target -B "$dir" $(config_args "$config") -DCAPHEAP_TEST_SMP_NO_SPIN=ON >/dev/null
cmake --build "$dir" --target test_smp >/dev/null

failed=0
for i in $(seq 1 "$RUNS"); do
  log="$dir/control-$i.log"
  if scripts/target-run.sh --smp 2 --timeout 30 "$machine" "$dir/test_smp" >"$log" 2>&1; then
    echo "run $i: passed (no failure detected)"
  else
    failed=$((failed + 1))
    echo "run $i: failed: $(grep -Em1 '^(FAILED|FAULT)|target-run: FAIL' "$log")"
  fi
done
echo "negative control: $failed of $RUNS runs failed without the lock's spin"
[ $((failed * 2)) -ge "$RUNS" ]
