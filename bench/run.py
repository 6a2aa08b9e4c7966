"""Scale benchmark: parse, align, build and query synthetic corpora of 10 to 10,000 cities.

Run on demand (not part of the test suite):

    python bench/run.py --quick                 # sizes 10 and 20, few runs (about a minute)
    python bench/run.py --sizes 10,100,1000 [--json results.jsonl] [--runs 5] [--seed 1] [--repeat 2]

Each size runs in a fresh Python process, so its peak memory is its own: ``peak_mib`` is
``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of that process read after each stage (the
high-water mark so far, so it includes everything earlier stages still hold), and
``peak_total_mib`` the peak of that process and its parse/align/validation workers
together (their proportional set sizes summed, sampled from /proc within a CPU budget by
``_MemorySampler``; query workers and the baselines' child processes are not counted).
The corpus comes from ``bench/generate.py`` with known ground truth. Every figure is
printed next to a baseline measured in the same run:

- alignment: one raw ``rapidfuzz.process.cdist`` (fuzz.ratio) over the sentence pairs of
  the links alignment keeps (``cdist_fraction`` = alignment's pairs per second, every pair
  it compared counted, over the raw cdist's), and the brute-force
  all-pairs cdist of every child sentence against every sentence of all parents;
- naive scoring: difflib ``SequenceMatcher.ratio`` timed on a random sample of the scored
  sentence pairs and extrapolated to all of them (an estimate, printed as such);
- parent discovery (``bench/discovery.py``): the children registered without a parent
  against the ground truth and against brute force on a sample of them;
- queries: every saved query (``kg query --list``) on the Oxigraph store through a warm
  ``kg.store.bounded.Worker`` (the minimum of runs, the median beside it;
  ``kg.store.query.run_query``, which starts a worker per query, is shown as "cold"), each
  against its budget (``QUERY_BUDGET_MS``: 50 ms at up to 1,000 documents, 300 ms at 10,000),
  and ``gaps`` and ``agency-load`` against rdflib's in-memory SPARQL over ``graph.nt``
  (``Graph().parse`` timed apart, then ``g.query``); beside each, its floor
  (``floor_query``): the same number of rows and values from one plain triple pattern, timed
  the same way, the least any query returning those rows through the worker can cost.

``build`` is timed whole and by stage (graph and graph.nt, SHACL validation, store),
by wrapping kg.store.build's stage functions with timers; the stages add up to the build
("other" is what no wrapped function covers), each with its CPU-seconds (worker processes
included) beside its wall time, as the machine may be shared: the load average is recorded
at the start and end of each size. ``--repeat N`` runs each size N times (fresh processes)
and prints min and median. "build w/o SHACL" is build minus the wait for validation
(kg.store.build is not changed: every build here is validated).

10,000 documents is opt-in (``--sizes 1000,10000``): above ``--baselines-up-to`` (default
1,000) the rdflib queries (minutes each at 1,000) and the brute-force all-pairs cdist (a
matrix of every child sentence by every parent sentence) are skipped, and parent
discovery's brute force runs on 3 sampled children instead of 20. Every size prints its
costs per document parsed (wall, CPU, MiB) per stage, and the run the growth between
consecutive sizes, peak memory against 4 GiB and the issue's targets met or missed
(``bench/costs.py``).

Each stage's floor is printed beside it (``bench/floors.py``, each in a fresh process, up to
``--floors-up-to``, default 1,000): parsing against reading the files, the store against one
bulk load of the whole ``graph.nt``, validation against the compiled engine on the whole graph.
"""

from __future__ import annotations

import argparse
import difflib
import gc
import json
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import costs  # noqa: E402
import discovery  # noqa: E402
import floors  # noqa: E402

from kg.core.parallel import default_workers  # noqa: E402

BRUTE_SAMPLE_WITHOUT_BASELINES = 3  # discovery's brute-force sample above --baselines-up-to
RDFLIB_QUERIES = ("gaps", "agency-load")  # also run in rdflib (minutes each at 1,000 documents)


def query_budget_ms(docs: int) -> float:
    """Issue 20: every saved query within 50 ms warm at 1,000 documents, 300 ms at 10,000."""
    return 50.0 if docs <= 1000 else 300.0


