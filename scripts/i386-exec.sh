#!/usr/bin/env bash
# Makes sure this machine can run the -m32 test programs (the targets' word
# size): some kernels are built without 32-bit x86 support (IA32 emulation),
# and there execve() refuses them ("Exec format error"). Then it registers
# QEMU's user-mode emulator of i386 (Debian's qemu-user, which scripts/deps.sh
# installs) with the kernel's binfmt_misc, so that every 32-bit program,
# however a test starts it, runs under qemu-i386. Needs root for that step.
# It checks with a probe, registers if needed, and checks again (exit 1 with a
# message if they still do not run).
# valgrind cannot run under the emulator: on such a kernel, make bench counts
# the -m32 programs' instructions under qemu-i386 with its own plugin instead
# (scripts/bench-lib.sh: count).
set -euo pipefail

binfmt=/proc/sys/fs/binfmt_misc
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

runs_m32() {
  printf 'int main(void) { return sizeof(void *) == 4 ? 0 : 1; }\n' >"$dir/probe.c"
  gcc -m32 "$dir/probe.c" -o "$dir/probe" 2>/dev/null && "$dir/probe" 2>/dev/null
}

runs_m32 && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
emulator=$(command -v qemu-i386 || true)
if [ -z "$emulator" ]; then
  echo "i386-exec: this kernel cannot run 32-bit programs and qemu-i386 is missing (scripts/deps.sh installs qemu-user)" >&2
  exit 1
fi
[ -e "$binfmt/register" ] || $SUDO mount -t binfmt_misc binfmt_misc "$binfmt"
if [ ! -e "$binfmt/qemu-i386" ]; then
  # An i386 ELF executable: "\x7fELF", class 32-bit, any OS ABI (masked), type
  # EXEC or DYN (the mask lets bit 0 of e_type vary), machine 3 (EM_386). F:
  # the kernel opens the emulator now, so it is found from any mount namespace.
  magic='\x7fELF\x01\x01\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x02\x00\x03\x00'
  mask='\xff\xff\xff\xff\xff\xfe\xfe\x00\xff\xff\xff\xff\xff\xff\xff\xff\xfe\xff\xff\xff'
  echo ":qemu-i386:M::$magic:$mask:$emulator:F" | $SUDO tee "$binfmt/register" >/dev/null
fi
if ! runs_m32; then
  echo "i386-exec: 32-bit programs still do not run after registering $emulator with binfmt_misc" >&2
  exit 1
fi
echo "i386-exec: this kernel cannot run 32-bit programs itself; they run under $emulator (binfmt_misc)" >&2
