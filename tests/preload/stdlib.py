"""Python's standard library on the preload library (PYTHONMALLOC=malloc makes
every object a malloc block). Deterministic output: fixed seeds, sorted keys,
no times or addresses."""
import bisect
import collections
import csv
import decimal
import difflib
import fractions
import gc
import hashlib
import heapq
import io
import itertools
import json
import pickle
import random
import re
import sqlite3
import struct
import subprocess
import sys
import textwrap
import threading
import zlib


def section(name, value):
    print(f"{name}: {value}")


rng = random.Random(1234)

# containers that grow, shrink and cycle
d = {f"key{i}": [i] * (i % 17) for i in range(30000)}
for i in range(0, 30000, 3):
    del d[f"key{i}"]
section("dict", (len(d), sum(map(len, d.values()))))
lst = [rng.random() for _ in range(50000)]
lst.sort()
section("list", (len(lst), round(lst[25000], 6), bisect.bisect(lst, 0.5)))
counter = collections.Counter(rng.choice("abcdefghij") for _ in range(40000))
section("counter", sorted(counter.items()))
dq = collections.deque(maxlen=1000)
for i in range(100000):
    dq.append(str(i))
section("deque", (len(dq), dq[0], dq[-1]))


class Node:
    def __init__(self, value):
        self.value = value
        self.peer = None


cycles = [Node(i) for i in range(20000)]
for a, b in zip(cycles, cycles[1:] + cycles[:1]):
    a.peer = b
del cycles, a, b
section("gc", gc.collect() > 0)

# text: json, re, csv, textwrap, difflib
doc = {"items": [{"id": i, "name": f"n{i}", "tags": list(range(i % 9)), "x": i / 7}
                 for i in range(8000)]}
text = json.dumps(doc, sort_keys=True)
back = json.loads(text)
section("json", (len(text), back["items"][777]["name"], back == doc))
words = re.findall(r"[a-z]+\d*", text)
section("re", (len(words), re.sub(r"(\d)(\d)", r"\2\1", text[:80])))
buf = io.StringIO()
writer = csv.writer(buf)
for i in range(5000):
    writer.writerow([i, f"name {i}", i * 1.5, "a,b" if i % 2 else "plain"])
rows = list(csv.reader(io.StringIO(buf.getvalue())))
section("csv", (len(rows), rows[4321]))
para = " ".join(f"word{i % 97}" for i in range(4000))
section("textwrap", len(textwrap.wrap(para, width=61)))
old = [f"line {i}\n" for i in range(2000)]
new = [line for i, line in enumerate(old) if i % 13] + ["tail\n"]
section("difflib", sum(1 for _ in difflib.unified_diff(old, new)))

# numbers and bytes
section("bigint", hashlib.sha256((3 ** 20000 * 7 ** 9000).to_bytes(8000, "little")).hexdigest()[:16])
decimal.getcontext().prec = 60
section("decimal", str(sum(decimal.Decimal(1) / decimal.Decimal(i) for i in range(1, 3000)))[:40])
section("fractions", sum(fractions.Fraction(1, i * i) for i in range(1, 400)).denominator % 1000003)
blob = b"".join(struct.pack("<iqd", i, i * i, i / 3) for i in range(30000))
packed = zlib.compress(blob, 6)
section("zlib", (len(blob), zlib.decompress(packed) == blob, zlib.crc32(packed)))
section("pickle", pickle.loads(pickle.dumps(doc, protocol=5)) == doc)
heap = [rng.randrange(10 ** 6) for _ in range(30000)]
heapq.heapify(heap)
section("heapq", [heapq.heappop(heap) for _ in range(5)])
section("itertools", sum(1 for _ in itertools.combinations(range(40), 3)))

# the sqlite3 module (libsqlite3 inside python)
db = sqlite3.connect(":memory:")
db.execute("CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT)")
db.executemany("INSERT INTO t VALUES (?, ?)", ((i, "v" * (i % 50)) for i in range(20000)))
db.execute("DELETE FROM t WHERE k % 3 = 0")
section("sqlite3", db.execute("SELECT count(*), sum(length(v)) FROM t").fetchone())
db.close()


# threads allocating at once (one heap, its lock)
def worker(seed, out):
    r = random.Random(seed)
    data = []
    for i in range(20000):
        data.append({"i": i, "s": "x" * r.randrange(1, 64)})
        if len(data) > 500:
            data = data[250:]
    out[seed] = sum(len(item["s"]) for item in data)


results = {}
threads = [threading.Thread(target=worker, args=(s, results)) for s in range(4)]
for t in threads:
    t.start()
for t in threads:
    t.join()
section("threads", sorted(results.items()))

# a child process inherits LD_PRELOAD: it runs on capheap too
child = subprocess.run([sys.executable, "-c", "print(sum(len(str(i)) for i in range(100000)))"],
                       capture_output=True, text=True, check=True)
section("subprocess", child.stdout.strip())
