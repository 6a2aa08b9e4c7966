"""Curated alignment overrides: mappings/alignment_overrides.csv, applied on every run.

A researcher who has read both texts accepts, rejects or adds a link; the tool's own
score is kept for reference but the curated decision wins and is marked
``method: curated``. Columns:

- ``source_doc``, ``source_measure``: the child document (registry id) and measure
  (number as printed, 十一, or its key, 11);
- ``target_doc``, ``target_measure``: the parent measure; leave ``target_measure`` blank
  with ``reject`` to say "this child measure has no parent here" (a local innovation);
- ``action``: ``accept`` (confirm the link, it becomes aligned), ``reject`` (the link is
  wrong: the next candidate scoring at least ``WEAK`` becomes a weak link, else unaligned) or ``add`` (a link the tool missed);
- ``comment``: why, shown with the link;
- ``source_title``, ``target_title`` (optional): the measures' titles as printed. A row is
  checked against the text it names: a title that is not the printed title of the measure
  its number names is an error (the number or the title is wrong), so a curated row can
  never silently link the wrong measure. A measure whose heading the text lost has no title
  to check against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Optional, Union

from kg.align.measures import PREAMBLE, WEAK, PairScores, evidence_for, unit_score
from kg.core.model import Document, Link
from kg.core.numerals import cn_to_int
from kg.core.resources import mapping_path
from kg.curated.mappings import Rows

COLUMNS = ("source_doc", "source_measure", "target_doc", "target_measure", "action", "comment")
TITLES = ("source_title", "target_title")
ACTIONS = ("accept", "reject", "add")
FILENAME = "alignment_overrides.csv"
# A curated target is not the tool's choice: the margin, rank and secondary parents the
# tool measured for its own choice do not describe it.
NOT_THE_TOOLS = {"margin": None, "rank": None, "also": []}


@dataclass(frozen=True)
class Override:
    source_doc: str
    source_measure: str
    target_doc: str
    target_measure: Optional[str]
    action: str
    comment: str
    line: int
    source_title: str = ""
    target_title: str = ""


def load_overrides(path: Union[str, Path, None] = None) -> tuple[Rows, list[Override]]:
    """The overrides table, checked for shape; measures are checked when applied."""
    rows = Rows(Path(path) if path is not None else mapping_path(FILENAME), COLUMNS, TITLES)
    out = []
    for line, r in rows:
        rows.require(line, r, ("source_doc", "source_measure", "target_doc", "action"))
        if r["action"] not in ACTIONS:
            raise rows.error(line, "action", f"“{r['action']}” is not one of {', '.join(ACTIONS)}")
        if r["action"] != "reject" and not r["target_measure"]:
            raise rows.error(line, "target_measure", f"empty (needed for {r['action']})")
        out.append(
            Override(
                r["source_doc"],
                r["source_measure"],
                r["target_doc"],
                r["target_measure"] or None,
                r["action"],
                r["comment"],
                line,
                r["source_title"],
                r["target_title"],
            )
        )
    return rows, out


def _plain(title: str) -> str:
    return re.sub(r"[\W_]", "", title)


def check_title(rows: Rows, line: int, column: str, doc: Document, doc_id: str, key: str, title: str) -> None:
    """Raise the one-line error when ``title`` is not the printed title of measure ``key``
    (punctuation and spacing aside); nothing to check when either is empty."""
    measure = next((m for m in doc.measures if m.key == key), None)
    printed = measure.title if measure is not None else ""
    if title and printed and _plain(title) != _plain(printed):
        raise rows.error(
            line,
            column,
            f"“{title}” is not the title of {doc_id} measure （{measure.number}） "
            f"(“{printed}”): the row names the wrong measure or the wrong title",
        )


def resolve_measure(doc: Document, ref: str, missing_ok: bool = False) -> Optional[str]:
    """The key of the measure ``ref`` names (key, printed number, or （十一）), or None.

    With ``missing_ok``, a number absent from a damaged text (its heading was lost) is
    accepted too: it is still a measure of the document, just not one the parser saw.
    """
    ref = ref.strip().strip("（）()")
    for m in doc.measures:
        if ref == m.key:
            return m.key
    hits = [m.key for m in doc.measures if m.number == ref]
    if len(hits) == 1:
        return hits[0]
    if not missing_ok:
        return None
    try:
        n = int(ref) if ref.isdigit() else cn_to_int(ref)
    except ValueError:
        return None
    present = {m.index for m in doc.measures}
    return str(n) if n not in present and 0 < n <= max(present, default=0) + 1 else None


def apply_overrides(
    links: list[Link], ps: PairScores, source_id: str, target_id: str, overrides: list[Override], rows: Rows
) -> list[Link]:
    """Links with the curated decisions for this document pair applied."""
    child, parent = ps.child, ps.parent
    by_key = {l.source_key: i for i, l in enumerate(links)}
    out = list(links)
    for o in overrides:
        if (o.source_doc, o.target_doc) != (source_id, target_id):
            continue
        key = resolve_measure(child, o.source_measure)
        if key is None:
            raise rows.error(o.line, "source_measure", f"{source_id} has no measure “{o.source_measure}”")
        check_title(rows, o.line, "source_title", child, source_id, key, o.source_title)
        target, recovered = None, False
        if o.target_measure:
            target = resolve_measure(parent, o.target_measure, missing_ok=True)
            recovered = target is not None and not any(m.key == target for m in parent.measures)
            if target is None:
                raise rows.error(o.line, "target_measure", f"{target_id} has no measure “{o.target_measure}”")
            check_title(rows, o.line, "target_title", parent, target_id, target, o.target_title)
        i = by_key[key]
        link = out[i]
        comment = o.comment or None
        if o.action in ("accept", "add"):
            if link.target_key == target:  # the tool's own link confirmed: its relative evidence still holds
                out[i] = replace(link, status="aligned", method="curated", comment=comment, recovered=recovered)
                continue
            out[i] = replace(
                link,
                target_key=target,
                status="aligned",
                method="curated",
                comment=comment,
                recovered=recovered,
                score=unit_score(ps, key, target),
                evidence=evidence_for(ps, key, target),
                **NOT_THE_TOOLS,
            )
        elif target is None or link.target_key == target:
            nxt = (
                next((k for k, sc in link.runners_up if k not in (target, PREAMBLE) and sc >= WEAK), None)
                if target
                else None
            )
            out[i] = replace(
                link,
                target_key=nxt,
                score=unit_score(ps, key, nxt) if nxt else link.score,
                status="weak" if nxt else "unaligned",
                method="curated",
                comment=comment,
                recovered=False,
                evidence=evidence_for(ps, key, nxt) if nxt else link.evidence,
                **NOT_THE_TOOLS,
            )
    return out
