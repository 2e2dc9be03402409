#!/usr/bin/env python3
"""Writes the committed seed corpora of fuzz/corpus/<target>/ (run from anywhere:
fuzz/make-corpus.py). The inputs follow the formats in fuzz/README.md; each
seed starts the fuzzer at one kind of operation or one edge of the heap, and
a few longer seeded-random sequences give it mixed states. Deterministic: the
same files every time. Reproducers of bugs live beside the seeds under names
starting with 'regress-' and are not touched here.

fuzz_tool_inputs also takes seeds from outside fuzz/: the tool's test data
(tests/tool/data), pieces of a few KiB of the real traces in
$CAPHEAP_TRACES (default ../shared/traces beside the repository), and the
built-in boards as board files written by the tool ($CAPHEAP_TOOL, default
build/default/tools/capheap). When the traces or the tool are not there,
the seeds made from them are left as they are."""
import gzip
import os
import random
import struct
import subprocess

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# ---- fuzz_multi_heap ---------------------------------------------------------

MALLOC, CALLOC, REALLOC, NUDGE, ALIGNED, ALIGNED_OFFS, FREE, QUERY, WATERMARK, MISUSE, DRAIN = range(11)


def header(region_code=0, skew=0):
    """region_code 0..65535 maps to 8 KiB .. the target's ceiling."""
    return struct.pack('<HB', region_code, skew)


def size(n):
    """The shortest encoding of a request of n bytes (1 <= n <= 8192)."""
    if 1 <= n <= 64:
        return bytes([n - 1])
    if n <= 1024:
        return bytes([0x40 | (n - 1) >> 8, (n - 1) & 0xFF])
    return bytes([0x80]) + struct.pack('<H', n - 1)


def edge(k):
    """0xFF then k: k%4 = 0 size 0, 1 near SIZE_MAX, 2 exactly the largest free block, 3 just above."""
    return bytes([0xFF, k])


def op(code, slot, *args):
    return bytes([code, slot]) + b''.join(args)


def mh_seeds():
    s = {}
    s['empty'] = b''
    s['header-only-1m'] = header(0xFFFF, 3)
    s['malloc-free'] = header() + op(MALLOC, 0, size(24)) + op(FREE, 0, b'\0')
    s['calloc'] = header() + op(CALLOC, 1, b'\x07', size(100))
    s['realloc-grow-shrink'] = (header(2000) + op(MALLOC, 0, size(40)) + op(MALLOC, 1, size(40)) +
                                op(REALLOC, 0, size(900)) + op(REALLOC, 0, size(16)) + op(REALLOC, 1, size(4000)))
    s['nudge-in-place'] = (header() + op(MALLOC, 0, size(64)) + op(NUDGE, 0, b'\x04') +
                           op(NUDGE, 0, b'\xfc') + op(NUDGE, 0, b'\x00'))
    s['realloc-to-zero'] = header() + op(MALLOC, 3, size(10)) + op(REALLOC, 3, edge(0))
    for a in (4, 6, 9, 12):
        s['aligned-%d' % (1 << a)] = header(500) + op(MALLOC, 0, size(8)) + op(ALIGNED, 1, size(100), bytes([a]))
    s['aligned-bad-alignment'] = header() + op(ALIGNED, 0, size(32), b'\xf3')
    s['aligned-offs'] = (header(800) + op(ALIGNED_OFFS, 0, size(50), b'\x08', b'\x03') +
                         op(ALIGNED_OFFS, 1, size(50), b'\x06', b'\x85'))
    s['largest-exact'] = header(100, 5) + op(MALLOC, 0, size(300)) + op(MALLOC, 1, edge(2)) + op(MALLOC, 2, edge(3))
    s['huge-sizes'] = header() + op(MALLOC, 0, edge(1)) + op(REALLOC, 1, edge(0x41)) + op(CALLOC, 2, b'\x1f', edge(1))
    s['query'] = header() + op(MALLOC, 0, size(200)) + op(MALLOC, 1, size(20)) + op(FREE, 0, b'\0') + op(QUERY, 1, b'\x33\x01')
    s['watermark'] = (header() + op(MALLOC, 0, size(3000)) + op(FREE, 0, b'\0') + op(WATERMARK, 0, b'\x01') +
                      op(WATERMARK, 0, b'\x00', struct.pack('<I', 5000)))
    for kind, name in enumerate(('double-free', 'misaligned', 'foreign', 'interior')):
        for call in range(0, 5, 2):
            s['misuse-%s-%d' % (name, call)] = (header() + op(MALLOC, 2, size(48)) + op(MALLOC, 3, size(48)) +
                                                op(MISUSE, 2, bytes([kind, 5, call])))
    s['fill-then-drain'] = header() + b''.join(op(MALLOC, i, size(120)) for i in range(64)) + op(DRAIN, 0)
    s['checkerboard'] = (header(300) + b''.join(op(MALLOC, i, size(16 + 8 * (i % 5))) for i in range(40)) +
                         b''.join(op(FREE, i, b'\0') for i in range(0, 40, 2)) +
                         b''.join(op(REALLOC, i, size(30)) for i in range(1, 40, 4)))
    rng = random.Random(6)
    for n in range(4):
        s['random-%d' % n] = header(rng.randrange(65536), rng.randrange(16)) + bytes(
            rng.randrange(256) for _ in range(rng.choice((200, 600, 1500))))
    return s


