"""Rebuild a scrambled document before it is aligned: every sentence under its measure.

A web scrape may shuffle and repeat passages and lose headings (seed 000, the Jiangxi
2021 measures); the parser keeps a sentence under whatever heading precedes it. After the
corpus is parsed (the children are needed) and before alignment — at the end of
``kg.corpus.process``, so every command sees the same documents — ``rebuild_corpus``
finds such documents (``detect``), cuts their body into units in raw order (``units``),
places every unit with one sequence model (``sequence``) and replaces their measures
(``assemble``). Clean documents are not touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable, Optional

from kg.core.model import Document, Issue
from kg.corpus.rebuild.assemble import rebuild_measures
from kg.corpus.rebuild.detect import scramble_evidence
from kg.corpus.rebuild.sequence import place
from kg.corpus.rebuild.units import MIN_KEY, Body, body_units, text_key

__all__ = ["rebuild_corpus", "rebuild_document", "scramble_evidence"]

COPIED = 0.7  # a child sentence this similar to a unit is a copy of it


@dataclass
class Group:
    """Body sentences one child measure copies (text keys): they belong to one measure,
    ``number`` when the child's order places it at a lost heading's number. ``topic`` is the
    child measure's title and text: where it is placed at a number, it tells the sequence
    model what that measure is about, so sentences the child rewrote rather than copied
    find their way there too."""

    keys: set[str]
    number: Optional[int] = None
    topic: str = ""


def copied_groups(body: Body, children: Iterable[Document]) -> list[Group]:
    """Per child measure, the body sentences it copies, with the number they belong to when
    the child measure is titled like one of the body's headings. A child keeps its parent's
    order: between two child measures titled like two of the body's headings, the child measures
    between them, when as many as the lost numbers between those headings, take those
    numbers in order; when more, those copying most from the body take them, in order."""
    from kg.core.similarity import similarity

    units = [u for u in body.units if u.kind == "sentence" and len(u.key) >= MIN_KEY]
    if not units:
        return []
    texts = [u.text for u in units]
    titled = {text_key(h.title): h.value for h in body.heads if h.title}
    printed = {h.value for h in body.heads}
    groups = []
    for child in children:
        row: list[tuple[Optional[int], Optional[Group]]] = []  # per child measure: (anchor number, group)
        for m in child.measures:
            keys: set[str] = set()
            if m.sentences:
                sim = similarity([x.text for x in m.sentences], texts)
                best = sim.argmax(axis=1)
                keys = {units[j].key for i, j in enumerate(best) if sim[i, j] >= COPIED}
            anchor = titled.get(text_key(m.title or ""))
            # titled like a heading of the body: its copies belong there
            group = Group(keys, anchor, f"{m.title or ''}。{m.text or ''}") if keys or m.text else None
            row.append((anchor, group))
        anchors = [(i, v) for i, (v, _) in enumerate(row) if v is not None]
        for (lo, a), (hi, b) in zip(anchors, anchors[1:]):
            lost = [v for v in range(a + 1, b) if v not in printed]
            between = [g for _, g in row[lo + 1 : hi]]
            copying = [g for g in between if g is not None and g.keys]
            if lost and len(between) != len(lost) and len(copying) >= len(lost):
                # more child measures than lost numbers: those copying most take them, in order
                most = set(map(id, sorted(copying, key=lambda g: -len(g.keys))[: len(lost)]))
                between = [g for g in copying if id(g) in most]
            if lost and len(between) == len(lost):
                for g, v in zip(between, lost):
                    if g is not None:
                        g.number = v
        groups += [g for _, g in row if g is not None and (g.number is not None or len(g.keys) >= 2)]
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
    message = (
        f"scrambled ({'; '.join(evidence)}): sentences placed under their measures by the rebuild; "
        f"{before} measures with a heading, {len(doc.measures)} after, {len(lost)} with a lost heading"
    )
    doc.warnings.append(Issue("rebuilt", message))
    return f"{doc.path}: {message}"


def rebuild_corpus(results) -> list[str]:
    """Rebuild every scrambled document of a processed corpus in place, using the
    documents that declare they implement it; one note per rebuilt document."""
    docs = {p.entry.id: p.doc for p in results if p.doc is not None}
    children_of: dict[str, list[Document]] = {}  # made once: a scan of the corpus per document is O(N^2)
    for q in results:
        if q.entry.id in docs:
            for parent in dict.fromkeys(q.entry.implements):
                children_of.setdefault(parent, []).append(docs[q.entry.id])
    notes = []
    for p in results:
        if p.doc is None:
            continue
        children = children_of.get(p.entry.id, [])
        note = rebuild_document(p.doc, children)
        if note:
            notes.append(note)
    return notes
