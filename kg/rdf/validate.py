"""SHACL validation of the built graph, one partition of the graph at a time.

Three engines give the same results (tests/test_validate_sparql.py holds the other two to
pySHACL's on every kind of constraint the shapes use):

- ``shacl``, the default: the compiled validator from PyPI (Rust; MIT/Apache-2.0);
- ``sparql``: the shapes compiled to SPARQL (kg.rdf.shacl_sparql) in an in-memory Oxigraph
  store: the fallback when the compiled package is missing or fails on a batch (it is
  young and has one maintainer);
- ``pyshacl``: the reference, and the engine for shapes the SPARQL form does not translate.

On 1,000 synthetic documents (2.6·10^6 triples) they take about 28, 66 and 100+
CPU-seconds (docs/scaling.md).
The graph is cut by the document each node belongs to: a node whose IRI lies under a
document's IRI (``…/doc/<id>/measure/2``) is in that document's partition, every other
node (vocabulary, agencies, regions, provenance) in one corpus partition. All triples about
a node are therefore in its partition, and each partition is validated together with

- the ``rdf:type`` of every node it points to in another partition, and the class
  hierarchy (``rdfs:subClassOf``): all that ``sh:class`` looks at beyond the focus node
  (those borrowed nodes come with their other triples too, see ``_context``);
- nothing else: results about borrowed nodes are dropped (their own partition reports
  them).

For shapes that read the data only along predicate paths (or alternatives of them) from
the focus node and check the classes of the values, as all of ``ontology/shapes.ttl``
does, the union of the partition results is exactly the result on the whole graph
(``reads_of`` says when shapes read more; the graph is then checked whole). Only triples
whose predicate a shape reads are handed to the validator. Partitions are packed into batches
of about ``BATCH`` triples, validated in worker processes (``kg.core.parallel``). The graph
is read from the sorted ``graph.nt`` on disk (kg.rdf.partitions): each worker reads its
partitions' byte ranges and finds the nodes they point to by binary search, so no process
holds the graph and memory stays flat as the corpus grows.

A partition's result depends only on its triples, the types it borrows, the class
hierarchy, the shapes and the validator, so each conforming partition is recorded with a
digest of those; a rebuild checks again only the partitions whose digest changed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Mapping, Optional, Sequence

from kg.core.errors import GraphInvalid
from kg.core.parallel import shared, start
from kg.rdf.ntriples import RDF_TYPE
from kg.rdf.partitions import SUBCLASS, Reader, batches, partition_of, scan
from kg.rdf.shacl_sparql import default_message
from kg.rdf.vocab import PREFIXES

BATCH = 40_000  # triples per pySHACL call: large enough to amortise its set-up, small enough to spread
_SH = "http://www.w3.org/ns/shacl#"
# Parameters of SHACL core whose values are predicates the data is read through.
_PATH_PARAMETERS = ("path", "lessThan", "lessThanOrEquals", "equals", "disjoint", "targetSubjectsOf")


@dataclass(frozen=True)
class Violation:
    focus: str
    path: Optional[str]
    message: str

    def __str__(self) -> str:
        return f"{self.focus} {_short(self.path) if self.path else ''}".strip() + f": {self.message}"


def _short(iri: str) -> str:
    for name, ns in sorted(PREFIXES.items(), key=lambda x: -len(str(x[1]))):
        if iri.startswith(str(ns)):
            return f"{name}:{iri[len(str(ns)) :]}"
    return iri


@lru_cache(maxsize=1)
def _shapes():
    from kg.rdf.graph import load_shapes

    return load_shapes()


@dataclass(frozen=True)
class _Reads:
    """What the shapes read of the data: the predicates (plus rdf:type and rdfs:subClassOf)
    and, of those, the ones whose values are checked with sh:class."""

    predicates: frozenset[str]
    classed: frozenset[str]


# Constructs that read more than the focus node's own triples and its values' classes.
_NOT_LOCAL = ("closed", "node", "qualifiedValueShape", "targetObjectsOf", "sparql")


@lru_cache(maxsize=1)
def shapes_read() -> Optional[_Reads]:
    """What ``ontology/shapes.ttl`` reads (see ``reads_of``)."""
    return reads_of(_shapes())


def reads_of(g) -> Optional[_Reads]:
    """What the shapes graph ``g`` reads, or None when some shape reads beyond a focus
    node's own triples and its values' types (a sequence or inverse path, sh:node,
    sh:closed …): the graph is then validated whole."""
    from rdflib import URIRef
    from rdflib.collection import Collection

    if any((None, URIRef(_SH + name), None) in g for name in _NOT_LOCAL):
        return None

    def steps(path) -> Optional[list[str]]:
        alternatives = g.value(path, URIRef(_SH + "alternativePath"))
        found = [path] if alternatives is None else list(Collection(g, alternatives))
        return [str(x) for x in found] if all(isinstance(x, URIRef) for x in found) else None

    keep, classed = {RDF_TYPE, SUBCLASS}, set()
    for name in _PATH_PARAMETERS:
        for value in g.objects(None, URIRef(_SH + name)):
            found = steps(value)
            if found is None:
                return None
            keep.update(found)
    for shape in g.subjects(URIRef(_SH + "class"), None):
        classed.update(steps(g.value(shape, URIRef(_SH + "path"))) or ())
    return _Reads(frozenset(keep), frozenset(classed))


@lru_cache(maxsize=2)
def _rules(engine_name: str) -> bytes:
    """What besides the data decides a partition's result: the shapes and the validator
    (for the SPARQL form: the queries made of the shapes and Oxigraph's version)."""
    from kg.core.resources import resource_dir

    shapes = (resource_dir("ontology") / "shapes.ttl").read_bytes()
    if engine_name == "shacl":
        import shacl

        return shapes + f"\nshacl {shacl.__version__}\n".encode()
    if engine_name == "sparql":
        import pyoxigraph

        queries = "\n".join(q.sparql for q in _queries())
        return shapes + f"\n{queries}\npyoxigraph {pyoxigraph.__version__}\n".encode()
    import pyshacl

    return shapes + f"\npyshacl {pyshacl.__version__}\n".encode()


def _pyshacl(lines: list[str]) -> list[tuple[str, Optional[str], str]]:
    """(focus, path, message) of every result pySHACL reports on the graph of ``lines``."""
    import pyshacl
    from rdflib import Graph, URIRef
    from rdflib.namespace import SH

    from kg.rdf.ntriples import to_rdflib

    g = to_rdflib(lines, Graph())
    conforms, report, _ = pyshacl.validate(g, shacl_graph=_shapes(), inference="none", advanced=False)
    if conforms:
        return []
    out = []
    for result in report.objects(None, SH.result):  # not the sh:detail results nested in them
        path = report.value(result, SH.resultPath)
        message = str(report.value(result, SH.resultMessage))
        path = str(path) if isinstance(path, URIRef) else None  # a complex path is a blank node
        out.append((str(report.value(result, SH.focusNode)), path, message))
    return out


def _sparql(lines: list[str]) -> list[tuple[str, Optional[str], str]]:
    """(focus, path, message) of every constraint broken in the graph of ``lines``: the
    shapes as SPARQL (kg.rdf.shacl_sparql) over an in-memory Oxigraph store."""
    import pyoxigraph

    store = pyoxigraph.Store()
    store.bulk_load(("\n".join(lines) + "\n").encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    out = []
    for q in _queries():
        out += [(row[0].value, q.path, q.message) for row in store.query(q.sparql)]
    return out


@lru_cache(maxsize=1)
def _compiled():
    import shacl

    from kg.core.resources import resource_dir

    return shacl.Shapes.from_file(str(resource_dir("ontology") / "shapes.ttl"))


def _local(component: str) -> str:
    """``MinCountConstraintComponent`` → ``minCount``, as shacl_sparql names constraints."""
    name = component.rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
    return name[:1].lower() + name[1:]


def _iri(term: Optional[str]) -> Optional[str]:
    """An IRI from N-Triples syntax; None for anything else (a complex path, no path)."""
    return term[1:-1] if term and term.startswith("<") and term.endswith(">") and ">" not in term[1:-1] else None


# The process that first ran the compiled validator. It validates in parallel on a rayon
# thread pool, which a forked child inherits without its threads: a child of a process that
# used it would wait for them for ever. Such a child uses the next engine instead (the same
# verdicts, tests/test_validate_sparql.py).
_RAYON_PID: Optional[int] = None


class ForkedAfterRayon(RuntimeError):
    """The compiled validator ran in this process's parent: its thread pool is not here."""


def _shacl(lines: list[str]) -> list[tuple[str, Optional[str], str]]:
    """(focus, path, message) of every result of the compiled validator (the ``shacl``
    package, Rust) on the graph of ``lines``."""
    global _RAYON_PID
    if _RAYON_PID is not None and _RAYON_PID != os.getpid():
        raise ForkedAfterRayon("the compiled validator ran in a parent of this process")
    _RAYON_PID = os.getpid()
    report = _compiled().validate_text("".join(lines), format="ntriples")
    return [
        (_iri(r.focus_node) or r.focus_node, _iri(r.path), r.message or default_message(_local(r.component)))
        for r in report.results
    ]


ENGINES = {"shacl": _shacl, "sparql": _sparql, "pyshacl": _pyshacl}


@lru_cache(maxsize=1)
def _queries():
    from kg.rdf.shacl_sparql import compile_shapes

    return compile_shapes(_shapes())


def engine() -> str:
    """The validator used by default: the compiled ``shacl`` package (Rust; fastest, see
    docs/scaling.md) when it is installed, else the shapes as SPARQL in Oxigraph, else (for
    shapes kg.rdf.shacl_sparql does not translate) pySHACL, the reference the tests hold
    the other two to."""
    try:
        _compiled()
        return "shacl"
    except Exception:  # not installed, or the shapes do not compile: a young package, so a fallback
        return "sparql" if _queries() is not None else "pyshacl"


def _fallback(name: str) -> Optional[str]:
    """The engine to use when ``name`` fails on a batch."""
    if name == "shacl":
        return "sparql" if _queries() is not None else "pyshacl"
    return "pyshacl" if name == "sparql" else None


def _run(name: str, lines: list[str]) -> list[tuple[str, Optional[str], str]]:
    """The results of engine ``name``, or of its fallback if it raises (a Rust panic in the
    compiled package arrives as an exception too)."""
    try:
        return ENGINES[name](lines)
    except Exception:
        backup = _fallback(name)
        if backup is None:
            raise
        return _run(backup, lines)


def _check(job: list[tuple[str, list[tuple[int, int]]]]) -> tuple[list[Violation], dict[str, str]]:
    """Validate the partitions of ``job`` (key, byte ranges in the graph file), read from the
    file in this worker: the violations and each partition's digest."""
    work = shared()
    name = work["engine"]
    reader = _reader(work)
    parts, pointed = {}, {}
    for key, ranges in job:
        own, points = reader.own_pointed(ranges)
        if own:
            parts[key], pointed[key] = own, points
    digests = {key: reader.digest(key, own, pointed[key], _rules(name)) for key, own in parts.items()}
    own = [ln for lines in parts.values() for ln in lines]
    mine = set(parts)
    context = reader.context(set().union(*pointed.values()), mine)
    found = [
        Violation(focus, path, message)
        for focus, path, message in _run(name, own + context)
        if reader.owner(focus) in mine  # not a borrowed node: its own partition reports it
    ]
    return found, digests


def _reader(work: dict) -> Reader:
    """This process's reader of the graph, kept from one batch to the next (in ``work``, which
    lives as long as the check): the nodes every batch borrows (a parent's measures,
    agencies, regions) are then read from the file once a worker, not once a batch
    (validating 1,000 synthetic children: 28.0 → 24.4 CPU-s; 10,000: 250.8 → 194.1)."""
    reader = work.get("reader")
    if reader is None:
        reader = work["reader"] = Reader(work["plan"], work["keep"], work["classed"])
    return reader


class Check:
    """A validation running in worker processes (``check``); ``violations()`` waits for it.

    ``known``: partition → digest of the partitions a previous build found conforming;
    those whose digest is unchanged are not checked again (``reused``). After
    ``violations()``, ``conforming`` holds the digests of every conforming partition and
    ``partitions`` their number.
    """

    def __init__(
        self,
        source: Path | Sequence[str],
        workers: int,
        batch: int,
        known: Optional[Mapping[str, str]] = None,
        engine_name: Optional[str] = None,
    ):
        self.engine = engine_name or engine()
        if self.engine not in ENGINES:
            raise ValueError(f"unknown SHACL engine {self.engine!r} (one of {', '.join(ENGINES)})")
        self._folder = None
        if not isinstance(source, (str, Path)):  # lines: written sorted to a file, read as graph.nt is
            self._folder = Path(tempfile.mkdtemp(prefix="kg-shacl-"))
            path = self._folder / "graph.nt"
            with open(path, "w", encoding="utf-8", newline="\n") as f:
                f.writelines(sorted(set(source)))
            source = path
        reads = shapes_read()
        self.plan = scan(Path(source), whole=reads is None)
        work = {
            "plan": self.plan,
            "keep": reads.predicates if reads is not None else None,
            "classed": reads.classed if reads is not None else None,
            "engine": self.engine,
        }
        self.reused: dict[str, str] = {}
        if known:  # read here a partition at a time, as the workers do
            reader = Reader(self.plan, work["keep"], work["classed"])
            try:
                for key, ranges in self.plan.ranges.items():
                    if known.get(key) is not None and (found := reader.own_pointed(ranges))[0]:
                        if known[key] == reader.digest(key, *found, _rules(self.engine)):
                            self.reused[key] = known[key]
            finally:
                reader.close()
        jobs = batches(self.plan, batch, skip=self.reused)
        self.batches, self.partitions = len(jobs), 0
        self.conforming: dict[str, str] = {}
        self._owner = partition_of if reads is not None else (lambda iri: "")
        self._pending = start(_check, jobs, workers, shared=work)

    def violations(self, progress: Optional[Callable[[int, int], None]] = None) -> list[Violation]:
        """Every violation found, sorted by focus node, path and message; ``progress`` is
        told (batches done, batches) as results come in."""
        found: set[Violation] = set()
        digests: dict[str, str] = {}
        for done, (batch_result, checked) in enumerate(self._pending.results(), 1):
            found.update(batch_result)
            digests.update(checked)
            if progress:
                progress(done, self.batches)
        digests.update(self.reused)
        self.partitions = len(digests)
        failing = {self._owner(v.focus) for v in found}
        self.conforming = {k: d for k, d in sorted(digests.items()) if k not in failing}
        self.close()
        return sorted(found, key=lambda v: (v.focus, v.path or "", v.message))

    def close(self) -> None:
        self._pending.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def check(
    source: Path | Sequence[str],
    workers: int = 1,
    batch: int = BATCH,
    known: Optional[Mapping[str, str]] = None,
    engine: Optional[str] = None,
) -> Check:
    """Start validating the graph against ``ontology/shapes.ttl``: ``source`` is a sorted
    N-Triples file (``graph.nt``, read from disk a partition at a time) or N-Triples lines;
    with ``workers`` > 1 it runs in that many processes while the caller goes on.
    ``known``: the ``conforming`` digests of a previous check, whose unchanged partitions
    are not checked again. ``engine``: "shacl", "sparql" or "pyshacl" (default: ``engine()``)."""
    return Check(source, workers, batch, known, engine)


def violations(
    source: Path | Sequence[str], workers: int = 1, batch: int = BATCH, engine: Optional[str] = None
) -> list[Violation]:
    """Every violation of ``ontology/shapes.ttl`` in the graph (a sorted N-Triples file or lines), sorted."""
    return check(source, workers, batch, engine=engine).violations()


def raise_for(problems: list[Violation]) -> None:
    """GraphInvalid (one line, the first few violations) when there are any."""
    if problems:
        shown = "; ".join(str(v) for v in problems[:3])
        raise GraphInvalid(f"graph does not conform to ontology/shapes.ttl ({len(problems)} violations): {shown}")


def validate(graph, workers: int = 1) -> None:
    """Raise GraphInvalid unless the graph conforms.

    ``graph``: N-Triples lines (as ``kg.rdf.graph.graph_lines`` makes them) or an rdflib Graph.
    """
    from rdflib import Graph

    from kg.rdf.ntriples import from_rdflib

    raise_for(violations(from_rdflib(graph) if isinstance(graph, Graph) else graph, workers))
