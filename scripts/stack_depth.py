#!/usr/bin/env python3
"""Worst-case stack depth of functions, from GCC's call-graph files.

Usage: stack_depth.py [--via SITE=TARGET[+TARGET...]]... [--bind BINDER@SITE=TARGET[+TARGET...]]...
                      FUNCTION[,FUNCTION...] CALLER[,CALLER...] FILE.ci...

Reads the .ci files that gcc -fcallgraph-info=su writes (one per object: each
function defined there with its frame in bytes, and its calls), joins them into
one graph, and prints for each function named a Markdown table row:

  | function | bytes | deepest path (each function's frame) | callbacks |

bytes is the largest sum of frames along any chain of calls from the function
(the frames as GCC counts them, registers it saves included; a call adds no
bytes on Arm or RISC-V, whose return address is in a register). A function
that reaches a recursion, a frame of dynamic size, or no frame information
(a function outside the files, such as the C library's memcpy) is reported as
such: its figure then counts only what is known, and the row says what is not.
callbacks lists the functions whose indirect calls the function reaches: their
targets are not followed. The CALLERs named are those whose indirect calls
reach the application's own functions (its hooks and handlers, which the
library cannot know); an indirect call made anywhere else would make the
figure too small, and is an error, unless --via names the functions it can
reach (the library's own visitors that its walks and checks call through a
pointer): they are followed as calls, and the site is then an error no more
(a site that is also a CALLER is followed and still listed). A target not
defined in the files is not built and is left out. A static function is
named FILE:NAME, as GCC titles it (src/trace.c:emit).

--via counts a site as reaching every target it names, whoever called it: an
upper bound. --bind says which targets the site reaches below BINDER, the
function that passes them (multi_heap_dump passes dump_one_block to the walk
that calls it): on chains through BINDER the site reaches those only (the
binder nearest the site decides). Elsewhere the site falls back to --via. A
binder GCC inlined away is not in the graph and binds nothing: the figures
fall back to the upper bound, never below the truth; a part GCC split off a
binder (BINDER.part.0, .constprop, .isra, .cold) binds as the binder does.
A bound site must also have --via, its bound when no binder is on the chain.
Whether each binding says what the sources pass is the caller's to check
(stack-usage.sh does, with stack_visitors.py).

A last line says whether any function of the files reaches a recursion or a
frame of dynamic size. Exit status 1 when one does, or when a function named
is not defined in the files.
"""
import re
import sys

NODE = re.compile(r'^node: \{ title: "([^"]*)" label: "([^"]*)"')
# A call GCC wrote itself (a loop turned into memset, a tail call to a part
# it split off a function) has no label: its source location.
EDGE = re.compile(r'^edge: \{ sourcename: "([^"]*)" targetname: "([^"]*)"( label: "[^"]*")? \}')
FRAME = re.compile(r'\\n(\d+) bytes \(([a-z,]+)\)$')
INDIRECT = "__indirect_call"


def read_graph(paths):
    frames, kinds, calls, indirect = {}, {}, {}, {}
    for path in paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                m = NODE.match(line)
                if m:
                    frame = FRAME.search(m.group(2))
                    if frame:  # a function defined here (else only declared)
                        frames[m.group(1)] = int(frame.group(1))
                        kinds[m.group(1)] = frame.group(2)
                    continue
                m = EDGE.match(line)
                if m:
                    source, target, _ = m.groups()
                    if target == INDIRECT:
                        indirect.setdefault(source, set()).add(source)
                    else:
                        calls.setdefault(source, set()).add(target)
    return frames, kinds, calls, indirect


def resolve(frames, name):
    """A call names a function by its title: static ones as FILE:NAME, and so
    are weak definitions (a port's defaults), which calls from other files
    name by NAME alone: those resolve to the one definition so titled."""
    if name in frames:
        return name
    matches = [t for t in frames if t.endswith(":" + name)]
    return matches[0] if len(matches) == 1 else None


def clones(frames, name):
    """The parts GCC split off a function or specialised from it (NAME.part.0,
    NAME.constprop.0, FILE:NAME.isra.0): what they call, the function calls."""
    clone = re.compile(r"(.*:)?" + re.escape(name.rsplit(":", 1)[-1]) + r"\.(part|constprop|isra|cold)\.\d+$")
    return sorted(t for t in frames if clone.fullmatch(t) and (":" not in name or t.startswith(name + ".")))


def built(frames, targets):
    return frozenset(t for t in targets if resolve(frames, t) is not None)


