#!/usr/bin/env python3
"""Writes the committed seed corpora of fuzz/corpus/<target>/ (run from anywhere:
fuzz/make-corpus.py). The inputs follow the formats in fuzz/README.md; each
seed starts the fuzzer at one kind of operation or one edge of the heap, and
a few longer seeded-random sequences give it mixed states. Deterministic: the
same files every time. Reproducers of bugs live beside the seeds under names
starting with 'regress-' and are not touched here."""
import os
import random
import struct

HERE = os.path.dirname(os.path.abspath(__file__))

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
 C_ADD_BUFFER, C_ADD_RESERVED, C_MISUSE, C_QUERY, C_DRAIN, C_PREFER_MORE, C_WALK) = range(14)

# Caps bytes: bit i selects EXEC, 32BIT, 8BIT, DMA, INTERNAL, DEFAULT, SPIRAM, RTCRAM.
EXEC, B32, B8, DMA, INTERNAL, DEFAULT, SPIRAM, RTCRAM = (1 << i for i in range(8))


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
    s['fill-drain'] = b''.join(op(C_MALLOC, i, caps((B8, EXEC, DMA)[i % 3]), size(3000)) for i in range(48)) + op(C_DRAIN, 0)
    rng = random.Random(7)
    for n in range(4):
        s['random-%d' % n] = bytes(rng.randrange(256) for _ in range(rng.choice((150, 400, 1000))))
    return s


def write(target, seeds):
    d = os.path.join(HERE, 'corpus', target)
    os.makedirs(d, exist_ok=True)
    for name in os.listdir(d):
        if not name.startswith('regress-'):
            os.remove(os.path.join(d, name))
    for name, data in seeds.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)
    print('%s: %d seeds' % (target, len(seeds)))


if __name__ == '__main__':
    write('fuzz_multi_heap', mh_seeds())
    write('fuzz_heap_caps', hc_seeds())
