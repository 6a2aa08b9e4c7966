"""Diffusion across provinces: which implementations of a document take up each of its
measures, and whether they copy or rewrite them (the "Diffusion" pages of the report).

Read from the built graph only, with the saved queries ``diffusion`` (parent measure ×
child document: implementing child measures, copy rate, weak candidates) and ``coverage``
(per child document: measures implemented, additions). A matrix is drawn for a parent
with at least ``MIN_CHILDREN`` implementing documents one level down (a national
guidance and its provinces, a province and its cities): rows are the parent's measures,
columns the children, a cell the highest copy rate among the child measures implementing
that measure (shaded: darker is copied, lighter rewritten), ``weak`` where the only link is
weak, empty where none. Weak links do not count in the totals, as in ``kg gaps``.
Outputs are deterministic: rows in the parent's order, columns by region.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from kg.curated.mappings import LEVELS
from kg.present import svg
from kg.present.report_load import _headers, _stem
from kg.store.query import resolve, run_tool_query

Block = tuple  # as in kg.present.report; ("matrix", columns, rows, styles) holds a CSS style per cell
MIN_CHILDREN = 2


@dataclass
class Cell:
    implementing: int  # child measures implementing the parent measure (aligned or curated links)
    copy_rate: Optional[float]  # highest copy rate among them
    weak: int  # child measures only weakly linked to it
    best_weak_score: Optional[float]


@dataclass
class Matrix:
    """A parent document's measures × its implementing documents one level down."""

    parent: str
    child_level: str
    measures: list[tuple[str, str, Optional[str]]]  # (key, printed number, title), in document order
    children: list[tuple[str, Optional[str]]]  # (document, region)
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)  # (parent key, child doc) → cell
    coverage: dict[str, dict] = field(default_factory=dict)  # child doc → its `coverage` row

    def implementers(self, key: str) -> list[str]:
        return [d for d, _ in self.children if (c := self.cells.get((key, d))) and c.implementing]

    def implemented(self, doc: str) -> list[str]:
        return [k for k, _, _ in self.measures if (c := self.cells.get((k, doc))) and c.implementing]

    def copy_rates(self, doc: Optional[str] = None) -> list[float]:
        """Copy rates of the implemented cells, of one child or of all."""
        return [
            c.copy_rate
            for (k, d), c in sorted(self.cells.items())
            if c.implementing and c.copy_rate is not None and doc in (None, d)
        ]


def _one_level_down(parent_level: str, child_level: str) -> bool:
    return (
        parent_level in LEVELS and child_level in LEVELS and LEVELS.index(child_level) == LEVELS.index(parent_level) + 1
    )


def matrices(rows: list[dict], coverage: list[dict] = (), min_children: int = MIN_CHILDREN) -> list[Matrix]:
    """The matrices of the ``diffusion`` query's rows, for parents with at least
    ``min_children`` implementing documents one level down, most children first."""
    measures: dict[str, dict] = defaultdict(dict)
    children: dict[str, dict] = defaultdict(dict)
    level = {}
    cells = {}
    for r in rows:
        p = r["parent_doc"]
        measures[p].setdefault(r["parent_key"], (r["parent_index"], r["parent_number"], r.get("parent_title")))
        if r.get("child_doc") and _one_level_down(r["parent_level"], r["child_level"]):
            children[p][r["child_doc"]] = r.get("child_region")
            level[p] = r["child_level"]
            cells[(p, r["parent_key"], r["child_doc"])] = Cell(
                int(r.get("implementing") or 0), r.get("copy_rate"), int(r.get("weak") or 0), r.get("best_weak_score")
            )
    covered = {(r["parent_doc"], r["child_doc"]): r for r in coverage}
    out = []
    for p, kids in children.items():
        if len(kids) < min_children:
            continue
        ordered = sorted(measures[p].items(), key=lambda kv: (kv[1][0], kv[0]))
        m = Matrix(
            p,
            level[p],
            [(k, n, t) for k, (_, n, t) in ordered],
            sorted(kids.items(), key=lambda kv: (kv[1] or "", kv[0])),
        )
        m.cells = {(k, d): c for (pp, k, d), c in cells.items() if pp == p}
        m.coverage = {d: covered[(p, d)] for d, _ in m.children if (p, d) in covered}
        out.append(m)
    return sorted(out, key=lambda m: (-len(m.children), m.parent))


