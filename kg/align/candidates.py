"""Parent discovery: which higher-level measures could a child measure implement?

When a child document does not declare its parent, comparing every child sentence with
every sentence of every higher-level document is quadratic in the corpus. A candidate
index over the parents' measures narrows the search first; only the candidates are then
scored by rapidfuzz (``kg.align.measures``).

The index is a character-bigram inverted index ranked with Okapi BM25 (k1 = 1.2,
b = 0.75) over ``clean``-ed measure text (title + sentences), held in numpy arrays
(postings sorted by bigram, CSR style), so a query is one gather and one ``bincount``.

Why bigrams and BM25, not jieba words or MinHash/LSH:

- Chinese has no spaces; character bigrams are the standard indexing unit for Chinese
  retrieval and need no segmenter, so a segmentation slip (or a new place name) cannot
  hide a copied sentence.
- Policy measures are short (a few hundred characters) and a city plan copies *some*
  sentences of its parent measure and rewrites or adds the rest. MinHash estimates the
  Jaccard similarity of whole sets: a child measure that copies two of six parent
  sentences has a low Jaccard and falls below an LSH band threshold, and short texts give
  noisy signatures. BM25 instead rewards every shared bigram by its rarity, so a few
  copied sentences (or rare shared terms such as 两网融合, 满园扩园) rank the parent high,
  while boilerplate every measure shares (按职责分工负责, 推进) weighs almost nothing.
- It is exact, deterministic and tunable by one number (k): no random permutations,
  no false negatives from banding.

>>> from kg.extract.parse import parse_text
>>> a = parse_text("甲省措施\\n\\n一、任务\\n\\n（一）推进工业绿色转型。推动钢铁、有色、石化等传统产业绿色化改造。\\n\\n"
...                "（二）打造绿色物流。加快发展冷链物流，推广新能源物流车辆。\\n")
>>> index = CandidateIndex({"province": a})
>>> index.size
2
>>> [(d, key) for d, key, _ in index.query(["加快发展冷链物流"], k=1)[0]]
[('province', '2')]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from kg.core.model import Document, Measure
from kg.core.similarity import clean, ranges

K1, B = 1.2, 0.75  # Okapi BM25 defaults: term-frequency saturation, length normalisation


def _pieces(m: Measure) -> list[str]:
    return [m.title] + [s.text for s in m.sentences]


_SHIFT, _ALONE = 21, (1 << 21) - 1  # code points fit in 21 bits; no code point is 2^21 - 1
_SEP = ord("\n")  # never in ``clean``-ed text: joins pieces, and bigrams across it are dropped


def bigrams(pieces: list[str]) -> np.ndarray:
    """Character bigrams of each ``clean``-ed piece (none across piece boundaries), with
    repeats, as integers: the two code points in 21 bits each (a one-character piece is
    its character alone). Computed with numpy on the code points, not a Python loop.

    >>> [decode(int(g)) for g in np.sort(bigrams(["推进绿色。", "市"]))]
    ['市', '推进', '绿色', '进绿']
    """
    cleaned = [clean(p) for p in pieces]
    points = np.frombuffer("\n".join(cleaned).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    left, right = points[:-1], points[1:]
    grams = ((left << _SHIFT) | right)[(left != _SEP) & (right != _SEP)]
    alone = [(ord(t) << _SHIFT) | _ALONE for t in cleaned if len(t) == 1]
    return np.concatenate([grams, np.array(alone, dtype=np.int64)]) if alone else grams


def _distinct_pairs(major: np.ndarray, minor: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The distinct (major, minor) pairs, sorted by major then minor, and how often each occurs."""
    order = np.lexsort((minor, major))
    major, minor = major[order], minor[order]
    if not len(major):
        return major, minor, np.zeros(0, dtype=np.int64)
    first = np.flatnonzero(np.concatenate([[True], (major[1:] != major[:-1]) | (minor[1:] != minor[:-1])]))
    return major[first], minor[first], np.diff(np.append(first, len(major)))


def decode(gram: int) -> str:
    """The characters of one of ``bigrams``' integers."""
    first, second = gram >> _SHIFT, gram & _ALONE
    return chr(first) + ("" if second == _ALONE else chr(second))


