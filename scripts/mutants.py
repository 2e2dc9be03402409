#!/usr/bin/env python3
"""mutants.py: the mutant generator and the report of scripts/mutants.sh.

  mutants.py list FILE... [--every K] [--offset O] [--limit N] [--compdb JSON]
      One mutant per line, tab-separated: id, file, line, function, operator,
      the original line and the mutated line (tabs in them as \\t). The same
      files give the same list: no randomness. --every K keeps every K-th
      mutant of each function, from the O-th: a sample that still touches
      every function that has a mutant. --compdb (a build's
      compile_commands.json) leaves out the lines of #if groups that the
      build does not compile: their mutants change nothing and would survive.
  mutants.py apply FILE LINE ORIGINAL MUTATED
      Replaces line LINE of FILE (1-based) by MUTATED; exits with 3, changing
      nothing, when the line is not ORIGINAL (the file changed since the list).
  mutants.py report RESULTS
      The Markdown report of a results file written by mutants.sh.

What is mutated: code lines only. Comments, string literals, preprocessor
lines (with their continuations), blank lines, and the lines of assertions
(CAPHEAP_ASSERT*, CAPHEAP_VERIFY*, assert, _Static_assert) are left alone: an assertion that
is wrong is not a behaviour of the library.
"""
import re
import sys

SKIP_LINE = re.compile(r'\b(CAPHEAP_ASSERT\w*|CAPHEAP_VERIFY\w*|assert|_Static_assert|static_assert)\s*\(')
# One token of the operators we swap, longest first so that `<=` is not seen as `<`.
TOKEN = re.compile(r'<<=|>>=|<<|>>|<=|>=|==|!=|->|&&|\|\||\+\+|--|\+=|-=|[<>!+\-]'
                   r'|\b0[xX][0-9a-fA-F]+[uUlL]*\b|\b[0-9]+[uUlL]*\b|[A-Za-z_]\w*|[)\]]|\S')
SWAP = {'<': '<=', '<=': '<', '>': '>=', '>=': '>', '==': '!=', '!=': '==',
        '&&': '||', '||': '&&', '+': '-', '-': '+', '+=': '-=', '-=': '+='}
KEYWORDS = {'return', 'if', 'while', 'for', 'else', 'case', 'sizeof', 'do', 'switch', 'goto', 'break',
            'continue', 'typedef', 'struct', 'enum', 'union', 'static', 'const', 'inline', 'unsigned',
            'signed', 'void', 'int', 'char', 'bool', 'size_t', 'uintptr_t', 'uint8_t', 'uint32_t',
            'volatile', 'register', 'extern'}
FUNC_START = re.compile(r'^(?:__attribute__\(\(\w+\)\)\s*)?[A-Za-z_][\w\s\*]*?\b([A-Za-z_]\w*)\s*\(')


def code_mask(lines):
    """Per line: the code part (comments and string contents blanked to spaces,
    so columns stay), or None for a line that must not be mutated."""
    out = []
    in_comment = False
    in_macro = False
    assert_depth = 0
    for raw in lines:
        line = raw.rstrip('\n')
        if in_macro or (not in_comment and line.lstrip().startswith('#')):
            in_macro = line.endswith('\\')
            out.append(None)
            continue
        code = []
        i = 0
        while i < len(line):
            c = line[i]
            if in_comment:
                if line.startswith('*/', i):
                    in_comment = False
                    code.append('  ')
                    i += 2
                    continue
                code.append(' ')
            elif line.startswith('/*', i):
                in_comment = True
                code.append('  ')
                i += 2
                continue
            elif line.startswith('//', i):
                code.append(' ' * (len(line) - i))
                break
            elif c in '"\'':
                j = i + 1
                while j < len(line) and line[j] != c:
                    j += 2 if line[j] == '\\' else 1
                code.append(c + ' ' * (j - i - 1) + (c if j < len(line) else ''))
                i = j + 1
                continue
            else:
                code.append(c)
            i += 1
        code = ''.join(code)
        if assert_depth == 0 and SKIP_LINE.search(code):
            assert_depth = code[SKIP_LINE.search(code).start():].count('(') - \
                code[SKIP_LINE.search(code).start():].count(')')
            out.append(None)
        elif assert_depth > 0:
            # The continuation of an assertion over several lines.
            assert_depth += code.count('(') - code.count(')')
            out.append(None)
        elif not code.strip():
            out.append(None)
        else:
            out.append(code)
    return out


def is_binary(prev):
    """A + or - after this token is binary (else unary: left alone)."""
    return prev is not None and (re.match(r'\w', prev) is not None and prev not in KEYWORDS or prev in ')]')


def int_mutants(tok):
    m = re.match(r'(0[xX][0-9a-fA-F]+|[0-9]+)([uUlL]*)$', tok)
    value = int(m.group(1), 0)
    fmt = (lambda v: hex(v)) if m.group(1)[:2].lower() == '0x' else str
    vals = [value + 1] + ([value - 1] if value > 0 else [])
    return [fmt(v) + m.group(2) for v in vals]


