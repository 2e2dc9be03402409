#!/usr/bin/env bash
# stats_fd.sh LIB: the statistics at exit (CAPHEAP_PRELOAD_STATS=1) go to the
# stderr the program started with, never into a file the program opened on the
# descriptor the library had taken for them: a shell that closes and reopens
# descriptor 3 ("exec 3>file") keeps its file as it wrote it.
set -u
lib=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
CAPHEAP_PRELOAD_STATS=1 LD_PRELOAD="$lib" bash -c 'for fd in 3 4 5 6; do eval "exec $fd>\"$1/f$fd\""; echo "data $fd" >&$fd; done' \
  _ "$tmp" 2>"$tmp/err"
status=0
for fd in 3 4 5 6; do
  if [ "$(cat "$tmp/f$fd")" != "data $fd" ]; then
    echo "FAIL: file on descriptor $fd holds:"; cat "$tmp/f$fd"; status=1
  fi
done
if ! grep -q '^capheap-preload: pid [0-9]* calls: ' "$tmp/err"; then
  echo "FAIL: no statistics on stderr:"; cat "$tmp/err"; status=1
fi
[ $status -eq 0 ] && echo "PASS: the program's files as it wrote them, the statistics on stderr"
exit $status
