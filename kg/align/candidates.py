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

>>> from kg.parse import parse_text
>>> a = parse_text("甲省措施\\n\\n一、任务\\n\\n（一）推进工业绿色转型。推动钢铁、有色、石化等传统产业绿色化改造。\\n\\n"
...                "（二）打造绿色物流。加快发展冷链物流，推广新能源物流车辆。\\n")
>>> index = CandidateIndex({"province": a})
>>> index.size
2
>>> [(d, key) for d, key, _ in index.query(["加快发展冷链物流"], k=1)[0]]
[('province', '2')]
"""

from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np

from ..model import Document, Measure
from .text import clean

K1, B = 1.2, 0.75  # Okapi BM25 defaults: term-frequency saturation, length normalisation


def _pieces(m: Measure) -> list[str]:
    return [m.title] + [s.text for s in m.sentences]


def bigrams(pieces: list[str]) -> Counter:
    """Character bigrams of each ``clean``-ed piece (none across piece boundaries).

    >>> sorted(bigrams(["推进绿色。"]).items())
    [('推进', 1), ('绿色', 1), ('进绿', 1)]
    """
    out: Counter = Counter()
    for piece in pieces:
        t = clean(piece)
        out.update(t[i:i + 2] for i in range(len(t) - 1))
        if len(t) == 1:
            out[t] += 1
    return out


class CandidateIndex:
    """BM25 over character bigrams of every measure of the given (higher-level) documents.

    ``parents``: registry id → parsed Document. Measures are indexed in the order given,
    so results are deterministic (ties broken by that order).
    """

    def __init__(self, parents: dict[str, Document]):
        self.keys: list[tuple[str, str]] = []  # posting unit -> (doc id, measure key)
        vocab: dict[str, int] = {}
        terms, units, tfs, lengths = [], [], [], []
        for doc_id, doc in parents.items():
            if doc is None:
                continue
            for m in doc.measures:
                u = len(self.keys)
                self.keys.append((doc_id, m.key))
                grams = bigrams(_pieces(m))
                lengths.append(sum(grams.values()))
                for g, tf in grams.items():
                    terms.append(vocab.setdefault(g, len(vocab)))
                    units.append(u)
                    tfs.append(tf)
        self.vocab = vocab
        n = len(self.keys)
        terms_a = np.array(terms, dtype=np.int64)
        order = np.argsort(terms_a, kind="stable")
        self._units = np.array(units, dtype=np.int32)[order]
        tf = np.array(tfs, dtype=np.float32)[order]
        df = np.bincount(terms_a, minlength=len(vocab))
        self._indptr = np.concatenate([[0], np.cumsum(df)]).astype(np.int64)
        dl = np.array(lengths, dtype=np.float32)
        avgdl = float(dl.mean()) if n else 1.0
        idf = np.log1p((n - df + 0.5) / (df + 0.5)).astype(np.float32)
        term_of = np.repeat(np.arange(len(vocab)), df)
        norm = K1 * (1 - B + B * dl[self._units] / max(avgdl, 1.0))
        # The whole BM25 contribution of each posting, precomputed: a query only sums them.
        self._weight = (idf[term_of] * tf * (K1 + 1) / (tf + norm)).astype(np.float32)

    @property
    def size(self) -> int:
        """Number of indexed parent measures."""
        return len(self.keys)

    def _scores(self, text: str) -> np.ndarray:
        """BM25 score of ``text`` against every indexed measure (each query bigram once)."""
        ids = np.array(sorted({self.vocab[g] for g in bigrams([text]) if g in self.vocab}), dtype=np.int64)
        if not len(ids) or not self.keys:
            return np.zeros(len(self.keys), dtype=np.float32)
        start, stop = self._indptr[ids], self._indptr[ids + 1]
        counts = stop - start
        # Concatenated posting ranges without a Python loop: offsets within each range.
        idx = np.repeat(start - np.concatenate([[0], np.cumsum(counts)[:-1]]), counts) + np.arange(counts.sum())
        return np.bincount(self._units[idx], weights=self._weight[idx], minlength=len(self.keys))

    def query(self, texts: list[str], k: int = 10) -> list[list[tuple[str, str, float]]]:
        """Per text: up to k (doc_id, measure_key, score), best first; zero scores dropped.

        >>> CandidateIndex({}).query(["任何文本"])
        [[]]
        """
        out = []
        for text in texts:
            s = self._scores(text)
            if k < len(s):
                top = np.argpartition(-s, k - 1)[:k]
            else:
                top = np.arange(len(s))
            top = top[np.lexsort((top, -s[top]))]  # best first, ties by index order
            out.append([(*self.keys[i], round(float(s[i]), 4)) for i in top if s[i] > 0])
        return out


def candidate_parents(child: Document, index: CandidateIndex, k: int = 10) -> list[list[tuple[str, str, float]]]:
    """Per child measure (in order): up to k candidate parent measures (doc_id, key, score)."""
    return index.query(["".join(_pieces(m)) for m in child.measures], k)


# A candidate document must collect at least this share of the best document's support.
MIN_SUPPORT = 0.5


def documents_from(candidates: list[list[tuple[str, str, float]]], top: int = 3) -> list[tuple[str, float]]:
    """Aggregate per-measure candidates into documents: each child measure votes, for every
    document among its candidates, that document's best score relative to the measure's
    best candidate (so a long measure counts no more than a short one). Support is the
    mean vote over child measures, in [0, 1]; documents with less than ``MIN_SUPPORT`` of
    the best document's support are dropped, at most ``top`` are kept, best first."""
    support: dict[str, float] = defaultdict(float)
    for row in candidates:
        if not row:
            continue
        best: dict[str, float] = {}
        for doc_id, _, score in row:
            best[doc_id] = max(best.get(doc_id, 0.0), score)
        for doc_id, score in best.items():
            support[doc_id] += score / row[0][2]
    n = max(len(candidates), 1)
    ranked = sorted(((d, round(s / n, 4)) for d, s in support.items()), key=lambda x: (-x[1], x[0]))
    if not ranked:
        return []
    return [(d, s) for d, s in ranked[:top] if s >= MIN_SUPPORT * ranked[0][1]]


def candidate_documents(child: Document, index: CandidateIndex, k: int = 10, top: int = 3) -> list[tuple[str, float]]:
    """The parent documents the child most likely implements: candidates aggregated per
    document (see ``documents_from``), best first."""
    return documents_from(candidate_parents(child, index, k), top)
