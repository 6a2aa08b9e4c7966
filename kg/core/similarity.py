"""Sentence similarity for alignment: rapidfuzz over characters and jieba tokens.

A city plan copies provincial sentences with small edits (省 → 市, a clause dropped, a
local project added). Character similarity catches light edits; overlap of jieba words
catches sentences that were shortened or had clauses reordered. Characters are scored
many-to-many with ``rapidfuzz.process.cdist``; the word overlap of all pairs is gathered
from an inverted index of the longer side (``Texts``), built once per parent document.

>>> m = similarity(["做大做强环保龙头企业。"], ["做大做强省级环保龙头企业。", "加强宣传引导。"])
>>> float(m[0, 0]) > 0.85 > 0.3 > float(m[0, 1])
True
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property, lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from kg.core.words import WORDS, _jieba, distinct, word_ids  # noqa: F401 (_jieba: callers load it before forking)
from kg.core.words import clear_caches as _forget_cuts

# Characters that carry no meaning for matching: punctuation, brackets, quotes, spaces.
_NOISE = re.compile(r"[\s，。；：、！？“”‘’《》（）()【】〔〕\[\]「」『』…—·,.;:!?\"'-]+")
# Sentences shorter than this are scored by characters only: token-set similarity of a
# three-word sentence against a long one is 1.0 whenever the words are a subset.
_MIN_TOKEN_CHARS = 12
# rapidfuzz threads per cdist. One: a document pair's matrix is tens by hundreds of
# sentences, and starting threads for it costs more than they save (a 1,000-document
# corpus aligned in one process: 6.3 s with a thread per core, 4.9 s with one thread);
# both cores are used by aligning pairs in two processes instead.
WORKERS = 1


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


_clean = lru_cache(maxsize=1 << 17)(clean)  # a copied sentence is cleaned once


def clear_caches() -> None:
    """Forget every sentence cleaned and cut so far (to time alignment from cold)."""
    _clean.cache_clear()
    bigrams.cache_clear()
    _forget_cuts()


def ranges(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The positions ``starts[k] .. starts[k] + counts[k] - 1`` for every k, concatenated,
    without a Python loop (to gather the posting lists of an inverted index).

    >>> ranges(np.array([5, 0]), np.array([2, 3])).tolist()
    [5, 6, 0, 1, 2]
    """
    return np.repeat(starts - (np.cumsum(counts) - counts), counts) + np.arange(counts.sum())


