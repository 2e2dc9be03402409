#!/usr/bin/env bash
# Tests of the capheap tool with known answers: run.sh GROUP TOOL DATA WORKDIR.
#   parsers   each format (capheap's, ESP-IDF dump, Android plain and gzip) read right,
#             a dump with CR LF line ends and one as idf.py monitor shows it too, log
#             lines of every level (coloured or not) and the hashmap summary line
#             passed over, log lines not counted by format detection; text in no
#             format refused, and a file with no line of its format (an empty one)
#             with every --format; caps numbers decimal or 0x hexadecimal
#   replay    figures of small replays: peaks, ends, failures and their reasons, per
#             caps mask and per thread; realloc to 0 bytes as traced, a free
#   pictures  SVG and HTML well-formed (xmllint), at the end and the worst moment;
#             names with markup, Latin-1 and UTF-8 bytes; a heap over touching regions
#             cut to each row; an EXEC block in the ESP32's D/IRAM with its tooltip;
#             64 caps masks, each in the legend with a colour of its own
#   errors    malformed traces name file, line and what was expected; unknown board;
#             bad options named, then the usage; output to a full disk an error
#   boardfiles  board files: every built-in board written and read back gives the
#             same board; a chip on paper replays; malformed files name the line;
#             caps numbers as the file's other numbers
#   compare   capheap compare: one line per board, the failures of each, exit 3 when
#             any board failed, 2 for a list with an unknown board or an empty name
#   headroom  capheap headroom: its figure checked by replays on a board file cut by
#             that much and 16 bytes more; heaps a trace does not need; a trace that
#             does not fit; heaps cut together (--together; two heaps both ways, three
#             from each heap first), checked the same way; the
#             growth figure checked by replays of the grown trace
#   oom       every call to malloc, calloc and realloc the tool makes failing in turn
#             (alone, and with every later one): each run gives the answer of a run with
#             memory or says it ran out (LD_PRELOAD library in $CAPHEAP_FAIL_MALLOC)
set -uo pipefail
group=$1 tool=$2 data=$3 work=$4
mkdir -p "$work"
failures=0

# expect NAME PATTERN FILE: FILE has a line matching the extended regex PATTERN.
expect() {
  if grep -Eq -- "$2" "$3"; then echo "ok   $1"; else echo "FAIL $1: no line matches /$2/ in:"; cat "$3"; failures=$((failures + 1)); fi
}

# status NAME WANTED GOT
status() {
  if [ "$2" = "$3" ]; then echo "ok   $1 (exit $3)"; else echo "FAIL $1: exit $3, wanted $2"; failures=$((failures + 1)); fi
}

