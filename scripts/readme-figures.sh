#!/usr/bin/env bash
# Rewrites the figures section of README.md (between the figures markers) from
# the files the measuring commands wrote, so that no figure is typed by hand:
#   make bench         -> build/bench/results.md and build/bench/bench.svg
#                         (copied to docs/bench.svg, which the section shows)
#   make size          -> build/size/size.md
#   make bench-target  -> build/bench-target/churn-cm3.txt, churn-lx106.txt, churn-rv32.txt
#                         and churn-cm0plus.txt
#   make run           -> build/run-report.txt (the main job's report; two parts of it
#                         also in docs/tool.md)
# Run those first, then: scripts/readme-figures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
bench="$BUILD/bench/results.md"
picture="$BUILD/bench/bench.svg"
size="$BUILD/size/size.md"
target="$BUILD/bench-target/churn-cm3.txt"
xtensa="$BUILD/bench-target/churn-lx106.txt"
riscv="$BUILD/bench-target/churn-rv32.txt"
armv6m="$BUILD/bench-target/churn-cm0plus.txt"
run="$BUILD/run-report.txt"
for f in "$bench" "$picture" "$size" "$target" "$xtensa" "$riscv" "$armv6m" "$run"; do
  [ -f "$f" ] || { echo "readme-figures: $f is missing: run its make target first" >&2; exit 1; }
done

section=$(mktemp)
{
  echo "<!-- figures:begin (scripts/readme-figures.sh writes this part) -->"
  echo "### Host: \`make bench\`"
  echo
  echo "![make bench: instructions per pair and payload / region](docs/bench.svg)"
  echo
  sed -e '1,/^$/d' -e 's/^### /#### /' "$bench"
  echo
  echo "### Code size: \`make size\`"
  echo
  sed -e '1d' -e 's/^### /#### /' "$size"
  echo
  echo "### Cortex-M3, per call: \`make bench-target\`"
  echo
  echo '```'
  cat "$target"
  echo '```'
  echo
  echo "### Xtensa lx106 (the ESP8266's core), per call: \`make bench-target\`"
  echo
  echo '```'
  cat "$xtensa"
  echo '```'
  echo
  echo "### RV32IMAC (the ESP32-C6's instruction set; the ESP32-C3's is RV32IMC), per call: \`make bench-target\`"
  echo
  echo '```'
  cat "$riscv"
  echo '```'
  echo
  echo "### ARMv6-M (the RP2040's Cortex-M0+), per call: \`make bench-target\`"
  echo
  echo '```'
  cat "$armv6m"
  echo '```'
  echo "<!-- figures:end -->"
} >"$section"

report=$(mktemp)
{
  echo "<!-- run-report:begin (scripts/readme-figures.sh writes this part) -->"
  echo '```'
  cat "$run"
  echo '```'
  echo "<!-- run-report:end -->"
} >"$report"

# replace_marked FILE NAME TEXT: the part of FILE between <!-- NAME:begin ...
# --> and <!-- NAME:end --> becomes the file TEXT, fenced as a code block.
replace_marked() {
  local file=$1 name=$2 text=$3
  [ -s "$text" ] || { echo "readme-figures: $run has no part for $name: a failed make run?" >&2; exit 1; }
  grep -q "^<!-- $name:begin" "$file" && grep -q "^<!-- $name:end -->" "$file" ||
    { echo "readme-figures: $file lacks the $name markers" >&2; exit 1; }
  awk -v name="$name" -v text="$text" '
    index($0, "<!-- " name ":begin") == 1 { print; print "```"; while ((getline line < text) > 0) print line; print "```"; skip = 1; next }
    index($0, "<!-- " name ":end -->") == 1 { skip = 0 }
    !skip { print }
  ' "$file" >"$file.new"
  mv "$file.new" "$file"
}

# docs/tool.md shows parts of make run's report: headroom's tables (each heap
# alone, the heaps together, every request grown), and compare.
part=$(mktemp)
awk '/^capheap headroom: /{on = 1} /^  \(bisection/{on = 0} on' "$run" >"$part"
replace_marked docs/tool.md tool-headroom "$part"
awk '/^Bytes the heaps can lose all at once/{on = 1} on; /^  checked with a board file cut by both/{on = 0}' "$run" >"$part"
replace_marked docs/tool.md tool-together "$part"
awk '/^How much larger every request can be/{on = 1} /^$/{on = 0} on' "$run" >"$part"
replace_marked docs/tool.md tool-growth "$part"
awk '/^capheap compare: /{on = 1} on' "$run" >"$part"
replace_marked docs/tool.md tool-compare "$part"
rm -f "$part"

# Replaces each marked part of README.md with its new text.
awk -v section="$section" -v report="$report" '
  /<!-- figures:begin/ { while ((getline line < section) > 0) print line; skip = 1; next }
  /<!-- figures:end -->/ { skip = 0; next }
  /<!-- run-report:begin/ { while ((getline line < report) > 0) print line; skip = 1; next }
  /<!-- run-report:end -->/ { skip = 0; next }
  !skip { print }
' README.md >README.md.new
mv README.md.new README.md
cp "$picture" docs/bench.svg
rm -f "$section" "$report"
echo "readme-figures: README.md, docs/tool.md and docs/bench.svg updated from $bench, $picture, $size, $target, $xtensa, $riscv, $armv6m and $run"