def _pct(x: Optional[float]) -> str:
    return "" if x is None else f"{x * 100:.0f}%"


def _median(xs: list[float]) -> Optional[float]:
    return statistics.median(xs) if xs else None


def _shade(rate: Optional[float]) -> str:
    """Background from light (rewritten) to dark blue (copied), text kept readable."""
    x = 0.0 if rate is None else max(0.0, min(1.0, float(rate)))
    light = round(92 - 52 * x)
    return f"background:hsl(212,80%,{light}%);color:{'#fff' if light < 60 else '#111'}"


WEAK_FILL = "#ffd8a8"
WEAK_STYLE = f"color:#b35900;background:{WEAK_FILL}"


def matrix_table(m: Matrix) -> tuple[list[str], list[list[str]], list[list[str]]]:
    """(columns, rows, per-cell CSS styles): a row per parent measure with the number of
    children implementing it; a column per child with its coverage; totals last."""
    headers = _headers(m.children)
    n = len(m.children)
    columns = ["parent measure"] + headers + ["implemented by", "median copy rate"]
    rows, styles = [], []
    for key, number, title in m.measures:
        row, style = [f"（{number}）{title or '（标题缺失）'}"], [""]
        for doc, _ in m.children:
            c = m.cells.get((key, doc))
            if c and c.implementing:
                row.append(_pct(c.copy_rate) + (f" ×{c.implementing}" if c.implementing > 1 else "") or "✓")
                style.append(_shade(c.copy_rate))
            elif c and c.weak:
                row.append("weak")
                style.append(WEAK_STYLE)
            else:
                row.append("")
                style.append("")
        rates = [
            c.copy_rate
            for d, _ in m.children
            if (c := m.cells.get((key, d))) and c.implementing and c.copy_rate is not None
        ]
        row += [f"{len(m.implementers(key))} / {n}", _pct(_median(rates))]
        rows.append(row)
        styles.append(style + ["", ""])
    total = len(m.measures)
    counts = [len(m.implemented(d)) for d, _ in m.children]
    totals = [
        ["measures implemented"] + [f"{k} / {total}" for k in counts] + [f"{sum(counts)} / {total * n}", ""],
        ["coverage"]
        + [_pct(k / total if total else None) for k in counts]
        + [_pct(sum(counts) / (total * n) if total else None), ""],
        ["median copy rate"]
        + [_pct(_median(m.copy_rates(d))) for d, _ in m.children]
        + ["", _pct(_median(m.copy_rates()))],
        ["additions (measures with no parent measure)"]
        + [str(m.coverage.get(d, {}).get("additions", "")) for d, _ in m.children]
        + ["", ""],
    ]
    rows += totals
    styles += [[""] * len(columns) for _ in totals]
    return columns, rows, styles


def matrix_svg(m: Matrix) -> str:
    """The matrix as an SVG heat map: a row per parent measure, a column per child; a
    cell's shade is its copy rate (as in the table), ``weak`` cells orange, empty ones white."""
    rows, texts, fills = [], [], []
    for key, number, title in m.measures:
        rows.append(f"（{number}）{_short(title or '（标题缺失）')}")
        texts.append([]), fills.append([])
        for doc, _ in m.children:
            c = m.cells.get((key, doc))
            if c and c.implementing:
                texts[-1].append(_pct(c.copy_rate) or "✓")
                fills[-1].append(_shade(c.copy_rate).split(";")[0].removeprefix("background:"))
            elif c and c.weak:
                texts[-1].append("weak")
                fills[-1].append(WEAK_FILL)
            else:
                texts[-1].append("")
                fills[-1].append("#fff")
    values = [[None] * len(m.children) for _ in rows]
    return svg.heatmap(rows, _headers(m.children), values, texts, fills)


def _short(title: str, n: int = 16) -> str:
    return title if len(title) <= n else title[: n - 1] + "…"