commas() { echo "$1" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta'; } # 25072 -> 25,072, as the tool writes

run() { # run OUT ARGS...: stdout+stderr to OUT, returns the tool's status
  local out=$1; shift
  "$tool" "$@" >"$out" 2>&1
}

parsers() {
  run "$work/small.txt" replay --quiet --board host:64K "$data/small.trace"; status "capheap format" 3 $?
  expect "capheap: counts" "7 events: 5 allocations, 0 reallocations, 2 frees; 2 threads" "$work/small.txt"
  run "$work/dump.txt" replay --quiet --board esp32 "$data/dump.txt"; status "esp-idf dump" 0 $?
  expect "esp-idf: detected" "\(esp-idf heap trace dump\) on board esp32" "$work/dump.txt"
  expect "esp-idf: counts" "5 events: 3 allocations, 0 reallocations, 2 frees" "$work/dump.txt"
  # A dump names no threads: its report has no table of them.
  if grep -q "Per thread" "$work/dump.txt"; then
    echo "FAIL esp-idf dump: a table of threads for a trace that names none:"; cat "$work/dump.txt"
    failures=$((failures + 1))
  else
    echo "ok   esp-idf dump: no table of threads"
  fi
  run "$work/android.txt" replay --quiet --board host:1M "$data/android.txt"; status "android plain" 0 $?
  expect "android: counts" "6 events: 4 allocations, 1 reallocations, 1 frees; 2 threads" "$work/android.txt"
  run "$work/android-gz.txt" replay --quiet --board host:1M "$data/android.txt.gz"; status "android gzip" 0 $?
  expect "android gzip: same counts" "6 events: 4 allocations, 1 reallocations, 1 frees; 2 threads" "$work/android-gz.txt"
  run "$work/forced.txt" replay --quiet --format android --board host:1M "$data/android.txt"; status "--format android" 0 $?
  # A dump captured by a terminal that ends its lines with CR LF reads as the same dump.
  sed 's/$/\r/' "$data/dump.txt" >"$work/dump-crlf.txt"
  run "$work/dump-crlf-report.txt" replay --quiet --board esp32 "$work/dump-crlf.txt"; status "esp-idf dump, CR LF" 0 $?
  # (Their header lines name different files; where the host holds the chip's addresses a
  # line saying where the board went comes before them, in both.)
  if ! diff <(grep -v '^capheap replay: ' "$work/dump.txt") <(grep -v '^capheap replay: ' "$work/dump-crlf-report.txt") \
       >/dev/null; then
    echo "FAIL esp-idf dump, CR LF: another report than the dump's"
    failures=$((failures + 1))
  else
    echo "ok   esp-idf dump, CR LF: the same report"
  fi
  # Android's realloc that failed (result 0x0) leaves its block, tried as an attempt; one to
  # 0 bytes frees it.
  run "$work/android-realloc.txt" replay --quiet --board host:1M "$data/android_realloc.txt"
  status "android failed realloc" 0 $?
  expect "android failed realloc: counts" "4 events: 3 allocations, 0 reallocations, 1 frees; 2 threads" \
    "$work/android-realloc.txt"
  expect "android failed realloc: the block stayed until freed" "^  DEFAULT +3 +100 +50 +0$" "$work/android-realloc.txt"
  # A dump as idf.py monitor shows it: log lines and decoded addresses between the records
  # are passed over; a record in PSRAM asks SPIRAM.
  run "$work/monitor.txt" replay --quiet --board esp32-psram "$data/monitor_dump.txt"; status "monitor's dump" 0 $?
  expect "monitor's dump: counts" "4 events: 3 allocations, 0 reallocations, 1 frees" "$work/monitor.txt"
  expect "monitor's dump: internal" "^  DEFAULT +2 +160 +60 +0$" "$work/monitor.txt"
  expect "monitor's dump: PSRAM" "^  SPIRAM +1 +4,096 +4,096 +0$" "$work/monitor.txt"
  # The summary's line of CONFIG_HEAP_TRACE_HASH_MAP is passed over as the others are.
  run "$work/hashmap.txt" replay --quiet --board esp32 "$data/hashmap_dump.txt"; status "dump with a hashmap line" 0 $?
  expect "hashmap line: the records read" "5 events: 3 allocations, 0 reallocations, 2 frees" "$work/hashmap.txt"
  # Log lines of every level, coloured (CONFIG_LOG_COLORS) or not, are passed over; a
  # line that only starts like one (no time in parentheses) is not.
  local esc=$'\033'
  { echo "${esc}[0;32mI (312) main: hello${esc}[0m"; head -n 3 "$data/dump.txt"
    echo "${esc}[0;33mW (313) wifi: no ack${esc}[0m"; echo "${esc}[0;31mE (314) app: failed${esc}[0m"
    echo "D (315) dbg: x"; echo "V (316) verbose: y"; echo "  ${esc}[1m${esc}[0;32mI (317) main: two codes${esc}[0m"
    tail -n +4 "$data/dump.txt"; } >"$work/coloured.txt"
  run "$work/coloured-report.txt" replay --quiet --board esp32 "$work/coloured.txt"; status "dump with coloured log lines" 0 $?
  expect "coloured log lines: the records read" "5 events: 3 allocations, 0 reallocations, 2 frees" \
    "$work/coloured-report.txt"
  local near
  for near in "E (boot) x" "W (12x) tag: y" "I () tag: z" "${esc}[0;32 I (1) broken colour"; do
    { head -n 2 "$data/dump.txt"; echo "$near"; tail -n +3 "$data/dump.txt"; } >"$work/near-log.txt"
    run "$work/near-log-report.txt" replay --quiet --board esp32 "$work/near-log.txt"
    status "not a log line: $near" 1 $?
    expect "not a log line, its line named: $near" "near-log.txt:3: expected '<n> bytes" "$work/near-log-report.txt"
  done
  # Log lines do not count against the 200 lines format detection reads (a dump after a
  # long boot log is found); other lines still do, so that a file in no format is refused
  # after 200 of them; a file of log lines only has no line to name.
  { for i in $(seq 250); do if [ $((i % 2)) = 0 ]; then echo "I ($i) wifi: event $i"
    else echo "${esc}[0;33mW ($i) boot: step $i${esc}[0m"; fi; done; cat "$data/dump.txt"; } >"$work/boot-log.txt"
  run "$work/boot-log-report.txt" replay --quiet --board esp32 "$work/boot-log.txt"; status "250 log lines, then a dump" 0 $?
  expect "250 log lines: detected" "\(esp-idf heap trace dump\) on board esp32" "$work/boot-log-report.txt"
  expect "250 log lines: the records read" "5 events: 3 allocations, 0 reallocations, 2 frees" \
    "$work/boot-log-report.txt"
  { for i in $(seq 200); do echo "not a trace $i"; done; cat "$data/dump.txt"; } >"$work/prose-dump.txt"
  run "$work/prose-dump-report.txt" replay --quiet --board esp32 "$work/prose-dump.txt"
  status "200 other lines, then a dump" 1 $?
  expect "200 other lines: the first named" "prose-dump.txt:1: expected a trace line" "$work/prose-dump-report.txt"
  head -n 250 "$work/boot-log.txt" >"$work/logs-only.txt"
  run "$work/logs-only-report.txt" replay --quiet --board esp32 "$work/logs-only.txt"; status "log lines only, detected" 1 $?
  expect "log lines only, detected: said" \
    "logs-only.txt: no trace line in it \(blank lines, comments and ESP-IDF log lines only\)" "$work/logs-only-report.txt"
  # A caps number reads as a board file's numbers do: 010 is ten (32BIT|DMA), as 0x0A.
  run "$work/caps-ten.txt" replay --quiet --board host:64K "$data/caps_ten.trace"; status "caps 010 and 0x0A" 0 $?
  expect "caps 010 is ten, as 0x0A" "^  32BIT\|DMA +2 +128 +128 +0$" "$work/caps-ten.txt"
  # Text in none of the formats: said so, with the first line that is not blank.
  printf '\n  \nhello, world\nnot a trace\n' >"$work/prose.txt"
  run "$work/prose-report.txt" replay --board esp32 "$work/prose.txt"; status "no format recognised" 1 $?
  expect "no format: the first line named" "prose.txt:3: expected a trace line: capheap's" "$work/prose-report.txt"
  # Comments do not count against the 200 lines format detection reads; a file of
  # nothing else has no line to name.
  { for i in $(seq 250); do echo "# note $i"; done; echo "alloc 0x1000 64 DEFAULT"; } >"$work/comments.trace"
  run "$work/comments.txt" replay --quiet --board esp32 "$work/comments.trace"; status "250 comments, then an event" 0 $?
  expect "250 comments: the event read" "1 events: 1 allocations" "$work/comments.txt"
  printf '# only\n\n# comments\n' >"$work/only-comments.trace"
  run "$work/only-comments.txt" replay --quiet --board esp32 "$work/only-comments.trace"; status "only comments" 1 $?
  expect "only comments: said" "only-comments.trace: no trace line in it \(blank lines and comments only\)" \
    "$work/only-comments.txt"
  # An empty file is no trace whether its format is detected or given (with a format
  # given it was once replayed as an empty trace that fits); a trace of its header only
  # (a program that allocated nothing) is one.
  : >"$work/empty-file.trace"
  local f
  for f in auto capheap esp-idf android; do
    run "$work/empty-file.txt" replay --quiet --format "$f" --board esp32 "$work/empty-file.trace"
    status "an empty file, --format $f" 1 $?
    expect "an empty file, --format $f: said" "empty-file.trace: no trace line in it \(the file is empty\)" \
      "$work/empty-file.txt"
  done
  printf 'I (120) boot: ESP-IDF v5.2\n\nW (130) wifi: no record here\n' >"$work/only-logs.txt"
  run "$work/only-logs-report.txt" replay --quiet --format esp-idf --board esp32 "$work/only-logs.txt"
  status "--format esp-idf, log lines only" 1 $?
  expect "log lines only: said" "only-logs.txt: no trace line in it \(blank lines, comments and lines the format" \
    "$work/only-logs-report.txt"
  printf '# capheap trace 1\n' >"$work/header-only.trace"
  run "$work/header-only.txt" replay --quiet --format capheap --board esp32 "$work/header-only.trace"
  status "--format capheap, the header only" 0 $?
}

replay() {
  run "$work/small.txt" replay --quiet --board host:64K "$data/small.trace"
  expect "peak and end of DEFAULT" "^  DEFAULT +5 +3,000 +2,500 +1$" "$work/small.txt"
  expect "first failure and why" "first failure of DEFAULT: event 7 \(.*small.trace line 8\), alloc of 999,999 bytes: out of memory" "$work/small.txt"
  expect "callers holding the end" "caller 0x400d2000 holds 2,000 bytes in 1 block$" "$work/small.txt"
  # The moment of highest use is event 2 (both first blocks live): a replay stopped there.
  expect "what the peak holds" "^Allocated at the highest use \(event 2, all heaps together\): 2 blocks, 3,000 bytes requested$" \
    "$work/small.txt"
  expect "the caller of the first block, at the peak" "caller 0x400d1000 holds 1,000 bytes in 1 block$" "$work/small.txt"
  # Per thread: what each allocated, wherever it is freed; the highest peak first.
  run "$work/threads.txt" replay --quiet --board host:64K "$data/threads.trace"; status "threads" 3 $?
  # Thread ids in decimal, as capheap's tracer and Android's write them (0x20 is 32).
  expect "thread 0x20: 1 request, 300 held" "^  thread 32 +1 +300 +300 +0$" "$work/threads.txt"
  expect "thread 0x10: its block freed by 0x20, a failure" "^  thread 16 +2 +100 +0 +1$" "$work/threads.txt"
  expect "the highest peak first" "^  thread 32 " <(grep -m1 '^  thread [0-9]' "$work/threads.txt")
  expect "the thread holding most at the end" "^  thread 32 holds 300 bytes in 1 block$" "$work/threads.txt"
  expect "small: thread 2 holds 2,000" "^  thread 2 +1 +2,000 +2,000 +0$" "$work/small.txt"
  expect "small: thread 1 held 1,000 at most" "^  thread 1 +2 +1,000 +500 +0$" "$work/small.txt"
  # The dump's ordering rule: A is freed before C (C overlaps it), B at the end.
  run "$work/dump.txt" replay --quiet --board esp32 "$data/dump.txt"
  expect "dump: peak 150, end 100" "^  DEFAULT +3 +150 +100 +0$" "$work/dump.txt"
  # Records of 0 bytes, at the start of a freed block of 100 and inside it: they hold no
  # memory, so the block stays live until the end (peak 150, with the last one's 50), and
  # the free of the one at its start frees nothing.
  run "$work/zero-dump.txt" replay --quiet --board esp32 "$data/zero_size_dump.txt"; status "dump: 0-byte records" 0 $?
  expect "dump: 0 bytes free no block" "^  DEFAULT +4 +150 +50 +0$" "$work/zero-dump.txt"
  expect "dump: 0 bytes, counted" "5 events: 4 allocations, 0 reallocations, 1 frees" "$work/zero-dump.txt"
  expect "dump: 0 bytes, skipped" "skipped: 2 zero-size requests, 0 frees .*; 0 addresses reused" "$work/zero-dump.txt"
  run "$work/android.txt" replay --quiet --board host:1M "$data/android.txt"
  expect "android: peak 600, end 501 (malloc(0) is 1 byte)" "^  DEFAULT +5 +600 +501 +0$" "$work/android.txt"
  run "$work/dma.txt" replay --quiet --board esp32 "$data/dma.trace"; status "esp32 dma" 0 $?
  expect "DMA request: peak 3,200" "^  DMA\|INTERNAL +2 +3,200 +3,200 +0$" "$work/dma.txt"
  expect "32BIT takes IRAM" "^  IRAM +92,160 +[1-9]" "$work/dma.txt"
  run "$work/aligned.txt" replay --quiet --board host:64K "$data/aligned.trace"; status "aligned beyond its room" 3 $?
  expect "an aligned request that fails beside a larger block, said" \
    "alloc of 64,000 bytes: alignment: the largest free block with these caps is 6[45],[0-9]{3} bytes, but a block aligned to 4,096" \
    "$work/aligned.txt"
  # --grow: every request twice as large; the peaks double, the report says so.
  run "$work/grown.txt" replay --quiet --grow 100 --board host:64K "$data/small.trace"; status "--grow 100" 3 $?
  expect "--grow said, with the requests grown" \
    "every allocation and reallocation grown by 100% \(--grow\), sizes rounded up: 5 requests$" "$work/grown.txt"
  # A caller that made no request: the report says that nothing was grown.
  run "$work/grown-none.txt" replay --quiet --grow 100 --caller 0x12345678 --board host:64K "$data/small.trace"
  expect "--caller that made no request: 0 grown" "grown by 100% \(--grow\), sizes rounded up: 0 requests$" \
    "$work/grown-none.txt"
  expect "--grow: peak and end doubled" "^  DEFAULT +5 +6,000 +5,000 +1$" "$work/grown.txt"
  run "$work/badgrow.txt" replay --grow -3 --board host:64K "$data/small.trace"; status "--grow -3" 2 $?
  run "$work/headgrow.txt" headroom --grow 10 --board host:64K "$data/small.trace"; status "headroom --grow" 2 $?
  expect "headroom --grow refused" "capheap headroom: --grow is for replay and map" "$work/headgrow.txt"
  expect "--grow -3 refused" "capheap: --grow -3: expected a percentage" "$work/badgrow.txt"
  # realloc(p, 0) frees p (heap_caps_realloc returns NULL): the later free of the new name frees nothing.
  run "$work/zero.txt" replay --quiet --board host:64K "$data/realloc_zero.trace"; status "realloc to 0 bytes" 0 $?
  expect "realloc to 0: a zero-size request" "4 events: 3 allocations, 0 reallocations, 1 frees" "$work/zero.txt"
  expect "realloc to 0: 50 bytes left" "^  DEFAULT +3 +100 +50 +0$" "$work/zero.txt"
  # A realloc that failed where it was recorded keeps its block (an attempt); one to 0 bytes
  # with 0x0 for its result frees it; free(NULL) is no event.
  run "$work/failed-realloc.txt" replay --quiet --board host:64K "$data/failed_realloc.trace"
  status "a failed realloc" 0 $?
  expect "failed realloc: an attempt, a free, no free(NULL)" "4 events: 3 allocations, 0 reallocations, 1 frees" \
    "$work/failed-realloc.txt"
  expect "failed realloc: the block stayed until freed" "^  DEFAULT +3 +100 +50 +0$" "$work/failed-realloc.txt"
  # The tracer's realloc to 0 bytes (realloc 0x0 <old> 0) is a free, not a request: one
  # free, and the one zero-size request is realloc(NULL, 0)'s (once dropped as free(NULL)).
  run "$work/realloc-frees.txt" replay --quiet --board host:64K "$data/realloc_frees.trace"
  status "realloc to 0 bytes, as traced" 0 $?
  expect "realloc to 0 as traced: a free" "4 events: 3 allocations, 0 reallocations, 1 frees" "$work/realloc-frees.txt"
  expect "realloc(NULL, 0): the one zero-size request" "skipped: 1 zero-size requests," "$work/realloc-frees.txt"
  expect "realloc to 0 as traced: 100 freed, 50 left" "^  DEFAULT +3 +100 +50 +0$" "$work/realloc-frees.txt"
  # A request that failed where it was recorded is tried and freed at once: it is not a peak.
  run "$work/attempt.txt" replay --quiet --board host:64K "$data/attempt.trace"; status "an attempt" 0 $?
  expect "the attempt is no peak" "^  RAM +65,536 +1,[0-9]{3} +1 " "$work/attempt.txt"
  # One that fails here as it did there is no failure: the program went on from it.
  run "$work/as-recorded.txt" replay --quiet --board host:64K "$data/failed_as_recorded.trace"
  status "failed as recorded" 0 $?
  expect "failed as recorded: said, not a failure" \
    "^  1 allocation that failed where the trace was recorded failed here too \(not counted as failures\)$" \
    "$work/as-recorded.txt"
  expect "failed as recorded: every other succeeded" "^  every other allocation succeeded$" "$work/as-recorded.txt"
  expect "failed as recorded: no failure per mask" "^  DEFAULT +3 +1,100 +1,000 +0$" "$work/as-recorded.txt"
  # The report alone on stdout: the library's own lines (a board mapped elsewhere on this
  # host, as the stm32h743's often is) go to stderr.
  "$tool" compare --board stm32h743,esp32 "$data/small.trace" >"$work/stdout-only.txt" 2>/dev/null
  status "compare, stdout alone" 3 $?
  expect "compare, stdout alone: the table" "^  stm32h743 " "$work/stdout-only.txt"
  if grep -q '^capheap: ' "$work/stdout-only.txt"; then
    echo "FAIL a library line on stdout:"; cat "$work/stdout-only.txt"; failures=$((failures + 1))
  else
    echo "ok   no library line on stdout"
  fi
  run "$work/as-recorded-compare.txt" compare --board host:64K,host:32K "$data/failed_as_recorded.trace"
  status "failed as recorded: compare" 0 $?
  run "$work/big.txt" replay --quiet --board esp32 "$data/too_big.txt"; status "too big for esp32" 3 $?
  expect "the failure is reported" "first failure of DEFAULT: event 1 .*line 1\), alloc of 300,000 bytes: fragmentation: .* the largest free block is 18[0-9],[0-9]{3}" "$work/big.txt"
  expect "frees of failed blocks skipped" "1 frees of blocks that failed were skipped" "$work/big.txt"
  # The dump's ordering rule at scale: 20,000 freed 16-byte blocks side by side stay live until the
  # last allocation, 320 bytes over the first ten, frees those ten (peak 320,000 - 160 + 320).
  awk 'BEGIN { for (i = 0; i < 20000; i++) {
                 printf "16 bytes (@ 0x%x, Internal) allocated CPU 0 ccount 0x1 caller 0x400d2f4f\n", 1065353216 + 32 * i
                 print "freed by 0x400d2f72" }
               print "320 bytes (@ 0x3f800000, Internal) allocated CPU 0 ccount 0x1 caller 0x400d2f4f" }' >"$work/wide_dump.txt"
  run "$work/wide.txt" replay --quiet --board host:2M "$work/wide_dump.txt"; status "a wide dump" 0 $?
  expect "wide dump: ten freed before the last" "^  DEFAULT +20,001 +320,160 +320 +0$" "$work/wide.txt"
}