# ---- fuzz_heap_caps ------------------------------------------------------------

(C_MALLOC, C_CALLOC, C_REALLOC, C_ALIGNED, C_ALIGNED_CALLOC, C_PREFER, C_FREE,
 C_ADD_BUFFER, C_ADD_RESERVED, C_MISUSE, C_QUERY, C_DRAIN, C_PREFER_MORE, C_WALK, C_NEST) = range(15)

# Caps bytes: bit i selects EXEC, 32BIT, 8BIT, DMA, INTERNAL, DEFAULT, SPIRAM, RTCRAM.
EXEC, B32, B8, DMA, INTERNAL, DEFAULT, SPIRAM, RTCRAM = (1 << i for i in range(8))
# Masks of esp_heap_caps.h, for raw_caps.
MALLOC_CAP_EXEC, MALLOC_CAP_32BIT, MALLOC_CAP_8BIT = 1 << 0, 1 << 1, 1 << 2
MALLOC_CAP_PID2, MALLOC_CAP_PID3 = 1 << 4, 1 << 5


def caps(c):
    return bytes([c])


def raw_caps(v):
    return b'\xff' + struct.pack('<I', v)


def hc_seeds():
    s = {}
    s['empty'] = b''
    for name, c in (('8bit', B8), ('default', B8 | DEFAULT), ('32bit', B32), ('exec', EXEC), ('dma', DMA | B8),
                    ('internal', INTERNAL), ('spiram', SPIRAM), ('exec-8bit', EXEC | B8)):
        s['malloc-' + name] = op(C_MALLOC, 0, caps(c), size(100)) + op(C_QUERY, 0) + op(C_FREE, 0, b'\0')
    s['malloc-invalid'] = op(C_MALLOC, 0, raw_caps(0x80000000), size(8))
    s['calloc'] = op(C_CALLOC, 1, b'\x05', caps(B8), size(300))
    s['exec-realloc-out-of-window'] = (op(C_MALLOC, 0, caps(EXEC), size(200)) + op(C_MALLOC, 1, caps(EXEC), size(40)) +
                                       op(C_REALLOC, 0, caps(B8 | DEFAULT), size(100)) +
                                       op(C_REALLOC, 1, caps(EXEC | B32), size(3000)))
    s['walk'] = (op(C_MALLOC, 0, caps(EXEC), size(100)) + op(C_MALLOC, 1, caps(B8), size(10)) +
                 op(C_ADD_RESERVED, 0, b'\x03') + op(C_MALLOC, 2, caps(EXEC), size(200)) + op(C_WALK, 0))
    s['realloc-caps-0'] = op(C_MALLOC, 0, caps(B8), size(64)) + op(C_REALLOC, 0, caps(0), size(32))
    s['aligned'] = op(C_ALIGNED, 0, b'\x06', caps(B8), size(50)) + op(C_ALIGNED, 1, b'\x09', caps(EXEC), size(50))
    s['aligned-calloc'] = op(C_ALIGNED_CALLOC, 2, b'\x05', b'\x03', caps(DMA), size(90))
    s['prefer'] = op(C_PREFER, 0, caps(SPIRAM), caps(B8 | INTERNAL), size(500))
    s['prefer-calloc-realloc'] = (op(C_PREFER_MORE, 0, b'\x03', caps(SPIRAM), caps(B8), size(70)) +
                                  op(C_PREFER_MORE, 0, b'\0', caps(EXEC), caps(DMA), size(900)))
    s['largest-exact'] = op(C_MALLOC, 0, caps(B8), edge(2)) + op(C_MALLOC, 1, caps(EXEC), edge(3))
    for n, c in enumerate((B8 | DEFAULT, EXEC | B32, DMA | B8 | INTERNAL)):
        buf = op(C_ADD_BUFFER, n, struct.pack('<H', 4000 + 3000 * n), bytes([n]), caps(c), caps(0), caps(B32), b'\0')
        s['add-buffer-%d' % n] = buf + op(C_MALLOC, 0, caps(c), size(1000)) + op(C_ADD_BUFFER, n, b'\0\0\0\0\0\0\x85')
    for i in range(6):
        s['add-reserved-%d' % i] = (op(C_ADD_RESERVED, 0, bytes([i])) + op(C_MALLOC, 0, caps(EXEC), size(300)) +
                                    op(C_ADD_RESERVED, 0, bytes([i])))
    for kind in range(3):
        s['misuse-%d' % kind] = op(C_MALLOC, 4, caps(EXEC), size(24)) + op(C_MISUSE, 4, bytes([kind, kind]))
    # An allocation made a heap (its own caps: PID2), blocks from it, one inside
    # one of them, and the same in D/IRAM through an EXEC block as large as
    # its largest free block (refused: those are window addresses).
    pid2 = raw_caps(MALLOC_CAP_PID2 | MALLOC_CAP_8BIT)
    s['nest'] = (op(C_MALLOC, 0, caps(B8 | INTERNAL), size(4000)) + op(C_NEST, 0, b'\x08\x10', pid2, caps(0), caps(0)) +
                 op(C_MALLOC, 1, pid2, size(500)) + op(C_FREE, 0, b'\0') + op(C_WALK, 0) + op(C_DRAIN, 0))
    s['nest-inner'] = (op(C_MALLOC, 0, caps(B8 | INTERNAL), size(6000)) + op(C_NEST, 0, b'\0\0', pid2, caps(0), caps(0)) +
                       op(C_MALLOC, 1, pid2, size(2000)) + op(C_NEST, 1, b'\0\0', caps(B8), caps(0), caps(0)) +
                       op(C_MALLOC, 2, caps(B8), size(100)) + op(C_QUERY, 2) + op(C_DRAIN, 0))
    s['nest-window'] = op(C_MALLOC, 0, caps(EXEC), edge(2)) + op(C_NEST, 0, b'\0\0', caps(B8), caps(0), caps(0))
    # The largest free 8BIT blocks: DRAM's, then D/IRAM's at its data address,
    # which becomes a heap seen through D/IRAM's window (EXEC blocks from it).
    pid2_exec = raw_caps(MALLOC_CAP_PID2 | MALLOC_CAP_EXEC | MALLOC_CAP_32BIT)
    s['nest-diram'] = (op(C_MALLOC, 0, caps(B8 | INTERNAL), edge(2)) + op(C_MALLOC, 1, caps(B8 | INTERNAL), edge(2)) +
                       op(C_NEST, 1, b'\x10\x10', pid2_exec, caps(0), caps(0)) +
                       op(C_MALLOC, 2, raw_caps(MALLOC_CAP_PID2 | MALLOC_CAP_EXEC), size(500)) +
                       op(C_MALLOC, 3, caps(EXEC), size(300)) + op(C_FREE, 2, b'\0') + op(C_WALK, 0) + op(C_DRAIN, 0))
    # The same, then a heap inside a data-bus block of that heap (through the
    # window too), and an EXEC block of it reallocated.
    pid3_exec = raw_caps(MALLOC_CAP_PID3 | MALLOC_CAP_EXEC | MALLOC_CAP_32BIT)
    s['nest-diram-inner'] = (op(C_MALLOC, 0, caps(B8 | INTERNAL), edge(2)) +
                             op(C_MALLOC, 1, caps(B8 | INTERNAL), edge(2)) +
                             op(C_NEST, 1, b'\0\0', pid2_exec, caps(0), caps(0)) +
                             op(C_MALLOC, 2, raw_caps(MALLOC_CAP_PID2 | MALLOC_CAP_32BIT), size(3000)) +
                             op(C_NEST, 2, b'\x04\x04', pid3_exec, caps(0), caps(0)) +
                             op(C_MALLOC, 3, raw_caps(MALLOC_CAP_PID3 | MALLOC_CAP_EXEC), size(200)) +
                             op(C_REALLOC, 3, raw_caps(MALLOC_CAP_PID3 | MALLOC_CAP_EXEC), size(400)) +
                             op(C_MALLOC, 4, caps(EXEC), size(300)) + op(C_WALK, 0) + op(C_DRAIN, 0))
    s['fill-drain'] = b''.join(op(C_MALLOC, i, caps((B8, EXEC, DMA)[i % 3]), size(3000)) for i in range(48)) + op(C_DRAIN, 0)
    rng = random.Random(7)
    for n in range(4):
        s['random-%d' % n] = bytes(rng.randrange(256) for _ in range(rng.choice((150, 400, 1000))))
    return s