def summary_row(m: Matrix, title: str) -> list[str]:
    """One line of the index: the parent, its children and how widely its measures spread."""
    n, total = len(m.children), len(m.measures)
    shares = [len(m.implemented(d)) / total for d, _ in m.children] if total else []
    wide = sum(1 for k, _, _ in m.measures if len(m.implementers(k)) >= 0.75 * n)
    none = sum(1 for k, _, _ in m.measures if not m.implementers(k))
    return [
        title,
        m.child_level,
        str(n),
        str(total),
        _pct(_median(shares)),
        str(wide),
        str(none),
        _pct(_median(m.copy_rates())),
        f"diffusion__{_stem(m.parent)}.html",
    ]


SUMMARY_COLUMNS = [
    "parent document",
    "children",
    "documents",
    "parent measures",
    "median coverage",
    "measures implemented by ≥ 3/4",
    "measures implemented by none",
    "median copy rate",
    "page",
]
LEGEND = (
    "A cell is the share of the child measure's characters copied from the parent measure (evidence "
    "similarity ≥ 0.85; the highest when several child measures implement it, ×n); darker is copied, lighter "
    "rewritten. `weak`: only a weak link, to review; it does not count as implementing. Empty: not implemented. "
    "`kg query diffusion` and `kg query coverage` give the same figures."
)


def additions_table(m: Matrix, innovations: list[dict]) -> list[list[str]]:
    """Per child: the measures it adds, as printed （三）建设赣江绿色走廊, weak candidates marked."""
    rows = []
    for (doc, _), header in zip(m.children, _headers(m.children)):
        own = [
            f"（{r['number']}）{r.get('title') or '（标题缺失）'}" + ("（weak）" if r.get("weak_candidates") else "")
            for r in innovations
            if r["child_doc"] == doc
        ]
        rows.append([header, str(len(own)), "、".join(own) or "—"])
    return rows


def matrix_page(m: Matrix, docs: dict[str, dict], innovations: list[dict] = ()) -> list[Block]:
    title = docs.get(m.parent, {}).get("title", m.parent)
    columns, rows, styles = matrix_table(m)
    return [
        ("h1", f"Diffusion: {title}"),
        (
            "p",
            f"How the {len(m.children)} {m.child_level} documents implementing `{m.parent}` take up each of its "
            f"{len(m.measures)} measures. " + LEGEND,
        ),
        ("matrix", columns, rows, styles),
        ("h2", "What each document adds"),
        (
            "p",
            "Measures implementing no measure of any parent document (`kg query innovations`; "
            "（weak）: a weak candidate exists, to review).",
        ),
        ("table", ["document", "measures", "its own measures"], additions_table(m, innovations)),
        ("table", ["column", "document"], [[h, d] for h, (d, _) in zip(_headers(m.children), m.children)]),
    ]


def diffusion_pages(build: Path, docs: dict[str, dict]) -> tuple[list[Block], list[tuple[str, list[Block]]]]:
    """The index section "Diffusion across provinces" and a page (file stem, blocks) per
    matrix; nothing when no document has two implementations one level down."""
    ms = matrices(run_tool_query(build, resolve("diffusion")).rows, run_tool_query(build, resolve("coverage")).rows)
    if not ms:
        return [], []
    index = [
        ("h2", "Diffusion across provinces"),
        (
            "p",
            "Per parent document with at least two implementations one level down: how widely its measures "
            "are implemented and how much of the implementing text is copied (a page per parent).",
        ),
        ("table", SUMMARY_COLUMNS, [summary_row(m, docs.get(m.parent, {}).get("title", m.parent)) for m in ms]),
    ]
    for m in ms:
        index.append(("h3", f"{docs.get(m.parent, {}).get('title', m.parent)}: measures × {m.child_level} documents"))
        index.append(
            (
                "figure",
                matrix_svg(m),
                f"diffusion__{_stem(m.parent)}.svg",
                "A row per parent measure, a column per implementing document; darker: more of the text copied, "
                "orange: only a weak link, empty: not implemented.",
            )
        )
    innovations = run_tool_query(build, resolve("innovations")).rows
    return index, [(f"diffusion__{_stem(m.parent)}", matrix_page(m, docs, innovations)) for m in ms]
