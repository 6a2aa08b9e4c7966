"""Measure-level alignment of one child document to one parent (or peer) document.

For every child measure the score against a parent measure combines five signals:

- sentence evidence: how much of the child is copied from that measure's sentences, or
  of that measure is carried into the child (the larger of the two, so that a merged or
  a shortened measure still scores);
- title similarity (headings survive even when a scraped body is shuffled);
- whole-measure similarity: character-bigram TF-IDF cosine with the IDF of the whole
  corpus being aligned (``kg.core.similarity.whole_similarity``), which a paraphrase keeps;
- agreement of the responsible agencies through their cross-level counterparts
  (市工信局 ↔ 省工业和信息化厅), lead agency weighted;
- document order (implementations mostly follow their parent), weighted lightly so that a
  reordered measure still finds its parent.

How much each signal counts depends on the pair: a city that copies its province is
matched on copied sentences, two provinces rewriting one national text on what their
measures talk about. The share of the child copied from the parent (``PairScores.copy_rate``)
moves the weights between the two mixes.

Status comes from relative evidence, not from a score threshold (``kg.align.status``): a
link is ``aligned`` when its parent stands out from the runner-up (``margin``) and the
child is among that parent measure's best children (``rank``); scores are similarities,
comparable within a pair, not probabilities. A child that draws on several parent
measures names the others in ``also``.

The parent's preamble competes as a candidate too: a child measure that only restates it
is not aligned to a numbered measure. When the parent's numbering has gaps (a scrape lost
headings), a child measure that cannot be anchored to a present parent measure but sits,
in document order, where the missing numbers were is linked to the missing number as a
``weak`` recovered link for a researcher to confirm.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cached_property
from typing import Optional

import numpy as np

from kg.align.prepared import (
    KEEP_CHILDREN,
    PREAMBLE,
    Unit,
    agency_names,
    child_side,
    parent_side,
    side_of,
    subset,
    units_of,
)
from kg.align.status import ALSO_SHARE, LIFT_MIN, column_rank, pair_noise, relative_evidence, status_of
from kg.core import similarity as text
from kg.core.model import Document, Evidence, Link, Sentence
from kg.core.numerals import int_to_cn
from kg.core.similarity import BigramIdf, whole_similarity

# Weights of evidence, title, whole-measure similarity, agencies and order where the child
# copies its parent and where it rewrites it; a pair's weights are the mix of the two at its
# copy rate, ramped from COPY_LOW to COPY_HIGH (renormalised when a side lists no agencies).
COPY_WEIGHTS = (0.40, 0.30, 0.15, 0.075, 0.075)
PARAPHRASE_WEIGHTS = (0.10, 0.25, 0.50, 0.075, 0.075)
COPY_LOW, COPY_HIGH = 0.10, 0.40
# Sentence similarity at or below LOW counts as no evidence, at or above HIGH as a copy.
LOW, HIGH = 0.45, 0.85
# Title similarity (bigram TF-IDF cosine) is rescaled the same way: titles share generic
# words (推进, 绿色), which the corpus IDF weighs little but not nothing.
TITLE_LOW, TITLE_HIGH = 0.20, 0.90
# Bigram TF-IDF cosine of whole measures: unrelated measures of one policy field sit near 0.05.
WHOLE_LOW, WHOLE_HIGH = 0.05, 0.45
# A child measure is linked to a parent number missing from the text only with this much
# of it copied from the parent, unless it alone fills an order gap of the same size.
RECOVER_MIN = 0.25
# A runner-up is worth proposing as a weak link (after a curated reject) from this score.
WEAK = 0.30
# A sentence pair is shown as evidence from this similarity up.
EVIDENCE_MIN = 0.60
RUNNERS_UP = 3
PREAMBLE_COMMENT = "closest to the parent's preamble, not to a numbered measure"
_LINK_FIELDS = [f.name for f in fields(Link)]
_EVIDENCE = _LINK_FIELDS.index("evidence")


def _ramp(x: np.ndarray, lo: float, hi: float) -> np.ndarray:
    return np.clip((x - lo) / (hi - lo), 0.0, 1.0)


def _agency_agreement(child: list[list[str]], parent: list[list[str]]) -> np.ndarray:
    """Per (child measure, parent measure): Dice overlap of the two agency lists (the
    child's already lifted to the parent's level) with the lead agencies weighted as much
    as the rest; NaN where either side names none.

    >>> _agency_agreement([["甲", "乙"], []], [["甲"], ["乙", "丙"]]).round(3).tolist()
    [[0.833, 0.25], [nan, nan]]
    """
    ids: dict[str, int] = {}
    coded = [[ids.setdefault(n, len(ids)) for n in names] for names in child + parent]

    def sets(lists: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        member = np.zeros((len(lists), len(ids)))
        member[
            np.repeat(np.arange(len(lists)), [len(x) for x in lists]),
            np.array([i for x in lists for i in x], dtype=np.int64),
        ] = 1.0
        return member, np.array([x[0] if x else -1 for x in lists], dtype=np.int64)

    (c, c_lead), (p, p_lead) = sets(coded[: len(child)]), sets(coded[len(child) :])
    shared = c @ p.T  # distinct names in common (whole numbers: exact)
    size_c, size_p = c.sum(axis=1)[:, None], p.sum(axis=1)[None, :]
    named = (size_c > 0) & (size_p > 0)
    dice = np.divide(2 * shared, size_c + size_p, out=np.zeros_like(shared), where=named)
    return np.where(named, 0.5 * dice + 0.5 * (c_lead[:, None] == p_lead[None, :]), np.nan)


@dataclass
class PairScores:
    """Every signal for every (child measure, parent unit), kept for evidence and tests."""

    child: Document
    parent: Document
    units: list[Unit]
    sim: np.ndarray  # child sentences × parent sentences
    rows: list[slice]  # child measure -> its rows in ``sim``
    cols: list[slice]  # parent unit -> its columns in ``sim``
    score: np.ndarray  # child measures × units
    evidence: np.ndarray
    title: np.ndarray
    copied: np.ndarray  # per child measure: share copied from anywhere in the parent
    whole: Optional[np.ndarray] = None  # child measures × units: bigram TF-IDF cosine (raw)
    copy_rate: float = 1.0  # share of the child's text copied from the parent (by length)

    @cached_property
    def child_sentences(self) -> list[Sentence]:
        """The child sentences in row order of ``sim``."""
        return [s for m in self.child.measures for s in m.sentences]

    @cached_property
    def parent_sentences(self) -> list[Sentence]:
        """The parent sentences in column order of ``sim``."""
        return [s for u in self.units for s in u.sentences]

    def detach(self) -> tuple:
        """The scores without the documents, to send back from a worker process cheaply
        (the documents are pickled once per worker, not once per pair); see ``attach``."""
        return (
            [u.key for u in self.units],
            self.sim,
            self.rows,
            self.cols,
            self.score,
            self.evidence,
            self.title,
            self.copied,
            self.whole,
            self.copy_rate,
        )

    @classmethod
    def attach(cls, child: Document, parent: Document, detached: tuple) -> "PairScores":
        """``detach``'s result bound again to the caller's own documents."""
        keys, *arrays = detached
        wanted = set(keys)
        return cls(child, parent, [u for u in side_of(parent, units_of) if u.key in wanted], *arrays)

    def pack(self, links: list[Link]) -> list:
        """``links`` as plain tuples, evidence sentences as their row and column in ``sim``:
        a worker process sends these back instead of pickling every sentence twice over;
        ``unpack`` rebuilds the links on the caller's documents."""
        rows = {id(s): i for i, s in enumerate(self.child_sentences)}
        cols = {id(s): j for j, s in enumerate(self.parent_sentences)}
        out: list = []
        for link in links:
            evidence = [(rows.get(id(e.source)), cols.get(id(e.target)), e.score) for e in link.evidence]
            if any(a is None or b is None for a, b, _ in evidence):  # not from these scores: sent whole
                out.append(link)
                continue
            values = [getattr(link, name) for name in _LINK_FIELDS]
            values[_EVIDENCE] = evidence
            out.append(tuple(values))
        return out

    def unpack(self, packed: list) -> list[Link]:
        """The links ``pack`` sent, citing this object's documents' sentences."""
        rows, cols = self.child_sentences, self.parent_sentences
        links = []
        for values in packed:
            if isinstance(values, Link):
                links.append(values)
                continue
            link = Link(*values)
            link.evidence = [Evidence(rows[a], cols[b], x) for a, b, x in link.evidence]
            links.append(link)
        return links

    @property
    def pairs_scored(self) -> int:
        """Sentence pairs actually scored (child sentences × parent sentences of the units kept)."""
        return int(self.sim.shape[0] * self.sim.shape[1])


