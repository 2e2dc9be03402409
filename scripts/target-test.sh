#!/usr/bin/env bash
# Cross-builds capheap for each target configuration (-Wall -Wextra -Werror)
# and runs the target tests under QEMU (tests/target, scripts/target-run.sh).
#
#   scripts/target-test.sh                       every configuration below
#   TARGET_CONFIGS="cm3-O2 rv32-Os" scripts/...  some of them
#
# A configuration is CORE-OPT[-POISONING][-grain8|-grain16][-smp|-idf][-assert1|-assert2][-hooks][-tracking]:
#   CORE       cm3 (run on QEMU mps2-an385), cm4f (mps2-an386),
#              cm33f (mps2-an505, secure state), cm33 (the same without
#              FPU; with smp on mps2-an521), rv32 (RV32IMAC, virt),
#              rv32imc (the ESP32-C3's RV32IMC, on virt with QEMU's A
#              extension off: the library must not use atomics there),
#              cm0plus (ARMv6-M, as RP2040; run on mps2-an385, whose Cortex-M3
#              takes ARMv6-M's instructions unchanged, and test_armv6m on
#              microbit's Cortex-M0, which takes no others; with smp built and
#              linked only: the RP2040's spinlocks are not there),
#              lx106 (Xtensa, the ESP8266's core, on QEMU's Xtensa sim machine;
#              the esp32 board at its own addresses there)
#   OPT        Os or O2
#   POISONING  light or comprehensive (none when absent)
#   grain8     CAPHEAP_GRAIN=8: 8-aligned blocks (the default grain is 4)
#   grain16    CAPHEAP_GRAIN=16: 16-aligned blocks (RV32's alignof(max_align_t))
#   idf        the ESP-IDF port (ports/freertos/port_espidf.c) over a model of
#              ESP-IDF's spinlocks (tests/target/espidf), instead of
#              ports/baremetal; rv32 and cm33 (mps2-an521), with test_smp
#   smp        the bare-metal port's SMP lock (CAPHEAP_BAREMETAL_SMP;
#              on cm0plus with the RP2040's hardware spinlocks); on rv32 and
#              cm33 also test_smp, two cores at once (cm33 then runs every
#              test on mps2-an521, the dual-core Cortex-M33 image)
#   assert1    CAPHEAP_ASSERTIONS=1: internal pre- and postconditions, and
#              test_abort_assertion (a broken one stops the program)
#   assert2    CAPHEAP_ASSERTIONS=2: also the whole region after each change
#   hooks      CAPHEAP_HEAP_HOOKS=ON: ESP-IDF's allocation and free hooks,
#              test_hooks (the other programs define none: weak references
#              to nothing, which must link and change nothing)
#   tracking   CAPHEAP_TASK_TRACKING=ON (with POISONING; not with idf, whose
#              port asks the kernel): test_task_tracking, its own scheduler
# Also builds the word-only QEMU plugin (tests/target/qemu_plugins) with the
# host compiler, compiles the FreeRTOS port against its stub API with it,
# links capheap built without CMake for Cortex-M4 (tests/plain_build), and
# builds the host's capheap tool for trace_roundtrip (a trace taken on the
# target, replayed on the host).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/target-lib.sh
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
CONFIGS=${TARGET_CONFIGS:-"cm3-Os cm3-O2 cm4f-Os cm4f-O2 cm33f-Os cm33f-O2 rv32-Os rv32-O2 rv32imc-O2 cm0plus-Os
  cm3-O2-light cm3-O2-comprehensive-tracking rv32-O2-light-tracking rv32-O2-comprehensive cm3-O2-grain8 rv32-O2-grain8
  rv32-O2-grain16-hooks rv32-O2-smp cm3-O2-smp cm33-O2-smp cm0plus-O2-smp
  rv32-O2-idf cm33-O2-idf cm3-Os-assert1-hooks rv32-O2-assert2
  lx106-Os lx106-O2 lx106-O2-comprehensive-tracking lx106-O2-grain8-assert1-hooks"}

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

echo "=== FreeRTOS ports (host compiler, stub API) ==="
for cc in "cc" "cc -m32"; do
  $cc -std=c11 -Wall -Wextra -Werror -Iinclude -Iports/freertos/test \
      -c ports/freertos/port_freertos.c -o /dev/null
  $cc -std=c11 -Wall -Wextra -Werror -Iinclude -Iports/freertos/test \
      -c ports/freertos/heap_capheap.c -o /dev/null
  $cc -std=c11 -Wall -Wextra -Werror -Iinclude -Itests/target/espidf \
      -c ports/freertos/port_espidf.c -o /dev/null
  for port in "-Iports/freertos/test ports/freertos/port_freertos.c" \
              "-Itests/target/espidf ports/freertos/port_espidf.c"; do # with task tracking
    $cc -std=c11 -Wall -Wextra -Werror -Iinclude -DCAPHEAP_TASK_TRACKING=1 $port -c -o /dev/null
  done
done

echo "=== capheap without CMake (tests/plain_build, Cortex-M4) ==="
tests/plain_build/run.sh cross "$BUILD/target/plain_build"

# The host's capheap tool, which replays the trace test_trace_capture takes
# on the target (tests/target/trace_roundtrip.sh).
echo "=== the host's capheap tool (for trace_roundtrip) ==="
host_tool_dir="$BUILD/target/host-tool"
cmake -S . -B "$host_tool_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAPHEAP_BUILD_TESTS=OFF \
  -DCAPHEAP_BUILD_BENCH=OFF -DCAPHEAP_BUILD_PRELOAD=OFF >/dev/null
cmake --build "$host_tool_dir" -j"$JOBS" --target capheap_tool >/dev/null
host_tool="$PWD/$host_tool_dir/tools/capheap"
case "$host_tool_dir" in /*) host_tool="$host_tool_dir/tools/capheap" ;; esac

# The QEMU plugin that watches for accesses other than aligned words in the
# ESP's instruction RAM (Xtensa configurations: heap_caps_word_only).
echo "=== the word-only QEMU plugin (host compiler) ==="
word_only_plugin="$PWD/$BUILD/target/word_only.so"
case "$BUILD" in /*) word_only_plugin="$BUILD/target/word_only.so" ;; esac
. scripts/word-only-lib.sh
word_only_build_plugin "$word_only_plugin"

failed=()
total_start=$(now_ms)
for cfg in $CONFIGS; do
  start=$(now_ms)
  dir="$BUILD/target/$cfg"
  echo "=== target $cfg ==="
  # shellcheck disable=SC2046  # config_args prints separate words on purpose
  cmake -S tests/target -B "$dir" $(config_args "$cfg") -DCAPHEAP_HOST_TOOL="$host_tool" \
        -DCAPHEAP_WORD_ONLY_PLUGIN="$word_only_plugin" >/dev/null
  if ! cmake --build "$dir" -j"$JOBS" >"$dir/build.log" 2>&1; then
    cat "$dir/build.log"
    failed+=("$cfg")
    continue
  fi
  if [ -n "$(ctest --test-dir "$dir" -N | grep -E '^ *Test +#')" ]; then
    ctest --test-dir "$dir" --output-on-failure -j"$JOBS" || failed+=("$cfg")
  else
    echo "built and linked (no QEMU board for this core: not run)"
  fi
  echo "--- $cfg: $(( $(now_ms) - start )) ms"
done

echo "target configurations took $(( ($(now_ms) - total_start) / 1000 )) s"
if [ ${#failed[@]} -ne 0 ]; then
  echo "FAILED target configurations: ${failed[*]}"
  exit 1
fi
echo "all target configurations passed: $(echo $CONFIGS)"
