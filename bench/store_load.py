"""Ways of loading ``graph.nt`` into the Oxigraph store, side by side: wall time, CPU-seconds
(the loader's threads included), peak memory, files on disk, and the saved queries' warm time
on the store each one leaves.

    python bench/store_load.py GRAPH.nt [--options blocks32+opt,whole+opt,...] [--queries gaps,diffusion,targets]

Each option loads into a fresh folder in its own process (its peak memory and CPU are its
own), then the queries run through ``kg.store.bounded.Worker`` as bench/run.py runs them
(one warm-up, the minimum of ``--runs``). The options (``NAME[+opt]``: ``+opt`` calls
``Store.optimize()`` after the load):

- ``blocksN``: ``Store.bulk_load`` of blocks of N MB cut at line ends;
- ``whole``: one ``Store.bulk_load(path=...)`` of the whole file;
- ``lenientN`` / ``lenient``: as ``blocksN`` / ``whole`` with ``lenient=True``;
- ``loadN``: ``Store.load`` (one transaction per block) of blocks of N MB;
- ``streamN``: ``Store.bulk_load`` of blocks of N MB read from the file as a stream (no
  block held as ``bytes``).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT = "blocks32+opt,blocks32,blocks128+opt,blocks512+opt,whole+opt,whole,lenient32+opt"

_LOAD = r"""
import io, json, os, re, resource, sys, time
import pyoxigraph
nt, folder, option = sys.argv[1:4]
name, _, opt = option.partition("+")
store = pyoxigraph.Store(folder)
fmt = pyoxigraph.RdfFormat.N_TRIPLES
t = time.perf_counter()
kind, size = re.fullmatch(r"([a-z]+?)(\d*)", name).groups()
class Span(io.RawIOBase):
    def __init__(self, f, end):
        self.f, self.end = f, end
    def readable(self):
        return True
    def readinto(self, buf):
        n = min(len(buf), self.end - self.f.tell())
        return self.f.readinto(memoryview(buf)[:n]) if n > 0 else 0
if kind == "stream":
    block_size = int(size) << 20
    with open(nt, "rb", buffering=0) as f, open(nt, "rb") as g:
        end, total = 0, os.fstat(f.fileno()).st_size
        while end < total:
            g.seek(min(end + block_size, total))
            g.readline()
            end = g.tell()
            store.bulk_load(io.BufferedReader(Span(f, end), 1 << 20), format=fmt)
elif not size:
    store.bulk_load(path=nt, format=fmt, lenient=kind == "lenient")
else:
    block_size = int(size) << 20
    with open(nt, "rb") as f:
        while block := f.read(block_size):
            block += f.readline()
            if kind == "load":
                store.load(block, format=fmt)
            else:
                store.bulk_load(block, format=fmt, lenient=kind == "lenient")
loaded = time.perf_counter() - t
if opt == "opt":
    store.optimize()
store.flush()
del store
r = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"load_s": loaded, "wall_s": time.perf_counter() - t, "cpu_s": r.ru_utime + r.ru_stime,
                  "peak_mib": r.ru_maxrss / 1024}))
"""


def load(nt: Path, folder: Path, option: str) -> dict:
    out = subprocess.run([sys.executable, "-c", _LOAD, str(nt), str(folder), option], capture_output=True, text=True)
    if out.returncode:
        raise SystemExit(f"{option}: {out.stderr.strip()[-500:]}")
    res = json.loads(out.stdout)
    files = list(folder.iterdir())
    res["sst_files"] = sum(1 for f in files if f.suffix == ".sst")
    res["disk_mib"] = sum(f.stat().st_size for f in files) / (1 << 20)
    return res


def queries(folder: Path, names: list[str], runs: int) -> dict[str, float]:
    from kg.store.bounded import Worker
    from kg.store.query import resolve

    worker = Worker(str(folder))
    out = {}
    try:
        for name in names:
            sparql = resolve(name)
            worker.run(sparql, ["application/sparql-results+json"], timeout=600)
            times = []
            for _ in range(runs):
                t = time.perf_counter()
                worker.run(sparql, ["application/sparql-results+json"], timeout=600)
                times.append((time.perf_counter() - t) * 1000)
            out[name] = min(times)
    finally:
        worker.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("graph", type=Path, help="a sorted graph.nt (kg build)")
    ap.add_argument("--options", default=DEFAULT)
    ap.add_argument("--queries", default="gaps,diffusion,targets")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="leave the stores in this folder instead of deleting them")
    args = ap.parse_args()
    names = [q for q in args.queries.split(",") if q]
    base = args.keep or Path(tempfile.mkdtemp(prefix="kg-load-"))
    rows = []
    try:
        for option in args.options.split(","):
            folder = base / option.replace("+", "-")
            shutil.rmtree(folder, ignore_errors=True)
            load1 = os.getloadavg()[0]
            res = load(args.graph, folder, option)
            res["query_ms"] = queries(folder, names, args.runs) if names else {}
            res["option"], res["loadavg"] = option, load1
            rows.append(res)
            print(json.dumps(res), flush=True)
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    head = f"{'option':16} {'wall s':>7} {'CPU s':>7} {'peak MiB':>9} {'SSTs':>5} {'disk MiB':>9} {'load':>5}"
    print(head + "".join(f" {q + ' ms':>14}" for q in names))
    for r in rows:
        print(
            f"{r['option']:16} {r['wall_s']:7.1f} {r['cpu_s']:7.1f} {r['peak_mib']:9.0f} {r['sst_files']:5d} "
            f"{r['disk_mib']:9.0f} {r['loadavg']:5.1f}" + "".join(f" {r['query_ms'][q]:14.1f}" for q in names)
        )


if __name__ == "__main__":
    main()