def line_mutants(line, code):
    """(operator, mutated line) for each mutant of one line."""
    muts = []
    toks = [(m.start(), m.group()) for m in TOKEN.finditer(code)]
    prev = None
    for idx, (pos, tok) in enumerate(toks):
        def put(op, new):
            muts.append((op, line[:pos] + new + line[pos + len(tok):]))
        if tok in ('<', '<=', '>', '>=', '==', '!='):
            # `<` of an #include or a cast to a template never happens in C code lines.
            put('relational', SWAP[tok])
        elif tok in ('&&', '||'):
            put('logical', SWAP[tok])
        elif tok in ('+', '-') and is_binary(prev):
            put('arithmetic', SWAP[tok])
        elif tok in ('+=', '-='):
            put('arithmetic', SWAP[tok])
        elif tok == '!':
            put('negation', '')
        elif re.match(r'[0-9]', tok):
            # Array sizes and bit-field widths would mostly not compile; an
            # index or a shift count is worth a try.
            for v in int_mutants(tok):
                put('constant', v)
        prev = tok
    stripped = code.strip()
    indent = line[:len(line) - len(line.lstrip())]
    # A whole statement on one line: an assignment or a call, not a declaration.
    if stripped.endswith(';') and stripped.count('(') == stripped.count(')') and '{' not in stripped:
        first = re.match(r'[A-Za-z_]\w*', stripped)
        is_decl = re.match(r'(?:const\s+|static\s+|volatile\s+)*[A-Za-z_]\w*(?:\s*\*)*\s+\**\s*[A-Za-z_]\w*\s*(?:=|;|\[)',
                           stripped)
        if first and first.group() not in KEYWORDS and not is_decl:
            if re.search(r'(?<![=!<>])=(?!=)|\+\+|--|\w\s*\(', stripped):
                muts.append(('statement', indent + ';'))
    m = re.match(r'return\s+(.*);$', stripped)
    # A returned condition: a comparison, a logical operator or a negation.
    if m and re.search(r'==|!=|<|>|&&|\|\||^!', m.group(1).replace('->', '.')):
        for v in ('true', 'false'):
            muts.append(('return', indent + 'return ' + v + ';'))
    return muts


def functions(code_lines):
    """The enclosing function name per line: a definition starts at column 0
    (the name is the last identifier before its first parenthesis) and its
    body ends with a `}` at column 0, or on the same line."""
    names = []
    current = '-'
    pending = None
    for code in code_lines:
        one_line = None
        if code is not None and code[:1].isalpha() or code is not None and code[:1] == '_':
            m = FUNC_START.match(code)
            if m and m.group(1) not in KEYWORDS and not code.startswith(('typedef', 'return')):
                pending = m.group(1)
            if pending and '{' in code:
                if code.rstrip().endswith('}'):
                    one_line, pending = pending, None
                else:
                    current, pending = pending, None
            if ';' in code and '{' not in code:
                pending = None
        names.append(one_line or current)
        if code is not None and code.startswith('}'):
            current = '-'
    return names


def generate(path, compdb=None):
    with open(path) as f:
        lines = f.read().split('\n')
    codes = code_mask(lines)
    funcs = functions(codes)
    active = compiled_lines(path, compdb) if compdb else None
    left_out = inactive_lines(lines, codes, active) if active is not None else set()
    seen = set()
    for n, (line, code) in enumerate(zip(lines, codes), 1):
        if code is None or n in left_out:
            continue
        for op, new in line_mutants(line, code):
            if new != line and (n, new) not in seen:
                seen.add((n, new))
                yield n, funcs[n - 1], op, line, new


# ---- what the build compiles ------------------------------------------------

CONDITIONAL = re.compile(r'\s*#\s*(if|ifdef|ifndef|elif|else|endif)\b')


def compiled_lines(path, compdb):
    """The line numbers of path that give tokens to the preprocessed output of
    its compile command in compdb, or None when the file has no entry."""
    import json
    import os
    import shlex
    import subprocess
    real = os.path.realpath(path)
    with open(compdb) as f:
        entry = next((e for e in json.load(f) if os.path.realpath(os.path.join(e['directory'], e['file'])) == real), None)
    if entry is None:
        return None
    argv = entry['arguments'] if 'arguments' in entry else shlex.split(entry['command'])
    cmd, skip = [], False
    for a in argv:  # the compile, preprocessing only: no object, no dependency file
        if skip:
            skip = False
        elif a in ('-o', '-MF', '-MT', '-MQ'):
            skip = True
        elif a not in ('-c', '-MD', '-MMD'):
            cmd.append(a)
    out = subprocess.run(cmd + ['-E', '-o', '-'], cwd=entry['directory'], capture_output=True, text=True, check=True)
    active, current, n = set(), None, 0
    for line in out.stdout.split('\n'):
        m = re.match(r'# (\d+) "(.*)"', line)
        if m:
            n, current = int(m.group(1)), os.path.realpath(os.path.join(entry['directory'], m.group(2)))
            continue
        if current == real and line.strip():
            active.add(n)
        n += 1
    return active


