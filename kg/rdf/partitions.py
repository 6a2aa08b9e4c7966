"""The partitions SHACL validation checks one at a time, read from ``graph.nt`` on disk.

A node whose IRI lies under a document's IRI is in that document's partition, every other
node in one corpus partition (kg.rdf.validate explains why the union of the partitions'
results is the whole graph's). ``graph.nt`` is sorted by subject, so a partition is one
byte range of the file, or a few (the corpus partition lies before and after the
documents; a document whose id another extends, ``a-1`` and ``a-10``, may interleave with
it). ``scan`` finds the ranges in one pass holding nothing else; each worker then reads its
partitions' ranges and looks up the nodes they point to by binary search in the file
(kg.rdf.sorted_nt). Nothing holds the graph, so validation's memory does not grow with the
corpus.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Optional

from kg.rdf.ntriples import RDF_TYPE, predicate
from kg.rdf.sorted_nt import SortedLines, marks
from kg.rdf.vocab import ID

SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
_DOC = f"{ID}doc/"


def partition_of(iri: str) -> str:
    """The registry id of the document a node belongs to, or "" for corpus-level nodes.

    >>> partition_of("https://w3id.org/policy-kg/id/doc/shangrao-2022/measure/2/sentence/1")
    'shangrao-2022'
    >>> partition_of("https://w3id.org/policy-kg/id/agency/360000/x")
    ''
    """
    if not iri.startswith(_DOC):
        return ""
    rest = iri[len(_DOC) :]
    cut = rest.find("/")
    return rest if cut < 0 else rest[:cut]


def _whole(iri: str) -> str:
    return ""


CACHE = 1 << 15  # nodes whose lines a worker keeps
LINE_BYTES = 200  # about the length of a line of graph.nt (195 bytes at 1,000 synthetic documents)


@dataclass
class Plan:
    """Where each partition is in the file: key → byte ranges and their size in bytes; the
    class hierarchy (``rdfs:subClassOf`` lines); whether the graph is one partition; the
    marks lines are looked up by."""

    path: Path
    ranges: dict[str, list[tuple[int, int]]]
    sizes: dict[str, int]
    hierarchy: list[str]
    whole: bool
    marks: tuple[list[bytes], list[int]]


def scan(path: Path, whole: bool = False) -> Plan:
    """The partitions of the sorted N-Triples file ``path`` (one, "", when ``whole``).

    Found by binary search, not by reading the file: the documents' nodes are the lines
    between ``<…/id/doc/`` and the next prefix, and in them a document ``K``'s nodes are
    the lines starting ``<…/doc/K/`` and those starting ``<…/doc/K>`` (two runs: ids that
    extend ``K`` with a digit sort between them). Only the corpus partition is read, for the
    class hierarchy."""
    path = Path(path)
    with SortedLines(path, ([], [])) as f:
        size = f.size
        if whole:
            ranges = {"": [(0, size)]} if size else {}
        else:
            doc = ("<" + _DOC).encode("utf-8")
            head, tail = f.first_at_least(doc), f.first_at_least(doc + b"\xff")
            ranges = {"": [r for r in ((0, head), (tail, size)) if r[0] < r[1]]}
            pos = head
            ends: dict[int, int] = {}
            while pos < tail:
                if pos in ends:  # the second run of a document already placed
                    pos = ends[pos]
                    continue
                line = f.line_at(pos)
                key = partition_of(line[1 : line.index(b">")].decode("utf-8"))
                stem = doc + key.encode("utf-8")
                runs = []
                for first, after in ((b"/", b"0"), (b">", b"?")):  # "0" follows "/", "?" follows ">"
                    start = f.first_at_least(stem + first, pos, tail)
                    end = f.first_at_least(stem + after, start, tail)
                    if start < end:
                        runs.append((start, end))
                        ends[start] = end
                ranges.setdefault(key, []).extend(runs)
                if pos not in ends:  # cannot happen in a sorted file; never loop for ever
                    ends[pos] = pos + len(line)
            ranges = {k: v for k, v in ranges.items() if v}
        sizes = {k: sum(b - a for a, b in v) for k, v in ranges.items()}
        subclass = f"<{SUBCLASS}>"
        hierarchy = [ln for ln in f.read(ranges.get("", [])) if subclass in ln and ln.split(" ", 2)[1] == subclass]
    return Plan(path, ranges, sizes, hierarchy, whole, marks(path))


def batches(plan: Plan, size: int, skip=()) -> list[list[tuple[str, list[tuple[int, int]]]]]:
    """Partitions in key order (but those in ``skip``) packed into batches of about ``size``
    lines: (key, ranges)."""
    out, current, n = [], [], 0
    for key in sorted(k for k in plan.ranges if k not in skip):
        current.append((key, plan.ranges[key]))
        n += plan.sizes[key]
        if n >= size * LINE_BYTES:
            out.append(current)
            current, n = [], 0
    return out + ([current] if current else [])


class Reader:
    """A worker's view of the file: its partitions' lines and the nodes they point to, only
    the lines whose predicate the shapes read (``keep``; all when None)."""

    def __init__(self, plan: Plan, keep: Optional[frozenset[str]], classed: Optional[frozenset[str]]):
        self.plan, self.classed = plan, classed
        self.keep = {f"<{p}>" for p in keep} if keep is not None else None
        self._classed = {f"<{p}>" for p in classed} if classed is not None else None
        self.lines = SortedLines(plan.path, plan.marks)
        # the nodes borrowed most (agencies, regions, parents' measures) are looked up once;
        # bounded, so memory stays flat
        self._cached = lru_cache(maxsize=CACHE)(self._facts)
        self.owner = _whole if plan.whole else partition_of

    def close(self) -> None:
        self.lines.close()

    def own_pointed(self, ranges: list[tuple[int, int]]) -> tuple[list[str], set[str]]:
        """The lines of a partition, and what ``context`` takes: the nodes they point to
        through predicates whose values' classes are checked (made once per partition, in
        one split a line: validation reads every line of the graph this way)."""
        return self._split(self.lines.read(ranges))

    def _split(self, found) -> tuple[list[str], set[str]]:
        """Of lines read from the file: those whose predicate the shapes read, and the nodes
        these point to through classed predicates."""
        keep, classed = self.keep, self._classed
        lines, pointed = [], set()
        for ln in found:
            _, p, rest = ln.split(" ", 2)  # IRIs hold no spaces: "<s>", "<p>", the object and " .\n"
            if keep is None or p in keep:
                lines.append(ln)
                if rest[0] == "<" and (classed is None or p in classed):
                    pointed.add(rest[1 : rest.index(">")])
        return lines, pointed

    def _facts(self, iri: str) -> tuple[list[str], tuple[str, ...]]:
        """The lines about node ``iri`` and the nodes they point to through predicates whose
        values' classes are checked."""
        lines, pointed = self._split(self.lines.facts(iri))
        return lines, tuple(pointed)

    def facts(self, iri: str) -> list[str]:
        """The lines about node ``iri``."""
        return self._cached(iri)[0]

    def context(self, pointed: set[str], mine: set[str]) -> list[str]:
        """What validating partitions ``mine`` needs beyond their lines, which point to
        ``pointed``: the types of the nodes in other partitions, and the class hierarchy.
        Those nodes come with all their triples and the types of the nodes *they* point to:
        being targets of the shapes too, a bare type would make pySHACL fill its report with
        their missing facts (results that are dropped, but cost twice the checking)."""
        owner = self.owner
        first = {o for o in pointed if owner(o) not in mine}
        whole = [ln for o in sorted(first) for ln in self.facts(o)]
        second = {x for o in first for x in self._cached(o)[1] if owner(x) not in mine} - first
        types = [ln for o in sorted(second) for ln in self.facts(o) if predicate(ln) == RDF_TYPE]
        return whole + types + self.plan.hierarchy

    def digest(self, key: str, own: list[str], pointed: set[str], rules: bytes) -> str:
        """A fingerprint of all a partition's result depends on: its triples, the types it
        borrows, the class hierarchy, the shapes and the validator's version (``rules``)."""
        h = hashlib.sha256(rules)  # the lines hashed as one text: the same digest as line by line, in less CPU
        h.update("".join(own).encode("utf-8"))
        h.update("".join(self.context(pointed, {key})).encode("utf-8"))
        return h.hexdigest()
