#!/usr/bin/env bash
# Builds tests/cxx/headers.cpp with the host's C++ compiler against the built
# library and runs it: run.sh LIBRARY OUTDIR (CXXFLAGS from the environment,
# as CTest passes the configuration's C flags: -m32, sanitizers).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
lib=${1:?usage: run.sh LIBRARY OUTDIR}
out=${2:?usage: run.sh LIBRARY OUTDIR}
mkdir -p "$out"
# shellcheck disable=SC2086  # CXXFLAGS holds several flags
${CXX:-c++} ${CXXFLAGS:-} -std=c++11 -Wall -Wextra -Werror -pedantic ${CAPHEAP_DEFINES:-} -I"$repo/include" \
  "$repo/tests/cxx/headers.cpp" "$lib" -pthread -o "$out/headers"
"$out/headers"
