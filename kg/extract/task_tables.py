"""Annexed task-division tables (附件：重点任务分工): who leads each task, by when.

Many plans move responsibility out of the text into an annexed table — rows of 序号 |
重点任务 | 牵头单位 | 责任单位/配合单位 | 完成时限. ``kg.read`` gives a DOCX or HTML table as
one line per row with its cells joined by tabs; normalisation joins such lines, so rows
are read from the *raw* text (spans are raw offsets as everywhere). A PDF's text layer
gives a table as one cell per line in column order, which cannot be told from prose
reliably: PDF tables are not read (the shared PDFs name such an annex but do not
include it).

Each row's task is matched to the body measure it restates by text similarity
(rapidfuzz ``partial_ratio`` against the measure's title and text; below ``MIN_SCORE``
the row stays unmatched and is reported). The row's agencies join that measure's
(lead column → lead; 责任/配合 column → support, or, without a lead column, the first
listed leads), its deadline (2022年底前, 持续推进) becomes a dated target (``value`` None,
indicator 完成时限), as for a deadline inside a list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from rapidfuzz import fuzz

from kg.core.model import AgencyRef, Measure, Span, Target
from kg.curated.agency_names import resolve_name
from kg.extract.responsibility import _names, _trim, deadline_target
from kg.read.normalize import Text

MIN_SCORE = 70  # partial_ratio (0–100) for a row's task to restate a measure
TASK_COL = re.compile(r"任务|措施|内容|事项|工作")
LEAD_COL = re.compile(r"牵头")
SUPPORT_COL = re.compile(r"责任|配合|参与|协办|协助")
DEADLINE_COL = re.compile(r"时限|期限|时间|进度")


@dataclass
class TaskRow:
    """One row of a task-division table; spans are raw offsets."""

    task: str
    span: Span  # the whole row
    agencies: list[AgencyRef]
    deadline: Optional[Target] = None


def _cells(raw: str, a: int, b: int) -> list[tuple[int, int]]:
    out, x = [], a
    for i in range(a, b):
        if raw[i] == "\t":
            out.append((x, i))
            x = i + 1
    out.append((x, b))
    return out


def _columns(raw: str, cells: list[tuple[int, int]]) -> Optional[dict[str, int]]:
    """Column roles from a header row, or None when the row is not a task table's header."""
    cols: dict[str, int] = {}
    for i, (a, b) in enumerate(cells):
        c = re.sub(r"\s+", "", raw[a:b])
        for role, pat in (("lead", LEAD_COL), ("support", SUPPORT_COL), ("deadline", DEADLINE_COL), ("task", TASK_COL)):
            if role not in cols and pat.search(c) and len(c) <= 8:
                cols[role] = i
                break
    return cols if "task" in cols and ("lead" in cols or "support" in cols) else None


def find_task_rows(
    text: Text,
    start: int = 0,
    end: Optional[int] = None,
    level: Optional[str] = None,
    region: Optional[str] = None,
    issued: Optional[str] = None,
) -> list[TaskRow]:
    """Every row of every task-division table in ``text.raw[start:end]`` (raw offsets)."""

    raw = text.raw
    end = len(raw) if end is None else end
    page = text.page  # None for text without pages
    rows: list[TaskRow] = []
    cols: Optional[dict[str, int]] = None
    pos = start
    while pos < end:
        nl = raw.find("\n", pos, end)
        b = end if nl < 0 else nl
        cells = _cells(raw, pos, b) if "\t" in raw[pos:b] else []
        if not cells:
            cols = None if raw[pos:b].strip() else cols  # a blank line does not end a table
        elif cols is None:
            cols = _columns(raw, cells)
        elif max(cols.values()) < len(cells):
            row = _row(raw, cells, cols, level, region, issued, page)
            if row is not None:
                rows.append(row)
        pos = b + 1
    return rows


def _row(raw, cells, cols, level, region, issued, page) -> Optional[TaskRow]:
    ta, tb = cells[cols["task"]]
    task = re.sub(r"\s+", "", raw[ta:tb])
    if not task:
        return None
    agencies: list[AgencyRef] = []
    for role in ("lead", "support"):
        if role not in cols:
            continue
        a, b = cells[cols[role]]
        cell = re.sub(r"[，,；;/]", "、", raw[a:b])  # same length: offsets hold
        for x, y in _names(cell, 0, len(cell)):
            x, y = _trim(cell, x, y)
            name = re.sub(r"\s+", "", cell[x:y])
            x, y = a + x, a + y
            if not name:
                continue
            lead = role == "lead" or ("lead" not in cols and not agencies)
            agencies.append(resolve_name(name, level, region).ref("lead" if lead else "support", Span(x, y, page(x))))
    deadline = None
    if "deadline" in cols:
        a, b = cells[cols["deadline"]]
        a, b = _trim(raw, a, b)
        if b > a:
            deadline = deadline_target(raw[a:b], Span(a, b, page(a)), issued)
    first, last = cells[0][0], cells[-1][1]
    return TaskRow(task, Span(first, last, page(first)), agencies, deadline)


def match_rows(rows: list[TaskRow], measures: list[Measure]) -> list[tuple[TaskRow, Optional[Measure], float]]:
    """Each row with the measure whose title or text restates its task best (None below ``MIN_SCORE``)."""
    out = []
    for row in rows:
        best, score = None, 0.0
        for m in measures:
            s = max(
                fuzz.partial_ratio(row.task, m.title) if len(m.title) >= 4 else 0, fuzz.partial_ratio(row.task, m.text)
            )
            if s > score:
                best, score = m, s
        out.append((row, best if score >= MIN_SCORE else None, score))
    return out


def merge_row(m: Measure, row: TaskRow) -> None:
    """Add a matched row's agencies (each once, lead if it leads anywhere) and deadline to ``m``."""
    names = {(a.name, a.region, a.level): a for a in m.agencies}
    for a in row.agencies:
        seen = names.get((a.name, a.region, a.level))
        if seen is None:
            m.agencies.append(a)
            names[(a.name, a.region, a.level)] = a
        elif a.role == "lead":
            seen.role = "lead"
    if row.deadline is not None:
        m.targets.append(row.deadline)
