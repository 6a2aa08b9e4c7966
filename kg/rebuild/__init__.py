"""Rebuild a scrambled document before it is aligned: every sentence under its measure.

A web scrape may shuffle and repeat passages and lose headings (seed 000, the Jiangxi
2021 measures); the parser keeps a sentence under whatever heading precedes it. After the
corpus is parsed (the children are needed) and before alignment, ``rebuild_corpus``
finds such documents (``detect``), cuts their body into units in raw order (``units``),
places every unit with one sequence model (``sequence``) and replaces their measures
(``assemble``). Clean documents are not touched.
"""

from __future__ import annotations

from typing import Iterable, Optional

from ..model import Document, Issue
from .assemble import rebuild_measures
from .detect import scramble_evidence
from .sequence import place
from .units import MIN_KEY, Body, body_units

__all__ = ["rebuild_corpus", "rebuild_document", "scramble_evidence"]

COPIED = 0.8  # a child sentence this similar to a unit is a copy of it


def copied_groups(body: Body, children: Iterable[Document]) -> list[set[str]]:
    """Per child measure, the body sentences it copies (as text keys): they belong together."""
    from ..align.text import similarity

    units = [u for u in body.units if u.kind == "sentence" and len(u.key) >= MIN_KEY]
    if not units:
        return []
    texts = [u.text for u in units]
    groups = []
    for child in children:
        for m in child.measures:
            if not m.sentences:
                continue
            sim = similarity([s.text for s in m.sentences], texts)
            best = sim.argmax(axis=1)
            keys = {units[j].key for i, j in enumerate(best) if sim[i, j] >= COPIED}
            if len(keys) >= 2:
                groups.append(keys)
    return groups


def rebuild_document(doc: Document, children: Iterable[Document] = ()) -> Optional[str]:
    """Rebuild ``doc`` in place when it reads as scrambled; a one-line note of what was done
    (None for a clean document, which is left exactly as it was)."""
    if any(w.code == "rebuilt" for w in doc.warnings):
        return None  # done already (the pipeline and the aligner may both ask)
    evidence = scramble_evidence(doc)
    if not evidence:
        return None
    body = body_units(doc)
    if body is None or body.numbers < 2:
        return f"{doc.path}: reads as scrambled ({'; '.join(evidence)}) but its numbering cannot be rebuilt"
    titles = {h.value: h.title for h in body.heads}
    before = len(doc.measures)
    states = place(body.units, body.numbers, titles, copied_groups(body, children))
    rebuild_measures(doc, body, states)
    lost = [m for m in doc.measures if m.recovered]
    message = (f"scrambled ({'; '.join(evidence)}): sentences placed under their measures by the rebuild; "
               f"{before} measures with a heading, {len(doc.measures)} after, {len(lost)} with a lost heading")
    doc.warnings.append(Issue("rebuilt", message))
    return f"{doc.path}: {message}"


def rebuild_corpus(registry, results) -> list[str]:
    """Rebuild every scrambled document of a processed corpus in place, using the
    documents that declare they implement it; one note per rebuilt document."""
    docs = {p.entry.id: p.doc for p in results if p.doc is not None}
    notes = []
    for p in results:
        if p.doc is None:
            continue
        children = [docs[q.entry.id] for q in results if p.entry.id in q.entry.implements and q.entry.id in docs]
        note = rebuild_document(p.doc, children)
        if note:
            notes.append(note)
    return notes
