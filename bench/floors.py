"""The floor of each stage, measured on the same corpus in the same run: what the stage
cannot go below with the engines it uses, so a stage's figure reads against its own floor.

- parse: reading every registered file into text (kg.read.read_source), nothing extracted;
- align: one raw cdist over exactly the sentence pairs alignment kept (in bench/run.py);
- store: Oxigraph's bulk loader reading the whole ``graph.nt`` in one call into a fresh
  store, with no ``optimize()`` (holds the file in memory: measured only up to a size);
- validation: the compiled SHACL engine on the whole graph at once (no partitions);
- queries: one plain pattern returning as many rows as each saved query (in bench/run.py).

Each floor runs in a fresh process (``python bench/floors.py KIND PATH``), so its CPU-seconds
(all threads) and peak memory are its own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _usage() -> tuple[float, float]:
    """CPU-seconds of this process (all its threads) and its peak resident MiB. The peak is
    read from /proc (VmHWM), which starts afresh at exec, unlike ``ru_maxrss``, which a
    process started by fork + exec inherits from its parent."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    try:
        status = Path("/proc/self/status").read_text()
        peak = next(int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration, ValueError):
        peak = r.ru_maxrss / 1024
    return r.ru_utime + r.ru_stime, peak


def _reading(listing: Path) -> dict:
    from kg.read import read_source

    files = json.loads(listing.read_text(encoding="utf-8"))
    chars = sum(len(read_source(f).text) for f in files)
    return {"files": len(files), "chars": chars}


def _store(nt: Path) -> dict:
    import pyoxigraph

    with tempfile.TemporaryDirectory(prefix="kg-floor-store-") as d:
        store = pyoxigraph.Store(d)
        store.bulk_load(path=str(nt), format=pyoxigraph.RdfFormat.N_TRIPLES)
        store.flush()
        n = len(store)
        del store
    return {"triples": n}


def _validation(nt: Path) -> dict:
    import shacl

    from kg.core.resources import resource_dir

    shapes = shacl.Shapes.from_file(str(resource_dir("ontology") / "shapes.ttl"))
    report = shapes.validate_text(nt.read_text(encoding="utf-8"), format="ntriples")
    return {"results": len(report.results)}


KINDS = {"parse": _reading, "store": _store, "validation": _validation}
NOTES = {
    "parse": "reading every file into text, nothing extracted (one process)",
    "store": "Oxigraph bulk load of the whole graph.nt in one call, no optimize()",
    "validation": "compiled SHACL engine on the whole graph at once (its own threads)",
}


def measure(kind: str, path: Path, timeout: float = 3600) -> dict:
    """Run one floor in a fresh process: seconds, CPU-seconds, peak MiB and what it counted."""
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), kind, str(path)],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )
    if proc.returncode != 0:
        return {"error": (proc.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(proc.stdout)


def reading_floor(files: list[str], tmp: Path) -> dict:
    """The parse floor over ``files`` (their paths, as the registry has them)."""
    listing = tmp / "floor-files.json"
    listing.write_text(json.dumps(sorted(set(files))), encoding="utf-8")
    return measure("parse", listing)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    kind, path = sys.argv[1], Path(sys.argv[2])
    t, (c, _) = time.perf_counter(), _usage()
    out = KINDS[kind](path)
    seconds = time.perf_counter() - t
    cpu, peak = _usage()
    print(json.dumps({**out, "seconds": seconds, "cpu_seconds": cpu - c, "peak_mib": peak}))


if __name__ == "__main__":
    main()