# ---- fuzz_tool_inputs -----------------------------------------------------------

# The selector byte: what the rest is (+ GZIP: the harness compresses the trace).
BOARD_FILE, AUTO, CAPHEAP, ESPIDF, ANDROID = range(5)
GZIP = 0x80
TOOL_DATA = os.path.join(ROOT, 'tests', 'tool', 'data')
TRACES = os.environ.get('CAPHEAP_TRACES', os.path.join(ROOT, '..', 'shared', 'traces'))
TOOL = os.environ.get('CAPHEAP_TOOL', os.path.join(ROOT, 'build', 'default', 'tools', 'capheap'))
# Seeds made from what may be missing: kept when it is.
TRACE_PIECE, BUILTIN_BOARD = 'trace-piece-', 'board-builtin-'
PIECE_BYTES = 3000


def tool_data(name):
    with open(os.path.join(TOOL_DATA, name), 'rb') as f:
        return f.read()


def seed(selector, text):
    return bytes([selector]) + (text.encode() if isinstance(text, str) else text)


def test_data_seeds(s):
    """Every file of the tool's tests, as the formats it is in (auto-detected too)."""
    as_kinds = {'.board': (BOARD_FILE,), '.trace': (AUTO, CAPHEAP), 'dump.txt': (AUTO, ESPIDF),
                'android.txt': (AUTO, ANDROID, ANDROID | GZIP), 'too_big.txt': (ANDROID,), '.gz': (AUTO,)}
    for name in sorted(os.listdir(TOOL_DATA)):
        kinds = next((k for end, k in as_kinds.items() if name.endswith(end)), None)
        for kind in kinds or ():
            s['data-%s-%02x' % (name, kind)] = seed(kind, tool_data(name))
    s['data-paper-board-and-trace'] = seed(BOARD_FILE, tool_data('paper.board') + b'\0' + tool_data('paper.trace'))


