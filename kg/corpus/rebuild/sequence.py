"""One sequence model over the raw order: which measure each unit of a scrambled body
belongs to (Viterbi over the measure numbers 1..n, the lost ones included).

A scrape cuts the document into passages of a few units, shuffles and repeats them and
drops some headings. So, in raw order:

- a heading opens its measure (its unit is fixed to its number);
- a unit mostly continues the measure of the unit before it (passages are contiguous);
- a responsibility list closes its measure: the unit after it is the next number (the
  document's own order, where the passage goes on) or anything (a passage boundary);
- a sentence is close in topic (character-bigram TF-IDF) to the measure it belongs to:
  to its title or to the title and text of the child measures placed at its number (all
  a lost heading has: so sentences a child rewrote rather than copied find it too);
- sentences a child document copies into one of its measures belong together
  (``groups``): each pass pulls them towards the measure most of them are in.

Scores are log-odds-like weights, not probabilities: they only rank the paths.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from typing import Optional

import numpy as np

from kg.corpus.rebuild.units import MIN_KEY, Unit

STAY = math.log(0.8)  # the next unit continues the passage's measure
NEXT = math.log(0.05)  # the next number without a list in between (a lost heading inside a passage)
AFTER_LIST_NEXT = math.log(0.6)  # a list closes its measure; the document goes on with the next
AFTER_LIST_STAY = math.log(0.05)
JUMP = 0.15  # a passage boundary: any measure, shared among them
AFTER_LIST_JUMP = 0.35
TOPIC = 30.0  # weight of topic similarity (tuned on bench/scramble.py)
EMPTY = 0.03  # similarity assumed to a measure without a title (a lost heading)
GROUP = 5.0  # pull of the measure most of a child's copied group sits in
PASSES = 6
_NOISE = re.compile(r"[\W_\d]+")


def _bigrams(text: str) -> list[str]:
    s = _NOISE.sub("", text)
    return [s[i : i + 2] for i in range(len(s) - 1)] or ([s] if s else [])


class Topics:
    """Unit-length TF-IDF vectors over character bigrams, one per distinct text."""

    def __init__(self, texts: list[str]):
        grams = [Counter(_bigrams(x)) for x in texts]
        vocab: dict[str, int] = {}
        for g in grams:
            for b in g:
                vocab.setdefault(b, len(vocab))
        df = np.zeros(len(vocab))
        for g in grams:
            for b in g:
                df[vocab[b]] += 1
        idf = np.log((1 + len(texts)) / (1 + df)) + 1
        self.m = np.zeros((len(texts), len(vocab)))
        for i, g in enumerate(grams):
            for b, c in g.items():
                self.m[i, vocab[b]] = (1 + math.log(c)) * idf[vocab[b]]
        norms = np.linalg.norm(self.m, axis=1, keepdims=True)
        self.m /= np.where(norms > 0, norms, 1)


def place(units: list[Unit], n: int, titles: dict[int, str], groups=()) -> list[int]:
    """The measure number (1..n) of every unit, by Viterbi over the raw order."""
    keys = [u.key for u in units]
    distinct = list(dict.fromkeys(k for u, k in zip(units, keys) if u.kind == "sentence"))
    kid = {k: i for i, k in enumerate(distinct)}
    named = {v: t for v, t in titles.items() if 1 <= v <= n and t}
    told = _told(groups, n)
    a, b = sorted(named), sorted(told)
    text_of = {u.key: u.text for u in units}
    topics = Topics([text_of[k] for k in distinct] + [named[v] for v in a] + [told[v] for v in b])
    vec, tvec = topics.m[: len(distinct)], topics.m[len(distinct) :]
    sim = np.full((len(distinct), n), EMPTY)
    sim[:, [v - 1 for v in a]] = vec @ tvec[: len(a)].T
    if b:  # a measure is as close as its title or the child measures placed at its number
        cols = [v - 1 for v in b]
        sim[:, cols] = np.maximum(sim[:, cols], vec @ tvec[len(a) :].T)
    states: Optional[list[int]] = None
    for _ in range(PASSES if groups else 1):  # later passes only move the children's groups
        home = _homes(units, keys, states) if states is not None else {}
        emit = _emissions(units, keys, kid, sim, home, groups, n)
        new = _viterbi(units, emit, n)
        if new == states:
            break
        states = new
    return states


def _told(groups, n: int) -> dict[int, str]:
    """What the child measures placed at a number say it is about: their titles and texts."""
    told: dict[int, list[str]] = {}
    for g in groups:
        if g.number is not None and 1 <= g.number <= n and g.topic:
            told.setdefault(g.number, []).append(g.topic)
    return {v: "".join(texts) for v, texts in told.items()}


def _homes(units: list[Unit], keys: list[str], states: list[int]) -> dict[str, int]:
    """Where each distinct sentence sits now: the state most of its occurrences have,
    the first occurrence's on a tie."""
    votes: dict[str, Counter] = {}
    for u, k, s in zip(units, keys, states):
        if u.kind == "sentence":
            votes.setdefault(k, Counter())[s] += 1
    return {k: c.most_common(1)[0][0] for k, c in votes.items()}


def _emissions(units, keys, kid, sim, home, groups, n) -> np.ndarray:
    emit = np.zeros((len(units), n))
    pull: dict[str, int] = {}
    for g in groups:
        if g.number is not None and 1 <= g.number <= n:
            for k in g.keys:
                pull[k] = g.number
            continue
        placed = Counter(home[k] for k in g.keys if k in home)
        if placed:
            best, count = placed.most_common(1)[0]
            if count * 2 > sum(placed.values()):
                for k in g.keys:
                    pull.setdefault(k, best)
    for i, (u, k) in enumerate(zip(units, keys)):
        if u.kind == "heading":
            emit[i] = -np.inf
            if 1 <= u.value <= n:
                emit[i, u.value - 1] = 0.0
            continue
        if u.kind != "sentence":
            continue  # a list names agencies, not a topic: its place is the structure's
        weight = TOPIC if len(k) >= MIN_KEY else TOPIC / 3
        emit[i] = weight * sim[kid[k]]
        if k in pull:
            emit[i, pull[k] - 1] += GROUP
    return emit


def _viterbi(units: list[Unit], emit: np.ndarray, n: int) -> list[int]:
    T = len(units)
    if T == 0:
        return []
    idx = np.arange(n)
    plain = np.full((n, n), math.log(JUMP / n))
    plain[idx, idx] = STAY
    plain[idx[:-1], idx[1:]] = NEXT
    closed = np.full((n, n), math.log(AFTER_LIST_JUMP / n))
    closed[idx, idx] = AFTER_LIST_STAY
    closed[idx[:-1], idx[1:]] = AFTER_LIST_NEXT
    score = emit[0] - math.log(n)
    back = np.zeros((T, n), dtype=int)
    for t in range(1, T):
        trans = closed if units[t - 1].kind == "list" else plain
        cand = score[:, None] + trans  # from (rows) → to (columns)
        back[t] = cand.argmax(axis=0)
        score = cand.max(axis=0) + emit[t]
    path = [int(score.argmax())]
    for t in range(T - 1, 0, -1):
        path.append(int(back[t, path[-1]]))
    return [s + 1 for s in reversed(path)]
