"""Parent discovery: the parents of a document whose registry entry declares none.

1. **Shortlist.** The candidate index (``kg.align.candidates``, BM25 over character
   bigrams) ranks every higher-level document by how much of the child it finds there
   and keeps the best few, each with the candidate measures worth scoring.
2. **Score.** The child is aligned to each shortlisted document by the usual scorer
   (``kg.align.measures``), restricted to those candidate measures and the preamble.
3. **Choose.** Where every province issues its own version of a national policy, the
   shortlist holds near-identical documents, and the index (a bag of bigrams) cannot
   always tell them apart. The scorer can: a child copies its own parent's sentences
   exactly, and the other versions only up to their own rewording. The shortlisted
   document closest to the child's sentences (``similarity``: each child sentence's best
   similarity to one of its sentences, averaged by length; 1.0 when every sentence is
   copied verbatim) is its parent if a good part of the child is close to it; another
   one is kept as well only when it is clearly closer for a good part of the child (a
   plan implementing two documents at once).

>>> from kg.extract.parse import parse_text
>>> from kg.align.candidates import CandidateIndex
>>> a = parse_text("甲省方案\\n\\n一、任务\\n\\n（一）推进工业绿色转型。推动钢铁、石化等传统产业绿色化改造。\\n")
>>> b = parse_text("乙省方案\\n\\n一、任务\\n\\n（一）推进工业绿色转型。推动钢铁、有色等传统产业数字化改造。\\n")
>>> child = parse_text("丙市方案\\n\\n一、任务\\n\\n（一）推进工业绿色转型。推动钢铁、石化等传统产业绿色化改造。\\n")
>>> [(f.doc, f.kept) for f in find_parents(child, "child", {"a": a, "b": b}, CandidateIndex({"a": a, "b": b}))]
[('a', True), ('b', False)]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import numpy as np

from kg.align.candidates import CandidateIndex, shortlist
from kg.align.measures import PairScores
from kg.align.pair import align_documents
from kg.core.model import Document, Link

# Documents shortlisted per child, and candidate measures per child measure within each.
# The shortlist holds the parent and its closest rival for the scorer to tell apart: for
# the 1,110 synthetic children checked (bench/generate.py, 81 provincial documents, 27
# versions of each policy) the index ranked the true parent first or second every time.
# Each document more costs one more alignment; k hardly changes the pairs scored (a
# child's measures together point at most of the parent's measures).
SHORTLIST, CANDIDATES = 2, 5
# A shortlisted document is kept as a parent when, for at least MIN_WINS of the child's
# measures with text, its sentences are at least MIN_SIMILARITY similar on average and
# closer by WIN_MARGIN than those of any parent kept before it. On the seeds, 上饶 → 江西
# 2021 (its parent) has 74 % of its measures at 0.5 or more, and documents that do not
# implement one another at most 17 % (上饶 → 吉林 2021; 江西 2021 → 吉林 2021, two
# provinces implementing the same national guidance, 8 %).
MIN_SIMILARITY, MIN_WINS, WIN_MARGIN = 0.5, 0.25, 0.2


@dataclass
class Found:
    """A shortlisted parent document and the child's alignment to it."""

    doc: str
    support: float  # the candidate index's document support, in [0, 1]
    similarity: float  # of the child's sentences to the scored ones, in [0, 1] (see above)
    kept: bool  # chosen as a parent (the others were only compared)
    links: list[Link]
    scores: PairScores
    by_measure: np.ndarray  # similarity per child measure (0 for one without sentences)


def document_similarity(scores: PairScores) -> tuple[float, np.ndarray]:
    """Each child sentence's best similarity in the scored parent text, averaged by
    sentence length over the child and over each child measure."""
    sim = scores.sim
    best = sim.max(axis=1) if sim.shape[1] else np.zeros(sim.shape[0])
    length = np.array([len(s.text) for m in scores.child.measures for s in m.sentences], dtype=float)
    per = np.array([(best[r] * length[r]).sum() / length[r].sum() if length[r].sum() else 0.0 for r in scores.rows])
    overall = float((best * length).sum() / length.sum()) if length.sum() else 0.0
    return round(overall, 4), per


def _choose(found: list[Found]) -> None:
    """Mark the parents among ``found`` (sorted closest first) as kept."""
    if not found:
        return
    best = np.zeros(len(found[0].by_measure))
    has_text = np.array([bool(m.sentences) for m in found[0].scores.child.measures])
    for f in found:
        wins = ((f.by_measure >= MIN_SIMILARITY) & (f.by_measure > best + WIN_MARGIN) & has_text).sum()
        if wins >= MIN_WINS * max(has_text.sum(), 1):
            f.kept = True
            best = np.maximum(best, f.by_measure)


def find_parents(
    child: Document,
    child_id: str,
    docs: dict[str, Document],
    index: CandidateIndex,
    allowed: Optional[np.ndarray] = None,
    overrides=None,
    k: int = CANDIDATES,
    top: int = SHORTLIST,
) -> list[Found]:
    """The shortlisted parent documents of ``child`` (``docs``: id → Document, holding the
    indexed ones), best first, with the child aligned to each; those with ``kept`` are its
    parents. ``allowed``: ``index.allowed(...)`` mask of the documents it may implement."""
    found = []
    for c in shortlist(child, index, allowed, k, top):
        links, scores = align_documents(child, docs[c.doc], child_id, c.doc, "implements", overrides, c.keys)
        for link in links:
            link.discovered = True
        overall, per = document_similarity(scores)
        found.append(Found(c.doc, c.support, overall, False, links, scores, per))
    found.sort(key=lambda f: (-f.similarity, -f.support, f.doc))
    _choose(found)
    return found


def align_undeclared(
    child: Document,
    child_id: str,
    parents: dict[str, Document],
    index: Optional[CandidateIndex] = None,
    k: int = CANDIDATES,
    top: int = SHORTLIST,
    overrides=None,
) -> tuple[list[Link], int]:
    """Align a child whose parents are not declared to the parents it discovers among
    ``parents`` (id → Document, the higher-level documents).

    Returns (links, pairs_scored): one link per child measure per parent found, best
    parent first, marked ``discovered``, and the sentence pairs scored (the shortlisted
    documents not kept included). Build ``index`` once (``CandidateIndex(parents)``) when
    aligning many children.
    """
    index = index if index is not None else CandidateIndex(parents)
    found = find_parents(child, child_id, parents, index, None, overrides, k, top)
    return [link for f in found if f.kept for link in f.links], sum(f.scores.pairs_scored for f in found)
