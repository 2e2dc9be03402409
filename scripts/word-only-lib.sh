# Shared by scripts/target-test.sh, target-run.sh and word-only.sh (sourced,
# from the repository's top): the word-only plugin, its arguments and its
# verdict.

. "$(dirname "${BASH_SOURCE[0]}")/qemu-plugin-lib.sh"

# Builds the plugin (tests/target/qemu_plugins/word_only.c) into SO, unless
# SO is up to date.
word_only_build_plugin() {
  qemu_plugin_build "$1" tests/target/qemu_plugins/word_only.c
}

# The -plugin argument: the plugin SO watching RANGES (START:END[,...]),
# writing its report to REPORT.
word_only_plugin_arg() {
  local arg=$1 range
  for range in ${2//,/ }; do arg+=",range=$range"; done
  echo "$arg,out=$3"
}

# Prints the report REPORT to stderr and says whether WHO reached RANGES with
# aligned words only: 0 yes; 1 no, or nothing reached them at all (then
# nothing was checked), or no report.
word_only_verdict() {
  local report=$1 ranges=$2 who=$3
  if [ ! -s "$report" ]; then
    echo "word-only: no report from the plugin for $who" >&2
    return 1
  fi
  cat "$report" >&2
  if grep -q '^word-only ranges: 0 accesses' "$report"; then
    echo "word-only: $who never reached $ranges (a board not at the chip's addresses, or that memory unused): nothing was checked" >&2
    return 1
  fi
  if ! grep -q ' 0 not aligned 32-bit$' "$report"; then
    echo "word-only: $who reached $ranges with accesses other than aligned words (a LoadStoreError on the chip)" >&2
    return 1
  fi
  return 0
}
