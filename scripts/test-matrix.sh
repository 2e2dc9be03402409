#!/usr/bin/env bash
# Builds and runs the whole test suite in each configuration of the matrix:
#   m64            64-bit, no poisoning; the count_calls QEMU plugin against
#                  callgrind (scripts/count-check.sh)
#   m32            32-bit (-m32), no poisoning: the targets' word size; also the
#                  capheap tool's tests (tests/tool) in make run's configuration (the
#                  other -m32 configurations leave the tool out: CAPHEAP_BUILD_TOOLS=OFF)
#   m32-grain8     32-bit with CAPHEAP_GRAIN=8 (8-aligned blocks, 4-byte headers),
#                  and ESP-IDF's allocation and free hooks (CAPHEAP_HEAP_HOOKS)
#   m32-grain16    32-bit with CAPHEAP_GRAIN=16 (16-aligned blocks, 4-byte headers)
#   m64-grain16    64-bit with CAPHEAP_GRAIN=16 (16-aligned blocks, 8-byte headers),
#                  internal assertions on (CAPHEAP_ASSERTIONS=1)
#   asan           64-bit with AddressSanitizer and UndefinedBehaviorSanitizer, and
#                  every assertion: the whole region checked after each change
#                  (CAPHEAP_ASSERTIONS=2); the hooks (CAPHEAP_HEAP_HOOKS)
#   light          64-bit, light poisoning, and the hooks (a realloc with a free
#                  hook resizes through poisoning's in-place half)
#   comprehensive  64-bit, comprehensive poisoning, CAPHEAP_WORD_ONLY_MEMORY=1 (the
#                  control data in whole words), the word-only check of host
#                  programs under QEMU's user-mode emulator (scripts/word-only.sh),
#                  the hooks (every realloc moves), and task tracking (a head longer
#                  than a free block's links: its rest is checked free memory)
#   m32-light      32-bit, light poisoning, and no heaps made of allocations
#                  (CAPHEAP_NESTED_HEAPS=0: such an add is refused); task
#                  tracking (CAPHEAP_TASK_TRACKING: the task word in the head)
#   m32-grain16-light  32-bit, CAPHEAP_GRAIN=16, light poisoning (canaries
#                  beside 16-aligned payloads behind 4-byte headers), assertions on;
#                  task tracking (the task word beside the head's padding)
#   tsan           64-bit with ThreadSanitizer (test_threads: threads on shared heaps),
#                  and the hooks (test_heap_hooks: called from threads)
#   tsan-light     ThreadSanitizer over light poisoning (the canaries written and
#                  checked under each heap's lock) and task tracking (per-task
#                  totals read while threads allocate)
#   clang          64-bit built by clang (the others by gcc): its own warnings are
#                  errors too, as they are for a user who builds with it
#   target         cross builds, and the target tests under QEMU (scripts/target-test.sh)
#   fuzz           each libFuzzer target over its committed corpus plus a few
#                  thousand mutations (fuzz/run.sh smoke; clang)
#   fuzz-grain16   the same with CAPHEAP_GRAIN=16 (8-byte headers, 16-aligned
#                  payloads), in $BUILD/grain16
#   static-analysis  cppcheck over the sources, no finding allowed
#                  (scripts/static-analysis.sh)
# MATRIX="m64 asan" limits the run to some of them.
set -euo pipefail
BUILD=${BUILD:-build}
JOBS=${JOBS:-2}
MATRIX=${MATRIX:-"m64 m32 m32-grain8 m32-grain16 m64-grain16 asan light comprehensive m32-light m32-grain16-light tsan
  tsan-light clang target fuzz fuzz-grain16 static-analysis"}

configure() {
  local cfg=$1 dir=$2
  local args=(-S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCAPHEAP_BUILD_BENCH=OFF)
  case "$cfg" in
    m64) args+=(-DCAPHEAP_COUNTER_CHECK=ON) ;;
    m32) args+=("-DCMAKE_C_FLAGS=-m32") ;;
    m32-grain8) args+=("-DCMAKE_C_FLAGS=-m32" -DCAPHEAP_GRAIN=8 -DCAPHEAP_HEAP_HOOKS=ON -DCAPHEAP_BUILD_TOOLS=OFF) ;;
    m32-grain16) args+=("-DCMAKE_C_FLAGS=-m32" -DCAPHEAP_GRAIN=16 -DCAPHEAP_BUILD_TOOLS=OFF) ;;
    m64-grain16) args+=(-DCAPHEAP_GRAIN=16 -DCAPHEAP_ASSERTIONS=1) ;;
    asan) args+=("-DCMAKE_C_FLAGS=-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
                 -DCAPHEAP_ASSERTIONS=2 -DCAPHEAP_HEAP_HOOKS=ON) ;;
    light) args+=(-DCAPHEAP_POISONING=light -DCAPHEAP_HEAP_HOOKS=ON) ;;
    comprehensive) args+=(-DCAPHEAP_POISONING=comprehensive -DCAPHEAP_WORD_ONLY_MEMORY=1 -DCAPHEAP_HEAP_HOOKS=ON
                          -DCAPHEAP_TASK_TRACKING=ON) ;;
    m32-light) args+=("-DCMAKE_C_FLAGS=-m32 -DCAPHEAP_NESTED_HEAPS=0" -DCAPHEAP_POISONING=light
                      -DCAPHEAP_TASK_TRACKING=ON -DCAPHEAP_BUILD_TOOLS=OFF) ;;
    m32-grain16-light) args+=("-DCMAKE_C_FLAGS=-m32" -DCAPHEAP_GRAIN=16 -DCAPHEAP_POISONING=light -DCAPHEAP_ASSERTIONS=1
                              -DCAPHEAP_TASK_TRACKING=ON -DCAPHEAP_BUILD_TOOLS=OFF) ;;
    tsan) args+=("-DCMAKE_C_FLAGS=-fsanitize=thread -fno-omit-frame-pointer" -DCAPHEAP_HEAP_HOOKS=ON) ;;
    tsan-light) args+=("-DCMAKE_C_FLAGS=-fsanitize=thread -fno-omit-frame-pointer" -DCAPHEAP_POISONING=light
                       -DCAPHEAP_TASK_TRACKING=ON) ;;
    clang) args+=(-DCMAKE_C_COMPILER=clang) ;;
    *) echo "unknown configuration $cfg" >&2; exit 2 ;;
  esac
  cmake "${args[@]}" >/dev/null || return 1
}