class Depth:
    def __init__(self, graph, via, bind):
        self.frames, self.kinds, self.calls, self.indirect = graph
        self.via = {site: built(self.frames, t) for site, t in via.items() if site in self.indirect}
        self.bind = {}
        for binder, sites in bind.items():
            bound = {site: built(self.frames, t) for site, t in sites.items()}
            for title in [resolve(self.frames, binder)] + clones(self.frames, binder):
                if title is not None:
                    self.bind[title] = bound
        self.followed = set(via)
        self.memo = {}
        self.active = set()

    def callees(self, fn, ctx):
        """What fn calls: its direct calls, and what its indirect call reaches
        on this chain (ctx: the sites bound by the binders above)."""
        reached = dict(ctx).get(fn, self.via.get(fn)) if fn in self.indirect else None
        return sorted(self.calls.get(fn, set()) | (reached or frozenset()))

    def of(self, fn, ctx=frozenset()):
        """(bytes, path, unknown callees, callback sites, recursion, dynamic)."""
        if fn in self.bind:
            bound = dict(ctx)
            bound.update(self.bind[fn])
            ctx = frozenset(bound.items())
        key = (fn, ctx)
        if key in self.memo:
            return self.memo[key]
        if fn in self.active:
            return (0, [fn], set(), set(), True, False)
        self.active.add(fn)
        best = (0, [], set(), set(), False, False)
        unknown, callbacks = set(), set(self.indirect.get(fn, ()))
        recursion, dynamic = False, "dynamic" in self.kinds[fn] and "bounded" not in self.kinds[fn]
        for callee in self.callees(fn, ctx):
            target = resolve(self.frames, callee)
            if target is None:
                unknown.add(callee)
                continue
            sub = self.of(target, ctx)
            unknown |= sub[2]
            callbacks |= sub[3]
            recursion |= sub[4]
            dynamic |= sub[5]
            if sub[0] > best[0] or not best[1]:
                best = sub
        result = (self.frames[fn] + best[0], [fn] + best[1], unknown, callbacks, recursion, dynamic)
        self.active.discard(fn)
        self.memo[key] = result
        return result


def short(name):
    return name.rsplit(":", 1)[-1]


def read_lists(args):
    """The leading --via and --bind options of args: (via as {site: targets},
    bind as {binder: {site: targets}}, the arguments after them)."""
    via, bind = {}, {}
    while len(args) > 1 and args[0] in ("--via", "--bind"):
        where, _, targets = args[1].partition("=")
        if args[0] == "--via":
            via.setdefault(where, set()).update(targets.split("+"))
        else:
            binder, _, site = where.partition("@")
            bind.setdefault(binder, {}).setdefault(site, set()).update(targets.split("+"))
        args = args[2:]
    return via, bind, args


def main(argv):
    via, bind, rest = read_lists(argv[1:])
    argv = argv[:1] + rest
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    unfollowed = sorted({site for sites in bind.values() for site in sites} - set(via))
    if unfollowed:  # a chain through no binder would reach nothing there
        print(f"stack_depth: --bind of a site without --via: {', '.join(unfollowed)}", file=sys.stderr)
        return 2
    depth = Depth(read_graph(argv[3:]), via, bind)
    app_callers = set(argv[2].split(","))
    status = 0
    for fn in argv[1].split(","):
        if fn not in depth.frames:
            print(f"stack_depth: {fn} is not defined in the files read", file=sys.stderr)
            status = 1
            continue
        size, path, unknown, callbacks, recursion, dynamic = depth.of(fn)
        notes = []
        if recursion:
            notes.append("RECURSION")
            status = 1
        if dynamic:
            notes.append("DYNAMIC FRAME")
            status = 1
        if unknown:
            notes.append("not counted: " + ", ".join(sorted(short(u) for u in unknown)))
        internal = sorted(c for c in callbacks if c not in app_callers and c not in depth.followed)
        if internal:
            notes.append("INDIRECT CALLS NOT FOLLOWED in " + ", ".join(internal))
            status = 1
        sites = ", ".join(sorted(c.rsplit("/", 1)[-1] for c in callbacks if c not in depth.followed or c in app_callers))
        sites = sites or "none"
        figure = f"{size}" + (" + " + "; ".join(notes) if notes else "")
        chain = " > ".join(f"{short(p)} {depth.frames[p]}" for p in path)
        print(f"| `{fn}` | {figure} | {chain} | {sites} |")
    unbounded = sorted(short(f) for f in depth.frames if depth.of(f)[4] or depth.of(f)[5])
    if unbounded:
        print(f"\nRecursion or a frame of dynamic size reached from: {', '.join(unbounded)}")
        return 1
    print(f"\nNo function of the {len(depth.frames)} in these files recurses or has a frame of dynamic size.")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
