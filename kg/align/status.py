"""Status of a link from relative evidence, not from a threshold on its score.

Scores are similarities, comparable within a pair but not across pairs (a city copying
its province scores far higher than two provinces rewriting one national text) and not
probabilities. A link is asserted from how its best candidate stands out: the margin over
the runner-up, whether the child is among that parent measure's best children (mutual),
whether the best rises above the pair's noise, and, for a child merging several parent
measures, whether those stand out together.
"""

from __future__ import annotations

import numpy as np

# The margin of a link is (best − runner-up) / best over the child's candidates:
# ``aligned`` needs MARGIN_ALIGNED, ``weak`` MARGIN_WEAK; below, the candidates are too
# alike to name one (a local measure: every parent measure scores alike).
MARGIN_ALIGNED, MARGIN_WEAK = 0.25, 0.10
# A child sharing a parent measure with a better child is mutual from this share of its score.
MUTUAL_SHARE = 0.25
# The noise of a pair is its typical runner-up score (the median over child measures of
# the second-best score: what an unrelated parent measure scores there). A best candidate
# under LIFT_MIN times that is noise too: a local measure's best, however it stands out
# from its own runner-up. On the labelled pairs and the synthetic corpora local measures
# reach at most 1.29 times the noise, real links at least 1.3 (most above 2).
LIFT_MIN = 1.4
# A secondary parent (``Link.also``) scores at least this share of the primary's, and the
# child is that parent measure's best child.
ALSO_SHARE = 1 / 3


def pair_noise(score: np.ndarray) -> float:
    """The typical runner-up score of a pair (see LIFT_MIN).

    >>> pair_noise(np.array([[0.9, 0.1, 0.05], [0.2, 0.8, 0.12], [0.11, 0.09, 0.1]]))
    0.1
    """
    if score.shape[1] < 2 or not score.shape[0]:
        return 0.0
    return float(np.median(np.sort(score, axis=1)[:, -2]))


def status_of(margin: float, mutual: bool, standout: float) -> str:
    """``aligned`` when the child is among its best candidate's best children and that
    candidate stands out from the runner-up, or (a child merging several parent measures,
    named in ``also``) the measures it draws on stand out together (``standout``) and the
    primary leads the next by MARGIN_WEAK; ``weak`` when it stands out less; else (not
    among the parent measure's best children, or no candidate standing out) ``unaligned``.

    >>> status_of(0.3, True, 0.0), status_of(0.15, True, 0.6), status_of(0.05, True, 0.6), status_of(0.9, False, 0.0)
    ('aligned', 'aligned', 'weak', 'unaligned')
    """
    if not mutual:
        return "unaligned"
    if margin >= MARGIN_ALIGNED or (standout >= MARGIN_ALIGNED and margin >= MARGIN_WEAK):
        return "aligned"
    return "weak" if margin >= MARGIN_WEAK or standout >= MARGIN_ALIGNED else "unaligned"


def relative_evidence(score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per child measure (rows of ``score``, child measures × parent units): the margin of
    its best unit over the runner-up, relative to the best; the child's rank among all
    child measures against that unit (1: the unit's best child); and whether it is mutual:
    of the children whose best candidate that unit is, the best or one scoring at least
    MUTUAL_SHARE of the best (a parent measure split into several children, not a local
    measure that happens to sit closest to a parent measure another child implements).

    >>> m, r, mutual = relative_evidence(np.array([[0.8, 0.6], [0.1, 0.5], [0.1, 0.02]]))
    >>> m.round(2).tolist(), r.tolist(), mutual.tolist()
    ([0.25, 0.8, 0.8], [1, 2, 2], [True, True, False])
    """
    n_c, n_u = score.shape
    if not n_c or not n_u:
        return np.zeros(n_c), np.zeros(n_c, dtype=int), np.zeros(n_c, dtype=bool)
    ranked = np.argsort(-score, axis=1, kind="stable")
    best = ranked[:, 0]
    first = score[np.arange(n_c), best]
    second = score[np.arange(n_c), ranked[:, 1]] if n_u > 1 else np.zeros(n_c)
    margin = np.divide(first - second, first, out=np.zeros(n_c), where=first > 0)
    # rank within each column: 1 + children scoring strictly more (ties share the better rank)
    rank = 1 + (score[:, best] > first[None, :]).sum(axis=0)
    top_chooser = np.zeros(n_u)
    np.maximum.at(top_chooser, best, first)  # per unit: the best score of the children choosing it
    return margin, rank, first >= MUTUAL_SHARE * top_chooser[best]


def column_rank(score: np.ndarray, ci: int, ui: int) -> int:
    """Child ``ci``'s place among the child measures scored against unit ``ui`` (1: best)."""
    return int(1 + (score[:, ui] > score[ci, ui]).sum())
