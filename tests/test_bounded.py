"""Query workers bounded in bytes and memory, and a dead worker reported as one worth retrying."""

import os
import signal
import threading
import time

import pytest

from kg.core.errors import QueryTimeout, ResultTooLarge
from kg.store import check_store, open_store
from kg.store.bounded import MemoryExceeded, Worker, WorkerLost, execute, megabytes

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def tenfold(levels: int, select: str = "(STRLEN(?v{n}) AS ?n)", last: int = 10) -> str:
    """A short query whose one answer is a string of 10**levels * ``last`` characters: each BIND
    concatenates the previous string ten times (the last one ``last`` times)."""
    binds = ['BIND("0123456789" AS ?v0)']
    for i in range(1, levels + 1):
        binds.append(f"BIND(CONCAT({', '.join([f'?v{i - 1}'] * (10 if i < levels else last))}) AS ?v{i})")
    return f"SELECT {select.format(n=levels)} WHERE {{ {' '.join(binds)} }}"


def test_megabytes_reads_as_a_person_writes_it():
    assert [megabytes(n) for n in (32_000_000, 1_500_000_000, 1000)] == ["32 MB", "1.5 GB", "1 kB"]


def test_a_one_row_answer_over_the_byte_limit_is_refused(built):
    store = open_store(built.out)
    huge = tenfold(6, "?v{n}")  # one row, one 10 MB string
    assert len(huge) < 1000
    with pytest.raises(ResultTooLarge) as e:
        execute(store, huge, (), max_rows=10, max_bytes=1_000_000)
    assert str(e.value).startswith("the result is larger than 1 MB (the limit)")
    for media in ("text/csv", "application/sparql-results+xml"):
        with pytest.raises(ResultTooLarge):
            execute(store, huge, (media,), max_rows=None, max_bytes=1_000_000)
    assert len(execute(store, huge, (), max_rows=10, max_bytes=20_000_000).body) > 10_000_000


def test_the_issue_s_105_mb_one_row_answer_is_refused_by_the_served_limit(built):
    from kg.store.serve import MAX_BYTES

    with pytest.raises(ResultTooLarge, match="larger than 32 MB"):
        execute(open_store(built.out), tenfold(7, "?v{n}"), (), max_rows=10000, max_bytes=MAX_BYTES)


def test_a_construct_over_the_byte_limit_is_refused(built):
    store = open_store(built.out)
    q = "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }"
    whole = execute(store, q, ("application/n-triples",))
    with pytest.raises(ResultTooLarge):
        execute(store, q, ("application/n-triples",), max_bytes=len(whole.body) - 1)
    assert execute(store, q, ("application/n-triples",), max_bytes=len(whole.body)).body == whole.body


def test_a_worker_over_its_memory_cap_is_stopped(built):
    w = Worker(str(check_store(built.out)))
    try:
        started = time.monotonic()
        with pytest.raises(MemoryExceeded) as e:
            w.run(tenfold(8), max_memory=300_000_000, timeout=30)  # builds 1 GB strings
        assert str(e.value).startswith("the query needed more than 300 MB of memory")
        assert not w.alive and time.monotonic() - started < 15
    finally:
        w.close()


def test_a_worker_killed_mid_query_is_a_worker_lost_not_a_bad_query(built):
    w = Worker(str(check_store(built.out)))
    threading.Timer(0.5, os.kill, (w.pid, signal.SIGKILL)).start()
    try:
        with pytest.raises(WorkerLost, match="died while answering"):
            w.run(CARTESIAN, timeout=20)
    finally:
        w.close()


def test_a_worker_dead_while_idle_is_a_worker_lost(built):
    w = Worker(str(check_store(built.out)))
    os.kill(w.pid, signal.SIGKILL)
    w.proc.wait(5)
    with pytest.raises(WorkerLost):
        w.run("ASK { ?s ?p ?o }", timeout=5)


def test_time_limit_still_holds_with_the_memory_watch(built):
    w = Worker(str(check_store(built.out)))
    started = time.monotonic()
    with pytest.raises(QueryTimeout):
        w.run(CARTESIAN, timeout=1, max_memory=2_000_000_000)
    assert time.monotonic() - started < 3 and not w.alive