def _coverage(
    gain: np.ndarray, c_w: np.ndarray, p_w: np.ndarray, rows: list[slice], cols: list[slice]
) -> tuple[np.ndarray, np.ndarray]:
    """Sentence evidence per (child measure, parent unit) and the share of each child
    measure copied from anywhere in the parent, from the sentence gains.

    Evidence is the larger of the child's coverage (its sentences' best gain within the
    unit, weighted by length) and the unit's coverage (the unit's sentences' best gain
    within the child measure); a measure or unit without sentences has none.
    """
    n_c, n_u = len(rows), len(cols)
    evidence, copied = np.zeros((n_c, n_u)), np.zeros(n_c)
    r_full = [i for i, r in enumerate(rows) if r.stop > r.start]
    u_full = [i for i, c in enumerate(cols) if c.stop > c.start]
    if not r_full or not u_full:
        return evidence, copied
    r_starts = np.array([rows[i].start for i in r_full])
    u_starts = np.array([cols[i].start for i in u_full])
    c_sum = np.add.reduceat(c_w, r_starts)
    p_sum = np.add.reduceat(p_w, u_starts)
    # Sentences outside any measure/unit never occur: rows and cols tile the matrix.
    best_in_unit = np.maximum.reduceat(gain, u_starts, axis=1)  # child sentence × unit
    child_cov = np.add.reduceat(c_w[:, None] * best_in_unit, r_starts, axis=0) / c_sum[:, None]
    best_in_child = np.maximum.reduceat(gain, r_starts, axis=0)  # child measure × parent sentence
    unit_cov = np.add.reduceat(best_in_child * p_w[None, :], u_starts, axis=1) / p_sum[None, :]
    evidence[np.ix_(r_full, u_full)] = np.maximum(child_cov, unit_cov)
    copied[r_full] = np.add.reduceat(c_w * gain.max(axis=1), r_starts) / c_sum
    return evidence, copied


