"""Alignment of one child document to one parent (or peer) document: score, choose, override."""

from __future__ import annotations

from typing import Optional

from kg.align.measures import PairScores, choose, score_pair
from kg.align.overrides import apply_overrides
from kg.core.model import AgencyRef, Document, Link
from kg.corpus import LEVELS
from kg.curated.mappings import load_agencies


def _lift(source_level: Optional[str], target_level: Optional[str]):
    """Agency name as the target document's level would print it: 市工信局 → 省工业和信息化厅."""
    steps = (
        (LEVELS.index(source_level) - LEVELS.index(target_level))
        if source_level in LEVELS and target_level in LEVELS
        else 1
    )
    table = load_agencies()

    def up(a: AgencyRef) -> str:
        name = a.name
        for i in range(max(steps, 0)):
            nxt = a.counterpart if i == 0 else (table.by_name[name].counterpart if name in table.by_name else "")
            if not nxt:
                break
            name = nxt
        return name

    return up


def align_documents(
    child: Document,
    parent: Document,
    source_id: str = "child",
    target_id: str = "parent",
    relation: str = "implements",
    overrides=None,
    candidates: Optional[set[str]] = None,
) -> tuple[list[Link], PairScores]:
    """Align two parsed documents; ``overrides`` is ``load_overrides()``'s result or None;
    ``candidates`` limits the parent measures scored (see ``kg.align.candidates``)."""
    scores = score_pair(child, parent, _lift(child.level, parent.level), candidates)
    links = choose(scores, source_id, target_id, relation)
    if overrides is not None:
        links = apply_overrides(links, scores, source_id, target_id, overrides[1], overrides[0])
    return links, scores