pictures() {
  run "$work/map.txt" map --board esp32 -o "$work/end.svg" -o "$work/end.html" "$data/dma.trace"; status "map" 0 $?
  run "$work/worst.txt" map --board host:64K --at worst -o "$work/worst.svg" "$data/small.trace"; status "map worst" 3 $?
  run "$work/empty.txt" map --board esp32-psram -o "$work/empty.svg"; status "map without a trace" 0 $?
  run "$work/attempt-worst.txt" map --board host:64K --at worst -o "$work/attempt-worst.svg" "$data/attempt.trace"
  status "map worst of an attempt" 0 $?
  expect "the worst moment is after the first event" "at its worst moment \(event 1," "$work/attempt-worst.svg"
  # Names with markup and a Latin-1 byte: escaped, and U+FFFD for what is not UTF-8.
  run "$work/odd.txt" map --board "$data/odd_names.board" -o "$work/odd.svg" -o "$work/odd.html" "$data/attempt.trace"
  status "map of odd names" 0 $?
  expect "a heap's name is escaped" "<title>heap R&lt;&amp;&gt;M 0x" "$work/odd.svg"
  # UTF-8 names are kept as they are (2-, 3- and 4-byte characters); a UTF-16 surrogate
  # written as UTF-8, which XML cannot hold, becomes U+FFFD.
  printf 'board utf8\ntype "Speicher \xc3\xa4" 8BIT|DEFAULT|32BIT 0 0\nregion 0x20000000 64K "Speicher \xc3\xa4"\n' \
    >"$work/utf8.board"
  printf 'reserved 0x20000000 0x20001000 "Cache \xe4\xb8\xad \xf0\x9f\x92\xbe \xed\xa0\x80 end"\n' >>"$work/utf8.board"
  run "$work/utf8.txt" map --board "$work/utf8.board" -o "$work/utf8.svg" "$data/attempt.trace"; status "map of UTF-8 names" 0 $?
  expect "a UTF-8 name kept" "Speicher $(printf '\xc3\xa4') 0x20001000" "$work/utf8.svg"
  expect "3- and 4-byte characters kept, a surrogate replaced" \
    "Cache $(printf '\xe4\xb8\xad \xf0\x9f\x92\xbe \xef\xbf\xbd')" "$work/utf8.svg"
  # One heap over two touching regions: each row draws its part, nothing runs past the
  # bar (1,000 pixels from x = 20), and the second row has the heap's free block.
  run "$work/touching.txt" map --board "$data/touching.board" -o "$work/touching.svg" "$data/touching.trace"
  status "map of touching regions" 0 $?
  local past
  past=$(sed -n 's/^<rect x="\([0-9.]*\)" y="[0-9.]*" width="\([0-9.]*\)".*/\1 \2/p' "$work/touching.svg" |
    awk '$1 + $2 > 1020.005 { print "x=" $1 " width=" $2 }')
  if [ -z "$past" ]; then echo "ok   touching regions: every rectangle within the bar"
  else echo "FAIL touching regions: rectangles past the bar: $past"; failures=$((failures + 1)); fi
  expect "touching regions: the first row has no free block" \
    "^<text [^>]*>RAM  0x20000000-0x20010000  64.0 KiB: 0 B free" "$work/touching.svg"
  expect "touching regions: the second row has the free block" \
    "^<text [^>]*>RAM  0x20010000-0x20020000  64.0 KiB: 2[0-9].[0-9] KiB free, largest free block 2[0-9].[0-9] KiB" \
    "$work/touching.svg"
  expect "touching regions: the block across their edge, in the second row" \
    "^<rect x=\"20.00\" y=\"140.0\" .*used block at 0x2000[0-9a-f]{4}, 500[0-9]{2} bytes \([0-9]+ of them in this region\)" \
    "$work/touching.svg"
  # An EXEC block served from the ESP32's D/IRAM through its instruction-bus window keeps
  # its tooltip and its caps' colour (the second mask's, #f28e2b).
  run "$work/diram.txt" map --board esp32 -o "$work/diram.svg" "$data/diram_exec.trace"; status "map of an EXEC block in D/IRAM" 0 $?
  expect "D/IRAM EXEC block: its colour" 'fill="#f28e2b"><title>used block at 0x3ff[ef][0-9a-f]{4}, 1000[0-9]{2} bytes$' \
    "$work/diram.svg"
  expect "D/IRAM EXEC block: its request and caps" "^requested 100000 bytes with EXEC$" "$work/diram.svg"
  expect "D/IRAM EXEC block: its line and caller" "^trace line 5, caller 0x400d1234$" "$work/diram.svg"
  expect "D/IRAM EXEC block: the address it was served at" "^served through the instruction bus at 0x400[ab][0-9a-f]{4}</title>" \
    "$work/diram.svg"
  # 64 caps masks (REPLAY_MAX_CAPS), the first 31 served by host's RAM: each in the legend
  # with a colour of its own, the legend inside the picture, a block in its mask's colour.
  local m caps
  for m in $(seq 1 64); do
    if [ "$m" -le 31 ]; then # the subsets of DEFAULT 8BIT 32BIT DMA INTERNAL
      caps=$(( (m & 1 ? 0x1000 : 0) | (m & 2 ? 0x4 : 0) | (m & 4 ? 0x2 : 0) | (m & 8 ? 0x8 : 0) | (m & 16 ? 0x800 : 0) ))
    else caps=$(( 0x1000 | (m - 31) << 16 )); fi
    printf 'alloc 0x%x 4000 0x%x\n' $((m * 0x1000)) "$caps"
  done >"$work/masks.trace"
  run "$work/masks.txt" map --board host:1M -o "$work/masks.svg" "$work/masks.trace"; status "map of 64 caps masks" 3 $?
  sed -n 's/.* fill="\(#[0-9a-f]*\)"\/><text [^>]*>used: .*/\1/p' "$work/masks.svg" >"$work/masks-fills.txt"
  if [ "$(wc -l <"$work/masks-fills.txt")" = 64 ] && [ "$(sort -u "$work/masks-fills.txt" | wc -l)" = 64 ]; then
    echo "ok   64 caps masks: 64 in the legend, 64 colours"
  else
    echo "FAIL 64 caps masks: $(wc -l <"$work/masks-fills.txt") in the legend, $(sort -u "$work/masks-fills.txt" | wc -l) colours"
    failures=$((failures + 1))
  fi
  local height bottom fill31
  height=$(sed -n 's/^<svg .* height="\([0-9]*\)".*/\1/p' "$work/masks.svg")
  bottom=$(sed -n 's/^<rect x="[0-9.]*" y="\([0-9.]*\)" width="12".*/\1/p' "$work/masks.svg" | sort -n | tail -1)
  if awk -v h="$height" -v b="$bottom" 'BEGIN { exit !(h > 0 && b + 12 <= h) }'; then echo "ok   64 caps masks: the legend inside the picture"
  else echo "FAIL 64 caps masks: the legend's last line at $bottom, the picture $height high"; failures=$((failures + 1)); fi
  fill31=$(sed -n '31p' "$work/masks-fills.txt")
  expect "64 caps masks: the 31st mask's block in its legend colour" \
    "fill=\"$fill31\"><title>used block at 0x[0-9a-f]+, 40[0-9]{2} bytes$" "$work/masks.svg"
  for f in end.svg end.html worst.svg empty.svg odd.svg odd.html utf8.svg touching.svg diram.svg masks.svg; do
    if xmllint --noout "$work/$f" 2>"$work/$f.xmllint"; then echo "ok   $f well-formed"; else echo "FAIL $f:"; cat "$work/$f.xmllint"; failures=$((failures + 1)); fi
  done
  expect "a tooltip per block" "<title>used block at 0x[0-9a-f]+, [0-9]+ bytes" "$work/end.svg"
  expect "the worst moment is named" "at its worst moment \(event 2" "$work/worst.svg"
  expect "html has the svg inline" "<svg xmlns=" "$work/end.html"
}

