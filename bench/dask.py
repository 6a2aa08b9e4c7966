"""Parsing and alignment embedded (local processes) against a local Dask cluster.

    python bench/dask.py [--size 1000] [--workers 2] [--seed 1] [--corpus DIR]

Generates a synthetic corpus (bench/generate.py), then in this one run: parses and aligns
it with ``--workers`` local processes (the embedded default), starts a ``LocalCluster`` of
``--workers`` single-threaded worker processes and runs the same stages on it through
``kg.core.dask_jobs.on_dask`` (what ``--scheduler ADDRESS`` does). Prints wall and CPU
seconds per stage for both (CPU: this process, plus its pool's children or the cluster's
workers), the overhead of the cluster, whether the links are identical (they must be), the
bytes shipped to the workers per stage (``DaskJobs.traffic``: pickled, per task and
broadcast) beside what shipping the whole parsed corpus to every worker would have cost,
the workers' peak memory per stage, and the per-document costs with the projection for
10^5 documents on N workers.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import resource
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file is named dask.py: its folder must not be where ``import dask`` looks.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))


def _cpu(who=resource.RUSAGE_SELF) -> float:
    r = resource.getrusage(who)
    return r.ru_utime + r.ru_stime


def _local_cpu() -> tuple[float, float]:
    """CPU seconds of this process, and of its (finished) worker processes."""
    return _cpu(), _cpu(resource.RUSAGE_CHILDREN)


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _reset_peak() -> None:
    """Start this process's peak-memory count afresh (Linux: VmHWM reset by clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _hwm_mib() -> float:
    """This process's peak resident memory since the last ``_reset_peak`` (Linux), in MiB."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError):
        pass
    return _peak_mib()


def _warm() -> None:
    from kg.align import align_corpus  # noqa: F401
    from kg.core.similarity import _jieba

    _jieba()


def _generate(out: Path, size: int, seed: int) -> None:
    import dask  # noqa: F401  (the real one, before this folder is on the path)

    sys.path.insert(0, str(HERE))  # generate.py and its neighbours
    try:
        from generate import generate

        generate(out, size, seed)
    finally:
        sys.path.remove(str(HERE))


def _stages(corpus: Path, workers: int, cpu, runner=None, client=None) -> tuple[dict, list]:
    """Parse and align ``corpus``: per stage (wall, CPU of this process, CPU of the workers)
    in seconds, and the link records; on the cluster (``runner``, ``client``) also the bytes
    shipped per stage (``traffic``) and each worker's peak memory during it (``worker_mib``)."""
    from kg.align import align_corpus
    from kg.corpus import process
    from kg.present.records import align_records

    out: dict = {"traffic": {}, "worker_mib": {}}

    def timed(stage, fn):
        before = dict(runner.traffic) if runner else {}
        if client:
            client.run(_reset_peak)
        t, (m, w) = time.perf_counter(), cpu()
        result = fn()
        m2, w2 = cpu()
        out[stage] = (time.perf_counter() - t, m2 - m, w2 - w)
        if runner:
            out["traffic"][stage] = {k: v - before.get(k, 0) for k, v in runner.traffic.items()}
            out["traffic"][stage]["largest_task"] = runner.traffic["largest_task"]  # a maximum, not a sum
            runner.traffic["largest_task"] = 0
        if client:
            out["worker_mib"][stage] = sorted(client.run(_hwm_mib).values())
        return result

    processed = timed("parse", lambda: process(corpus, workers=workers))
    alignment = timed("align", lambda: align_corpus(processed, workers=workers))
    out["documents"] = sum(1 for p in processed.results if p.doc)
    # What the cluster path shipped before tasks carried only their family: the parsed corpus
    # (with the rest of ``shared``) broadcast to every worker for alignment.
    out["corpus_pickled"] = len(pickle.dumps({p.entry.id: p.doc for p in processed.results}, protocol=5))
    return out, [json.dumps(r, ensure_ascii=False, sort_keys=True) for r in align_records(alignment)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=1000, help="child documents")
    ap.add_argument("--workers", type=int, default=2, help="local processes, and Dask workers")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--corpus", help="use (or write) the corpus here instead of a temporary folder")
    args = ap.parse_args()

    from distributed import Client, LocalCluster

    from kg.core.dask_jobs import on_dask

    tmp = tempfile.TemporaryDirectory(prefix="kg-bench-dask-")
    corpus = Path(args.corpus or tmp.name) / "corpus"
    if not (corpus / "corpus.yaml").is_file():
        t = time.perf_counter()
        _generate(corpus, args.size, args.seed)
        print(f"generated {args.size} child documents in {time.perf_counter() - t:.1f} s", flush=True)
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)

    embedded, links_here = _stages(corpus, args.workers, _local_cpu)

    t = time.perf_counter()
    cluster = LocalCluster(
        n_workers=args.workers, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
    )
    client = Client(cluster)
    client.run(_warm)  # what a forked local worker inherits: kg imported, jieba's dictionary loaded
    start_cluster = time.perf_counter() - t
    try:

        def cpu() -> tuple[float, float]:
            return _cpu(), sum(client.run(_cpu).values())

        with on_dask(cluster.scheduler_address) as runner:
            remote, links_there = _stages(corpus, args.workers, cpu, runner, client)
        worker_mib = client.run(_peak_mib)
    finally:
        client.close()
        cluster.close()
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)

    docs = embedded["documents"]
    identical = links_here == links_there
    print(f"\n{docs} documents parsed, {len(links_here)} links; links identical: {identical}")
    print(
        f"Dask cluster of {args.workers} workers started and warmed (kg imported, jieba loaded) in {start_cluster:.1f} s (not counted below)"
    )
    print("| stage | embedded wall | CPU main + workers | Dask wall | CPU client + workers | wall ratio | CPU ratio |")
    print("|---|---|---|---|---|---|---|")
    total = {k: [0.0, 0.0, 0.0] for k in ("embedded", "dask")}
    for stage in ("parse", "align", "both"):
        rows = []
        for name, r in (("embedded", embedded), ("dask", remote)):
            if stage != "both":
                total[name] = [a + b for a, b in zip(total[name], r[stage])]
            rows.append(r[stage] if stage != "both" else total[name])
        (w1, m1, k1), (w2, m2, k2) = rows
        print(
            f"| {stage} | {w1:.1f} s | {m1:.1f} + {k1:.1f} s | {w2:.1f} s | {m2:.1f} + {k2:.1f} s "
            f"| {w2 / w1:.2f}× | {(m2 + k2) / (m1 + k1):.2f}× |"
        )

    def size(n: float) -> str:
        return f"{n / 1e6:.2f} MB" if n >= 1e5 else f"{n / 1e3:.1f} kB"

    print(f"\nshipped to the {args.workers} workers (pickled bytes; DaskJobs.traffic):")
    print("| stage | tasks | broadcast | to tasks | per task (mean / largest) | results back | workers' peak MiB |")
    print("|---|---|---|---|---|---|---|")
    for stage in ("parse", "align"):
        tr, peaks = remote["traffic"][stage], remote["worker_mib"][stage]
        print(
            f"| {stage} | {tr['tasks']} | {size(tr['broadcast'])} | {size(tr['to_tasks'])} "
            f"| {size(tr['to_tasks'] / max(tr['tasks'], 1))} / {size(tr['largest_task'])} "
            f"| {size(tr['results'])} | {', '.join(f'{m:.0f}' for m in peaks)} |"
        )
    whole = embedded["corpus_pickled"]
    align = remote["traffic"]["align"]
    print(
        f"the parsed corpus pickled: {size(whole)}; sent whole to every worker (as before tasks carried their "
        f"family) that is {size(whole * args.workers)} for alignment, growing with the workers; sent now: "
        f"{size(align['broadcast'] + align['to_tasks'])}"
    )
    # Projection: what runs in tasks spreads over N workers; what the client does (the
    # registry, placing and de-duplicating documents, the IDF and candidate index, shipping
    # and unpacking) stays serial. Per document, from the Dask run above.
    _, client_cpu, worker_cpu = total["dask"]
    serial, spread = client_cpu / docs, worker_cpu / docs
    print(
        f"\nper document: {serial * 1000:.1f} ms CPU in the client (serial), {spread * 1000:.1f} ms in the workers; "
        f"peak memory: client {_peak_mib():.0f} MiB, workers {', '.join(f'{m:.0f}' for m in worker_mib.values())} MiB"
    )
    print("projection for 10^5 documents, parse + align, wall ≈ D × (serial + workers / N):")
    for n in (2, 8, 32, 128):
        print(f"  N = {n:>3}: {1e5 * (serial + spread / n) / 60:.0f} min")
    print(json.dumps({"docs": docs, "embedded": embedded, "dask": remote, "identical": identical}))
    if not identical:
        sys.exit(1)


if __name__ == "__main__":
    main()