failed=()
passed=()
for cfg in $MATRIX; do
  if [ "$cfg" = target ]; then
    BUILD=$BUILD JOBS=$JOBS scripts/target-test.sh || failed+=("$cfg")
    continue
  fi
  if [ "$cfg" = fuzz ]; then
    echo "=== fuzz ==="
    if BUILD=$BUILD JOBS=$JOBS fuzz/run.sh smoke; then passed+=(fuzz); else failed+=(fuzz); fi
    continue
  fi
  if [ "$cfg" = fuzz-grain16 ]; then
    echo "=== fuzz-grain16 ==="
    if BUILD=$BUILD/grain16 JOBS=$JOBS FUZZ_GRAIN=16 fuzz/run.sh smoke; then passed+=("$cfg"); else failed+=("$cfg"); fi
    continue
  fi
  if [ "$cfg" = static-analysis ]; then
    echo "=== static-analysis ==="
    if BUILD=$BUILD scripts/static-analysis.sh; then passed+=("$cfg"); else failed+=("$cfg"); fi
    continue
  fi
  dir="$BUILD/test-$cfg"
  echo "=== $cfg ==="
  # A configuration that does not build has failed; the others still run.
  if configure "$cfg" "$dir" && cmake --build "$dir" -j"$JOBS" &&
     ctest --test-dir "$dir" --output-on-failure -j"$JOBS"; then
    passed+=("$cfg")
  else
    failed+=("$cfg")
  fi
done
for cfg in $MATRIX; do
  [ "$cfg" = target ] && ! printf '%s\n' "${failed[@]}" | grep -qx target && passed+=(target)
done

[ ${#failed[@]} -ne 0 ] && echo "FAILED configurations: ${failed[*]}"
[ ${#passed[@]} -ne 0 ] && echo "passed configurations: ${passed[*]}"
# The closing line CI reads: configurations of the matrix, each a whole suite.
echo "test-matrix: ${#passed[@]} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