# Board files that reach each entry and option, and instruction-bus windows
# of both kinds, one beside the other.
BOARDS = {
    'board-every-entry': """# every kind of entry
board "every entry"
type DRAM 8BIT|DEFAULT|INTERNAL|DMA 32BIT 0
type IRAM EXEC|32BIT|INTERNAL 0 0
type PSRAM SPIRAM|8BIT|DEFAULT 0 0
type "RTC FAST" RTCRAM 8BIT|32BIT 0x0
region 0x3FFB0000 128K DRAM startup-stack
region 0x3FFD0000 0x10000 DRAM
region 0x40080000 64K IRAM
region 0x3F800000 4M PSRAM
region 0x50000000 8192 "RTC FAST"
reserved 0x3FFB0000 0x3FFB4000 .data and .bss
reserved 0x3FFD8000 0x3FFD8400 "  ROM work area  "
extmem 16K
""",
    'board-inverted-window': """board diram
type D/IRAM 8BIT|DEFAULT|INTERNAL|DMA 32BIT EXEC|32BIT|INTERNAL
region 0x3FFE0000 0x20000 D/IRAM alias inverted 0x400A0000 startup-stack
""",
    'board-linear-window': """board s3-like
type RAM 8BIT|DEFAULT|INTERNAL|DMA EXEC|32BIT 0
region 0x3FC88000 0x58000 RAM alias linear 0x40378000
reserved 0x3FC88000 0x3FC90000 "data"
""",
    'board-two-windows': """board two
type A 8BIT EXEC|32BIT 0
region 0x20000000 16K A alias linear 0x30000000
region 0x20004000 16K A alias linear 0x30004000
region 0x20010000 16K A alias inverted 0x30010000
""",
}

