#!/usr/bin/env bash
# Shared by scripts/target-test.sh and scripts/target-smp-control.sh (sourced):
# the cmake arguments of a target configuration name (target-test.sh's header
# says what the names mean).

# Prints the cmake arguments of a configuration name.
config_args() {
  local core opt poisoning=none grain="" smp="" port="-DCAPHEAP_TEST_PORT=baremetal" assertions=0 hooks="" tracking="" extra
  IFS=- read -r core opt extra <<<"$1"
  local word
  for word in ${extra//-/ }; do
    case "$word" in
      light|comprehensive) poisoning=$word ;;
      grain8) grain=8 ;;
      grain16) grain=16 ;;
      smp) smp="-DCAPHEAP_BAREMETAL_SMP=ON" ;;
      idf) port="-DCAPHEAP_TEST_PORT=espidf" ;;
      assert1) assertions=1 ;;
      assert2) assertions=2 ;;
      hooks) hooks="-DCAPHEAP_HEAP_HOOKS=ON" ;;
      tracking) tracking="-DCAPHEAP_TASK_TRACKING=ON" ;;
      *) echo "unknown option '$word' in configuration $1" >&2; return 1 ;;
    esac
  done
  [ -n "$smp" ] && [ "$core" = cm0plus ] && smp="$smp -DCAPHEAP_BAREMETAL_HW_SPINLOCK=rp2040"
  local toolchain=arm-none-eabi cpu
  case "$core" in
    cm0plus) cpu=cortex-m0plus ;;
    cm3) cpu=cortex-m3 ;;
    cm4f) cpu=cortex-m4f ;;
    cm33) cpu=cortex-m33 ;;
    cm33f) cpu=cortex-m33f ;;
    rv32) toolchain=riscv32-picolibc cpu=rv32imac ;;
    rv32imc) toolchain=riscv32-picolibc cpu=rv32imc ;;
    lx106) toolchain=xtensa-lx106 cpu=lx106 ;;
    *) echo "unknown core in configuration $1" >&2; return 1 ;;
  esac
  case "$opt" in Os|O2) ;; *) echo "unknown optimisation in configuration $1" >&2; return 1 ;; esac
  echo "-DCMAKE_TOOLCHAIN_FILE=$PWD/cmake/toolchains/$toolchain.cmake -DCAPHEAP_TARGET_CPU=$cpu" \
       "-DCAPHEAP_TARGET_OPT=-$opt -DCAPHEAP_POISONING=$poisoning -DCAPHEAP_GRAIN=$grain $smp $port" \
       "-DCAPHEAP_ASSERTIONS=$assertions $hooks $tracking"
}
