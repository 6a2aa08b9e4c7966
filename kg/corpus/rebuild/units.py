"""The body of a parsed document as the sequence the rebuild places: headings, sentences
and responsibility lists in raw order, every occurrence kept (a scrape's duplicates too).

The parser has already dropped repeats and merged repeated headings; the rebuild needs
the raw order with all of it, so the body is cut again from the same normalised text
(``kg.read.normalize``), with the parser's own heading, sentence and list finders.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from typing import Optional

from kg.core.model import Document
from kg.extract.headings import Heading, outline, sentence_ranges, subtract
from kg.extract.responsibility import RespList, find_responsibility_lists
from kg.read.normalize import Text, normalize

MIN_KEY = 8  # as the parser: shorter sentences may legitimately repeat


def text_key(sentence: str) -> str:
    return re.sub(r"[\W_]", "", sentence)


@dataclass
class Unit:
    kind: str  # "heading" | "sentence" | "list"
    a: int  # normalised offsets
    b: int
    text: str
    heading: Optional[Heading] = None
    lst: Optional[RespList] = None

    @property
    def key(self) -> str:
        return text_key(self.text)

    @property
    def value(self) -> int:
        return self.heading.value if self.heading else 0


@dataclass
class Body:
    t: Text
    units: list[Unit]
    heads: list[Heading]  # the measure headings, every occurrence, in raw order
    sections: list[Heading] = field(default_factory=list)

    @property
    def numbers(self) -> int:
        """The highest measure number printed: the states run 1..numbers."""
        return max((h.value for h in self.heads), default=0)


def _clean_offset(t: Text, raw: int) -> int:
    return bisect_left(t.offsets, raw)


def body_units(doc: Document) -> Optional[Body]:
    """The body's units, or None when the measures are not one continuously numbered level
    (sections restart their numbering, or several levels are measures): not rebuilt."""
    if not doc.measures or len({m.level for m in doc.measures}) != 1 or any("." in m.key for m in doc.measures):
        return None
    t = normalize(doc.raw)  # traditional script detected and converted as when parsed
    s = t.text
    spans = [seg for m in doc.measures for seg in (m.segments or [m.span])] + [x.span for x in doc.sections]
    start = _clean_offset(t, min(x.start for x in spans))
    end = _clean_offset(t, max(x.end for x in spans))
    level = doc.measures[0].level
    heads = [h for h in outline(s, end).heads if h.start >= start]
    measure_heads = [h for h in heads if h.kind == "measure" and h.level == level]
    section_heads = [h for h in heads if h.kind == "section"]
    moved = [(_clean_offset(t, x.span.start), _clean_offset(t, x.span.end)) for x in doc.preamble]
    moved = [(a, b) for a, b in moved if a >= start]  # front matter the parser moved out of the body
    lists = find_responsibility_lists(t, start, end)
    units: list[Unit] = []
    holes = moved + [(h.start, h.body) for h in heads] + [(x.start, x.end) for x in lists]
    for h in measure_heads:
        units.append(Unit("heading", h.start, h.body, s[h.start : h.body], heading=h))
    for x in lists:
        units.append(Unit("list", x.start, x.end, s[x.start : x.end], lst=x))
    for a, b in subtract([(start, end)], holes):
        for x, y in sentence_ranges(s, a, b):
            units.append(Unit("sentence", x, y, s[x:y]))
    units.sort(key=lambda u: u.a)
    return Body(t, units, measure_heads, section_heads)
