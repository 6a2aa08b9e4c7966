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
from pathlib import Path
from typing import Optional

from kg.rdf.ntriples import RDF_TYPE, iri_object, predicate
from kg.rdf.sorted_nt import SortedLines, ranges_by
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


@dataclass
class Plan:
    """Where each partition is in the file: key → byte ranges and number of lines; the class
    hierarchy (``rdfs:subClassOf`` lines); whether the graph is one partition."""

    path: Path
    ranges: dict[str, list[tuple[int, int]]]
    counts: dict[str, int]
    hierarchy: list[str]
    whole: bool


def scan(path: Path, whole: bool = False) -> Plan:
    """The partitions of the sorted N-Triples file ``path`` (one, "", when ``whole``)."""
    ranges, counts, hierarchy = ranges_by(path, _whole if whole else partition_of, f"<{SUBCLASS}>".encode())
    return Plan(Path(path), ranges, counts, hierarchy, whole)


def batches(plan: Plan, size: int, skip=()) -> list[list[tuple[str, list[tuple[int, int]]]]]:
    """Partitions in key order (but those in ``skip``) packed into batches of about ``size``
    lines: (key, ranges)."""
    out, current, n = [], [], 0
    for key in sorted(k for k in plan.ranges if k not in skip):
        current.append((key, plan.ranges[key]))
        n += plan.counts[key]
        if n >= size:
            out.append(current)
            current, n = [], 0
    return out + ([current] if current else [])


class Reader:
    """A worker's view of the file: its partitions' lines and the nodes they point to, only
    the lines whose predicate the shapes read (``keep``; all when None)."""

    def __init__(self, plan: Plan, keep: Optional[frozenset[str]], classed: Optional[frozenset[str]]):
        self.plan, self.classed = plan, classed
        self.keep = {f"<{p}>" for p in keep} if keep is not None else None
        self.lines = SortedLines(plan.path)
        self.owner = _whole if plan.whole else partition_of

    def close(self) -> None:
        self.lines.close()

    def _kept(self, lines) -> list[str]:
        keep = self.keep
        return list(lines) if keep is None else [ln for ln in lines if ln.split(" ", 2)[1] in keep]

    def own(self, ranges: list[tuple[int, int]]) -> list[str]:
        """The lines of a partition."""
        return self._kept(self.lines.read(ranges))

    def facts(self, iri: str) -> list[str]:
        """The lines about node ``iri``."""
        return self._kept(self.lines.facts(iri))

    def _borrowed(self, lines: list[str], mine: set[str]) -> set[str]:
        """Nodes of partitions other than ``mine`` that ``lines`` point to through
        predicates whose values' classes are checked."""
        return {
            o
            for ln in lines
            if (self.classed is None or predicate(ln) in self.classed)
            and (o := iri_object(ln)) is not None
            and self.owner(o) not in mine
        }

    def context(self, own: list[str], mine: set[str]) -> list[str]:
        """What validating ``own`` needs beyond it: the types of the nodes it points to in
        other partitions, and the class hierarchy. Those nodes come with all their triples
        and the types of the nodes *they* point to: being targets of the shapes too, a bare
        type would make pySHACL fill its report with their missing facts (results that are
        dropped, but cost twice the checking)."""
        first = self._borrowed(own, mine)
        whole = [ln for o in sorted(first) for ln in self.facts(o)]
        second = self._borrowed(whole, mine) - first
        types = [ln for o in sorted(second) for ln in self.facts(o) if predicate(ln) == RDF_TYPE]
        return whole + types + self.plan.hierarchy

    def digest(self, key: str, own: list[str], rules: bytes) -> str:
        """A fingerprint of all a partition's result depends on: its triples, the types it
        borrows, the class hierarchy, the shapes and the validator's version (``rules``)."""
        h = hashlib.sha256(rules)
        for ln in own + self.context(own, {key}):
            h.update(ln.encode("utf-8"))
        return h.hexdigest()