CAPHEAP_TRACES = {
    'capheap-every-field': """# capheap trace: every field
alloc 0x1000 100 DEFAULT caller=0x400d1000 thread=1
alloc 0x2000 200 MALLOC_CAP_8BIT|MALLOC_CAP_DMA align=32 thread=2
realloc 0x3000 0x1000 400 0x1804 caller=0x400d2000
realloc 0x0 0x2000 100000 DMA
realloc 0x0 0x3000 0 DEFAULT
alloc 0x0 500 EXEC
alloc 0x4000 64 EXEC|32BIT
free 0x4000 thread=1
free 0x0
free 0x9999
alloc 0x5000 0 SPIRAM
alloc 0x5000 24 INTERNAL
""",
    'capheap-realloc-chain': ''.join('realloc 0x%x 0x%x %d 8BIT\n' % (0x100 * (i + 1), 0x100 * i, 16 << (i % 9))
                                     for i in range(40)),
    # more caps masks than the report keeps apart, more threads than the first table holds
    'capheap-many-masks': ''.join('alloc 0x%x 8 0x%x\n' % (i + 1, i + 1) for i in range(70)),
    'capheap-many-threads': ''.join('alloc 0x%x 8 8BIT thread=%d\n' % (i + 1, i + 1) for i in range(40)),
}

# Texts the seed itself gives gzip-compressed (mtime 0: the same bytes every
# time): more live names than the reader's first table holds (under 4 KiB
# compressed), and a line longer than the reader's buffer.
GZIP_TEXTS = {
    'gzip-many-live-names': ''.join('alloc %x 8 0\n' % (i + 1) for i in range(1700)),
    'gzip-long-line': 'alloc ' + '1' * 5000 + ' 8 8BIT\n',
}

DUMPS = {
    'dump-esp-idf-5': """I (312) heap_trace: Tracing heap
====== Heap Trace: 4 records (100 capacity) ======
    64 bytes (@ 0x3ffb4000, Internal) allocated CPU 0 ccount 0x00010000 caller 0x400d1000:0x400d2000
0x400d1000: app_main at /main/main.c:12
    freed by 0x400d3000:0x400d4000
    4096 bytes (@ 0x3f800000, PSRAM) allocated CPU 1 ccount 0x00020000 caller 0x400d1100
    32 bytes (@ 0x40090000, Internal) allocated CPU 0 ccount 0x00030000 caller 0x400d1200
    freed by 0x400d3100
    80 bytes (@ 0x3ffb4000, Internal) allocated CPU 0 ccount 0x00040000 caller
====== Heap Trace Summary ======
Mode: Heap Trace All
4176 bytes alive in trace (2/4 allocations)
records: 4 (100 capacity, 4 high water mark)
total allocations: 4
total frees: 2
================================
""",
    'dump-esp-idf-4': """Heap trace
    100 bytes (@ 0x3ffb1000) allocated CPU 0 ccount 0x1 caller 0x400d1111
    200 bytes (@ 0x3ffb2000) allocated CPU 0 ccount 0x2 caller 0x400d1111
    freed by 0x400d3333
156 bytes 'leaked' in trace (2 allocations)
""",
}