def inactive_lines(lines, codes, active):
    """The lines inside #if groups (a branch of an #if ... #endif) none of
    whose code lines gave tokens: groups the build leaves out. A group is
    judged by all its code lines, not line by line, as the expansion of a
    macro called over several lines sits on the call's first line."""
    stack, groups = [], {}
    for n, line in enumerate(lines, 1):
        m = CONDITIONAL.match(line)
        if m and m.group(1) in ('if', 'ifdef', 'ifndef'):
            stack.append([n])
        elif m and m.group(1) in ('elif', 'else') and stack:
            stack[-1].append(n)
        elif m and m.group(1) == 'endif' and stack:
            stack.pop()
        elif stack and codes[n - 1] is not None:
            key = tuple((g[0], len(g)) for g in stack)  # the innermost branch and those around it
            groups.setdefault(key, []).append(n)
    dropped = set()
    for key, members in groups.items():
        if not any(n in active for n in members):
            dropped.update(members)
    # A group inside a dropped one is dropped too, whatever its own lines say.
    for key, members in groups.items():
        if any(k in groups and set(groups[k]) <= dropped for k in (key[:i] for i in range(1, len(key)))):
            dropped.update(members)
    return dropped


def esc(s):
    return s.replace('\\', '\\\\').replace('\t', '\\t')


def cmd_list(args):
    every, offset, limit, compdb, files = 1, 0, None, None, []
    it = iter(args)
    for a in it:
        if a == '--compdb':
            compdb = next(it)
        elif a == '--every':
            every = int(next(it))
        elif a == '--offset':
            offset = int(next(it))
        elif a == '--limit':
            limit = int(next(it))
        else:
            files.append(a)
    count = 0
    for path in files:
        per_func = {}
        for n, func, op, old, new in generate(path, compdb):
            k = per_func.get(func, 0)
            per_func[func] = k + 1
            if k % every != offset % every:
                continue
            if limit is not None and count >= limit:
                return
            count += 1
            print('\t'.join([str(count), path, str(n), func, op, esc(old), esc(new)]))


def unesc(s):
    return re.sub(r'\\(.)', lambda m: '\t' if m.group(1) == 't' else m.group(1), s)


def cmd_apply(path, lineno, old, new):
    with open(path) as f:
        lines = f.read().split('\n')
    n = int(lineno) - 1
    if n >= len(lines) or lines[n] != unesc(old):
        return 3
    lines[n] = unesc(new)
    with open(path, 'w') as f:
        f.write('\n'.join(lines))
    return 0


def cmd_report(results):
    rows = []
    with open(results) as f:
        for line in f:
            parts = line.rstrip('\n').split('\t')
            if len(parts) >= 9:
                rows.append(parts)
    files = []
    for r in rows:
        if r[1] not in files:
            files.append(r[1])
    print('| file | mutants | did not compile | killed | (of them by timeout) | survived | score |')
    print('|---|---:|---:|---:|---:|---:|---:|')
    tot = [0, 0, 0, 0, 0]
    for path in files:
        mine = [r for r in rows if r[1] == path]
        nc = sum(r[7] == 'nocompile' for r in mine)
        k = sum(r[7] == 'killed' for r in mine)
        to = sum(r[7] == 'killed' and 'timeout' in r[8] for r in mine)
        s = sum(r[7] == 'survived' for r in mine)
        for i, v in enumerate((len(mine), nc, k, to, s)):
            tot[i] += v
        score = '%.1f%%' % (100.0 * k / (k + s)) if k + s else '-'
        print('| %s | %d | %d | %d | %d | %d | %s |' % (path, len(mine), nc, k, to, s, score))
    if len(files) > 1:
        score = '%.1f%%' % (100.0 * tot[2] / (tot[2] + tot[4])) if tot[2] + tot[4] else '-'
        print('| all | %d | %d | %d | %d | %d | %s |' % tuple(tot + [score]))
    print()
    print('Survivors:')
    print()
    print('| id | file:line | function | operator | original | mutated |')
    print('|---:|---|---|---|---|---|')
    for r in rows:
        if r[7] == 'survived':
            code = lambda s: '`' + unesc(s).replace('\t', ' ').strip().replace('|', '\\|') + '`'
            print('| %s | %s:%s | %s | %s | %s | %s |' % (r[0], r[1], r[2], r[3], r[4], code(r[5]), code(r[6])))


def main(argv):
    if len(argv) >= 2 and argv[1] == 'list':
        cmd_list(argv[2:])
    elif len(argv) == 6 and argv[1] == 'apply':
        return cmd_apply(*argv[2:])
    elif len(argv) == 3 and argv[1] == 'report':
        cmd_report(argv[2])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
