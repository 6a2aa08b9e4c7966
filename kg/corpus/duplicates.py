"""The same document collected twice: a web scrape and the official PDF of one text.

Two copies share a 文号, or a title and most of their wording; the cleaner copy (an
official format over a scrape, fewer data-quality warnings, more measures) stays in the
corpus and the other is listed as its duplicate, never silently dropped.
"""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path
from typing import Callable, NamedTuple, Optional

from kg.core.model import Document
from kg.corpus.identify import plain_number, title_key

SHINGLE = 4
SAME_TEXT = 0.5  # character-shingle Jaccard above which two titled-alike texts are one document
# Official formats first: a PDF or Word file is what the government issued, a page or text a copy.
FORMAT_RANK = {".pdf": 0, ".docx": 1, ".htm": 2, ".html": 2, ".txt": 3}


def shingles(doc: Document, k: int = SHINGLE) -> set[str]:
    """Character k-grams of the measure texts (of the whole text when it has no measures),
    punctuation and spaces removed, so layout differences between copies do not count."""
    text = "".join(m.text for m in doc.measures) or doc.raw
    t = re.sub(r"[\W_]", "", text)
    return {t[i : i + k] for i in range(max(len(t) - k + 1, 0))}


def similarity(a: Document, b: Document) -> float:
    """Jaccard similarity of the two documents' shingles, in [0, 1]."""
    return _jaccard(shingles(a), shingles(b))


def _jaccard(x: set[str], y: set[str]) -> float:
    common = len(x & y)  # the union's size from the intersection's: no third set made
    return common / (len(x) + len(y) - common) if x and y else 0.0


def _cleanliness(doc: Document) -> tuple:
    return (FORMAT_RANK.get(Path(doc.path).suffix.lower(), 9), len(doc.warnings), -len(doc.measures), doc.path)


class _Keys(NamedTuple):
    """What decides whether two documents are copies, short of their wording."""

    numbered: bool
    number: str  # plain document number ("" when none)
    titles: frozenset[str]  # title keys of the title and the embedded title
    region: Optional[str]


def _keys(d: Document) -> _Keys:
    titles = frozenset(title_key(t) for t in (d.title, d.embedded_title) if t)
    return _Keys(bool(d.doc_number), plain_number(d.doc_number), titles, d.region)


def _why(a: Document, b: Document, ka: _Keys, kb: _Keys, wording: Callable[[], float]) -> Optional[str]:
    if ka.numbered and ka.number == kb.number:
        return f"same document number {a.doc_number}"
    # Cities copy their province's wording under the same title: copies share a region too.
    if ka.titles & kb.titles - {""} and a.region == b.region:
        sim = wording()
        if sim >= SAME_TEXT:
            return f"same title and {sim:.0%} of the wording"
    return None


def same_document(a: Document, b: Document) -> Optional[str]:
    """Why ``a`` and ``b`` are copies of one document (the reason printed), or None:
    the same 文号, or the same title, region and most of the wording."""
    return _why(a, b, _keys(a), _keys(b), lambda: similarity(a, b))


def find_duplicates(docs: dict[str, Document]) -> dict[str, tuple[str, str]]:
    """``{duplicate id: (kept id, reason)}`` over documents keyed by id; the kept copy of
    each group is the cleanest one.

    Documents sharing a title or number are compared pairwise: the cities of one synthetic
    province write a dozen plans under one title each at 10^4 documents. So each document's
    keys are made once, and its shingles once per group of documents sharing a key (kept
    for that group only: the shingles of every document would outweigh the corpus)."""
    parent = {i: i for i in docs}
    reasons: dict[frozenset, str] = {}
    keys = {i: _keys(d) for i, d in docs.items()}

    def root(i: str) -> str:
        while parent[i] != i:
            i = parent[i]
        return i

    by_key: dict[str, list[str]] = {}
    for i, k in keys.items():
        for key in k.titles | ({"#" + k.number} if k.numbered else set()):
            by_key.setdefault(key, []).append(i)
    for ids in by_key.values():
        if len(ids) < 2:
            continue
        grams: dict[str, set[str]] = {}

        def gram(i: str) -> set[str]:
            if i not in grams:
                grams[i] = shingles(docs[i])
            return grams[i]

        for a, b in combinations(ids, 2):
            if root(a) != root(b) and (
                why := _why(docs[a], docs[b], keys[a], keys[b], lambda: _jaccard(gram(a), gram(b)))  # noqa: B023
            ):
                reasons[frozenset((a, b))] = why
                parent[root(b)] = root(a)
    first: dict[str, str] = {}  # per document, the first reason found that names it
    for pair, why in reasons.items():
        for i in pair:
            first.setdefault(i, why)
    groups: dict[str, list[str]] = {}
    for i in docs:
        groups.setdefault(root(i), []).append(i)
    out: dict[str, tuple[str, str]] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        kept = min(members, key=lambda i: _cleanliness(docs[i]))
        for i in members:
            if i != kept:
                out[i] = (kept, reasons.get(frozenset((i, kept))) or first[i])
    return out