def _texts(titles: list[str], groups: list[list[Sentence]]) -> list[str]:
    return [t + "".join(s.text for s in g) for t, g in zip(titles, groups)]


def measure_texts(doc: Document) -> list[str]:
    """Each measure (title and sentences) and the preamble of ``doc`` as one text: what a
    corpus's bigram IDF is counted over (``BigramIdf.of``)."""
    units = units_of(doc)
    return _texts([u.title for u in units], [u.sentences for u in units])


def copying(copy_rate: float) -> float:
    """How far a pair is a copying one, in [0, 1]: 0 at a copy rate of COPY_LOW or less
    (the child rewrites), 1 at COPY_HIGH or more (it copies), linear between.

    >>> copying(0.05), round(copying(0.25), 3), copying(0.62)
    (0.0, 0.5, 1.0)
    """
    return float(np.clip((copy_rate - COPY_LOW) / (COPY_HIGH - COPY_LOW), 0.0, 1.0))


def mix(copy_rate: float) -> np.ndarray:
    """The weights of evidence, title, whole, agencies and order for a pair whose child
    copies ``copy_rate`` of its text from the parent.

    >>> mix(0.0).tolist() == list(PARAPHRASE_WEIGHTS), mix(0.9).tolist() == list(COPY_WEIGHTS)
    (True, True)
    """
    w = copying(copy_rate)
    return w * np.array(COPY_WEIGHTS) + (1 - w) * np.array(PARAPHRASE_WEIGHTS)