errors() {
  run "$work/bad1.txt" replay --board host:64K "$data/bad_capheap.trace"; status "bad capheap line" 1 $?
  expect "file, line, expected" "bad_capheap.trace:2: expected 'alloc <address> <size> <caps>" "$work/bad1.txt"
  run "$work/bad2.txt" replay --board host:64K "$data/bad_android.txt"; status "bad android line" 1 $?
  expect "android: file, line, expected" "bad_android.txt:2: expected '<tid>: malloc <ptr> <size>'" "$work/bad2.txt"
  run "$work/bad3.txt" replay --board esp32 "$data/bad_dump.txt"; status "bad dump line" 1 $?
  expect "dump: file, line, expected" "bad_dump.txt:2: expected '<n> bytes \(@ <address>" "$work/bad3.txt"
  # After the address only Internal or PSRAM (once any word was read as internal memory).
  { head -n 2 "$data/dump.txt"; echo "    32 bytes (@ 0x3ffb4000, Weird) allocated CPU 0 ccount 0x4 caller 0x400d5555"; } \
    >"$work/weird_dump.txt"
  run "$work/weird.txt" replay --board esp32 "$work/weird_dump.txt"; status "dump: an unknown place" 1 $?
  expect "dump: an unknown place, its line" "weird_dump.txt:3: expected '<n> bytes \(@ <address>\[, Internal\|PSRAM\]\)" \
    "$work/weird.txt"
  # A gzip trace cut short is refused, not replayed as if whole (a missing end, then half of it).
  local gz_size
  gz_size=$(wc -c <"$data/android.txt.gz")
  head -c $((gz_size - 8)) "$data/android.txt.gz" >"$work/cut.txt.gz"
  run "$work/cut.txt" replay --quiet --board host:1M "$work/cut.txt.gz"; status "a gzip trace cut short" 1 $?
  expect "cut short: said once" "cut.txt.gz: cannot read after line 0: .*unexpected end of file" "$work/cut.txt"
  if [ "$(wc -l <"$work/cut.txt")" != 1 ]; then
    echo "FAIL cut short: more than the one message:"; cat "$work/cut.txt"; failures=$((failures + 1))
  fi
  # Caps no heap of a board names: said as a number, not dropped; caps 0 said as such.
  printf '# capheap trace 1\nalloc 0x1000 100 0x201000\nalloc 0x2000 100 DEFAULT\nalloc 0x3000 100 0\n' >"$work/caps.trace"
  run "$work/caps.txt" replay --board esp32 "$work/caps.trace"; status "unnamed caps bits" 3 $?
  expect "unnamed bits kept" "^  DEFAULT\|0x200000 +1 " "$work/caps.txt"
  expect "caps 0: its reason" "alloc of 100 bytes: no caps: heap_caps_malloc serves none" "$work/caps.txt"
  # A NUL byte inside a line is refused, not taken as the line's end.
  printf '# capheap trace 1\nalloc 0x1000 64 DEFAULT\000 junk\n' >"$work/nul.trace"
  run "$work/nul.txt" replay --board host:64K "$work/nul.trace"; status "a NUL byte in a line" 1 $?
  expect "NUL byte: file and line" "nul.trace:2: expected a line of text \(this one holds a NUL byte\)" "$work/nul.txt"
  # Lines of up to 4,095 bytes, the last one without a newline; one byte more is refused.
  local pad
  pad=$(printf '%*s' 4072 '')
  printf '# capheap trace 1\nalloc 0x1000 64 DEFAULT%s' "$pad" >"$work/long_last.trace"
  run "$work/long_last.txt" replay --quiet --board host:64K "$work/long_last.trace"; status "a last line of 4,095 bytes" 0 $?
  expect "long last line read" "1 events: 1 allocations" "$work/long_last.txt"
  printf '# capheap trace 1\r\nalloc 0x1000 64 DEFAULT%s\r\n' "$pad" >"$work/long_crlf.trace"
  run "$work/long_crlf.txt" replay --quiet --board host:64K "$work/long_crlf.trace"; status "4,095 bytes and CR LF" 0 $?
  printf '# capheap trace 1\nalloc 0x1000 64 DEFAULT %s\n' "$pad" >"$work/too_long.trace"
  run "$work/too_long.txt" replay --quiet --board host:64K "$work/too_long.trace"; status "a line of 4,096 bytes" 1 $?
  expect "too long: file and line" "too_long.trace:2: expected a line shorter than 4096 bytes" "$work/too_long.txt"
  run "$work/board.txt" info --board esp64; status "unknown board" 2 $?
  expect "unknown board lists the known ones" "^  esp32-psram$" "$work/board.txt"
  run "$work/host.txt" info --board host:12Q; status "bad host size" 2 $?
  expect "host size error" "expected bytes with an optional K, M or G" "$work/host.txt"
  run "$work/host-hex.txt" info --board host:0x10000; status "host size in hex" 0 $?
  expect "host size in hex: 64 KiB" "64.0 KiB" "$work/host-hex.txt"
  # SIZE bytes exactly, as docs/tool.md says, not rounded up to a page (0x1001 was 8 KiB);
  # 100,000 bytes do not hold a block of 99,900 that 102,400 did.
  run "$work/host-odd.txt" info --board host:0x1001; status "host size not a page multiple" 0 $?
  expect "host:0x1001: 4,097 bytes" "^  0  RAM +0x20000000-0x20001001 +4,097 " "$work/host-odd.txt"
  printf 'alloc 0x1000 99900 DEFAULT\n' >"$work/99900.trace"
  run "$work/host-100000.txt" replay --quiet --board host:100000 "$work/99900.trace"; status "99,900 bytes in host:100000" 3 $?
  run "$work/missing.txt" replay --board esp32 "$work/no-such-file"; status "missing file" 1 $?
  expect "missing file named" "no-such-file: cannot open" "$work/missing.txt"
  run "$work/help.txt" help; status "help" 0 $?
  expect "help shows the usage" "^usage: capheap boards$" "$work/help.txt"
  run "$work/nocmd.txt" frobnicate --board esp32; status "unknown command" 2 $?
  expect "unknown command named" "capheap: frobnicate: unknown command" "$work/nocmd.txt"
  # Each bad option named, with what was expected (exit 2, then the usage).
  bad_option "--format json: expected auto, capheap, esp-idf or android" replay --format json --board esp32 x.trace
  bad_option "--board needs a value" replay --board
  bad_option "--at sometime: expected end or worst" replay --at sometime --board esp32 "$data/small.trace"
  bad_option "--caller zz: expected a caller's address" replay --caller zz --grow 10 --board esp32 "$data/small.trace"
  bad_option "--caller 0xFFFFFFFFFFFFFFFFFF: expected a caller's address" replay --caller 0xFFFFFFFFFFFFFFFFFF \
    --grow 10 --board esp32 "$data/small.trace"
  bad_option "--grow [+]5: expected a percentage" replay --grow +5 --board esp32 "$data/small.trace"
  bad_option "unknown option --frob" replay --frob --board esp32 x.trace
  bad_option "one trace at a time \(a.trace and b.trace\)" replay --board esp32 a.trace b.trace
  # A picture's format follows its name; another name is refused (once written as SVG), before
  # a replay, and no file is made.
  rm -f "$work/heap.txt"
  bad_option "-o .*heap.txt: expected a name ending in .svg, .html or .htm" \
    map --board esp32 -o "$work/heap.txt" "$data/small.trace"
  bad_option "--output heap: expected a name ending in .svg, .html or .htm" replay --board esp32 --output heap x.trace
  if [ -e "$work/heap.txt" ]; then echo "FAIL -o heap.txt: written"; failures=$((failures + 1)); else echo "ok   -o heap.txt: not written"; fi
  run "$work/upper.txt" map --quiet --board esp32 -o "$work/upper.SVG" -o "$work/upper.HTM"; status "-o .SVG and .HTM" 0 $?
  expect "upper case .HTM: a page" "^<!DOCTYPE html>" "$work/upper.HTM"
  run "$work/info.txt" info --board esp32; status "info" 0 $?
  expect "info: the big DRAM heap" "0x3FFB3000-0x3FFE0000 +184,320" "$work/info.txt"
  expect "info: IRAM is 32BIT only" "^  0x40080000-0x400A0000 .* IRAM .* 32BIT only$" "$work/info.txt"
  run "$work/info8266.txt" info --board esp8266; status "info esp8266" 0 $?
  expect "info: DRAM takes bytes" "^  0x3FFE8000-0x40000000 +96.0 KiB  DRAM +$" "$work/info8266.txt"
  expect "info: IRAM 32BIT only" "^  0x40100000-0x4010C000 +48.0 KiB  IRAM +32BIT only$" "$work/info8266.txt"
  # An answer not written whole (a full disk: /dev/full) is an output error, not a success.
  "$tool" replay --board host:1M "$data/android.txt" >/dev/full 2>"$work/full.txt"; status "report to a full disk" 1 $?
  expect "full disk said" "capheap: the standard output could not be written whole: No space left on device" \
    "$work/full.txt"
  "$tool" replay --board host:64K "$data/small.trace" >/dev/full 2>"$work/full3.txt"; status "a failing replay too" 3 $?
  ln -sf /dev/full "$work/full.svg" # a picture's name says its format: /dev/full has none
  run "$work/full-svg.txt" map --quiet --board esp32 -o "$work/full.svg" "$data/dma.trace"; status "picture to a full disk" 1 $?
  expect "picture: cannot write" "capheap: .*full.svg: cannot write: No space left on device" "$work/full-svg.txt"
}

