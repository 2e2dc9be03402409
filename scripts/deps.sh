#!/usr/bin/env bash
# Installs, with apt-get and only when missing, what building and testing
# capheap needs on a fresh Debian machine. Everything after it runs offline.
#   scripts/deps.sh            build and host tests
#   scripts/deps.sh bench      also the allocators make bench compares through
#                              LD_PRELOAD (jemalloc, tcmalloc, mimalloc) and
#                              python3 for its plot (valgrind is in the base list)
#   scripts/deps.sh target     also the cross compilers, C libraries and QEMU of
#                              the target tests (Cortex-M newlib, RV32 and Xtensa
#                              picolibc; qemu-system-misc has RISC-V and Xtensa),
#                              and python3 for the stack figures (make size)
#   scripts/deps.sh fuzz       also clang and its runtime (libFuzzer, ASan, UBSan)
#                              for the fuzz targets (make fuzz, make test)
#   scripts/deps.sh preload    also the real programs the preload library's tests
#                              run: sqlite3, lua5.4, python3 (make test)
set -euo pipefail

want=(cmake gcc make pkg-config libcmocka-dev gcc-multilib libcmocka-dev:i386 valgrind libc6-dbg:i386
      zlib1g-dev lib32z1-dev libxml2-utils g++ g++-multilib qemu-user cppcheck)  # zlib: the tool's gzip
      # traces (lib32z1-dev: for its 32-bit build, make run's and the -m32 tests');
      # xmllint: its SVG/HTML tests; g++: the public headers compiled as C++ (tests/cxx), -m32 too;
      # qemu-user: the word-only check of host programs (scripts/word-only.sh); cppcheck:
      # scripts/static-analysis.sh
case "${1:-}" in
  bench) want+=(libjemalloc2 libtcmalloc-minimal4 libmimalloc2.0 python3
                libjemalloc2:i386 libtcmalloc-minimal4:i386 libmimalloc2.0:i386) ;;
  target) want+=(gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
                 gcc-riscv64-unknown-elf picolibc-riscv64-unknown-elf qemu-system-misc
                 gcc-xtensa-lx106 picolibc-xtensa-lx106-elf python3) ;;  # python3: scripts/stack_depth.py
  fuzz) want+=(clang libclang-rt-14-dev) ;;
  preload) want+=(sqlite3 lua5.4 python3) ;;
esac

missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
if [ ${#missing[@]} -ne 0 ]; then
  echo "deps: installing ${missing[*]}" >&2
  if printf '%s\n' "${missing[@]}" | grep -q ':i386'; then
    dpkg --print-foreign-architectures | grep -qx i386 || $SUDO dpkg --add-architecture i386
  fi
  # A stale mirror index makes update complain; the install below is what counts.
  $SUDO apt-get update -qq || echo "deps: apt-get update reported errors, trying the install anyway" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
# The -m32 tests need a kernel that runs 32-bit programs, or QEMU's emulator
# registered in its place.
[ -n "${1:-}" ] || "$(dirname "$0")/i386-exec.sh"
