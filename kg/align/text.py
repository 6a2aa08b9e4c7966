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


class _Words:
    """A process-wide numbering of jieba words, so sentences are cut and looked up once and
    each pair of documents is scored with numpy on small integer arrays."""

    def __init__(self):
        self.ids: dict[str, int] = {}
        self._lengths: list[int] = []
        self._arrays: tuple[np.ndarray, np.ndarray] = (np.zeros(0, np.float32), np.zeros(0, bool))

    def of(self, words) -> np.ndarray:
        ids = self.ids
        out = np.empty(len(words), dtype=np.int64)
        for k, w in enumerate(words):
            i = ids.get(w)
            if i is None:
                i = ids[w] = len(self._lengths)
                self._lengths.append(len(w))
            out[k] = i
        return out

    def _current(self) -> tuple[np.ndarray, np.ndarray]:
        if len(self._arrays[0]) != len(self._lengths):  # new words since last asked
            words = sorted(self.ids, key=self.ids.get)
            self._arrays = (np.array(self._lengths, dtype=np.float32),
                            np.array([len(w) > 1 and not w.isdigit() for w in words], dtype=bool))
        return self._arrays

    @property
    def lengths(self) -> np.ndarray:
        """Characters per word id."""
        return self._current()[0]

    @property
    def topical(self) -> np.ndarray:
        """Per word id: two characters or more, not a number."""
        return self._current()[1]


_WORDS = _Words()


@lru_cache(maxsize=1 << 17)
def word_set(text: str) -> np.ndarray:
    """The distinct word ids of a sentence."""
    return np.unique(_WORDS.of(tokens(text).split()))


@lru_cache(maxsize=1 << 17)
def topical_words(text: str) -> np.ndarray:
    """The word ids of a piece of text that carry a topic (two characters or more, not a
    number), repeated as often as they occur."""
    ids = _WORDS.of(tokens(text).split())
    return ids[_WORDS.topical[ids]] if len(ids) else ids


def _incidence(groups: list[np.ndarray], counts: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Rows × local vocabulary matrix of word ids (1/0, or occurrence counts), and the
    global id of each column."""
    sizes = [len(g) for g in groups]
    flat = np.concatenate(groups) if groups else np.zeros(0, dtype=np.int64)
    vocab, cols = np.unique(flat, return_inverse=True)
    rows = np.repeat(np.arange(len(groups)), sizes)
    matrix = np.zeros((len(groups), len(vocab)), dtype=np.float32 if not counts else np.float64)
    if counts:
        np.add.at(matrix, (rows, cols), 1.0)
    else:
        matrix[rows, cols] = 1.0
    return matrix, vocab


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
    incidence, vocab = _incidence([word_set(x) for x in a + b])
    lengths = _WORDS.lengths[vocab]
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
    if not a or not b:
        return np.zeros((len(a), len(b)))
    groups = [np.concatenate([topical_words(piece) for piece in t]) if t else np.zeros(0, dtype=np.int64)
              for t in a + b]
    tf, vocab = _incidence(groups, counts=True)
    if not len(vocab):
        return np.zeros((len(a), len(b)))
    df = (tf > 0).sum(axis=0)
    weights = tf * (np.log((len(groups) + 1) / (df + 1)) + 1)
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    weights = np.divide(weights, norms, out=np.zeros_like(weights), where=norms > 0)
    return weights[: len(a)] @ weights[len(a):].T