class _MemorySampler:
    """The peak of the memory this process and its worker processes use together: the sum of
    their proportional set sizes (PSS: pages shared by forked workers counted once), read from
    /proc in a thread (Linux; elsewhere it reports nothing).

    Reading ``smaps_rollup`` walks a process's page tables: about 40 ms of CPU for a process
    of 3 GB here. Read every 0.2 s, as it was, the sampler took a fifth of a core during a
    build of 3,000 documents (38 CPU-s, in the build's "other") and slowed it by 18 %; the
    larger the corpus, the more it took. So it keeps to a budget: after a reading it waits
    ``1 / budget`` times as long as the reading took (at least ``interval``), using at most
    about ``budget`` of one core; ``cpu_seconds`` is what it used, which the stages'
    CPU-seconds leave out."""

    BUDGET = 0.03  # of one core

    def __init__(self, interval: float = 0.2, budget: float = BUDGET):
        import threading

        self.peak_kib, self.cpu_seconds, self.readings = 0, 0.0, 0
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, args=(interval, budget), daemon=True)
        self._thread.start()

    @staticmethod
    def _pids(pid: int) -> list[int]:
        out, todo = [], [pid]
        while todo:
            p = todo.pop()
            out.append(p)
            try:
                for task in Path(f"/proc/{p}/task").iterdir():
                    todo += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                pass
        return out

    @staticmethod
    def _pss_kib(pid: int) -> int:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        except (OSError, ValueError):
            pass
        return 0

    def _run(self, interval: float, budget: float) -> None:
        import os

        wait = interval
        while not self._stop.wait(wait):
            started = time.thread_time()
            kib = sum(self._pss_kib(p) for p in self._pids(os.getpid()))
            spent = time.thread_time() - started
            with self._lock:
                self.peak_kib = max(self.peak_kib, kib)
                self.cpu_seconds += spent
                self.readings += 1
            wait = max(interval, spent / budget)

    def cpu(self) -> float:
        """The CPU-seconds the sampler has used so far (its thread's, kernel time included)."""
        with self._lock:
            return self.cpu_seconds

    def stop(self) -> float:
        """Stop sampling; the peak in MiB."""
        self._stop.set()
        self._thread.join()
        return self.peak_kib / 1024


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def floor_query(rows: int, columns: int) -> str:
    """One plain pattern giving ``rows`` rows of ``columns`` values (the first three terms
    of a triple, repeated): what returning that many rows costs before any join or sort."""
    names = [f"?v{i}" for i in range(columns)]
    binds = " ".join(f"BIND(?{'spo'[i % 3]} AS ?v{i})" for i in range(columns))
    return f"SELECT {' '.join(names)} WHERE {{ ?s ?p ?o {binds} }} LIMIT {rows}"


