#!/usr/bin/env python3
"""bench-plot.py VALUES SVG [CAPTION]: draws the main figures of `make bench` as one SVG.

Reads the "key value" lines that the bench-*.sh scripts recorded (VALUES,
build/bench/values.txt) and writes a picture with no dependency beyond Python:
  - instructions per malloc+free pair, churn and small, for every allocator and
    build measured in the run (shorter is better), with issue #7's -m32 targets;
  - capheap's payload / region figures (fill and overhead), with issue #7's
    targets marked (longer is better).
scripts/readme-figures.sh copies the SVG to docs/bench.svg, which README shows.
"""
import sys
from xml.sax.saxutils import escape

ALLOCATORS = ["capheap", "glibc", "jemalloc", "tcmalloc", "mimalloc", "bump"]
BUILDS = [("m32", "-m32"), ("m64", "64-bit")]
COLOURS = {"churn": "#3b6ea8", "small": "#e39b3b", "m32": "#3b6ea8", "m64": "#8fb3d9"}
REGION_FIGURES = [  # key suffix, label, issue #7 target (-m32) or None
    ("fill.{b}.capheap", "fill", 0.93),
    ("overhead.{b}.capheap.16@8192", "16 B @ 8 KiB", 0.78),
    ("overhead.{b}.capheap.100@8192", "100 B @ 8 KiB", 0.94),
    ("overhead.{b}.capheap.100@65536", "100 B @ 64 KiB", None),
]
PAIR_TARGETS = {"churn": 190, "small": 175}  # issue #7, capheap -m32
WIDTH, LABEL_W, BAR_H, ROW_GAP = 760, 200, 11, 8


def read_values(path):
    values = {}
    with open(path) as f:
        for line in f:
            parts = line.split()
            if len(parts) == 2:
                values[parts[0]] = parts[1]  # the last one of a key wins
    return values


def text(x, y, s, anchor="start", size=12, weight="normal"):
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
            f'font-weight="{weight}">{escape(s)}</text>')


def bar(x, y, w, colour, tip):
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{BAR_H}" fill="{colour}">'
            f'<title>{escape(tip)}</title></rect>')


def target_line(x, y0, y1, colour, tip):
    return (f'<line x1="{x:.1f}" y1="{y0:.1f}" x2="{x:.1f}" y2="{y1:.1f}" stroke="{colour}" stroke-width="2" '
            f'stroke-dasharray="4 3"><title>{escape(tip)}</title></line>')


def pair_panel(values, top):
    """Instructions per pair: one row per allocator and build, two bars each."""
    rows = [(a, b, lbl) for b, lbl in BUILDS for a in ALLOCATORS if f"pair.{b}.churn.{a}" in values]
    most = max(float(values[f"pair.{b}.{w}.{a}"]) for a, b, _ in rows for w in ("churn", "small"))
    scale = (WIDTH - LABEL_W - 60) / most
    out = [text(10, top, "Instructions per malloc+free pair (counted as callgrind does; shorter is better; dashed: target)",
                size=14, weight="bold")]
    y = top + 14
    for w, colour in (("churn", COLOURS["churn"]), ("small", COLOURS["small"])):
        out.append(f'<rect x="{LABEL_W + (0 if w == "churn" else 90)}" y="{y}" width="10" height="10" fill="{colour}"/>')
        out.append(text(LABEL_W + 14 + (0 if w == "churn" else 90), y + 9, w, size=11))
    y += 20
    m32_rows = [y, y]  # the targets are for -m32: their lines span those rows only
    for a, b, lbl in rows:
        if b == "m32":
            m32_rows[1] = y + 2 * BAR_H
        out.append(text(LABEL_W - 8, y + BAR_H + 4, f"{a} ({lbl})", anchor="end"))
        for w in ("churn", "small"):
            v = float(values[f"pair.{b}.{w}.{a}"])
            out.append(bar(LABEL_W, y, v * scale, COLOURS[w], f"{a} {lbl} {w}: {v}"))
            out.append(text(LABEL_W + v * scale + 4, y + BAR_H - 2, f"{v:g}", size=10))
            y += BAR_H
        y += ROW_GAP
    for w, goal in PAIR_TARGETS.items():
        out.append(target_line(LABEL_W + goal * scale, m32_rows[0] - 4, m32_rows[1] + 4, COLOURS[w],
                               f"issue #7 target, {w} -m32: {goal}"))
    return out, y


def region_panel(values, top):
    """capheap's payload / region, per build, with the -m32 targets as ticks."""
    scale = WIDTH - LABEL_W - 60
    out = [text(10, top, "capheap payload / region (longer is better; dashed: target, -m32)",
                size=14, weight="bold")]
    y = top + 14
    for b, lbl in BUILDS:
        out.append(f'<rect x="{LABEL_W + (0 if b == "m32" else 90)}" y="{y}" width="10" height="10" '
                   f'fill="{COLOURS[b]}"/>')
        out.append(text(LABEL_W + 14 + (0 if b == "m32" else 90), y + 9, lbl, size=11))
    y += 20
    for key, name, goal in REGION_FIGURES:
        out.append(text(LABEL_W - 8, y + BAR_H + 4, name, anchor="end"))
        top_of_row = y
        for b, lbl in BUILDS:
            if key.format(b=b) in values:
                v = float(values[key.format(b=b)])
                out.append(bar(LABEL_W, y, v * scale, COLOURS[b], f"{name} {lbl}: {v}"))
                out.append(text(LABEL_W + v * scale + 4, y + BAR_H - 2, f"{v:g}", size=10))
                y += BAR_H
        if goal is not None:
            x = LABEL_W + goal * scale
            out.append(target_line(x, top_of_row - 2, y + 2, "#c0392b", f"issue #7 target (-m32): {goal}"))
        y += ROW_GAP
    return out, y


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: bench-plot.py VALUES SVG [CAPTION]")
    values = read_values(sys.argv[1])
    pairs, y = pair_panel(values, 24)
    region, y = region_panel(values, y + 24)
    if len(sys.argv) == 4:
        region.append(text(10, y + 14, sys.argv[3], size=11))
        y += 20
    with open(sys.argv[2], "w") as f:
        f.write(f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{y + 10}" '
                f'font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n')
        f.write("\n".join(pairs + region))
        f.write("\n</svg>\n")


if __name__ == "__main__":
    main()