class CandidateIndex:
    """BM25 over character bigrams of every measure of the given (higher-level) documents.

    ``parents``: registry id → parsed Document. Measures are indexed in the order given,
    so results are deterministic (ties broken by that order); a document's measures are
    contiguous, which lets per-document figures be taken with one ``reduceat``.
    """

    def __init__(self, parents: dict[str, Document]):
        self.keys: list[tuple[str, str]] = []  # posting unit -> (doc id, measure key)
        self.docs: list[str] = []  # documents with at least one measure, in index order
        starts: list[int] = []
        grams, units = [], []
        for doc_id, doc in parents.items():
            if doc is None or not doc.measures:
                continue
            self.docs.append(doc_id)
            starts.append(len(self.keys))
            for m in doc.measures:
                units.append(np.full(len(g := bigrams(_pieces(m))), len(self.keys), dtype=np.int64))
                grams.append(g)
                self.keys.append((doc_id, m.key))
        n = len(self.keys)
        grams_a = np.concatenate(grams) if grams else np.zeros(0, dtype=np.int64)
        units_a = np.concatenate(units) if units else np.zeros(0, dtype=np.int64)
        dl = np.bincount(units_a, minlength=n).astype(np.float32)  # bigrams per measure
        # Postings: one per (bigram, measure), sorted by bigram then measure, with its count.
        # ``vocab`` is the sorted distinct bigrams: a bigram's term number is its rank.
        terms_code, units_sorted, counts = _distinct_pairs(grams_a, units_a)
        tf = counts.astype(np.float32)
        self.vocab, terms_a = np.unique(terms_code, return_inverse=True)
        self._starts = np.array(starts, dtype=np.int64)
        self._position = {d: i for i, d in enumerate(self.docs)}
        self._units = units_sorted.astype(np.int32)
        df = np.bincount(terms_a, minlength=len(self.vocab))
        self._indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        avgdl = float(dl.mean()) if n else 1.0
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        norm = K1 * (1 - B + B * dl[self._units] / max(avgdl, 1.0))
        # The whole BM25 contribution of each posting, precomputed: a query only sums them.
        self._weight = (idf[terms_a] * tf * (K1 + 1) / (tf + norm)).astype(np.float32)

    @property
    def size(self) -> int:
        """Number of indexed parent measures."""
        return len(self.keys)

    def matrix(self, texts: list[str]) -> np.ndarray:
        """BM25 scores, texts × indexed measures (each distinct bigram of a text counted
        once), for all texts at once: one gather of their postings and one ``bincount``."""
        n = len(self.keys)
        if not n or not texts or not len(self.vocab):
            return np.zeros((len(texts), n), dtype=np.float32)
        grams = [bigrams([t]) for t in texts]
        rows = np.repeat(np.arange(len(texts)), [len(g) for g in grams])
        rows, grams_a, _ = _distinct_pairs(rows, np.concatenate(grams))
        ids = np.searchsorted(self.vocab, grams_a)
        known = (ids < len(self.vocab)) & (self.vocab[np.minimum(ids, len(self.vocab) - 1)] == grams_a)
        rows, ids = rows[known], ids[known]
        start, stop = self._indptr[ids], self._indptr[ids + 1]
        counts = stop - start
        idx = ranges(start, counts)
        cells = np.repeat(rows, counts) * n + self._units[idx]
        scores = np.bincount(cells, weights=self._weight[idx], minlength=len(texts) * n)
        return scores.reshape(len(texts), n).astype(np.float32)

    def allowed(self, doc_ids) -> np.ndarray:
        """Boolean mask over ``docs``: True for the documents in ``doc_ids``."""
        wanted = set(doc_ids)
        return np.array([d in wanted for d in self.docs], dtype=bool)

    def by_document(self, scores: np.ndarray) -> np.ndarray:
        """Each row's best score within each document (rows × ``docs``)."""
        if not self.docs:
            return np.zeros((scores.shape[0], 0), dtype=np.float32)
        return np.maximum.reduceat(scores, self._starts, axis=1)

    def _unit_mask(self, allowed: Optional[np.ndarray]) -> Optional[np.ndarray]:
        if allowed is None:
            return None
        ends = np.append(self._starts[1:], len(self.keys))
        return np.repeat(allowed, ends - self._starts)

    def top(
        self, scores: np.ndarray, k: int, allowed: Optional[np.ndarray] = None, doc: Optional[str] = None
    ) -> list[list[tuple[str, str, float]]]:
        """Per row of ``scores``: up to k (doc_id, measure_key, score), best first, zero
        scores dropped; only the ``allowed`` documents, or only ``doc``."""
        if doc is not None:
            i = self._position[doc]
            lo, hi = int(self._starts[i]), int(self._starts[i + 1]) if i + 1 < len(self.docs) else len(self.keys)
        else:
            lo, hi = 0, len(self.keys)
        mask = self._unit_mask(allowed)
        out = []
        for row in scores:
            s = np.where(mask, row, 0.0)[lo:hi] if mask is not None else row[lo:hi]
            top = np.argpartition(-s, k - 1)[:k] if k < len(s) else np.arange(len(s))
            top = top[np.lexsort((top, -s[top]))]  # best first, ties by index order
            out.append([(*self.keys[lo + i], round(float(s[i]), 4)) for i in top if s[i] > 0])
        return out

    def query(self, texts: list[str], k: int = 10) -> list[list[tuple[str, str, float]]]:
        """Per text: up to k (doc_id, measure_key, score), best first; zero scores dropped.

        >>> CandidateIndex({}).query(["任何文本"])
        [[]]
        """
        return self.top(self.matrix(texts), k)