def piece(path, skip_lines):
    """Whole lines, about PIECE_BYTES of them, after skip_lines lines of the gzip trace at path."""
    out, size = [], 0
    with gzip.open(path, 'rt') as f:
        for n, line in enumerate(f):
            if n < skip_lines:
                continue
            if size + len(line) > PIECE_BYTES:
                break
            out.append(line)
            size += len(line)
    return ''.join(out)


def trace_piece_seeds(s):
    """The beginning and a stretch from the middle (frees of blocks it never saw) of each real trace."""
    if not os.path.isdir(TRACES):
        print('fuzz_tool_inputs: no %s: the %s* seeds are kept as they are' % (TRACES, TRACE_PIECE))
        return False
    for name in sorted(os.listdir(TRACES)):
        if name.endswith('.txt.gz'):
            short = name[:-len('.txt.gz')]
            for skip in (0, 200000):
                text = piece(os.path.join(TRACES, name), skip)
                s['%s%s-%d' % (TRACE_PIECE, short, skip)] = seed(AUTO, text)
                s['%s%s-%d-gzip' % (TRACE_PIECE, short, skip)] = seed(ANDROID | GZIP, text)
    return True


def builtin_board_seeds(s):
    """Each built-in board as the tool writes it (capheap board-file)."""
    if not os.access(TOOL, os.X_OK):
        print('fuzz_tool_inputs: no tool at %s: the %s* seeds are kept as they are' % (TOOL, BUILTIN_BOARD))
        return False
    boards = subprocess.run([TOOL, 'boards'], check=True, capture_output=True, text=True).stdout.split('\n')
    for line in boards:
        words = line.split()
        if len(words) > 1 and words[1].isdigit():
            text = subprocess.run([TOOL, 'board-file', '--board', words[0]], check=True, capture_output=True).stdout
            s[BUILTIN_BOARD + words[0]] = seed(BOARD_FILE, text)
    return True


def ti_seeds():
    s = {'empty': b''}
    test_data_seeds(s)
    for name, text in BOARDS.items():
        s[name] = seed(BOARD_FILE, text)
    s['board-with-its-trace'] = seed(BOARD_FILE, BOARDS['board-inverted-window'] + '\0' +
                                     CAPHEAP_TRACES['capheap-every-field'])
    for name, text in CAPHEAP_TRACES.items():
        s[name] = seed(CAPHEAP, text)
        s[name + '-gzip'] = seed(AUTO | GZIP, text)
    for name, text in GZIP_TEXTS.items():
        s[name] = seed(AUTO, gzip.compress(text.encode(), 9, mtime=0))
    for name, text in DUMPS.items():
        s[name] = seed(AUTO, text)
        s[name + '-forced'] = seed(ESPIDF | GZIP, text)
    keep = []
    if not trace_piece_seeds(s):
        keep.append(TRACE_PIECE)
    if not builtin_board_seeds(s):
        keep.append(BUILTIN_BOARD)
    return s, keep


def write(target, seeds, keep=()):
    """Replaces the seeds of target's corpus, but for regress-* and names starting with one of keep."""
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        if not name.startswith('regress-') and not name.startswith(tuple(keep)):
            os.remove(os.path.join(d, name))
    for name, data in seeds.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)
    print('%s: %d seeds' % (target, len(seeds)))


if __name__ == '__main__':
    write('fuzz_multi_heap', mh_seeds())
    write('fuzz_heap_caps', hc_seeds())
    write('fuzz_tool_inputs', *ti_seeds())
