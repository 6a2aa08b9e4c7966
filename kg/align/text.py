"""Sentence similarity for alignment: rapidfuzz over characters and jieba tokens.

A city plan copies provincial sentences with small edits (省 → 市, a clause dropped, a
local project added). Character similarity catches light edits; overlap of jieba words
catches sentences that were shortened or had clauses reordered. Characters are scored
many-to-many with ``rapidfuzz.process.cdist``; the word overlap is one matrix product.

>>> m = similarity(["做大做强环保龙头企业。"], ["做大做强省级环保龙头企业。", "加强宣传引导。"])
>>> float(m[0, 0]) > 0.85 > 0.3 > float(m[0, 1])
True
"""

from __future__ import annotations

import logging
import re
from contextlib import contextmanager
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

# Characters that carry no meaning for matching: punctuation, brackets, quotes, spaces.
_NOISE = re.compile(r"[\s，。；：、！？“”‘’《》（）()【】〔〕\[\]「」『』…—·,.;:!?\"'-]+")
# Sentences shorter than this are scored by characters only: token-set similarity of a
# three-word sentence against a long one is 1.0 whenever the words are a subset.
_MIN_TOKEN_CHARS = 12
WORKERS = -1  # rapidfuzz threads: all cores


@contextmanager
def threads(n: int):
    """rapidfuzz uses ``n`` threads inside the block (1 when each core runs its own process)."""
    global WORKERS
    saved, WORKERS = WORKERS, n
    try:
        yield
    finally:
        WORKERS = saved


def clean(text: str) -> str:
    """The characters that matter for similarity.

    >>> clean("（一）推进工业绿色转型。")
    '一推进工业绿色转型'
    """
    return _NOISE.sub("", text)


@lru_cache(maxsize=1)
def _jieba():
    """jieba with its dictionary loaded once per process (the load takes ~1 s)."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


@lru_cache(maxsize=1 << 17)
def tokens(text: str) -> str:
    """jieba words of ``clean(text)``, space-separated as rapidfuzz's token scorers expect.

    >>> tokens("推进工业绿色转型")
    '推进 工业 绿色 转型'
    """
    return " ".join(_jieba().lcut(clean(text), HMM=False))


def word_overlap(a: list[str], b: list[str]) -> np.ndarray:
    """``len(a) × len(b)`` overlap in [0, 1] of the jieba word sets of two lists of sentences.

    With the shared words I and the words only one side has, A∖B and B∖A (all counted in
    characters), the overlap is 2I / (2I + min(|A∖B|, |B∖A|)): 1.0 when one sentence's
    words are a subset of the other's (a shortened copy), as rapidfuzz's token-set ratio
    scores it, but computed for all pairs at once as a product of word-incidence matrices
    (token-set ratio over cdist costs ten to twenty times a character cdist).

    >>> word_overlap(["推进工业绿色转型"], ["大力推进工业绿色转型", "加强宣传引导"]).round(2).tolist()
    [[1.0, 0.0]]
    """
    vocab: dict[str, int] = {}
    rows = [[vocab.setdefault(w, len(vocab)) for w in set(tokens(x).split())] for x in a + b]
    lengths = np.zeros(len(vocab), dtype=np.float32)
    for w, i in vocab.items():
        lengths[i] = len(w)
    incidence = np.zeros((len(rows), len(vocab)), dtype=np.float32)
    for r, ids in enumerate(rows):
        incidence[r, ids] = 1.0
    weighted = incidence[: len(a)] * lengths
    shared = weighted @ incidence[len(a):].T
    la = weighted.sum(axis=1)[:, None]
    lb = (incidence[len(a):] @ lengths)[None, :]
    rest = np.minimum(la - shared, lb - shared)
    return np.divide(2 * shared, 2 * shared + rest, out=np.zeros_like(shared), where=shared > 0)


def similarity(a: list[str], b: list[str]) -> np.ndarray:
    """``len(a) × len(b)`` similarities in [0, 1] between two lists of sentences.

    The score is the mean of character similarity (normalised Indel) and the overlap of
    jieba words; short sentences use characters alone.
    """
    if not a or not b:
        return np.zeros((len(a), len(b)), dtype=np.float32)
    ca, cb = [clean(x) for x in a], [clean(x) for x in b]
    chars = process.cdist(ca, cb, scorer=fuzz.ratio, dtype=np.float32, workers=WORKERS) / 100.0
    words = word_overlap(a, b)
    la = np.array([len(x) for x in ca])[:, None]
    lb = np.array([len(x) for x in cb])[None, :]
    short = np.minimum(la, lb) < _MIN_TOKEN_CHARS
    return np.where(short, chars, (chars + words) / 2)


def topic_similarity(a: list[list[str]], b: list[list[str]]) -> np.ndarray:
    """TF-IDF cosine over jieba words (two characters or more) between two lists of texts.

    Catches measures on the same subject written independently (two provinces drafting
    from one national guidance) where few sentences are copied. Each text is a list of
    pieces (title, sentences), tokenised piece by piece so sentences are cut only once.
    """
    docs = [[w for piece in t for w in tokens(piece).split() if len(w) > 1 and not w.isdigit()] for t in a + b]
    vocab: dict[str, int] = {}
    for d in docs:
        for w in d:
            vocab.setdefault(w, len(vocab))
    if not vocab or not a or not b:
        return np.zeros((len(a), len(b)))
    tf = np.zeros((len(docs), len(vocab)))
    for i, d in enumerate(docs):
        for w in d:
            tf[i, vocab[w]] += 1
    df = (tf > 0).sum(axis=0)
    weights = tf * (np.log((len(docs) + 1) / (df + 1)) + 1)
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    weights = np.divide(weights, norms, out=np.zeros_like(weights), where=norms > 0)
    return weights[: len(a)] @ weights[len(a):].T
