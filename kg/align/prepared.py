"""Documents prepared for scoring, once per process however many pairs they are part of.

A parent document is aligned with every child that implements it: its sentences are
cleaned, cut into jieba words and indexed (``kg.core.similarity.Texts``) the first time, and
the prepared form is kept (``side_of``) for the most recently used documents. The child
side is prepared the same way, so a child aligned with several candidate parents is cut
once too.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Callable, Optional, TypeVar

import numpy as np

from kg.core import similarity as text
from kg.core.model import AgencyRef, Document, Measure, Sentence
from kg.core.similarity import Bags, Texts

PREAMBLE = "preamble"


@dataclass
class Unit:
    """A candidate on the parent side: a numbered measure, or the preamble."""

    key: str
    title: str
    sentences: list[Sentence]
    measure: Optional[Measure] = None
    agencies: list[AgencyRef] = field(default_factory=list)


def units_of(doc: Document) -> list[Unit]:
    """The parent's measures, then its preamble (with section and closing text)."""
    units = [Unit(m.key, m.title, m.sentences, m, m.agencies) for m in doc.measures]
    framing = doc.preamble + [s for sec in doc.sections for s in sec.sentences] + doc.closing
    units.append(Unit(PREAMBLE, "", framing))
    return units


def agency_names(agencies: list[AgencyRef], name=lambda a: a.name) -> list[str]:
    """The non-generic agencies of a list, in printed order (first = lead)."""
    return [name(a) for a in agencies if not a.generic]


T = TypeVar("T")
# Per kind of preparation (the ``build`` function), the documents prepared most recently.
_PREPARED: "dict[Callable, OrderedDict[int, tuple[object, object]]]" = {}
# A child is aligned with its few parents one after another, but every parent with many
# children, interleaved: parents are kept by the thousand (a few hundred kilobytes each),
# so that a corpus of every province's documents prepares each parent once per process.
KEEP_CHILDREN, KEEP_PARENTS = 16, 1024


def side_of(doc: Document, build: Callable[[Document], T], keep: int = KEEP_PARENTS) -> T:
    """``build(doc)``, kept for the ``keep`` most recently used documents of this process
    prepared by ``build`` (by identity: a parsed document is not changed afterwards), so that
    a parent aligned with many children has its sentences cleaned, cut and indexed once."""
    cache = _PREPARED.setdefault(build, OrderedDict())
    hit = cache.get(id(doc))
    if hit is not None and hit[0] is doc:  # the reference held makes ``id`` unambiguous
        cache.move_to_end(id(doc))
        return hit[1]
    value = build(doc)
    cache[id(doc)] = (doc, value)
    while len(cache) > keep:
        cache.popitem(last=False)
    return value


def clear_caches() -> None:
    """Forget every prepared document and cut sentence (to time alignment from cold)."""
    _PREPARED.clear()
    text.clear_caches()


def _tiles(sizes: list[int]) -> list[slice]:
    ends = np.cumsum(sizes, dtype=int).tolist()
    return [slice(e - n, e) for n, e in zip(sizes, ends)]


@dataclass
class Side:
    """One side of a pair, prepared for scoring: the child's measures, or the parent's
    units (measures and preamble)."""

    sentences: Texts  # all sentences, measure by measure
    spans: list[slice]  # measure/unit -> its sentences
    weight: np.ndarray  # characters per sentence
    titles: Texts
    topics: Bags  # per measure/unit: the topic words of its title and sentences


def _side(titles: list[str], sentences: list[list[str]]) -> Side:
    flat, heads = Texts([x for group in sentences for x in group]), Texts(titles)
    sizes = [len(g) for g in sentences]
    (body, sentence), (head, title) = flat.topical(), heads.topical()
    of_sentence = np.repeat(np.arange(len(sizes)), sizes)
    topics = Bags.of(np.concatenate([head, body]), np.concatenate([title, of_sentence[sentence]]), len(sizes))
    return Side(flat, _tiles(sizes), np.array([len(x) for g in sentences for x in g], dtype=float), heads, topics)


def child_side(doc: Document) -> Side:
    """A child document's measures, prepared."""
    return _side([m.title for m in doc.measures], [[s.text for s in m.sentences] for m in doc.measures])


@dataclass
class Parent:
    """A parent's units and their side."""

    units: list[Unit]
    side: Side
    agencies: list[list[str]]  # per numbered measure: its non-generic agencies


def parent_side(doc: Document) -> Parent:
    """A parent document's units (its measures, then the preamble), prepared."""
    units = units_of(doc)
    # The preamble has no title: "\0" matches no child title and, one character, is no topic word.
    side = _side([u.title or "\0" for u in units], [[s.text for s in u.sentences] for u in units])
    return Parent(units, side, [agency_names(u.agencies) for u in units[:-1]])


def subset(parent: Parent, keep: list[int]) -> Parent:
    """The units at ``keep`` (candidate measures and the preamble), sentences not cut again."""
    side = parent.side
    rows = [i for k in keep for i in range(side.spans[k].start, side.spans[k].stop)]
    return Parent(
        [parent.units[k] for k in keep],
        Side(
            side.sentences.take(rows),
            _tiles([side.spans[k].stop - side.spans[k].start for k in keep]),
            side.weight[rows],
            side.titles.take(keep),
            side.topics.take(keep),
        ),
        [parent.agencies[k] for k in keep if k < len(parent.agencies)],
    )