boardfiles() {
  local b relocated="s/(mapped |is [+]?)(0x[0-9a-f]+|[0-9]+) bytes/\\1N bytes/"
  # A board of 18 memory types: the report keeps the last one apart (types from the 17th
  # were once added to the first).
  { echo "board many-types"; for t in $(seq 0 16); do echo "type T$t 32BIT 0 0"; done
    echo "type T17 8BIT|DEFAULT|DMA|INTERNAL 0 0"; echo "region 0x10000000 64K T0"; echo "region 0x20000000 64K T17"
  } >"$work/types18.board"
  printf '# capheap trace 1\nalloc 0x1000 30000 DEFAULT\n' >"$work/types18.trace"
  run "$work/types18.txt" replay --quiet --board "$work/types18.board" "$work/types18.trace"; status "18 types" 0 $?
  expect "18 types: the 18th has its row" "^  T17 +65,536 +30,4[0-9][0-9] " "$work/types18.txt"
  expect "18 types: the first holds only its control data" "^  T0 +65,536 +[0-9]{3} " "$work/types18.txt"
  # 33 regions apart need 33 ranges of host memory, one more than the host maps: said.
  { echo "board apart"; echo "type RAM 8BIT|DEFAULT 0 0"
    for i in $(seq 0 32); do printf 'region 0x%x 16K RAM\n' $((0x10000000 + i * 0x100000)); done
  } >"$work/apart33.board"
  run "$work/apart33.txt" info --board "$work/apart33.board"; status "33 regions apart" 2 $?
  expect "33 apart: why" "needs more than 32 ranges of host memory" "$work/apart33.txt"
  # CR LF line ends: a line of 510 characters (a comment), the most, is read with its CR;
  # 511 are not.
  local long510 long511
  long510="#$(printf '%*s' 509 '' | tr ' ' '-')"
  long511="$long510-"
  { printf '%s\r\n' "$long510"; sed 's/$/\r/' "$data/two_heaps.board"; } >"$work/crlf510.board"
  run "$work/crlf510.txt" info --board "$work/crlf510.board"; status "board file: 510 characters and CR LF" 0 $?
  { printf '%s\r\n' "$long511"; cat "$data/two_heaps.board"; } >"$work/crlf511.board"
  run "$work/crlf511.txt" info --board "$work/crlf511.board"; status "board file: 511 characters" 2 $?
  expect "511: said" "crlf511.board:1: .*a line of more than 510 characters" "$work/crlf511.txt"
  for b in $("$tool" boards | awk '$2 ~ /^[0-9]+$/ {print $1}'); do
    run "$work/$b.board" board-file --board "$b"; status "board-file $b" 0 $?
    run "$work/$b.again" board-file --board "$work/$b.board"
    if cmp -s "$work/$b.board" "$work/$b.again"; then echo "ok   $b: written, read and written again, the same"
    else echo "FAIL $b: the board file changed when read back:"; diff "$work/$b.board" "$work/$b.again"; failures=$((failures + 1)); fi
    # The same heaps, free bytes and caps (the relocation offset on this host aside).
    run "$work/$b.info" info --board "$b"
    run "$work/$b.file-info" info --board "$work/$b.board"
    if diff <(sed -E "$relocated" "$work/$b.info") <(sed -E "$relocated" "$work/$b.file-info") >"$work/$b.diff"; then
      echo "ok   $b: the board file builds the same heaps"
    else echo "FAIL $b: capheap info differs:"; cat "$work/$b.diff"; failures=$((failures + 1)); fi
  done
  expect "esp32's D/IRAM region in full" "^region 0x3ffe0000 0x20000 D/IRAM alias inverted 0x400a0000 startup-stack$" "$work/esp32.board"
  expect "a name with blanks is quoted" '^type "DRAM \(kept back\)" 0 0 32BIT\|8BIT\|DMA\|INTERNAL$' "$work/esp32-psram.board"
  run "$work/paper.txt" replay --board "$data/paper.board" "$data/paper.trace"; status "a chip on paper" 0 $?
  # Peak use: the 40,000-byte block in TCM; 30,000 and 4,096 in SYS SRAM (plus headers and
  # control data, which the grain and poisoning change).
  expect "paper: TCM serves malloc first" "^  TCM +65,536 +40,[0-9]{3} " "$work/paper.txt"
  expect "paper: what TCM cannot hold, and DMA, go to SYS SRAM" "^  SYS SRAM +122,880 +34,[0-9]{3} " "$work/paper.txt"
  # A caps number reads as the file's other numbers do: 010 is ten (32BIT|DMA), as 0x0A,
  # not octal eight (DMA).
  printf 'board ten\ntype RAM 8BIT|DEFAULT 010 0x0A\nregion 0x20000000 64K RAM\n' >"$work/ten.board"
  run "$work/ten.txt" info --board "$work/ten.board"; status "board file: caps 010" 0 $?
  expect "board file: caps 010 is ten, as 0x0A" "^  RAM +0: 8BIT\|DEFAULT +1: 32BIT\|DMA +2: 32BIT\|DMA *$" "$work/ten.txt"
  run "$work/order.txt" info --board "$data/bad_order.board"; status "regions out of order" 2 $?
  expect "order: file, line, why" "bad_order.board:4: region at 0x2000f000: regions go in address order without overlapping" "$work/order.txt"
  run "$work/type.txt" info --board "$data/bad_type.board"; status "unknown type" 2 $?
  expect "type: file, line, why" "bad_type.board:2: type 'RAM' is not defined above" "$work/type.txt"
  run "$work/caps.txt" info --board "$data/bad_caps.board"; status "unknown capability" 2 $?
  expect "caps: file, line, why" "bad_caps.board:2: caps '8BIT\|FAST': expected names joined by \|" "$work/caps.txt"
  # Names whose blanks or quotes at the ends only quotes keep: written so that they read back the same.
  run "$work/quoted.board" board-file --board "$data/quoted_names.board"; status "quoted names" 0 $?
  run "$work/quoted.again" board-file --board "$work/quoted.board"
  if cmp -s "$work/quoted.board" "$work/quoted.again"; then echo "ok   quoted names: read back the same"
  else echo "FAIL quoted names changed when read back:"; diff "$work/quoted.board" "$work/quoted.again"; failures=$((failures + 1)); fi
  expect "blanks around a reserved name kept" '^reserved 0x20000000 0x20000100 "  ROM work area  "$' "$work/quoted.board"
  expect "quotes around a reserved name kept" '^reserved 0x20000100 0x20000200 ""quoted""$' "$work/quoted.board"
  expect "a name starting with # quoted" '^type "#1 RAM" ' "$work/quoted.board"
  expect "quotes inside a reserved name kept" '^reserved 0x20000200 0x20000300 cache" and "ROM$' "$work/quoted.board"
  expect "a lone quote in a reserved name" '^reserved 0x20000300 0x20000400 the 3" part$' "$work/quoted.board"
  run "$work/name.txt" info --board "$data/bad_name.board"; status "a tab in a name" 2 $?
  expect "name: file, line, why" "bad_name.board:1: board: a name of 1 to 63 characters, without control characters" "$work/name.txt"
  run "$work/window.txt" info --board "$data/bad_window.board"; status "a window past the end" 2 $?
  # (a 32-bit tool refuses the address itself)
  expect "window: file, line, why" "bad_window.board:4: alias (0x[0-9a-f]+: a window of 0x10000 bytes there does not end|'0x[0-9A-F]+': expected an address)" "$work/window.txt"
  run "$work/self.txt" info --board "$data/self_window.board"; status "a window over its own region" 2 $?
  expect "the clash said, with the line" "self_window.board:5: region at 0x3ffe0000: an instruction-bus window overlaps the memory or the window of the region at 0x3ffe0000" "$work/self.txt"
  { cat "$data/paper.board"; echo "cache 48 0"; } >"$work/cache.board"
  run "$work/cache.txt" info --board "$work/cache.board"; status "a cache line of 48 bytes" 2 $?
  expect "cache: file, line, why" "cache.board:[0-9]+: '48': a cache line is 0 or a power of two up to 128" "$work/cache.txt"
  expect "the S3's DMA reaches its PSRAM" "^extmem-dma$" "$work/esp32s3-psram.board"
  expect "and info says so" "^The chip's DMA reaches its external RAM" "$work/esp32s3-psram.info"
  if grep -q "^extmem-dma" "$work/esp32-psram.board"; then
    echo "FAIL esp32-psram: the ESP32's DMA does not reach its PSRAM"; failures=$((failures + 1))
  else echo "ok   esp32-psram: no extmem-dma line"; fi
  { cat "$data/paper.board"; echo "extmem-dma yes"; } >"$work/extdma.board"
  run "$work/extdma.txt" info --board "$work/extdma.board"; status "extmem-dma with a value" 2 $?
  expect "extmem-dma: file, line, why" "extdma.board:[0-9]+: expected: extmem-dma \(no value\)" "$work/extdma.txt"
  { head -1 "$data/paper.board"; printf 'board paper\000 chip\n'; } >"$work/nul.board"
  run "$work/nul.txt" info --board "$work/nul.board"; status "a NUL byte in a board line" 2 $?
  expect "NUL byte: file, line, why" "nul.board:2: a NUL byte in the line" "$work/nul.txt"
  run "$work/nofile.txt" info --board "$work/none.board"; status "no such board file" 2 $?
  expect "no such board file" "cannot read board file .*none.board" "$work/nofile.txt"
  # Each malformed line named, with what was expected.
  local head='board x\ntype RAM 8BIT 0 0\n'
  bad_board "a type defined twice" "${head}type RAM 8BIT 0 0\n" ":3: type 'RAM' is defined twice"
  bad_board "a type without its three caps" 'board x\ntype RAM 8BIT 0\n' ":2: expected: type NAME CAPS0 CAPS1 CAPS2"
  bad_board "a region without its type" "${head}region 0x20000000 64K\n" \
    ":3: expected: region START SIZE TYPE \[alias linear\|inverted ADDRESS\] \[startup-stack\]"
  bad_board "a region's start" "${head}region 0xZZ 64K RAM\n" ":3: start '0xZZ': expected an address"
  bad_board "a region's size" "${head}region 0x20000000 lots RAM\n" ":3: size 'lots': expected bytes \(65536, 0x10000 or 64K\)"
  bad_board "an alias of no kind" "${head}region 0x20000000 64K RAM alias sideways 0x30000000\n" \
    ":3: alias sideways: expected linear or inverted"
  bad_board "a region's unknown word" "${head}region 0x20000000 64K RAM frobnicate\n" \
    ":3: 'frobnicate': expected alias linear\|inverted ADDRESS, or startup-stack"
  bad_board "a reserved range without its name" "${head}region 0x20000000 64K RAM\nreserved 0x20000000 0x20000100\n" \
    ":4: expected: reserved START END NAME"
}