def score_pair(
    child: Document,
    parent: Document,
    up=lambda a: a.counterpart or a.name,
    candidates: Optional[set[str]] = None,
    idf: Optional[BigramIdf] = None,
) -> PairScores:
    """Score every child measure against every parent unit (one cdist per signal).

    ``candidates``: parent measure keys to score (from ``kg.align.candidates``); the others
    are never compared, so the sentence pairs scored drop. The preamble is always kept.
    ``idf``: the corpus's bigram IDF (default: the one ``align_corpus`` set, else the
    pair's own two documents').
    Each document's sentences are cleaned, cut and indexed once per process, however many
    pairs it is part of.
    """
    prepared = side_of(parent, parent_side)
    position = {u.key: i for i, u in enumerate(prepared.units[:-1])}  # order signal: place in the whole parent
    if candidates is not None:
        prepared = subset(
            prepared, [i for i, u in enumerate(prepared.units) if u.key == PREAMBLE or u.key in candidates]
        )
    units, p = prepared.units, prepared.side
    c = side_of(child, child_side, KEEP_CHILDREN)
    sim = c.sentences.similarity(p.sentences)
    gain = _ramp(sim, LOW, HIGH)

    n_c, n_u = len(child.measures), len(units)
    evidence, copied = _coverage(gain, c.weight, p.weight, c.spans, p.spans)

    child_texts = _texts([m.title for m in child.measures], [m.sentences for m in child.measures])
    unit_texts = _texts([u.title for u in units], [u.sentences for u in units])
    idf = idf or text.CORPUS_IDF or BigramIdf.of(child_texts + measure_texts(parent))
    # Titles by bigram TF-IDF too: 加快工业绿色转型 is 推进工业绿色升级 (工业), not 加快农业绿色发展.
    title = _ramp(
        whole_similarity([m.title for m in child.measures], [u.title for u in units], idf), TITLE_LOW, TITLE_HIGH
    )
    title[:, -1] = 0.0  # the preamble has no title
    whole_raw = whole_similarity(child_texts, unit_texts, idf)
    whole = _ramp(whole_raw, WHOLE_LOW, WHOLE_HIGH)

    n_m = len(parent.measures)
    rank_c = np.arange(n_c) / max(n_c - 1, 1)
    rank_u = np.append(np.array([position[u.key] for u in units[:-1]], dtype=float) / max(n_m - 1, 1), np.nan)
    order = 1.0 - np.abs(rank_c[:, None] - rank_u[None, :])
    order[:, -1] = 0.0

    # A scraped parent may hold a measure's sentences under another heading: copying from
    # anywhere in the parent counts for the measure whose title the child keeps.
    evidence = np.maximum(evidence, title * copied[:, None])
    agency = np.full((n_c, n_u), np.nan)
    agency[:, :-1] = _agency_agreement([agency_names(m.agencies, up) for m in child.measures], prepared.agencies)
    size = np.array([sum(len(s.text) for s in m.sentences) for m in child.measures], dtype=float)
    copy_rate = float(np.average(copied, weights=size)) if size.sum() else 0.0
    w_evidence, w_title, w_whole, w_agency, w_order = mix(copy_rate)
    # A parent measure whose heading the source lost has no title to agree with. Where the
    # child copies, its copies and its place carry the link, so the missing title does not
    # count against it; where the child rewrites, the title is what two texts share, and a
    # measure without one cannot stand out on its wording alone.
    kept = 1.0 - copying(copy_rate)
    w_title = np.array([w_title if u.title else w_title * kept for u in units])[None, :]
    base = w_evidence * evidence + w_title * title + w_whole * whole + w_order * order
    total = w_evidence + w_title + w_whole + w_order
    named = ~np.isnan(agency)  # agencies count only where both sides name some
    score = np.where(named, (base + w_agency * np.nan_to_num(agency)) / (total + w_agency), base / total)
    score[:, -1] = evidence[:, -1]  # the preamble competes on evidence alone
    return PairScores(
        child, parent, units, sim, c.spans, p.spans, score, evidence, title, copied, whole_raw, round(copy_rate, 4)
    )


def _evidence_many(ps: PairScores, picks: list[tuple[int, slice]]) -> list[list[Evidence]]:
    """For each (child measure, parent columns): each child sentence with its best match in
    the columns (the parent measure), or anywhere in the parent when the measure's own
    sentences hold no match (a shuffled scrape). All picks are scored at once."""
    if not ps.sim.size or not picks:
        return [[] for _ in picks]
    rows = [ps.rows[ci] for ci, _ in picks]
    sizes = [r.stop - r.start for r in rows]
    block = ps.sim[np.concatenate([np.arange(r.start, r.stop) for r in rows])]
    lo = np.repeat([col.start for _, col in picks], sizes)[:, None]
    hi = np.repeat([col.stop for _, col in picks], sizes)[:, None]
    j = np.arange(block.shape[1])[None, :]
    k = np.arange(len(block))
    # First best inside the columns (sim >= 0, so -1 never wins), else first best in the row.
    inside = np.where((j >= lo) & (j < hi), block, -1.0).argmax(axis=1)
    keep = (hi[:, 0] > lo[:, 0]) & (block[k, inside] >= EVIDENCE_MIN)
    best = np.where(keep, inside, block.argmax(axis=1))
    value = block[k, best]
    shown = np.flatnonzero(value >= EVIDENCE_MIN)
    pick_of = np.repeat(np.arange(len(picks)), sizes)[shown]
    local = shown - np.repeat(np.cumsum(sizes) - sizes, sizes)[shown]
    p_sents, c_sents = ps.parent_sentences, ps.child_sentences
    starts = [r.start for r in rows]
    out: list[list[Evidence]] = [[] for _ in picks]
    for p, i, b, v in zip(pick_of.tolist(), local.tolist(), best[shown].tolist(), value[shown].tolist()):
        out[p].append(Evidence(c_sents[starts[p] + i], p_sents[b], round(v, 3)))
    return out