def _renumber(items: np.ndarray, keep: list[int], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Which of ``items`` (numbers below ``n``) are in ``keep`` (ascending), and their new numbers."""
    new = np.full(n, -1)
    new[keep] = np.arange(len(keep))
    mapped = new[items]
    return mapped >= 0, mapped[mapped >= 0]


@dataclass
class Bags:
    """Bags of words: ``count`` times word ``ids`` in text number ``text`` (of ``n``), one
    entry per (text, word)."""

    ids: np.ndarray
    text: np.ndarray
    count: np.ndarray
    n: int

    @classmethod
    def of(cls, ids: np.ndarray, text: np.ndarray, n: int) -> "Bags":
        """Bags from word occurrences (``ids[k]`` occurs in text ``text[k]``)."""
        known = max(len(WORDS.ids), 1)
        keys = np.sort(text * known + ids)
        first = np.flatnonzero(np.concatenate([[True], keys[1:] != keys[:-1]])) if len(keys) else keys
        counts = np.diff(np.append(first, len(keys))).astype(np.float64)
        return cls(keys[first] % known, keys[first] // known, counts, n)

    def take(self, keep: list[int]) -> "Bags":
        """The texts numbered ``keep`` (ascending), renumbered from 0."""
        mask, text = _renumber(self.text, keep, self.n)
        return Bags(self.ids[mask], text, self.count[mask], len(keep))


class Texts:
    """Sentences prepared once for scoring against many others: their ``clean`` characters
    for rapidfuzz and the distinct jieba word ids of each (flat arrays, sentence by
    sentence), with (built when first scored against) an inverted index from word to
    sentences, so that the word overlap of a few sentences against a long list gathers
    only the words the few contain.

    Building one for a parent document once and scoring each child against it is what
    keeps the per-pair cost near the character cdist's.
    """

    def __init__(self, texts: list[str]):
        self.chars = [_clean(t) for t in texts]
        self.n_chars = np.array([len(c) for c in self.chars], dtype=np.int64)
        ids = [word_ids(c) for c in self.chars]
        # Every word in order (topics count repeats), and each sentence's distinct words.
        self._all = np.concatenate(ids) if ids else np.zeros(0, dtype=np.int64)
        self._all_sentence = np.repeat(np.arange(len(ids)), [len(x) for x in ids])
        known = max(len(WORDS.ids), 1)
        pairs = distinct(self._all_sentence * known + self._all)  # by sentence, then word id
        self.words, self.sentence = pairs % known, pairs // known
        # Characters in each sentence's distinct words (sums of integers: exact in float32).
        self.word_chars = np.bincount(self.sentence, weights=WORDS.lengths[self.words], minlength=len(ids)).astype(
            np.float32
        )

    def __len__(self) -> int:
        return len(self.chars)

    def topical(self) -> tuple[np.ndarray, np.ndarray]:
        """The words that carry a topic (two characters or more, not a number), each
        occurrence with the number of its sentence."""
        mask = WORDS.topical[self._all]
        return self._all[mask], self._all_sentence[mask]

    def take(self, keep: list[int]) -> "Texts":
        """The sentences numbered ``keep`` (ascending), without cutting them again."""
        out = Texts.__new__(Texts)
        out.chars = [self.chars[i] for i in keep]
        out.n_chars, out.word_chars = self.n_chars[keep], self.word_chars[keep]
        mask, out.sentence = _renumber(self.sentence, keep, len(self))
        out.words = self.words[mask]
        mask, out._all_sentence = _renumber(self._all_sentence, keep, len(self))
        out._all = self._all[mask]
        return out

    @cached_property
    def _index(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Inverted index, CSR style: for each word id its slot (-1 when absent), and for
        the word in slot ``k`` the sentences holding it, ``postings[indptr[k]:indptr[k + 1]]``,
        with the word's length beside each posting."""
        order = np.argsort(self.words, kind="stable")
        words = self.words[order]
        first = np.flatnonzero(np.concatenate([[True], words[1:] != words[:-1]])) if len(words) else order
        slot = np.full(len(WORDS.ids), -1, dtype=np.int64)
        slot[words[first]] = np.arange(len(first))
        return slot, np.append(first, len(words)), self.sentence[order], WORDS.lengths[words].astype(np.float64)

    def shared_chars(self, other: "Texts") -> np.ndarray:
        """``len(self) × len(other)``: characters of the words each pair has in common,
        gathered from ``other``'s inverted index (only the words ``self`` holds are read)."""
        slot, indptr, postings, length = other._index
        n_a, n_b = len(self), len(other)
        if not len(postings) or not n_a:
            return np.zeros((n_a, n_b), dtype=np.float32)
        flat = self.words
        pos = slot[np.minimum(flat, len(slot) - 1)]
        hit = (pos >= 0) & (flat < len(slot))  # words numbered after ``other`` was indexed are not in it
        pos, rows = pos[hit], self.sentence[hit]
        starts, counts = indptr[pos], indptr[pos + 1] - indptr[pos]
        idx = ranges(starts, counts)
        cells = np.repeat(rows * n_b, counts) + postings[idx]
        # Sums of whole numbers of characters: exact, whatever the order of addition.
        return np.bincount(cells, weights=length[idx], minlength=n_a * n_b).reshape(n_a, n_b).astype(np.float32)

    def word_overlap(self, other: "Texts") -> np.ndarray:
        """See ``word_overlap``."""
        shared = self.shared_chars(other)
        la, lb = self.word_chars[:, None], other.word_chars[None, :]
        rest = np.minimum(la - shared, lb - shared)
        # Where words are shared, the denominator is at least 2 (whole characters); elsewhere 0 / 1.
        return 2 * shared / np.maximum(2 * shared + rest, 1.0)

    def similarity(self, other: "Texts") -> np.ndarray:
        """See ``similarity``."""
        if not len(self) or not len(other):
            return np.zeros((len(self), len(other)), dtype=np.float32)
        chars = process.cdist(self.chars, other.chars, scorer=fuzz.ratio, dtype=np.float32, workers=WORKERS) / 100.0
        words = self.word_overlap(other)
        short = np.minimum(self.n_chars[:, None], other.n_chars[None, :]) < _MIN_TOKEN_CHARS
        return np.where(short, chars, (chars + words) / 2)


def word_overlap(a: list[str], b: list[str]) -> np.ndarray:
    """``len(a) × len(b)`` overlap in [0, 1] of the jieba word sets of two lists of sentences.

    With the shared words I and the words only one side has, A∖B and B∖A (all counted in
    characters), the overlap is 2I / (2I + min(|A∖B|, |B∖A|)): 1.0 when one sentence's
    words are a subset of the other's (a shortened copy), as rapidfuzz's token-set ratio
    scores it, but computed for all pairs at once by gathering, for each word of ``a``,
    the sentences of ``b`` that hold it (token-set ratio over cdist costs ten to twenty
    times a character cdist).

    >>> word_overlap(["推进工业绿色转型"], ["大力推进工业绿色转型", "加强宣传引导"]).round(2).tolist()
    [[1.0, 0.0]]
    """
    return Texts(a).word_overlap(Texts(b))


def similarity(a: list[str], b: list[str]) -> np.ndarray:
    """``len(a) × len(b)`` similarities in [0, 1] between two lists of sentences.

    The score is the mean of character similarity (normalised Indel) and the overlap of
    jieba words; short sentences use characters alone.
    """
    return Texts(a).similarity(Texts(b))


def topic_similarity(a: Bags, b: Bags) -> np.ndarray:
    """TF-IDF cosine over jieba words (two characters or more) between two lists of texts,
    each given as the bag of its topic words (``Texts.topical``: title and sentences).

    Catches measures on the same subject written independently (two provinces drafting
    from one national guidance) where few sentences are copied. The IDF is that of the two
    lists together.
    """
    if not a.n or not b.n:
        return np.zeros((a.n, b.n))
    n = a.n + b.n
    n_vocab, cols = WORDS.columns(np.concatenate([a.ids, b.ids]))
    rows, tf = np.concatenate([a.text, b.text + a.n]), np.concatenate([a.count, b.count])
    df = np.bincount(cols, minlength=n_vocab)
    weights = np.zeros((n, n_vocab))
    weights[rows, cols] = tf * (np.log((n + 1) / (df[cols] + 1)) + 1)
    norms = np.linalg.norm(weights, axis=1)  # over columns in word order: the same floats in every process
    weights[rows, cols] /= norms[rows]
    return weights[: a.n] @ weights[a.n :].T


@lru_cache(maxsize=1 << 14)
def bigrams(text: str) -> np.ndarray:
    """The character bigrams of ``text``'s ``clean`` characters, each as one integer
    (two code points of 21 bits).

    >>> bigrams("绿色。金融").size
    3
    """
    chars = np.frombuffer(_clean(text).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    out = (chars[:-1] << 21) | chars[1:]
    out.flags.writeable = False  # cached: shared by every caller
    return out


@dataclass(frozen=True)
class BigramIdf:
    """Inverse document frequency of character bigrams, counted once over the measures
    (and preambles) of every document of a corpus, so that a bigram common to the whole
    policy field (绿色, 发展) weighs little in every pair, and one that marks a subject
    (贸易, 金融) weighs much, however few documents a pair has."""

    keys: np.ndarray  # sorted bigram codes
    idf: np.ndarray
    texts: int  # texts counted

    @classmethod
    def of(cls, texts: list[str]) -> "BigramIdf":
        # each text's distinct bigrams, then how many texts hold each: ``np.unique`` by sorting
        # (numpy 2 hashes, slower here), in the process that aligns, before the workers start
        codes = [distinct(bigrams(t)) for t in texts]
        flat = np.sort(np.concatenate(codes)) if codes else np.zeros(0, dtype=np.int64)
        first = np.flatnonzero(np.concatenate([[True], flat[1:] != flat[:-1]])) if len(flat) else flat
        keys, df = flat[first], np.diff(np.append(first, len(flat)))
        n = len(texts)
        return cls(keys, np.log((n + 1) / (df + 1)) + 1, n)

    def of_codes(self, codes: np.ndarray) -> np.ndarray:
        """The IDF of each bigram code; one never seen counts as seen in no text."""
        unseen = np.log(self.texts + 1) + 1
        if not len(self.keys):
            return np.full(len(codes), unseen)
        at = np.minimum(np.searchsorted(self.keys, codes), len(self.keys) - 1)
        return np.where(self.keys[at] == codes, self.idf[at], unseen)


def whole_similarity(a: list[str], b: list[str], idf: BigramIdf) -> np.ndarray:
    """``len(a) × len(b)`` cosine of character-bigram TF-IDF (sublinear term frequency,
    ``idf`` from the corpus) between whole texts: how alike two measures are in what they
    talk about, whatever the wording of their sentences (a paraphrase keeps the terms).

    >>> idf = BigramIdf.of(["发展绿色金融", "建立绿色贸易体系", "倡导绿色生活方式"])
    >>> m = whole_similarity(["打造绿色贸易体系"], ["大力发展绿色金融", "建立绿色贸易体系"], idf)
    >>> float(m[0, 1]) > 0.5 > float(m[0, 0])
    True
    """
    if not a or not b:
        return np.zeros((len(a), len(b)))
    codes = [bigrams(t) for t in a + b]
    sizes = [len(c) for c in codes]
    flat = np.concatenate(codes)
    text = np.repeat(np.arange(len(codes)), sizes)
    vocab, col = np.unique(flat, return_inverse=True)
    n, v = len(codes), len(vocab)
    counts = np.bincount(text * v + col.ravel(), minlength=n * v).reshape(n, v).astype(np.float64)
    weights = np.log(counts, out=np.zeros_like(counts), where=counts > 0)
    weights = np.where(counts > 0, weights + 1.0, 0.0) * idf.of_codes(vocab)[None, :]
    norms = np.linalg.norm(weights, axis=1, keepdims=True)
    weights = np.divide(weights, norms, out=np.zeros_like(weights), where=norms > 0)
    return weights[: len(a)] @ weights[len(a) :].T


# The corpus IDF in force (``corpus_idf``): set by ``align_corpus`` around the pairs it
# aligns, inherited by its forked workers; None scores a pair with the IDF of its own two documents.
CORPUS_IDF: "BigramIdf | None" = None


@contextmanager
def corpus_idf(idf: "BigramIdf | None"):
    """Pairs scored inside the block weigh bigrams by ``idf`` (one corpus's)."""
    global CORPUS_IDF
    saved, CORPUS_IDF = CORPUS_IDF, idf
    try:
        yield
    finally:
        CORPUS_IDF = saved
