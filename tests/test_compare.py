"""``compare_engines``: the same saved query on the Oxigraph store and on rdflib in memory."""

import pytest

from kg.core.errors import QueryError, StoreError
from kg.store import compare
from kg.store.compare import compare_engines
from kg.store.query import resolve, run_query


@pytest.mark.parametrize("name", ["gaps", "agency-load"])
def test_both_engines_return_the_rows_of_kg_query(built, name):
    # one run each: rdflib needs seconds for agency-load; bench/run.py takes the median of more
    figures = compare_engines(built.out, resolve(name), runs=1)
    print(f"\n{name}: {figures}")
    assert figures["rows"] == len(run_query(built.out, resolve(name)).rows) > 0
    assert set(figures) >= {"oxigraph_ms", "rdflib_ms", "speedup", "rows"}
    assert figures["oxigraph_ms"] > 0 and figures["rdflib_ms"] > 0
    assert figures["speedup"] == pytest.approx(figures["rdflib_ms"] / figures["oxigraph_ms"], rel=0.01, abs=0.1)


def test_ask_counts_one_row(built):
    assert compare_engines(built.out, "ASK { ?s ?p ?o }", runs=2)["rows"] == 1


def test_engines_that_disagree_are_reported(built, monkeypatch):
    monkeypatch.setattr(compare, "_rdflib_rows", lambda graph, sparql: 0)
    with pytest.raises(QueryError, match=r"^the engines disagree: Oxigraph returned 1 rows, rdflib 0$"):
        compare_engines(built.out, "ASK { ?s ?p ?o }", runs=1)


def test_no_build_names_the_build_to_make(tmp_path):
    """The library's error carries the folder to build; the CLI words the command (test_query)."""
    with pytest.raises(StoreError, match="no graph store found$") as e:
        compare_engines(tmp_path, "ASK {}")
    assert e.value.build == tmp_path
