#!/usr/bin/env python3
"""Holds stack-usage.sh's visitor lists to the sources.

Usage: stack_visitors.py [--via SITE=TARGET[+TARGET...]]... [--bind BINDER@SITE=TARGET[+TARGET...]]... FILE.c...
(the options first, read as stack_depth.py reads them)

The library's walks and checks call a visitor through a pointer, which the
call graph cannot follow: stack_depth.py is told where each such call can go
(--via, and --bind for the function that passes the visitor; see there). A
wrong list makes the stack figures too small, so this reads the sources and
finds every call that passes one of the library's own functions to a walk or
a check, with the function the call is in (the binder). It fails, naming
what is wrong, when

  - a visitor passed is not among the --via targets of the sites it reaches;
  - a binder passes a visitor its --bind does not name for that site;
  - a --bind names a target that no call in the binder passes there (a
    binding left behind by a change would restrict the site to a visitor no
    longer passed).

A site is the function that makes the indirect call: what each walk or check
passes its visitor to is WALKS below. Static functions are named FILE:NAME,
as GCC titles them, and as --via and --bind name them.
"""
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from stack_depth import read_lists  # noqa: E402 (the same --via and --bind options)

# Each function that takes a visitor, and the sites where it is called.
WALKS = {
    "capheap_tlsf_walk": ["capheap_tlsf_walk"],
    "locked_walk": ["capheap_tlsf_walk"],
    "capheap_tlsf_check": ["capheap_tlsf_check", "src/tlsf.c:fail"],
    "capheap_poison_check_block": ["capheap_poison_check_block"],
    "multi_heap_walk": ["src/multi_heap_diag.c:walk_one_block"],
}
CALL = re.compile(r"\b(" + "|".join(WALKS) + r")\(([^;{]*)\)")
# A definition starts at column 0 (the project's style): its name is the
# last identifier before the first parenthesis of a line not ending in ';'.
DEFINITION = re.compile(r"^(static\s+)?[A-Za-z_][\w\s\*]*?\b(\w+)\(")
STATIC_FN = re.compile(r"^static\s+(?:inline\s+)?(?:bool|void)\s+(\w+)\(", re.M)


def passes(paths):
    """(binder, walk, visitor) of every call passing a static function."""
    found = []
    for path in paths:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        statics = set(STATIC_FN.findall(text))
        binder = None
        for line in text.splitlines():
            m = DEFINITION.match(line)
            if m and not line.rstrip().endswith(";"):
                binder = f"{path}:{m.group(2)}" if m.group(1) else m.group(2)
            for call in CALL.finditer(line):
                for arg in (a.strip() for a in call.group(2).split(",")):
                    if re.fullmatch(r"[a-z_]+", arg) and arg in statics:
                        found.append((binder, call.group(1), f"{path}:{arg}"))
    return found


def main(argv):
    via, binders, files = read_lists(argv[1:])
    bind = {(binder, site): targets for binder, sites in binders.items() for site, targets in sites.items()}
    if not files:
        print(__doc__, file=sys.stderr)
        return 2
    errors = []
    passed = {}
    for binder, walk, visitor in passes(files):
        for site in WALKS[walk]:
            passed.setdefault((binder, site), set()).add(visitor)
            if visitor not in via.get(site, ()):
                errors.append(f"{visitor} is passed to {walk} (in {binder}) but is not among --via {site}'s targets")
            if visitor not in bind.get((binder, site), ()):
                errors.append(f"{binder} passes {visitor} to {walk}: no --bind {binder}@{site} names it")
    for key, targets in sorted(bind.items()):
        for stale in sorted(targets - passed.get(key, set())):
            errors.append(f"--bind {key[0]}@{key[1]} names {stale}, which no call there passes")
    for error in errors:
        print(f"stack_visitors: {error}", file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