def _texts(child: Document) -> list[str]:
    return ["".join(_pieces(m)) for m in child.measures]


def candidate_parents(
    child: Document, index: CandidateIndex, k: int = 10, allowed: Optional[np.ndarray] = None
) -> list[list[tuple[str, str, float]]]:
    """Per child measure (in order): up to k candidate parent measures (doc_id, key, score)
    over the whole index (or the ``allowed`` documents)."""
    return index.top(index.matrix(_texts(child)), k, allowed)


# A shortlisted document must collect at least this share of the best one's support.
MIN_SUPPORT = 0.5


def _documents(
    best: np.ndarray, index: CandidateIndex, allowed: Optional[np.ndarray], top: int
) -> list[tuple[str, float]]:
    """Rank documents from the per-measure, per-document best scores ``best``: up to
    ``top`` (doc_id, support), best first, each with at least ``MIN_SUPPORT`` of the
    first's support.

    Support of a document is the mean over child measures of its best score relative to
    the measure's best anywhere (so a long measure counts no more than a short one), in
    [0, 1]. Taken over the full score matrix, not a top-k per measure: versions of one
    policy issued by many provinces tie on their shared text, and a cut-off per measure
    would keep whichever version the index happens to hold first.
    """
    if best.size == 0:
        return []
    if allowed is not None:
        best = np.where(allowed[None, :], best, 0.0)
    peak = best.max(axis=1)
    rows = peak > 0
    if not rows.any():
        return []
    support = (best[rows] / peak[rows, None]).sum(axis=0) / len(best)
    order = sorted(np.flatnonzero(support > 0), key=lambda d: (-support[d], index.docs[d]))[:top]
    return [
        (index.docs[d], round(float(support[d]), 4)) for d in order if support[d] >= MIN_SUPPORT * support[order[0]]
    ]


def candidate_documents(
    child: Document, index: CandidateIndex, top: int = 3, allowed: Optional[np.ndarray] = None
) -> list[tuple[str, float]]:
    """The parent documents the child most likely implements by the index alone,
    (doc_id, support), best first (see ``_documents``)."""
    return _documents(index.by_document(index.matrix(_texts(child))), index, allowed, top)


@dataclass
class Shortlisted:
    """A candidate parent document, with the measures of it worth scoring."""

    doc: str
    support: float  # in [0, 1]: see ``_documents``
    keys: set[str]  # candidate parent measure keys: each child measure's top k in this document


def shortlist(
    child: Document, index: CandidateIndex, allowed: Optional[np.ndarray] = None, k: int = 5, top: int = 3
) -> list[Shortlisted]:
    """Candidate parent documents of ``child`` among the ``allowed`` indexed documents, best
    first, each with its candidate measures: per child measure, its k best measures *within
    that document* (so near-identical versions of the document elsewhere cannot crowd them
    out)."""
    scores = index.matrix(_texts(child))
    found = _documents(index.by_document(scores), index, allowed, top)
    return [
        Shortlisted(doc, support, {key for row in index.top(scores, k, doc=doc) for _, key, _ in row})
        for doc, support in found
    ]
