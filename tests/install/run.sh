#!/usr/bin/env bash
# What README's "Using it in your project" promises: the build installed with
# `cmake --install BUILD --prefix DIR` (DIR not the configured prefix) serves
# a program built with pkg-config and one built with find_package.
#   run.sh BUILD OUTDIR   (CC and CFLAGS from the environment, as CTest
#                          passes the configuration's: -m32, sanitizers)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:?usage: run.sh BUILD OUTDIR}
out=${2:?usage: run.sh BUILD OUTDIR}
rm -rf "$out" && mkdir -p "$out"
prefix=$out/prefix
cmake --install "$build" --prefix "$prefix" >"$out/install.log"

pc=$(find "$prefix" -name capheap.pc)
[ -n "$pc" ] || { echo "install: no capheap.pc under $prefix" >&2; exit 1; }
flags=$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --cflags --libs --static capheap)
case "$flags" in
  *"-I$prefix/"*) ;;
  *) echo "install: pkg-config points elsewhere than $prefix: $flags" >&2; exit 1 ;;
esac
# shellcheck disable=SC2086  # CFLAGS and flags hold several words
${CC:-cc} ${CFLAGS:-} "$here/main.c" $flags -o "$out/with-pkg-config"
"$out/with-pkg-config"

cmake -S "$here" -B "$out/consumer" -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="${CC:-cc}" \
  -DCMAKE_C_FLAGS="${CFLAGS:-}" >"$out/consumer.log"
cmake --build "$out/consumer" >>"$out/consumer.log"
"$out/consumer/consumer"