# bad_option MESSAGE ARGS...: the tool run with ARGS exits 2 saying "capheap: MESSAGE"
# (an extended regex), then its usage.
bad_option() {
  local message=$1
  shift
  run "$work/bad-option.txt" "$@"; status "options: $message" 2 $?
  expect "options: $message, said" "^capheap: $message" "$work/bad-option.txt"
  expect "options: $message, then the usage" "^usage: capheap boards$" "$work/bad-option.txt"
}

# bad_board NAME CONTENT PATTERN: a board file of CONTENT (printf's escapes) is
# refused (exit 2), with a message matching "bad.board" PATTERN.
bad_board() {
  printf "$2" >"$work/bad.board"
  run "$work/bad-board.txt" info --board "$work/bad.board"; status "board file: $1" 2 $?
  expect "board file: $1, said" "bad.board$3" "$work/bad-board.txt"
}

headroom() {
  # A trace that allocates nothing: each heap can lose all but what a heap needs to exist.
  printf '# capheap trace 1\n' >"$work/empty.trace"
  run "$work/empty-room.txt" headroom --quiet --board host:64K "$work/empty.trace"; status "headroom of an empty trace" 0 $?
  expect "empty trace: all but a heap's least" "^       16 bytes more: no heap would be left on the board$" "$work/empty-room.txt"
  expect "empty trace: growth unbounded" "every request at least 10000% larger: the search stops there" "$work/empty-room.txt"
  run "$work/host.txt" headroom --quiet --board host:128K "$data/headroom.trace"; status "headroom" 0 $?
  expect "the failure 16 bytes further" "16 bytes more: event 4 \(line 6\), alloc of 30,000 bytes, DEFAULT, fails: fragmentation" \
    "$work/host.txt"
  # The figure checked by plain replays: the heap with that many bytes reserved at its start
  # fits the trace, with 16 bytes more it does not.
  local n
  n=$(sed -n 's/^  0  RAM  *0x20000000-0x20020000  *131,072  *\([0-9,]*\)$/\1/p' "$work/host.txt" | tr -d ,)
  if [ -n "$n" ] && [ "$n" -gt 50000 ] && [ "$n" -lt 61072 ]; then echo "ok   can lose $n of 131,072"
  else echo "FAIL no plausible figure in:"; cat "$work/host.txt"; failures=$((failures + 1)); n=0; fi
  for cut in "$n:0" "$((n + 16)):3"; do
    "$tool" board-file --board host:128K >"$work/cut.board"
    printf 'reserved 0x20000000 0x%x probe\n' $((0x20000000 + ${cut%:*})) >>"$work/cut.board"
    run "$work/cut.txt" replay --quiet --board "$work/cut.board" "$data/headroom.trace"
    status "replay with ${cut%:*} bytes cut" "${cut#*:}" $?
  done
  run "$work/esp32.txt" headroom --quiet --board esp32 "$data/dma.trace"; status "headroom on esp32" 0 $?
  expect "the heap after .data/.bss named" '^  1  DRAM .*  after "application \.data/\.bss"$' "$work/esp32.txt"
  expect "a heap the trace does not need" "all of it: the trace does not need this heap" "$work/esp32.txt"
  expect "every heap cut together by default" "^  together: [0-9,]+ bytes" "$work/esp32.txt"
  # The one heap of a host board cut until less than a heap is left (256 bytes, CAPHEAP_MIN_HEAP_SIZE).
  run "$work/one.txt" headroom --quiet --board host:64K "$data/one_block.trace"; status "headroom of one block" 0 $?
  expect "then no heap at all" "^  0  RAM .* 65,536 +65,280$" "$work/one.txt"
  expect "no heap left, said" "16 bytes more: no heap would be left on the board" "$work/one.txt"
  run "$work/nofit.txt" headroom --quiet --board host:64K "$data/small.trace"; status "a trace that does not fit" 3 $?
  expect "no headroom" "the trace does not fit: 1 allocation fails, the first at event 7" "$work/nofit.txt"
  together
  together_three
  growth
}