def _evidence(ps: PairScores, ci: int, col: slice) -> list[Evidence]:
    return _evidence_many(ps, [(ci, col)])[0]


def _unit_index(ps: PairScores, key: Optional[str]) -> Optional[int]:
    return next((i for i, u in enumerate(ps.units) if u.key == key), None)


def _child_index(ps: PairScores, key: str) -> int:
    return next(i for i, m in enumerate(ps.child.measures) if m.key == key)


def unit_score(ps: PairScores, child_key: str, parent_key: Optional[str]) -> float:
    """The score of one child measure against one parent measure; for a measure absent
    from the parent's text, the share of the child copied from that text."""
    ci, ui = _child_index(ps, child_key), _unit_index(ps, parent_key)
    return round(float(ps.score[ci, ui] if ui is not None else ps.copied[ci]), 3)


def evidence_for(ps: PairScores, child_key: str, parent_key: Optional[str]) -> list[Evidence]:
    """Sentence pairs supporting a link; from the whole parent text when the parent
    measure is absent from it (a lost heading)."""
    ui = _unit_index(ps, parent_key)
    col = ps.cols[ui] if ui is not None else slice(0, ps.sim.shape[1])
    return _evidence(ps, _child_index(ps, child_key), col)


def choose(
    ps: PairScores, source_doc: str, target_doc: str, relation: str = "implements", recover: bool = True
) -> list[Link]:
    """One link per child measure: the best parent unit, its margin and rank deciding the
    status, secondary parents and runners-up kept, then recovery of parents whose headings
    are missing from the parent's text."""
    links: list[Link] = []
    ranked = np.argsort(-ps.score, axis=1, kind="stable")
    evidence = _evidence_many(ps, [(ci, ps.cols[int(order[0])]) for ci, order in enumerate(ranked)])
    margins, ranks, mutual = relative_evidence(ps.score)
    noise = pair_noise(ps.score)
    # The best unit and the next ones, as plain Python numbers (read once, not per element).
    top = ranked[:, : RUNNERS_UP + 1]
    top_scores = np.take_along_axis(ps.score, top, axis=1).tolist()
    keys = [u.key for u in ps.units]
    for ci, m in enumerate(ps.child.measures):
        order, values = top[ci].tolist(), top_scores[ci]
        unit = ps.units[order[0]]
        score, margin, rank = round(values[0], 3), round(float(margins[ci]), 3), int(ranks[ci])
        also: list[tuple[str, float]] = []
        if unit.measure is not None:  # other parent measures it draws on: it is their best child
            also = [
                (keys[u], round(float(ps.score[ci, u]), 3))
                for u in ranked[ci, 1:].tolist()
                if ps.units[u].measure is not None
                and ps.score[ci, u] >= ALSO_SHARE * values[0]
                and column_rank(ps.score, ci, u) == 1
            ]
        drawn = {order[0], *(keys.index(k) for k, _ in also)}
        rest = next((float(ps.score[ci, u]) for u in ranked[ci].tolist() if u not in drawn), 0.0)
        standout = (values[0] - rest) / values[0] if also and values[0] > 0 else 0.0
        above_noise = values[0] >= LIFT_MIN * noise
        status = (
            "unaligned" if unit.measure is None or not above_noise else status_of(margin, bool(mutual[ci]), standout)
        )
        first = 0 if unit.measure is not None and status == "unaligned" else 1  # an unaligned best is a runner-up
        runners = [
            (keys[u], round(v, 3))
            for u, v in zip(order[first : first + RUNNERS_UP], values[first : first + RUNNERS_UP])
        ]
        if unit.measure is None:
            links.append(
                Link(
                    source_doc,
                    m.key,
                    target_doc,
                    None,
                    score,
                    "unaligned",
                    relation=relation,
                    evidence=evidence[ci],
                    runners_up=runners,
                    comment=PREAMBLE_COMMENT,
                    margin=margin,
                    rank=rank,
                )
            )
            continue
        links.append(
            Link(
                source_doc,
                m.key,
                target_doc,
                unit.key if status != "unaligned" else None,
                score,
                status,
                relation=relation,
                evidence=evidence[ci],
                runners_up=runners,
                margin=margin,
                rank=rank,
                also=also if status != "unaligned" else [],
            )
        )
    if recover:
        _resolve_title_conflicts(ps, links)
    _confirm_by_order(ps, links)
    return links


