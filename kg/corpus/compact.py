"""Parsed documents held compactly by the client: one string object per distinct text.

Each document comes from its worker as a pickle of its own, so every sentence, title,
agency name and unit arrives as a fresh string, even where a hundred documents hold the
same one: cities copy their province's sentences, and every measure repeats the same few
agency names, roles and units. At 1,081 synthetic documents the 90,119 sentences hold
9,104 distinct texts. ``Strings.share`` replaces each string of a document by the first
equal one the corpus has seen, so the client holds each text once. Equal strings are
interchangeable, so nothing read from the documents changes.

The fields are named one by one rather than found by ``dataclasses.fields``: a generic
walk cost 0.76 ms per document, three times this (tests/test_compact.py checks that every
string field of the model is named here).
"""

from __future__ import annotations

from kg.core.model import AgencyRef, Citation, Document, Issue, Measure, Section, Sentence, Target

# the string fields of each class of kg.core.model that a parsed document holds, shared
TEXT_FIELDS: dict[type, tuple[str, ...]] = {
    Document: (
        "path",
        "raw",
        "encoding",
        "title",
        "embedded_title",
        "doc_number",
        "issued",
        "region",
        "level",
        "format",
    ),
    Citation: ("title", "doc_number"),
    Issue: ("code", "message"),
    Sentence: ("text",),
    Section: ("number", "title", "text", "key", "level", "parent"),
    Measure: ("number", "key", "section", "title", "text", "responsibility", "level", "parent"),
    # the names, not the role, level or body (a few constant or rare strings): agencies are most
    # of a document's fields, and each field named costs about 14 µs per document
    AgencyRef: ("raw", "name", "counterpart", "kind", "function", "region"),
    Target: ("text", "indicator", "unit", "comparator", "change", "scope"),
}


class Strings:
    """The strings met so far, each kept once (the first object of each value)."""

    def __init__(self) -> None:
        self._pool: dict = {}

    def share(self, doc: Document) -> None:
        """Replace, in place, every string ``doc`` holds by the pooled equal one."""
        one = self._one
        one(doc, TEXT_FIELDS[Document])
        doc.issuers[:] = [self._pool.setdefault(x, x) for x in doc.issuers]
        for c in doc.citations:
            one(c, TEXT_FIELDS[Citation])
        for w in doc.warnings:
            one(w, TEXT_FIELDS[Issue])
        self._sentences(doc.preamble)
        self._sentences(doc.closing)
        self._targets(doc.targets)
        for s in doc.sections:
            one(s, TEXT_FIELDS[Section])
            self._sentences(s.sentences)
            self._targets(s.targets)
        for m in doc.measures:
            one(m, TEXT_FIELDS[Measure])
            self._sentences(m.sentences)
            self._targets(m.targets)
            for a in m.agencies:
                one(a, TEXT_FIELDS[AgencyRef])

    def _one(self, obj, names: tuple[str, ...]) -> None:
        pool = self._pool
        for name in names:
            v = getattr(obj, name)
            if v is not None:
                setattr(obj, name, pool.setdefault(v, v))

    def _sentences(self, sentences: list[Sentence]) -> None:
        pool = self._pool
        for s in sentences:
            t = s.text
            s.text = pool.setdefault(t, t)

    def _targets(self, targets: list[Target]) -> None:
        for t in targets:
            self._one(t, TEXT_FIELDS[Target])