# Two heaps that can each lose most of themselves alone, not both: the figures of
# --together, in the order given and the other way round, checked by replays with
# both cuts (fits) and 16 bytes more on the second (fails); a list that names no two
# heaps of the board refused.
two_heap_row() { # two_heap_row FILE N: heap N's figure in FILE (a table, or a part of one)
  local at=$((0x20000000 + $2 * 0x100000))
  sed -n "s/^  $2  RAM  *$(printf '0x%08X' $at)-$(printf '0x%08X' $((at + 0x8000)))  *32,768  *\([0-9,]*\)\$/\1/p" "$1" |
    tr -d ,
}

# together_order FILE FIRST SECOND: one order's table in FILE, the heaps numbered
# FIRST and SECOND (0 or 1) cut in that order.
together_order() {
  local file=$1 a=$2 b=$3 first second
  first=$(two_heap_row "$file" "$a") second=$(two_heap_row "$file" "$b")
  # Ten blocks of 4,000 bytes: a heap holds eight, so alone either keeps two and loses
  # about 24 KiB; together the second must hold the eight the first no longer has.
  if [ -n "$first" ] && [ -n "$second" ] && [ "$first" -gt 20000 ] && [ "$second" -lt 2000 ]; then
    echo "ok   heap $a then heap $b: together $first then $second"
  else
    echo "FAIL no plausible figures for heap $a then heap $b in:"; cat "$file"; failures=$((failures + 1))
    first=0 second=0
  fi
  expect "heap $a then heap $b, summed" "^  together: $(commas $((first + second))) bytes" "$file"
  for cut in "$second:0" "$((second + 16)):3"; do
    { cat "$data/two_heaps.board"
      printf 'reserved 0x%x 0x%x first cut\n' $((0x20000000 + a * 0x100000)) $((0x20000000 + a * 0x100000 + first))
      [ "${cut%:*}" -gt 0 ] &&
        printf 'reserved 0x%x 0x%x second cut\n' $((0x20000000 + b * 0x100000)) $((0x20000000 + b * 0x100000 + ${cut%:*}))
    } >"$work/two-cut.board"
    run "$work/two-cut.txt" replay --quiet --board "$work/two-cut.board" "$data/two_heaps.trace"
    status "replay with heap $a cut, then heap $b by ${cut%:*} bytes" "${cut#*:}" $?
  done
}

together() {
  run "$work/two.txt" headroom --quiet --together 0,1 --board "$data/two_heaps.board" "$data/two_heaps.trace"
  status "headroom --together" 0 $?
  # The table of each heap alone, the order given (0 then 1), the other order (1 then 0).
  sed -n '/^Bytes each heap can lose/,/^Bytes the heaps can lose all at once/p' "$work/two.txt" >"$work/two-alone.txt"
  sed -n '/^Bytes the heaps can lose all at once/,/^The other order:/p' "$work/two.txt" >"$work/two-given.txt"
  sed -n '/^The other order:/,$p' "$work/two.txt" >"$work/two-other.txt"
  local alone
  alone=$(two_heap_row "$work/two-alone.txt" 1)
  if [ -n "$alone" ] && [ "$alone" -gt 20000 ]; then echo "ok   heap 1 alone: $alone"
  else echo "FAIL no plausible figure for heap 1 alone in:"; cat "$work/two.txt"; failures=$((failures + 1)); fi
  together_order "$work/two-given.txt" 0 1
  together_order "$work/two-other.txt" 1 0
  expect "the ends of what the pair can lose, said" "the two orders are the ends of what the pair can lose" "$work/two.txt"
  # A bad list is refused before the first replay: no report of it, whatever the trace.
  for bad in 1 0,0 x 0,,1 0,2; do
    run "$work/two-bad.txt" headroom --quiet --together "$bad" --board "$data/two_heaps.board" "$data/two_heaps.trace"
    status "--together $bad refused" 2 $?
    if grep -q "^capheap headroom: .* on board" "$work/two-bad.txt"; then
      echo "FAIL --together $bad: refused after a replay:"; cat "$work/two-bad.txt"; failures=$((failures + 1))
    fi
  done
  expect "a bad list said" "--together 0,2: expected all, or numbers of heaps in the table \(0 to 1\)" "$work/two-bad.txt"
  run "$work/two-bad.txt" headroom --quiet --together 0,2 --board "$data/two_heaps.board" "$data/small.trace"
  status "--together 0,2 and a trace that does not fit" 2 $?
  run "$work/two-bad.txt" headroom --quiet --together 0,2 --board "$data/two_heaps.board" "$work/no-such.trace"
  status "--together 0,2 and no trace" 2 $?
  run "$work/two-replay.txt" replay --quiet --together 0,1 --board "$data/two_heaps.board" "$data/two_heaps.trace"
  status "--together refused by replay" 2 $?
}

