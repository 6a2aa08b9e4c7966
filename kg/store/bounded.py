"""SPARQL with hard bounds: each query runs in a worker process that can be killed.

Oxigraph evaluates a query inside Rust without returning to Python (a cartesian product
under COUNT never yields a row), so a timer in the calling process cannot stop it. A
worker process opens the store read-only, answers requests over a pipe, and is
terminated when a query outlives its time limit; a fresh worker takes its place.
Results are cut at ``max_rows`` rows (or triples) and ``max_bytes`` bytes inside the worker
and reported as too large rather than silently truncated; a worker whose memory passes
``max_memory`` is killed like one out of time, and a worker that dies mid-query (killed,
out of memory) is reported as ``WorkerLost``, a failure worth retrying, not a bad query. Without a row limit, SELECT results are serialised by
Oxigraph itself: building them term by term in Python costs more than the query on a large graph.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from contextlib import suppress
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Optional, Sequence

from kg.core.errors import NotAcceptable, QueryError, QueryRefused, QueryTimeout, ResultTooLarge, StoreError

TICK = 0.1  # seconds between two looks at a running worker's memory
PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
CLOCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100

SELECT_TYPES = {  # media type → pyoxigraph QueryResultsFormat name
    "application/sparql-results+json": "JSON",
    "application/json": "JSON",
    "application/sparql-results+xml": "XML",
    "application/xml": "XML",
    "text/xml": "XML",
    "text/csv": "CSV",
    "text/tab-separated-values": "TSV",
}
GRAPH_TYPES = {  # media type → pyoxigraph RdfFormat name
    "text/turtle": "TURTLE",
    "application/x-turtle": "TURTLE",
    "application/n-triples": "N_TRIPLES",
    "text/plain": "N_TRIPLES",
    "application/rdf+xml": "RDF_XML",
    "application/ld+json": "JSON_LD",
    "text/n3": "N3",
}
DEFAULT_SELECT = "application/sparql-results+json"
DEFAULT_GRAPH = "text/turtle"


class WorkerLost(QueryError):
    """The worker answering a query died (killed, crashed, out of memory); the same query may succeed later."""


class MemoryExceeded(WorkerLost):
    """The worker passed its memory cap and was stopped."""


def megabytes(n: int) -> str:
    """``n`` bytes for a message: ``16 MB``, ``1.5 GB``, ``2 kB``."""
    return f"{n / 1e9:g} GB" if n >= 1e9 else f"{n / 1e6:g} MB" if n >= 1e6 else f"{n / 1e3:g} kB"


def _too_large(max_bytes: int) -> ResultTooLarge:
    return ResultTooLarge(
        f"the result is larger than {megabytes(max_bytes)} (the limit); add LIMIT, select fewer or shorter values, "
        "or narrow the query"
    )


@dataclass
class Answer:
    """A serialised result: ``kind`` is select, ask or graph; ``body`` is in ``media_type``."""

    kind: str
    media_type: str
    body: bytes
    count: Optional[int]  # rows or triples (1 for ASK); None: a SELECT serialised whole, without a row limit


def _term_json(t) -> dict:
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = t.datatype.value
        return out
    if isinstance(t, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _term_json(t.subject),
                "predicate": _term_json(t.predicate),
                "object": _term_json(t.object),
            },
        }
    raise TypeError(f"unexpected term {t!r}")


def _pick(accept: Sequence[str], table: dict, default: str) -> Optional[str]:
    for media in accept:
        if media in table:
            return media
        if media in ("*/*", "application/*", "text/*", ""):
            return default
    return None if accept else default


def execute(
    store, sparql: str, accept: Sequence[str] = (), max_rows: Optional[int] = None, max_bytes: Optional[int] = None
) -> Answer:
    """Run ``sparql`` on an open store and serialise the answer in the first acceptable type,
    refusing one of more than ``max_rows`` rows or ``max_bytes`` bytes."""
    answer = _execute(store, sparql, accept, max_rows, max_bytes)
    if max_bytes and len(answer.body) > max_bytes:
        raise _too_large(max_bytes)
    return answer


def _execute(store, sparql: str, accept: Sequence[str], max_rows: Optional[int], max_bytes: Optional[int]) -> Answer:
    import pyoxigraph as ox

    try:
        result = store.query(sparql)
    except SyntaxError as e:
        raise QueryError(f"invalid SPARQL: {e}") from None
    limit = max_rows + 1 if max_rows else None
    if isinstance(result, ox.QueryBoolean):
        media = _pick(accept, SELECT_TYPES, DEFAULT_SELECT)
        if media is None:
            raise NotAcceptable("not acceptable: an ASK result is available as SPARQL JSON, XML, CSV or TSV")
        return Answer("ask", media, result.serialize(format=getattr(ox.QueryResultsFormat, SELECT_TYPES[media])), 1)
    if isinstance(result, ox.QuerySolutions):
        media = _pick(accept, SELECT_TYPES, DEFAULT_SELECT)
        if media is None:
            raise NotAcceptable("not acceptable: a SELECT result is available as SPARQL JSON, XML, CSV or TSV")
        if not max_rows:
            return Answer(
                "select", media, result.serialize(format=getattr(ox.QueryResultsFormat, SELECT_TYPES[media])), None
            )
        names = [v.value for v in result.variables]
        bindings, size = [], 0
        for s in islice(result, limit):
            bindings.append({n: _term_json(s[n]) for n in names if s[n] is not None})
            size += sum(len(t["value"]) if isinstance(t["value"], str) else 64 for t in bindings[-1].values())
            if max_bytes and size > max_bytes:  # stop before building a document that is certain to be refused
                raise _too_large(max_bytes)
        if max_rows and len(bindings) > max_rows:
            raise ResultTooLarge(f"the result has more than {max_rows} rows (the limit); add LIMIT or narrow the query")
        doc = json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}, ensure_ascii=False).encode()
        fmt = SELECT_TYPES[media]
        if fmt != "JSON":
            doc = ox.parse_query_results(doc, format=ox.QueryResultsFormat.JSON).serialize(
                format=getattr(ox.QueryResultsFormat, fmt)
            )
        return Answer("select", media, doc, len(bindings))
    media = _pick(accept, GRAPH_TYPES, DEFAULT_GRAPH)
    if media is None:
        raise NotAcceptable(
            "not acceptable: a CONSTRUCT or DESCRIBE result is available as Turtle, N-Triples, RDF/XML or JSON-LD"
        )
    triples = list(islice(result, limit))
    if max_rows and len(triples) > max_rows:
        raise ResultTooLarge(f"the result has more than {max_rows} triples (the limit); add LIMIT or narrow the query")
    from kg.rdf.vocab import ID, PREFIXES

    fmt = getattr(ox.RdfFormat, GRAPH_TYPES[media])
    vocab = {k: v for k, v in PREFIXES.items() if not v.startswith(str(ID))}  # instance IRIs stay whole
    prefixes = vocab if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.N3) else None
    body = ox.serialize(triples, format=fmt, prefixes=prefixes) if prefixes else ox.serialize(triples, format=fmt)
    return Answer("graph", media, body or b"", len(triples))


def _worker(conn, path: str, public: bool = False) -> None:
    """Worker process: open the store read-only, then answer (sparql, accept, max_rows, max_bytes) requests.

    A ``public`` worker (one behind ``kg serve``) first leaves the network, then checks each
    query before running it (kg.store.guard)."""
    isolated = False
    if public:
        from kg.store.guard import check_query, isolate_network

        isolated = isolate_network()  # before pyoxigraph starts any thread
    import pyoxigraph as ox

    try:
        store = ox.Store.read_only(path)
    except (OSError, RuntimeError) as e:  # RocksDB reports corruption as RuntimeError
        with suppress(OSError):
            conn.send(("store", str(e).splitlines()[0] if str(e) else "cannot open"))
        return
    if public:  # load the SPARQL grammar now (about 1 s), not in the first client's query
        check_query("ASK {}")
    try:
        conn.send(("ready", "isolated" if isolated else ""))
    except OSError:  # the server stopped while this worker started
        return
    while True:
        try:
            request = conn.recv()
        except (EOFError, KeyboardInterrupt):
            return
        if request is None:
            return
        sparql, accept, max_rows, max_bytes = request
        try:
            if public:
                check_query(sparql)
            conn.send(("ok", execute(store, sparql, accept, max_rows, max_bytes)))
        except QueryRefused as e:
            conn.send(("refused", str(e)))
        except ResultTooLarge as e:
            conn.send(("too_large", str(e)))
        except NotAcceptable as e:
            conn.send(("not_acceptable", str(e)))
        except QueryError as e:
            conn.send(("query", str(e)))
        except (OSError, RuntimeError, ValueError, TypeError) as e:  # evaluation errors from Oxigraph
            conn.send(("query", f"query failed: {str(e).splitlines()[0] if str(e) else type(e).__name__}"))


def _worker_entry(fd: int, path: str, public: str = "") -> None:
    """Entry point of a worker process started by ``Worker`` (fd: its end of a socket pair)."""
    from multiprocessing.connection import Connection

    from kg.core.parallel import watch_parent

    if os.environ.get("KG_PARENT_PID"):  # a worker never outlives the server, however it ends
        watch_parent(int(os.environ["KG_PARENT_PID"]))
    _worker(Connection(fd), path, public == "public")


class Worker:
    """One worker process over a store; ``run`` kills it when a query exceeds ``timeout``.

    The worker is a fresh interpreter started with subprocess and talks over a socket
    pair; unlike multiprocessing's spawn it never re-imports the caller's ``__main__``,
    so a plain script can use it without a ``__main__`` guard, and it never forks a
    process that may hold RocksDB threads.
    """

    def __init__(self, path: str, start_timeout: float = 60.0, public: bool = False):
        import kg

        self.path = path
        self.isolated = False  # a public worker that could leave the network
        self.stamp = None  # which build the worker's store belongs to (set by the server's pool)
        ours, theirs = socket.socketpair()
        env = dict(os.environ)
        home = str(Path(kg.__file__).resolve().parent.parent)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (home, env.get("PYTHONPATH")) if p)
        env["KG_PARENT_PID"] = str(os.getpid())
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "import sys; from kg.store.bounded import _worker_entry; _worker_entry(int(sys.argv[1]), *sys.argv[2:])",
                str(theirs.fileno()),
                path,
                *(["public"] if public else []),
            ],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            env=env,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        if not self.conn.poll(start_timeout):
            self.close()
            raise StoreError(f"{path}: the query worker did not start")
        try:
            status, message = self.conn.recv()
        except EOFError:
            status, message = "store", "the worker exited while opening it"
        if status != "ready":
            self.close()
            raise StoreError(f"{path}: the graph store is corrupt or unreadable ({message})", build=Path(path).parent)
        self.isolated = message == "isolated"

    @property
    def pid(self) -> int:
        return self.proc.pid

    def send(
        self, sparql: str, accept: Sequence[str] = (), max_rows: Optional[int] = None, max_bytes: Optional[int] = None
    ) -> None:
        """Hand the worker one query; WorkerLost when it has died since its last answer."""
        try:
            self.conn.send((sparql, list(accept), max_rows, max_bytes))
        except (OSError, EOFError):
            self.close()
            raise WorkerLost("the query worker had stopped; try again") from None

    def receive(self) -> Answer:
        """The answer to the query sent (call once the connection is readable)."""
        try:
            status, payload = self.conn.recv()
        except (EOFError, OSError):
            self.close()
            raise WorkerLost("the query worker died while answering (it was killed or crashed); try again") from None
        if status == "ok":
            return payload
        if status == "too_large":
            raise ResultTooLarge(payload)
        if status == "not_acceptable":
            raise NotAcceptable(payload)
        if status == "refused":
            raise QueryRefused(payload)
        raise QueryError(payload)

    def rss(self) -> Optional[int]:
        """Resident memory of the worker in bytes (Linux), None where it cannot be read."""
        try:
            with open(f"/proc/{self.proc.pid}/statm", "rb") as f:
                return int(f.read().split()[1]) * PAGE
        except (OSError, ValueError, IndexError):
            return None

    def cpu_seconds(self) -> Optional[float]:
        """CPU time the worker has used (Linux), None where it cannot be read."""
        try:
            with open(f"/proc/{self.proc.pid}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / CLOCK
        except (OSError, ValueError, IndexError):
            return None

    def over_memory(self, max_memory: Optional[int]) -> bool:
        """Whether the worker holds more than ``max_memory`` bytes; if so it is stopped."""
        if not max_memory or (self.rss() or 0) <= max_memory:
            return False
        self.close()
        return True

    def timed_out(self, timeout: Optional[float]) -> QueryTimeout:
        self.close()
        return QueryTimeout(f"the query ran longer than the {timeout:g} s time limit and was stopped")

    def run(
        self,
        sparql: str,
        accept: Sequence[str] = (),
        max_rows: Optional[int] = None,
        timeout: Optional[float] = None,
        max_bytes: Optional[int] = None,
        max_memory: Optional[int] = None,
    ) -> Answer:
        """Answer one query; raises QueryTimeout (and kills the worker) when it runs too long,
        MemoryExceeded (likewise) when the worker passes ``max_memory`` bytes."""
        self.send(sparql, accept, max_rows, max_bytes)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                raise self.timed_out(timeout)
            wait = left if not max_memory else TICK if left is None else min(TICK, left)
            if self.conn.poll(wait):
                return self.receive()
            if self.over_memory(max_memory):
                raise memory_exceeded(max_memory)

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def close(self) -> None:
        """Stop the worker now (a running query is abandoned)."""
        if self.proc.poll() is None:
            self.proc.kill()
        try:
            self.proc.wait(5)
        except subprocess.TimeoutExpired:
            pass
        self.conn.close()


def memory_exceeded(max_memory: int) -> MemoryExceeded:
    return MemoryExceeded(
        f"the query needed more than {megabytes(max_memory)} of memory (the limit per query worker) and was stopped"
    )


def run_bounded(
    path: str,
    sparql: str,
    accept: Sequence[str] = (),
    max_rows: Optional[int] = None,
    timeout: Optional[float] = None,
    max_bytes: Optional[int] = None,
) -> Answer:
    """One query in a fresh worker, stopped after ``timeout`` seconds."""
    worker = Worker(path)
    try:
        return worker.run(sparql, accept, max_rows, timeout, max_bytes)
    finally:
        worker.close()
