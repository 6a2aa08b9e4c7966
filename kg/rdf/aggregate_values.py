"""The values a saved query prints beside an aggregate's counts (a document's identifier,
level, title and region; a measure's key, index, number and title; an agency's name, level
and region), carried on the aggregate node itself as
derived literals (docs/graph.md, "Derived aggregates").

Oxigraph joins each pattern of a query by hash after reading it whole, or looks a value up
per row (about 10 µs each): a row that gathers its values from five to ten other nodes
costs that many joins over the whole graph. Read from the aggregate node, a saved query is
one star on one node. Each literal is made exactly as ``kg.rdf.graph`` makes the triple it
restates (tests/test_aggregates.py compares them), so the rows stay the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from kg.curated.mappings import LEVELS  # the skos:notation of each level (kg.rdf.graph.LEVEL)
from kg.rdf.graph_links import lost_number
from kg.rdf.iris import PKG
from kg.rdf.ntriples import Lit, lit, zh

# which derived properties a document's or a measure's values go under, by the side of the
# aggregate they describe
DOCUMENT = {
    "own": (PKG.documentId, PKG.documentLevel, PKG.documentTitle, PKG.documentRegion),
    "parent": (PKG.parentDocumentId, PKG.parentDocumentLevel, None, None),
}
MEASURE = {
    "parent": (PKG.parentMeasureKey, PKG.parentMeasureIndex, PKG.parentMeasureNumber, PKG.parentMeasureTitle),
    "child": (PKG.childMeasureKey, PKG.childMeasureIndex, PKG.childMeasureNumber, PKG.childMeasureTitle),
}


# Oxigraph keeps a string of at most 15 UTF-8 bytes inside the term; a longer one is stored
# apart and read back at every comparison of an ORDER BY (about 4 µs each).
PIECE = 15  # characters: 15 bytes for the ASCII slugs registry ids are
PARTS = {
    "own": (PKG.documentIdPart1, PKG.documentIdPart2, PKG.documentIdPart3),
    "parent": (PKG.parentDocumentIdPart1, PKG.parentDocumentIdPart2, PKG.parentDocumentIdPart3),
}


def id_parts(text: str) -> tuple[str, str, str]:
    """``text`` as two pieces of ``PIECE`` characters and the rest (pieces may be empty).
    Cut at the same places in every text, the three compared in turn order as ``text``
    does; an ASCII identifier of up to 45 characters is then compared inside Oxigraph's
    terms, without a lookup (a piece of wider characters is still right, only slower).

    >>> id_parts("prov-130000-2022-pollution-carbon")
    ('prov-130000-202', '2-pollution-car', 'bon')
    """
    return text[:PIECE], text[PIECE : 2 * PIECE], text[2 * PIECE :]


def id_sort_parts(out, node: str, doc_id: str, side: str = "own") -> None:
    """The identifier's ``id_parts``, which a saved query orders by instead of the identifier."""
    for p, part in zip(PARTS[side], id_parts(doc_id)):
        out.add(node, p, lit(part))


def region_name(b, region: Optional[str]) -> Optional[Lit]:
    """The schema:name of the region node ``kg.rdf.graph`` links (none when the table lacks it)."""
    r = b.regions.get(region) if region else None
    return zh(r.name) if r is not None else None


def document_values(
    out, node: str, b, entry, side: str = "own", level: bool = True, title: bool = False, region: bool = False
) -> None:
    """The document's dcterms:identifier, and as asked its level's notation, eli:title and
    region name (the ones the aggregate's query prints)."""
    p_id, p_level, p_title, p_region = DOCUMENT[side]
    out.add(node, p_id, lit(entry.id))
    if level:
        out.add(node, p_level, lit(entry.level) if entry.level in LEVELS else None)
    if title:
        out.add(node, p_title, zh(entry.title or Path(entry.file or entry.id).stem))
    if region:
        out.add(node, p_region, region_name(b, entry.region))


def _measures(job: dict, doc_id: str) -> dict[str, tuple[set, set, set]]:
    """Per measure key of a document: the eli:number, pkg:index and eli:title literals the
    graph holds for it (parsed, and as the lost heading ``kg.rdf.graph_links`` writes)."""
    cache = job.setdefault("_measure_values", {})
    found = cache.get(doc_id)
    if found is None:
        found = cache[doc_id] = {}
        p = job["results"].get(doc_id)
        for m in p.doc.measures if p is not None and p.doc is not None else ():
            numbers, indexes, titles = found.setdefault(m.key, (set(), set(), set()))
            numbers.add(lit(m.number))
            indexes.add(lit(m.index))
            if m.title:
                titles.add(zh(m.title))
        for key in job.get("lost", {}).get(doc_id, ()):
            numbers, indexes, _ = found.setdefault(key, (set(), set(), set()))
            number, index = lost_number(key)
            numbers.add(number)
            indexes.add(index)
    return found


def measure_values(out, node: str, job: dict, doc_id: str, key: str, side: str) -> bool:
    """The measure's pkg:key, pkg:index, eli:number and eli:title under ``side``'s derived
    properties; False (and nothing written) when the graph holds no such measure."""
    values = _measures(job, doc_id).get(key)
    if values is None:
        return False
    p_key, p_index, p_number, p_title = MEASURE[side]
    numbers, indexes, titles = values
    out.add(node, p_key, lit(key))
    for o in sorted(indexes):
        out.add(node, p_index, o)
    for o in sorted(numbers):
        out.add(node, p_number, o)
    for o in sorted(titles):
        out.add(node, p_title, o)
    return True


def implemented(job: dict) -> set[str]:
    """Documents some document of the graph ``eli:implements`` (declared or discovered)."""
    found = job.get("_implemented")
    if found is None:
        found = job["_implemented"] = set()
        for doc_id, p in job["results"].items():
            found.update(p.entry.implements)
            found.update(job["discovered"].get(doc_id, ()))
    return found


def reached(job: dict) -> set[tuple[str, str]]:
    """(parent document, measure key) pairs an implementing or weak alignment of some
    document with text reaches: those with a pkg:MeasureUptake counting a link."""
    found = job.get("_reached")
    if found is None:
        found = job["_reached"] = set()
        for doc_id, links in job["links"].items():
            p = job["results"].get(doc_id)
            if p is None or p.doc is None:
                continue
            for k in links:
                if k.relation == "implements" and k.target_key is not None:
                    if k.status in ("aligned", "weak") or k.method == "curated":
                        found.add((k.target_doc, k.target_key))
    return found


def agency_values(out, node: str, b, agency: str) -> None:
    """The agency's skos:prefLabel, its level's notation, its region's name, pkg:generic."""
    a = b.agencies[agency]
    out.add(node, PKG.agencyName, zh(a.name))
    out.add(node, PKG.agencyLevel, lit(a.level) if a.level in LEVELS else None)
    out.add(node, PKG.agencyRegion, region_name(b, a.region))
    out.add(node, PKG.agencyGeneric, lit(a.generic))
