#!/usr/bin/env bash
# The example of a Markdown page, kept true by the tests:
#   doc_example.sh source PAGE OUT.c    writes the page's first ```c block to OUT.c
#   doc_example.sh output PROGRAM PAGE  runs PROGRAM and compares what it prints with the
#                                       page's first plain ``` block after that C block
# The one line that differs from run to run, the address of a stack variable, is
# compared up to that address.
set -euo pipefail

# The first block opened by ```c (which = code), or the first plain block after it (output).
block() { # PAGE which
  awk -v which="$2" '
    /^```/ && open { open = 0; if (found) exit; next }
    /^```c$/ && !seen_code { seen_code = 1; open = 1; found = (which == "code"); next }
    /^```$/ && seen_code { open = 1; found = (which == "output"); next }
    open && found { print }' "$1"
}

mask() { sed -E 's/^(a stack variable +)0x[0-9a-f]+/\1<stack address>/'; }

case "$1" in
  source) block "$2" code >"$3" ;;
  output)
    expected=$(block "$3" output | mask)
    got=$("$2" | mask)
    if [ "$expected" = "$got" ]; then
      echo "ok: $2 prints what $3 shows"
    else
      echo "FAIL: $2 does not print what $3 shows:"
      diff <(echo "$expected") <(echo "$got")
      exit 1
    fi ;;
  *) echo "usage: doc_example.sh source PAGE OUT.c | output PROGRAM PAGE" >&2; exit 2 ;;
esac
