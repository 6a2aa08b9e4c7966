"""How much faster the Oxigraph store answers a query than rdflib's in-memory engine.

``compare_engines`` times one query on the same built graph twice: with the on-disk
Oxigraph store that ``kg query`` and ``kg serve`` use (opened read-only once, as a query
worker does) and with rdflib (``build/graph.nt`` parsed into a ``Graph`` once). Opening
and parsing are not timed; each run times the query and the materialising of every row,
since both engines evaluate lazily. ``bench/run.py`` reports these figures.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from kg.core.errors import QueryError
from kg.store import build_dir, open_store


def _oxigraph_rows(store, sparql: str) -> int:
    import pyoxigraph as ox

    try:
        result = store.query(sparql)
    except SyntaxError as e:
        raise QueryError(f"invalid SPARQL: {e}") from None
    if isinstance(result, ox.QueryBoolean):
        return 1
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return len([[s[n] for n in names] for s in result])
    return len(list(result))


def _rdflib_rows(graph, sparql: str) -> int:
    result = graph.query(sparql)
    if result.type == "ASK":
        return 1
    if result.type == "SELECT":
        names = result.vars or []
        return len([[row[n] for n in names] for row in result])
    return len(list(result))


def _median_ms(fn, runs: int) -> tuple[float, int]:
    times, rows = [], None
    for _ in range(runs):
        started = time.perf_counter()
        rows = fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), rows


def compare_engines(build: str | Path, sparql: str, runs: int = 5) -> dict:
    """Median milliseconds of ``sparql`` on the Oxigraph store and on rdflib, over ``runs`` runs.

    Returns ``{"oxigraph_ms", "rdflib_ms", "speedup" (rdflib / oxigraph), "rows", "runs",
    "rdflib_load_s" (parsing graph.nt, not part of the timings)}``. Raises QueryError when
    the two engines return different numbers of rows, StoreError when there is no build.
    """
    from rdflib import Graph

    if runs < 1:
        raise ValueError("runs must be at least 1")
    store = open_store(build)
    ox_ms, ox_rows = _median_ms(lambda: _oxigraph_rows(store, sparql), runs)
    started = time.perf_counter()
    graph = Graph().parse(str(build_dir(build) / "graph.nt"), format="nt")
    load_s = time.perf_counter() - started
    rdf_ms, rdf_rows = _median_ms(lambda: _rdflib_rows(graph, sparql), runs)
    if ox_rows != rdf_rows:
        raise QueryError(f"the engines disagree: Oxigraph returned {ox_rows} rows, rdflib {rdf_rows}")
    return {
        "oxigraph_ms": round(ox_ms, 3),
        "rdflib_ms": round(rdf_ms, 3),
        "speedup": round(rdf_ms / max(ox_ms, 1e-6), 1),
        "rows": ox_rows,
        "runs": runs,
        "rdflib_load_s": round(load_s, 3),
    }
