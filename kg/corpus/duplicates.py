"""The same document collected twice: a web scrape and the official PDF of one text.

Two copies share a 文号, or a title and most of their wording; the cleaner copy (an
official format over a scrape, fewer data-quality warnings, more measures) stays in the
corpus and the other is listed as its duplicate, never silently dropped.
"""

from __future__ import annotations

import re
from itertools import combinations
from pathlib import Path
from typing import Optional

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
    x, y = shingles(a), shingles(b)
    return len(x & y) / len(x | y) if x and y else 0.0


def _cleanliness(doc: Document) -> tuple:
    return (FORMAT_RANK.get(Path(doc.path).suffix.lower(), 9), len(doc.warnings), -len(doc.measures), doc.path)


def same_document(a: Document, b: Document) -> Optional[str]:
    """Why ``a`` and ``b`` are copies of one document (the reason printed), or None:
    the same 文号, or the same title, region and most of the wording."""
    if a.doc_number and plain_number(a.doc_number) == plain_number(b.doc_number):
        return f"same document number {a.doc_number}"
    ka = {title_key(t) for t in (a.title, a.embedded_title) if t}
    kb = {title_key(t) for t in (b.title, b.embedded_title) if t}
    # Cities copy their province's wording under the same title: copies share a region too.
    if ka & kb - {""} and a.region == b.region:
        sim = similarity(a, b)
        if sim >= SAME_TEXT:
            return f"same title and {sim:.0%} of the wording"
    return None


def find_duplicates(docs: dict[str, Document]) -> dict[str, tuple[str, str]]:
    """``{duplicate id: (kept id, reason)}`` over documents keyed by id; the kept copy of
    each group is the cleanest one."""
    parent = {i: i for i in docs}
    reasons: dict[frozenset, str] = {}

    def root(i: str) -> str:
        while parent[i] != i:
            i = parent[i]
        return i

    by_key: dict[str, list[str]] = {}
    for i, d in docs.items():
        for k in {title_key(t) for t in (d.title, d.embedded_title) if t} | (
            {"#" + plain_number(d.doc_number)} if d.doc_number else set()
        ):
            by_key.setdefault(k, []).append(i)
    for ids in by_key.values():
        for a, b in combinations(ids, 2):
            if root(a) != root(b) and (why := same_document(docs[a], docs[b])):
                reasons[frozenset((a, b))] = why
                parent[root(b)] = root(a)
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
                why = reasons.get(frozenset((i, kept))) or next(r for p, r in reasons.items() if i in p)
                out[i] = (kept, why)
    return out