def _times_ms(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return times


def _median_ms(fn, runs: int) -> float:
    return statistics.median(_times_ms(fn, runs))


class _StageTimer:
    """Times kg.store.build's stages by wrapping the functions it calls (behaviour unchanged).

    Every step of the build's main thread is in a stage: the functions it calls are
    wrapped, and "other" is the build's wall time less theirs (manifest, swap, clean-up), so
    the stages add up to the build. Validation runs in worker processes while the main
    process writes the files: "shacl start" is indexing the graph into partitions (main
    process), "shacl wait" how long the build then still waited for the workers; the store
    loads in a thread alongside ("store (thread)", not added: it overlaps). CPU-seconds
    beside each: the calling thread's (``time.thread_time``) and those of the worker
    processes reaped during the stage (``RUSAGE_CHILDREN``: the graph's workers in "graph",
    the SHACL workers in "shacl wait"); "other" is the rest of the build's CPU."""

    ALONGSIDE = ("store (thread)",)  # stages that overlap the others (not added up)

    def __init__(self):
        import kg.rdf.validate as v
        import kg.store.build as b

        stages = [
            (b, "write_ntriples", "graph"),  # the documents' runs made and merged into graph.nt on disk
            (b, "check", "shacl start"),
            (b, "triples_per_document", "counts"),
            (b, "_load_store", "store (thread)"),
            (b._Thread, "join", "store wait"),
            (v.Check, "violations", "shacl wait"),
        ]
        self.seconds, self.cpu, self.saved = {}, {}, []
        for owner, name, stage in stages:
            fn = getattr(owner, name, None)
            if fn is None:  # renamed or gone: its time falls in "other"
                continue
            self.saved.append((owner, name, fn))
            setattr(owner, name, self._wrap(fn, stage))

    def _wrap(self, fn, stage):
        def timed(*a, **kw):
            t, c, k = time.perf_counter(), time.thread_time(), _children_cpu()
            try:
                return fn(*a, **kw)
            finally:
                self.seconds[stage] = self.seconds.get(stage, 0.0) + time.perf_counter() - t
                # this thread's CPU, and that of the worker processes reaped meanwhile (a pool
                # is reaped by the stage that started it: graph, or SHACL wait)
                spent = time.thread_time() - c + (_children_cpu() - k if stage != "store (thread)" else 0.0)
                self.cpu[stage] = self.cpu.get(stage, 0.0) + spent

        return timed

    def restore(self):
        for owner, name, fn in self.saved:
            setattr(owner, name, fn)


def _cpu() -> float:
    """CPU-seconds of this process (all its threads) and of its reaped child processes."""
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def _load() -> list[float]:
    """The 1, 5 and 15 minute load averages (the machine is shared: read figures beside them)."""
    import os

    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return []


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


_RDFLIB = """
import json, statistics, sys, time
from rdflib import Graph
t = time.perf_counter(); g = Graph(); g.parse(sys.argv[1], format="nt"); load = time.perf_counter() - t
print(json.dumps({"load_seconds": load}), flush=True)
sparql, times = sys.stdin.read(), []
for _ in range(int(sys.argv[2])):
    t = time.perf_counter(); rows = list(g.query(sparql)); times.append(time.perf_counter() - t)
print(json.dumps({"load_seconds": load, "ms": statistics.median(times) * 1000, "rows": len(rows)}), flush=True)
"""


def _rdflib_query(nt: Path, sparql: str, runs: int, timeout: float) -> dict:
    """rdflib's in-memory SPARQL in a child process (killed after ``timeout`` s of querying:
    rdflib's evaluation of the gaps query grows steeply with the graph)."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _RDFLIB, str(nt), str(runs)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    proc.stdin.write(sparql)
    proc.stdin.close()
    loaded = json.loads(proc.stdout.readline() or "{}")  # the load is not part of the time limit
    try:
        proc.wait(timeout)
        return json.loads(proc.stdout.read().strip() or "{}") or loaded
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return loaded


def accuracy(links, truth: list[dict], parent_keys: dict[str, set]) -> dict:
    """Top-1 parent key (None when unaligned) against ground truth."""
    got = {(l.source_doc, l.source_key, l.target_doc): l.target_key for l in links}
    impl = [r for r in truth if r["parent_key"] is not None and r["parent_key"] in parent_keys[r["parent_doc"]]]
    local = [r for r in truth if r["parent_key"] is None]

    def hits(rows):
        return sum(got.get((r["doc"], r["key"], r["parent_doc"]), "missing") == r["parent_key"] for r in rows)

    hi, hl = hits(impl), hits(local)
    return {
        "implemented": hi / len(impl) if impl else None,
        "local": hl / len(local) if local else None,
        "overall": (hi + hl) / (len(impl) + len(local)) if impl or local else None,
        "n_implemented": len(impl),
        "n_local": len(local),
    }


def _alignment_baselines(res: dict, pairs: list, docs: dict, seed: int, baselines: bool) -> None:
    """Alignment against a raw cdist, brute force and difflib, into ``res``. A function of its
    own so that the sentences it cleans are let go before the build, whose peak memory is
    measured: a list of them outlived the build's start (in the difflib sample's source)."""
    import numpy as np
    from rapidfuzz import fuzz
    from rapidfuzz import process as rf

    from kg.core.similarity import clean

    # Baseline 1: one raw cdist over exactly the sentence pairs alignment scored.
    def sentences(pair):
        ps = pair.scores
        c = [clean(s.text) for m in ps.child.measures for s in m.sentences]
        p = [clean(s.text) for u in ps.units for s in u.sentences]
        return c, p

    blocks = [sentences(p) for p in pairs]
    t = time.perf_counter()
    for c, p in blocks:
        if c and p:
            rf.cdist(c, p, scorer=fuzz.ratio, dtype=np.uint8, workers=-1)
    raw_s = time.perf_counter() - t
    res["cdist_seconds"] = raw_s
    res["cdist_pairs_per_s"] = res["pairs_kept"] / raw_s if raw_s else None
    # alignment's throughput over the raw cdist's (= cdist time / align time for the same pairs)
    res["cdist_fraction"] = res["pairs_per_s"] / res["cdist_pairs_per_s"] if raw_s else None

    # Baseline 2: brute force, every child sentence against every parent sentence.
    child_ids = {p.source.id for p in pairs}
    parent_ids = {p.target.id for p in pairs}
    all_c = [clean(s.text) for i in sorted(child_ids) for m in docs[i].measures for s in m.sentences]
    all_p = [clean(s.text) for i in sorted(parent_ids) for m in docs[i].measures for s in m.sentences]
    res["brute_force"] = {"pairs": len(all_c) * len(all_p)}
    if baselines:
        t = time.perf_counter()
        rf.cdist(all_c, all_p, scorer=fuzz.ratio, dtype=np.uint8, workers=-1)
        res["brute_force"]["seconds"] = time.perf_counter() - t
        res["brute_force"]["pairs_per_s"] = res["brute_force"]["pairs"] / res["brute_force"]["seconds"]

    # Baseline 3: difflib on a sample of the scored pairs, extrapolated.
    rng = random.Random(seed)
    sample = []
    nonempty = [b for b in blocks if b[0] and b[1]]
    for _ in range(min(2000, res["pairs_scored"])):
        c, p = rng.choice(nonempty)
        sample.append((rng.choice(c), rng.choice(p)))
    t = time.perf_counter()
    for a, b in sample:
        difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
    d = time.perf_counter() - t
    res["difflib"] = {
        "sample": len(sample),
        "pairs_per_s": len(sample) / d,
        "extrapolated_seconds": res["pairs_scored"] * d / len(sample),
    }


def run_size(
    size: int,
    seed: int,
    runs: int,
    workers,
    keep: bool,
    rdflib_timeout: float = 120.0,
    baselines: bool = True,
    with_floors: bool = True,
) -> dict:
    """One size, start to end, in this process; ``baselines`` False skips rdflib and the
    brute-force cdist (the two that grow fastest); ``with_floors`` False the stages' floors
    (bench/floors.py: the store's holds the whole graph in memory)."""
    from generate import generate, read_truth

    from kg.align import align_corpus
    from kg.core.similarity import _jieba
    from kg.corpus import process
    from kg.store.bounded import Worker
    from kg.store.build import build
    from kg.store.query import resolve, run_query, saved_queries

    res: dict = {"docs": size, "seed": seed, "workers": workers, "seconds": {}, "cpu_seconds": {}, "peak_mib": {}}
    res["baselines"] = baselines
    sec, peak, cpus = res["seconds"], res["peak_mib"], res["cpu_seconds"]
    res["load_start"] = _load()
    tmp = Path(tempfile.mkdtemp(prefix=f"kg-bench-{size}-"))
    corpus, out = tmp / "corpus", tmp / "build"

    t = time.perf_counter()
    generate(corpus, size, seed)
    sec["generate"] = time.perf_counter() - t
    truth = read_truth(corpus)

    t = time.perf_counter()
    _jieba()
    sec["jieba_startup"] = time.perf_counter() - t

    sampler = _MemorySampler()  # parse, align and build, workers included

    def cpu() -> float:  # this process and its reaped workers, the memory sampler's own left out
        return _cpu() - sampler.cpu()

    t, c = time.perf_counter(), cpu()
    registry, results = process(corpus, workers=workers)
    sec["parse"], cpus["parse"] = time.perf_counter() - t, cpu() - c
    peak["parse"] = _peak_mib()
    res["parse_errors"] = [f"{p.entry.id}: {p.error}" for p in results if p.error]
    res["parents"] = sum(1 for p in results if p.entry.level != "municipal")
    res["documents"] = sum(1 for p in results if p.doc is not None)
    docs = {p.entry.id: p.doc for p in results}

    t, c = time.perf_counter(), cpu()
    alignment = align_corpus((registry, results), workers=workers)
    sec["align"], cpus["align"] = time.perf_counter() - t, cpu() - c
    peak["align"] = _peak_mib()
    # its brute force (every higher-level document for each sampled child) grows with both sizes
    sample = discovery.SAMPLE if baselines else BRUTE_SAMPLE_WITHOUT_BASELINES
    res["discovery"] = discovery.measure(corpus, registry, results, alignment, truth, seed, sample)
    pairs = alignment.pairs
    # every sentence pair compared, the shortlisted documents discovery rejected included
    res["pairs_scored"] = alignment.pairs_scored
    res["pairs_kept"] = int(sum(p.scores.sim.size for p in pairs))
    res["measure_pairs_scored"] = int(sum(p.scores.score.size for p in pairs))
    res["pairs_per_s"] = res["pairs_scored"] / sec["align"]
    parent_keys = {pid: {m.key for m in docs[pid].measures} for pid in {r["parent_doc"] for r in truth}}
    res["accuracy"] = accuracy(alignment.links, truth, parent_keys)

    _alignment_baselines(res, pairs, docs, seed, baselines)

    # The build holds what `kg build` and `kg all` hold: the links, not the aligned pairs.
    # The bench's ground truth goes too: the build's peak memory is the tool's.
    links = alignment.links
    del pairs, alignment, truth, parent_keys
    gc.collect()

    timer = _StageTimer()
    try:
        t, c = time.perf_counter(), cpu()
        summary = build((registry, results), links, out, workers=workers)
        sec["build"], cpus["build"] = time.perf_counter() - t, cpu() - c
        res["shacl_cpu_seconds"] = timer.cpu.get("shacl wait", 0.0)  # the validation workers, reaped then
    finally:
        timer.restore()
    peak["build"] = _peak_mib()
    res["peak_total_mib"] = sampler.stop()  # before the baselines' own child processes
    res["sampler"] = {"cpu_seconds": sampler.cpu_seconds, "readings": sampler.readings}
    res["build_stages"], res["build_stages_cpu"] = timer.seconds, timer.cpu
    timer.seconds["other"] = sec["build"] - sum(v for k, v in timer.seconds.items() if k not in _StageTimer.ALONGSIDE)
    timer.cpu["other"] = cpus["build"] - sum(v for k, v in timer.cpu.items() if k != "other")
    sec["build_without_shacl"] = sec["build"] - timer.seconds.get("shacl wait", 0.0)
    sec["total"] = sec["parse"] + sec["align"] + sec["build"]
    cpus["total"] = cpus["parse"] + cpus["align"] + cpus["build"]
    res["triples"] = summary.triples
    res["links"] = summary.links

    # Each stage's floor, in fresh processes, after the stage (so it does not compete with it).
    res["floors"] = {}
    if with_floors:
        res["floors"]["parse"] = floors.reading_floor(
            [str(registry.path.parent / e.file) for e in registry.entries if e.file], tmp
        )
        for kind in ("store", "validation"):
            res["floors"][kind] = floors.measure(kind, out / "graph.nt")

    # Queries: warm worker (median), cold run_query, rdflib in memory.
    res["query_ms"], res["query_speedup_vs_rdflib"], res["query_rows"] = {}, {}, {}
    res["query_budget_ms"] = query_budget_ms(size)
    worker = Worker(str(out / "store"))
    try:
        for name in saved_queries():
            sparql = resolve(name)
            worker.run(sparql, ["application/sparql-results+json"], timeout=600)  # warm caches
            warm = _times_ms(lambda: worker.run(sparql, ["application/sparql-results+json"], timeout=600), runs)
            cold = _median_ms(lambda: run_query(out, sparql, timeout=600), max(1, min(runs, 3)))
            answer = run_query(out, sparql, timeout=600)
            floor = floor_query(len(answer.rows), len(answer.variables))
            worker.run(floor, ["application/sparql-results+json"], timeout=600)
            floor_ms = min(_times_ms(lambda: worker.run(floor, ["application/sparql-results+json"], timeout=600), runs))
            res["query_ms"][name] = {
                "warm": min(warm),
                "warm_median": statistics.median(warm),
                "cold": cold,
                "floor": floor_ms,
            }
            res["query_rows"][name] = {"oxigraph": len(answer.rows), "rdflib": None}
    finally:
        worker.close()
    rdflib_runs = 1 if size >= 1000 else max(1, min(runs, 3))
    for name in RDFLIB_QUERIES if baselines else ():
        answer = _rdflib_query(out / "graph.nt", resolve(name), rdflib_runs, rdflib_timeout)
        res["rdflib_load_seconds"] = answer.get("load_seconds", res.get("rdflib_load_seconds"))
        ms = answer.get("ms")
        res["query_ms"][name]["rdflib"] = ms if ms is not None else rdflib_timeout * 1000
        res["query_ms"][name]["rdflib_timed_out"] = ms is None
        res["query_rows"][name]["rdflib"] = answer.get("rows")
        res["query_speedup_vs_rdflib"][name] = res["query_ms"][name]["rdflib"] / res["query_ms"][name]["warm"]
    peak["queries"] = _peak_mib()
    res["peak_mib"]["max"] = max(peak.values())
    res["load_end"] = _load()
    if keep:
        res["dir"] = str(tmp)
    else:
        import shutil

        shutil.rmtree(tmp, ignore_errors=True)
    return res


def _fmt_acc(x) -> str:
    return "n/a" if x is None else f"{x * 100:.1f}%"


def print_size(r: dict) -> None:
    s, p, a = r["seconds"], r["peak_mib"], r["accuracy"]
    print(
        f"\n== {r['docs']} child documents (+{r.get('parents', 4)} higher-level; seed {r['seed']}): {r['triples']:,} triples, "
        f"{r['links']:,} links; {r['workers']} worker processes =="
    )
    if r["parse_errors"]:
        print(f"  parse errors: {len(r['parse_errors'])} (first: {r['parse_errors'][0]})")
    cpu = r.get("cpu_seconds", {})
    print(f"  load average {r.get('load_start')} at the start, {r.get('load_end')} at the end (1, 5, 15 min)")
    print(f"  {'stage':22} {'seconds':>9} {'CPU-s':>8} {'peak MiB':>9}   baseline / note")
    print(
        f"  {'generate (untimed)':22} {s['generate']:9.2f} {'':>8} {'':>9}   jieba's dictionary {s['jieba_startup']:.2f} s, once"
    )
    print(f"  {'parse':22} {s['parse']:9.2f} {cpu.get('parse', 0):8.1f} {p['parse']:9.0f}")
    print(
        f"  {'align':22} {s['align']:9.2f} {cpu.get('align', 0):8.1f} {p['align']:9.0f}   raw cdist of the kept links' {r['pairs_kept']:,} pairs "
        f"{r['cdist_seconds']:.2f} s (cdist_fraction {r['cdist_fraction']:.2f}); difflib ≈ {r['difflib']['extrapolated_seconds']:.0f} s "
        f"(extrapolated from {r['difflib']['sample']} pairs)"
    )
    st, sc = r["build_stages"], r.get("build_stages_cpu", {})
    print(
        f"  {'build':22} {s['build']:9.2f} {cpu.get('build', 0):8.1f} {p['build']:9.0f}   = the stages below (main thread)"
    )
    notes = {
        "graph": "graph lines, merged into graph.nt",
        "shacl start": "finding the partitions in graph.nt for validation",
        "counts": "triples per document",
        "store wait": "waiting for the store's loader thread (validation runs alongside)",
        "shacl wait": "waiting for the validation workers (CPU: theirs)",
        "other": "manifest, swap, clean-up; CPU: the rest (Oxigraph's own loader threads)",
    }
    for stage in [k for k in st if k not in _StageTimer.ALONGSIDE and k != "other"] + ["other"]:
        print(f"    {stage:20} {st.get(stage, 0):9.2f} {sc.get(stage, 0):8.1f} {'':>9}   {notes.get(stage, '')}")
    for stage in [k for k in st if k in _StageTimer.ALONGSIDE]:
        print(
            f"    {stage:20} {st[stage]:9.2f} {sc.get(stage, 0):8.1f} {'':>9}"
            f"   Oxigraph bulk load + optimize, alongside the stages above (not added)"
        )
    for kind, f in r.get("floors", {}).items():
        figure = (
            f"{f['seconds']:9.2f} {f['cpu_seconds']:8.1f} {f['peak_mib']:9.0f}"
            if "seconds" in f
            else f"{'':>9} {'':>8} {'':>9}   failed: {f.get('error')}"
        )
        print(f"  {'floor: ' + kind:22} {figure}   {floors.NOTES[kind]}")
    print(
        f"  {'build w/o SHACL wait':22} {s['build_without_shacl']:9.2f} {'':>8} {'':>9}   (build minus the wait for validation)"
    )
    print(
        f"  {'parse+align+build':22} {s['total']:9.2f} {cpu.get('total', 0):8.1f} {p['max']:9.0f}   with the worker processes: "
        f"{r.get('peak_total_mib', 0):.0f} MiB at most together (sum of PSS, sampled)"
    )
    if "sampler" in r:
        sm = r["sampler"]
        print(
            f"  {'memory sampling':22} {'':>9} {sm['cpu_seconds']:8.1f} {'':>9}   {sm['readings']:,} readings of the "
            f"processes' PSS, within {_MemorySampler.BUDGET:.0%} of a core (left out of every CPU-s above)"
        )
    bf = r["brute_force"]
    brute = (
        f"brute-force all-pairs cdist {bf['pairs']:,} pairs in {bf['seconds']:.2f} s ({bf['pairs_per_s']:,.0f}/s)"
        if "seconds" in bf
        else f"brute-force all-pairs cdist of {bf['pairs']:,} pairs skipped (--baselines-up-to)"
    )
    print(
        f"  pairs scored: {r['pairs_scored']:,} sentence pairs (of the kept links: {r['pairs_kept']:,}; "
        f"{r['measure_pairs_scored']:,} measure pairs), "
        f"{r['pairs_per_s']:,.0f}/s; raw cdist {r['cdist_pairs_per_s']:,.0f}/s; "
        f"{brute}; difflib {r['difflib']['pairs_per_s']:,.0f}/s"
    )
    print(
        f"  accuracy (top-1 parent): implemented {_fmt_acc(a['implemented'])} of {a['n_implemented']:,}, "
        f"local ('no parent') {_fmt_acc(a['local'])} of {a['n_local']:,}, overall {_fmt_acc(a['overall'])}"
    )
    if "discovery" in r:
        discovery.print_block(r["discovery"])
    budget = r.get("query_budget_ms", query_budget_ms(r["docs"]))
    print(
        f"  {'query':17} {'warm ms':>8} {'median':>8} {'floor':>7} {'x floor':>7} {'budget':>7} {'':11} {'cold ms':>9} "
        f"{'rdflib ms':>10} "
        f"{'speedup':>8} {'rows':>9}"
    )
    for name, q in r["query_ms"].items():
        rows = r["query_rows"][name]
        same = "" if rows["oxigraph"] == rows["rdflib"] or rows["rdflib"] is None else f" (rdflib {rows['rdflib']})"
        gt = ">" if q.get("rdflib_timed_out") else " "
        rdf, speed = "", ""
        if "rdflib" in q:
            rdf, speed = f"{gt}{q['rdflib']:.1f}", f"{gt}{r['query_speedup_vs_rdflib'][name]:6.0f}x"
        within = "within" if q["warm"] <= budget else f"{q['warm'] / budget:.1f}x over"
        floor = f"{q['floor']:.1f}" if "floor" in q else "-"
        over = f"{q['warm'] / q['floor']:.1f}x" if q.get("floor") else "-"
        print(
            f"  {name:17} {q['warm']:8.1f} {q.get('warm_median', q['warm']):8.1f} {floor:>7} {over:>7} {budget:7.0f} "
            f"{within:11} "
            f"{q['cold']:9.1f} {rdf:>10} {speed:>8} {rows['oxigraph']:>9,}{same}"
        )
    if not r.get("baselines", True):
        print("  (rdflib baselines skipped at this size: --baselines-up-to)")
        return
    print(
        f"  (rdflib Graph().parse(graph.nt) took {r.get('rdflib_load_seconds') or 0:.2f} s before its queries; "
        f"'>' = stopped at the time limit, a lower bound)"
    )


def print_repeats(runs: list[dict]) -> None:
    """Min and median over repeated runs of one size, wall and CPU, per stage."""
    print(f"  over {len(runs)} runs (min / median):")
    rows = [("parse", "parse"), ("align", "align"), ("build", "build"), ("parse+align+build", "total")]
    for label, key in rows:
        wall = [r["seconds"][key] for r in runs]
        cpu = [r.get("cpu_seconds", {}).get(key, 0.0) for r in runs]
        print(
            f"    {label:20} {min(wall):8.2f} / {statistics.median(wall):8.2f} s"
            f"   {min(cpu):8.1f} / {statistics.median(cpu):8.1f} CPU-s"
        )
    for stage in runs[0]["build_stages"]:
        wall = [r["build_stages"].get(stage, 0.0) for r in runs]
        print(f"      {stage:18} {min(wall):8.2f} / {statistics.median(wall):8.2f} s")


def targets(results: dict[int, dict]) -> list[tuple[str, bool | None, str]]:
    """(target, met or None when not measured, figure)."""
    out = costs.targets(results)  # end-to-end time, peak memory, growth between sizes
    for size, r in sorted(results.items()):
        if size < 1000:
            continue
        budget = r.get("query_budget_ms", query_budget_ms(size))
        for name, q in r["query_ms"].items():
            out.append(
                (
                    f"{name} query <= {budget:.0f} ms warm on {size:,} docs",
                    q["warm"] <= budget,
                    f"{q['warm']:.1f} ms warm (min), {q['cold']:.0f} ms cold",
                )
            )
        for name in RDFLIB_QUERIES:
            if name in r.get("query_speedup_vs_rdflib", {}):
                sp = r["query_speedup_vs_rdflib"][name]
                gt = ">" if r["query_ms"][name].get("rdflib_timed_out") else ""
                out.append((f"{name} query >= 10x faster than rdflib ({size:,} docs)", sp >= 10, f"{gt}{sp:.0f}x"))
    if not any(size >= 1000 for size in results):
        out.append(("query budgets at 1,000 and 10,000 docs", None, "sizes 1000 and 10000 not run"))
    out.append(discovery.target(results))
    largest = results[max(results)]
    frac = largest["cdist_fraction"]
    out.append(
        (
            f"alignment within 2x of raw cdist throughput ({largest['docs']} docs)",
            frac >= 0.5,
            f"{largest['pairs_per_s']:,.0f} vs {largest['cdist_pairs_per_s']:,.0f} pairs/s ({1 / frac:.1f}x slower)",
        )
    )
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--quick",
        action="store_true",
        help="sizes 10 and 20, 3 runs per query, rdflib stopped after 2 s (under a minute)",
    )
    ap.add_argument("--sizes", default="10,100,1000", help="comma-separated child-document counts")
    ap.add_argument("--runs", type=int, default=5, help="runs per query (median)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", help="also write one JSON object per size to this file (JSON Lines)")
    ap.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="processes for parsing and alignment (default: the cores available)",
    )
    ap.add_argument("--keep", action="store_true", help="keep each size's corpus and build directory")
    ap.add_argument("--repeat", type=int, default=1, help="runs of each size (fresh processes): min and median printed")
    ap.add_argument(
        "--rdflib-timeout", type=float, help="seconds before an rdflib query is stopped (default 120; 2 with --quick)"
    )
    ap.add_argument(
        "--baselines-up-to",
        type=int,
        default=1000,
        help="run the rdflib queries and the brute-force cdist only at sizes up to this (default 1000; 0: never)",
    )
    ap.add_argument(
        "--floors-up-to",
        type=int,
        default=1000,
        help="measure each stage's floor (bench/floors.py) only at sizes up to this (default 1000; the store's "
        "floor holds graph.nt in memory)",
    )
    ap.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: run one size, print JSON
    args = ap.parse_args()

    if args.one is not None:
        print(
            json.dumps(
                run_size(
                    args.one,
                    args.seed,
                    args.runs,
                    args.workers,
                    args.keep,
                    args.rdflib_timeout or 120.0,
                    args.one <= args.baselines_up_to,
                    args.one <= args.floors_up_to,
                ),
                ensure_ascii=False,
            )
        )
        return
    sizes = [10, 20] if args.quick else [int(x) for x in args.sizes.split(",") if x.strip()]
    runs = 3 if args.quick else args.runs
    results: dict[int, dict] = {}
    print(f"policy-kg scale benchmark, sizes {sizes}, seed {args.seed}; each size in a fresh process")
    for size in sizes:
        limit = args.rdflib_timeout or (2.0 if args.quick else 120.0)
        cmd = [
            sys.executable,
            __file__,
            "--one",
            str(size),
            "--seed",
            str(args.seed),
            "--runs",
            str(runs),
            "--rdflib-timeout",
            str(limit),
        ]
        cmd += ["--workers", str(args.workers), "--baselines-up-to", str(args.baselines_up_to)]
        cmd += ["--floors-up-to", str(args.floors_up_to)]
        cmd += ["--keep"] if args.keep else []
        runs_of_size = []
        for attempt in range(max(1, args.repeat)):
            started = time.perf_counter()
            print(
                f"\n… {size} child documents (run {attempt + 1} of {max(1, args.repeat)}): generating, parsing, aligning, "
                "building, querying, baselines",
                file=sys.stderr,
                flush=True,
            )
            proc = subprocess.run(cmd, capture_output=True, text=True)
            print(
                f"… {size} child documents done in {time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True
            )
            if proc.returncode != 0:
                print(f"\n== {size}: failed ==\n{proc.stderr[-3000:]}")
                continue
            r = json.loads(proc.stdout.strip().splitlines()[-1])
            runs_of_size.append(r)
            print_size(r)
            costs.print_per_document(r)
            if args.json:
                with open(args.json, "a", encoding="utf-8") as f:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
        if runs_of_size:
            results[size] = min(runs_of_size, key=lambda r: r["seconds"]["total"])
            if len(runs_of_size) > 1:
                print_repeats(runs_of_size)
    if not results:
        sys.exit(1)
    costs.print_growth(results)
    print("\ntargets (2-core machine):")
    for name, met, figure in targets(results):
        print(f"  {'met    ' if met else 'not met' if met is not None else 'n/a    '}  {name}: {figure}")


if __name__ == "__main__":
    main()