ORDER_COMMENT = (
    "its own evidence is thin, but it fills the only place left between its aligned neighbours in both documents"
)


def _confirm_by_order(ps: PairScores, links: list[Link]) -> None:
    """Weak links that fill, one to one and in order, the parent measures left between two
    aligned neighbours become aligned: the two documents' order agrees with the best
    candidate (a rewritten measure under a heading the parent's source lost, say)."""
    place = {m.key: i for i, m in enumerate(ps.parent.measures)}
    i = 0
    while i < len(links):
        if links[i].status != "weak" or links[i].recovered or i == 0 or links[i - 1].status != "aligned":
            i += 1
            continue
        j = i
        while j < len(links) and links[j].status == "weak" and not links[j].recovered:
            j += 1
        if j < len(links) and links[j].status == "aligned":
            lo, hi = place.get(links[i - 1].target_key), place.get(links[j].target_key)
            run = [place.get(links[k].target_key) for k in range(i, j)]
            if lo is not None and hi is not None and run == list(range(lo + 1, hi)):
                for k in range(i, j):
                    links[k].status, links[k].comment = "aligned", ORDER_COMMENT
        i = j


def _displaced(ps: PairScores, links: list[Link]) -> list[bool]:
    """Per link: True when another child measure holds its parent with a matching title
    while its own title does not match it (the evidence sits in a shuffled block)."""
    column = {u.key: i for i, u in enumerate(ps.units)}
    holders: dict[str, list[int]] = {}
    for k, link in enumerate(links):
        if link.target_key is not None:
            holders.setdefault(link.target_key, []).append(k)
    out = []
    for ci, link in enumerate(links):
        ui = column.get(link.target_key) if link.target_key is not None else None
        out.append(
            ui is not None
            and ps.title[ci, ui] < 0.5
            and any(k != ci and ps.title[k, ui] >= 0.9 for k in holders[link.target_key])
        )
    return out


def _resolve_title_conflicts(ps: PairScores, links: list[Link]) -> None:
    """Recover lost headings, then downgrade what is still a title conflict to weak."""
    displaced = _displaced(ps, links)
    _recover_missing(ps, links, displaced)
    for i, link in enumerate(links):
        if displaced[i] and not link.recovered and link.status == "aligned":
            link.status = "weak"
            link.comment = (
                "the matching sentences sit under a parent measure whose title another child "
                "measure keeps; confirm or override"
            )


def _recover_missing(ps: PairScores, links: list[Link], displaced: list[bool]) -> None:
    """Link unanchored child measures to parent numbers missing from the parsed text,
    using document order between anchored neighbours."""
    parent = ps.parent
    if not parent.measures or not all(m.key.isdigit() for m in parent.measures):
        return
    present = {m.index for m in parent.measures}
    index_of = {m.key: m.index for m in parent.measures}
    anchored = [l.status == "aligned" and not displaced[i] for i, l in enumerate(links)]
    preamble_like = [l.comment == PREAMBLE_COMMENT for l in links]
    ci = 0
    n = len(links)
    while ci < n:
        if anchored[ci]:
            ci += 1
            continue
        start = ci
        while ci < n and not anchored[ci]:
            ci += 1
        before = index_of[links[start - 1].target_key] if start > 0 else 0
        after = index_of[links[ci].target_key] if ci < n else max(present) + 1
        missing = [k for k in range(before + 1, after) if k not in present]
        run = [k for k in range(start, ci) if not preamble_like[k]]
        if len(run) != len(missing):  # not a tight gap: only children copied from the parent
            run = [k for k in run if ps.copied[k] >= RECOVER_MIN]
            run = sorted(sorted(run, key=lambda k: -ps.copied[k])[: len(missing)])
        if not missing or not run:
            continue
        for k, number in zip(run, missing):
            link = links[k]
            runners = ([(link.target_key, link.score)] if link.target_key else []) + link.runners_up
            links[k] = Link(
                link.source_doc,
                link.source_key,
                link.target_doc,
                str(number),
                round(float(ps.copied[k]), 3),
                "weak",
                relation=link.relation,
                margin=link.margin,
                evidence=_evidence(ps, k, slice(0, ps.sim.shape[1])),
                runners_up=runners[:RUNNERS_UP],
                comment=f"parent measure （{int_to_cn(number)}） has no heading in the parent's text; "
                "inferred from document order, confirm or override",
                recovered=True,
            )