# Three heaps (--together all): the order given, then the orders that start at each
# other heap. Twelve blocks of 4,000 bytes, a heap holds eight: in each order the first
# loses all of itself, the second what is left with four blocks kept, the third little.
# Each order checked by replays with its three cuts (fits) and 16 bytes more on the last
# (fails).
together_turn() { # together_turn FILE A B C: the order A, B, C in FILE
  local file=$1 a=$2 b=$3 c=$4 ca cb cc heap cut
  ca=$(two_heap_row "$file" "$a") cb=$(two_heap_row "$file" "$b") cc=$(two_heap_row "$file" "$c")
  if [ "$ca" = 32768 ] && [ -n "$cb" ] && [ "$cb" -gt 12000 ] && [ "$cb" -lt 20000 ] && [ -n "$cc" ] &&
     [ "$cc" -lt 2000 ]; then
    echo "ok   heaps $a, $b, $c: together $ca, $cb, $cc"
  else
    echo "FAIL no plausible figures for heaps $a, $b, $c in:"; cat "$file"; failures=$((failures + 1))
    return
  fi
  expect "heaps $a, $b, $c, summed" "^  together: $(commas $((ca + cb + cc))) bytes" "$file"
  for cut in "$cc:0" "$((cc + 16)):3"; do
    { cat "$data/three_heaps.board"
      for heap in "$a:$ca" "$b:$cb" "$c:${cut%:*}"; do
        [ "${heap#*:}" -gt 0 ] && printf 'reserved 0x%x 0x%x cut\n' $((0x20000000 + ${heap%:*} * 0x100000)) \
          $((0x20000000 + ${heap%:*} * 0x100000 + ${heap#*:}))
      done
    } >"$work/three-cut.board"
    run "$work/three-cut.txt" replay --quiet --board "$work/three-cut.board" "$data/three_heaps.trace"
    status "replay with heaps $a and $b cut, then heap $c by ${cut%:*} bytes" "${cut#*:}" $?
  done
}

together_three() {
  run "$work/three.txt" headroom --quiet --board "$data/three_heaps.board" "$data/three_heaps.trace"
  status "headroom of three heaps" 0 $?
  sed -n '/^Bytes the heaps can lose all at once/,/^Heap 1 first/p' "$work/three.txt" >"$work/three-0.txt"
  sed -n '/^Heap 1 first/,/^Heap 2 first/p' "$work/three.txt" >"$work/three-1.txt"
  sed -n '/^Heap 2 first/,/^  (each heap first once/p' "$work/three.txt" >"$work/three-2.txt"
  together_turn "$work/three-0.txt" 0 1 2
  together_turn "$work/three-1.txt" 1 2 0
  together_turn "$work/three-2.txt" 2 0 1
  expect "each heap first once, said" "each heap first once, at its most" "$work/three.txt"
  if grep -q "^Heap 0 first\|^The other order" "$work/three.txt"; then
    echo "FAIL an order too many:"; cat "$work/three.txt"; failures=$((failures + 1))
  fi
}

compare() {
  # small.trace's 999,999-byte request fails in 64 KiB and fits in 2 MiB.
  run "$work/cmp.txt" compare --board host:64K,host:2M "$data/small.trace"; status "compare" 3 $?
  expect "a line per board, 64K failing once" "^  host:64K +65,536 +[0-9,]+ +[0-9]+% +1   first: event 7 \(line 8\), alloc of 999,999 bytes" "$work/cmp.txt"
  expect "2M fitting" "^  host:2M +2,097,152 +[0-9,]+ +[0-9]+% +0$" "$work/cmp.txt"
  run "$work/cmp-fit.txt" compare --board host:2M,esp32 "$data/dma.trace"; status "compare, every board fits" 0 $?
  run "$work/cmp-bad.txt" compare --board host:2M,nosuchboard "$data/small.trace"; status "compare, unknown board" 2 $?
  run "$work/cmp-empty.txt" compare --board host:2M,,esp32 "$data/small.trace"; status "compare, empty name" 2 $?
  run "$work/cmp-none.txt" compare --board "" "$data/small.trace"; status "compare, no board" 2 $?
  run "$work/cmp-comma.txt" compare --board esp32, "$data/small.trace"; status "compare, a trailing comma" 2 $?
  expect "empty name said" "expected board names separated by commas" "$work/cmp-empty.txt"
  # Every name is checked before the table starts: no half table before the refusal.
  for f in cmp-bad cmp-empty cmp-comma; do
    if grep -q 'on each board as it is\|^  host:2M ' "$work/$f.txt"; then
      echo "FAIL $f: a table before the refusal:"; cat "$work/$f.txt"; failures=$((failures + 1))
    else
      echo "ok   $f: refused before any table"
    fi
  done
  # "all": a line for every built-in board (as capheap boards lists them, which docs/tool.md
  # names: it once said capheap info), in that order, then the rest.
  run "$work/cmp-all.txt" compare --board all,host:2M "$data/dma.trace"
  "$tool" boards | awk '$2 ~ /^[0-9]+$/ {print $1}' >"$work/builtin.txt"
  local lines
  lines=$(sed -n 's/^  \([a-zA-Z0-9:-]*\)  .*[0-9]%.*/\1/p' "$work/cmp-all.txt")
  if [ -s "$work/builtin.txt" ] && [ "$lines" = "$(cat "$work/builtin.txt"; echo host:2M)" ]; then
    echo "ok   compare --board all: every built-in board, then host:2M"
  else
    echo "FAIL compare --board all: expected the boards of capheap boards, got:"; cat "$work/cmp-all.txt"
    failures=$((failures + 1))
  fi
  local doc=$data/../../../docs/tool.md
  if [ -f "$doc" ]; then
    expect "docs: all in the order of capheap boards" "in the order \`capheap boards\`$" "$doc"
  fi
}

# The growth figure: one block of 10,000 bytes grown by p percent is 10,000 + 100 p bytes;
# the trace of that size replays, the one of p + 1 percent does not.
growth() {
  run "$work/growth.txt" headroom --quiet --board host:64K "$data/growth.trace"; status "growth" 0 $?
  local p
  p=$(sed -n 's/^  every request \([0-9]*\)% larger$/\1/p' "$work/growth.txt")
  if [ -n "$p" ] && [ "$p" -gt 400 ] && [ "$p" -lt 556 ]; then echo "ok   grows by $p%"
  else echo "FAIL no plausible growth in:"; cat "$work/growth.txt"; failures=$((failures + 1)); p=0; fi
  local failing
  failing=$(commas $((10000 + 100 * (p + 1))))
  expect "the failure 1% further" "^    1% more: event 1 \(line 3\), alloc of $failing bytes, DEFAULT, fails" "$work/growth.txt"
  for grown in "$p:0" "$((p + 1)):3"; do
    printf 'alloc 0x1000 %d DEFAULT\n' $((10000 + 100 * ${grown%:*})) >"$work/grown.trace"
    run "$work/grown.txt" replay --quiet --board host:64K "$work/grown.trace"
    status "the block grown by ${grown%:*}%" "${grown#*:}" $?
  done
  run "$work/one-growth.txt" headroom --quiet --board host:64K "$data/one_block.trace"
  expect "a trace far from the limit" "^  every request at least 10000% larger: the search stops there$" "$work/one-growth.txt"
  caller_growth
}

# Growth per caller: callers.trace holds 10,000 bytes from caller 0xA and 1,000 from 0xB
# in 64 KiB. Each grown alone by its figure replays (--grow --caller), by 1 % more fails;
# the figure of 0xB is far larger than 0xA's, and both are larger than every request's.
caller_growth() {
  run "$work/callers.txt" headroom --quiet --board host:64K "$data/callers.trace"; status "growth per caller" 0 $?
  local caller p all
  all=$(sed -n 's/^  every request \([0-9]*\)% larger$/\1/p' "$work/callers.txt")
  for caller in 0x0000000a 0x0000000b; do
    p=$(sed -n "s/^  caller $caller ([0-9,]* bytes then): \([0-9]*\)% larger$/\1/p" "$work/callers.txt")
    if [ -z "$p" ] || [ -z "$all" ] || [ "$p" -le "$all" ]; then
      echo "FAIL no growth for caller $caller above every request's ($all%) in:"; cat "$work/callers.txt"
      failures=$((failures + 1)); continue
    fi
    echo "ok   caller $caller grows by $p% alone (every request: $all%)"
    run "$work/c.txt" replay --quiet --board host:64K --grow "$p" --caller "$caller" "$data/callers.trace"
    status "caller $caller grown by $p%" 0 $?
    expect "the report says whose" "the allocations and reallocations of caller $caller grown by $p% \(--grow\)" "$work/c.txt"
    run "$work/c.txt" replay --quiet --board host:64K --grow "$((p + 1))" --caller "$caller" "$data/callers.trace"
    status "caller $caller grown by $((p + 1))%" 3 $?
  done
  run "$work/c.txt" replay --quiet --board host:64K --caller 0xa "$data/callers.trace"
  status "--caller without --grow" 2 $?
  run "$work/c.txt" headroom --quiet --board host:64K --grow 5 --caller 0xa "$data/callers.trace"
  status "headroom refuses --grow --caller" 2 $?
}

# oom_case NAME ARGS...: the tool run with ARGS (paths absolute; outputs in the
# current directory), once with all the memory it asks for, then again with each
# of its allocation calls failing, first that call alone, then with every call
# after it too. A run passes when its status, output and files are those of the
# run with memory, or when it ends with status 1 or 2 and says that memory ran
# out; a crash, another status or another answer without that line fails.
oom_case() {
  local name=$1 lib=$CAPHEAP_FAIL_MALLOC dir=$work/oom/run ref=$work/oom/ref want calls n after rc bad=0
  shift
  rm -rf "$dir" "$ref" && mkdir -p "$dir"
  # The run with memory loads the library too, failing nothing: a 32-bit tool run by
  # QEMU's i386 emulator (scripts/i386-exec.sh) has the emulator's own loader refuse
  # the 32-bit library with a line of its own, which every run then shows alike.
  (cd "$dir" && COUNT_FD=9 LD_PRELOAD=$lib "$tool" "$@" 9>"$work/oom/calls" >out.txt 2>&1); want=$?
  mv "$dir" "$ref"
  calls=$(cat "$work/oom/calls")
  for n in $(seq 1 "$((calls + 1))"); do
    for after in 0 1; do
      rm -rf "$dir" && mkdir -p "$dir"
      (cd "$dir" && FAIL_AT=$n FAIL_AFTER=$after LD_PRELOAD=$lib "$tool" "$@" >out.txt 2>&1); rc=$?
      if [ "$rc" = "$want" ] && diff -r "$ref" "$dir" >/dev/null; then continue; fi
      if { [ "$rc" = 1 ] || [ "$rc" = 2 ]; } &&
         grep -Eq 'capheap: .*(out of memory|Cannot allocate memory)' "$dir/out.txt"; then continue; fi
      echo "FAIL out of memory, $name: call $n failing$([ "$after" = 1 ] && echo ' and every later one'):" \
           "exit $rc (with memory: $want), output:"
      cat "$dir/out.txt"
      bad=$((bad + 1))
    done
  done
  if [ "$bad" = 0 ]; then
    echo "ok   out of memory, $name: $calls calls, $((2 * calls + 2)) runs: each the answer with memory, or 'out of memory'"
  fi
  failures=$((failures + bad))
}

oom() {
  : "${CAPHEAP_FAIL_MALLOC:?the LD_PRELOAD library of tests/tool/fail_malloc.c}"
  local d
  d=$(cd "$data" && pwd)
  tool=$(cd "$(dirname "$tool")" && pwd)/$(basename "$tool")
  mkdir -p "$work/oom"
  oom_case "replay of an Android trace" replay --board host:1M "$d/android.txt"
  oom_case "replay of a gzip trace" replay --quiet --board host:1M "$d/android.txt.gz"
  oom_case "replay of an ESP-IDF dump" replay --board esp32 "$d/monitor_dump.txt"
  oom_case "replay on a board file" replay --board "$d/two_heaps.board" "$d/two_heaps.trace"
  oom_case "map, SVG and HTML" map --quiet --board "$d/odd_names.board" -o odd.svg -o odd.html "$d/attempt.trace"
  # Two heaps together, not all five: every order repeats the same allocations, and each
  # of them failing is two runs (all five: about 1,200 calls, past the test's time).
  oom_case "headroom" headroom --quiet --together 0,1 --board esp32 "$d/headroom.trace"
  oom_case "compare" compare --board host:64K,host:2M "$d/small.trace"
}

"$group"
echo "$group: $failures failed"
[ "$failures" -eq 0 ]
