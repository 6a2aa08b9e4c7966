"""Charts as plain SVG text: horizontal bars and heat maps, no plotting library.

Labels stay ``<text>`` so the reader's browser draws the Chinese with its own fonts; every
label and tooltip is XML-escaped; each bar and cell carries a ``<title>`` with its value, so
the figure can be read exactly by hovering. Output is deterministic (no ids, no dates).
Widths are estimated per character: a CJK character takes a full em, other characters
about 0.6 em, which is what keeps long Chinese labels from running into the plot.
"""

from __future__ import annotations

import re
import unicodedata
from html import escape
from typing import Optional, Sequence

FONT = "system-ui,'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
SIZE = 12  # font size in px
BLUE, LIGHT_BLUE, ORANGE = "#1f6feb", "#9ec5fe", "#f0883e"


def _x(s) -> str:
    return escape(str(s), quote=True)


def text_width(s: str, size: float = SIZE) -> float:
    """Estimated width in px of ``s`` drawn at ``size``: wide (CJK) characters a full em."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in s)


def _num(v: float) -> str:
    return f"{v:.1f}".rstrip("0").rstrip(".") if isinstance(v, float) else str(v)


def _svg(width: float, height: float, body: list[str], label: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" role="img" aria-label="{_x(label)}" '
        f'font-family="{FONT}" font-size="{SIZE}">' + "".join(body) + "</svg>"
    )


def _text(x: float, y: float, s, anchor: str = "start", **attrs) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{_x(v)}"' for k, v in attrs.items())
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" dominant-baseline="middle"{extra}>{_x(s)}</text>'


def bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[float]]],
    title: str = "",
    axis: str = "",
    stacked: bool = False,
    unit: str = "",
    plot_width: float = 300,
) -> str:
    """Horizontal bars, one row per label (top to bottom as given); ``series`` are
    (name, colour, values). Stacked: the series of a row end to end; else side by side."""
    label_w = max([text_width(s) for s in labels] + [0]) + 8
    row_h = 18 if stacked else 8 + 10 * len(series)
    top = 24 if title else 8
    totals = [
        sum(v[i] for _, _, v in series) if stacked else max(v[i] for _, _, v in series) for i in range(len(labels))
    ]
    peak = max(totals + [0]) or 1
    scale = plot_width / peak
    legend_y = top + row_h * len(labels) + 12
    height = legend_y + (18 if axis else 0) + 18
    width = label_w + plot_width + 60
    body = [_text(4, 12, title, font_weight="bold")] if title else []
    for i, label in enumerate(labels):
        y = top + i * row_h
        body.append(_text(label_w - 6, y + row_h / 2, label, "end"))
        x = label_w
        for j, (name, colour, values) in enumerate(series):
            v = values[i]
            h = row_h - 4 if stacked else 9
            by = y + 2 if stacked else y + 4 + 10 * j
            w = v * scale
            body.append(
                f'<rect x="{x:.1f}" y="{by:.1f}" width="{w:.1f}" height="{h}" fill="{colour}">'
                f"<title>{_x(label)} · {_x(name)}: {_x(_num(v))}{_x(unit)}</title></rect>"
            )
            if stacked:
                x += w
            elif v:
                body.append(_text(x + w + 3, by + h / 2, f"{_num(v)}{unit}", font_size=9, fill="#444"))
        if stacked and totals[i]:
            body.append(_text(x + 3, y + row_h / 2, _num(totals[i]), font_size=9, fill="#444"))
    base = top + row_h * len(labels)
    body.append(f'<line x1="{label_w}" y1="{top}" x2="{label_w}" y2="{base}" stroke="#888"/>')
    lx = label_w
    for name, colour, _ in series:
        body.append(f'<rect x="{lx:.1f}" y="{legend_y - 5:.1f}" width="10" height="10" fill="{colour}"/>')
        body.append(_text(lx + 14, legend_y, name))
        lx += 14 + text_width(name) + 16
    if axis:
        body.append(_text(label_w, legend_y + 18, axis, fill="#444"))
    return _svg(max(width, lx + 8), height, body, title or axis)


def side_by_side(svgs: Sequence[str], gap: float = 16) -> str:
    """Several SVG figures in one, left to right (nested ``<svg>`` elements)."""
    parts, x, height = [], 0.0, 0.0
    for s in svgs:
        w, h = (float(v) for v in re.match(r'<svg[^>]* width="([\d.]+)" height="([\d.]+)"', s).groups())
        parts.append(s.replace("<svg ", f'<svg x="{x:.0f}" y="0" ', 1))
        x, height = x + w + gap, max(height, h)
    return _svg(max(x - gap, 0), height, parts, "")


def colour_ramp(share: float) -> str:
    """White (0) to dark blue (1), as in the report's tables."""
    x = max(0.0, min(1.0, float(share)))
    return f"hsl(212,80%,{round(96 - 56 * x)}%)"


def heatmap(
    rows: Sequence[str],
    columns: Sequence[str],
    values: Sequence[Sequence[Optional[float]]],
    texts: Optional[Sequence[Sequence[str]]] = None,
    fills: Optional[Sequence[Sequence[Optional[str]]]] = None,
    title: str = "",
    cell: float = 40,
) -> str:
    """A grid of cells: a row per ``rows`` label, a column per ``columns`` label (written
    slanted above the grid). A cell's colour is ``fills`` when given, else ``values`` on a
    ramp to the largest value; its text is ``texts`` (default: the value, empty for 0/None)."""
    peak = max([v for r in values for v in r if v is not None] + [0]) or 1
    label_w = max([text_width(s) for s in rows] + [0]) + 8
    head = max([text_width(s) for s in columns] + [0]) * 0.71 + 16  # labels at -45°
    top = head + (20 if title else 0)
    width = label_w + cell * len(columns) + head * 0.71 + 8
    height = top + 22 * len(rows) + 8
    body = [_text(4, 12, title, font_weight="bold")] if title else []
    for j, c in enumerate(columns):
        x, y = label_w + cell * (j + 0.5), top - 6
        body.append(f'<text x="{x:.1f}" y="{y:.1f}" transform="rotate(-45 {x:.1f} {y:.1f})">{_x(c)}</text>')
    for i, (label, row) in enumerate(zip(rows, values)):
        y = top + 22 * i
        body.append(_text(label_w - 6, y + 11, label, "end"))
        for j, v in enumerate(row):
            fill = (fills[i][j] if fills else None) or ("#fff" if not v else colour_ramp(v / peak))
            t = texts[i][j] if texts else ("" if not v else _num(v))
            dark = fill.startswith("hsl(") and int(fill.rsplit(",", 1)[1].rstrip("%)")) < 60
            body.append(
                f'<rect x="{label_w + cell * j:.1f}" y="{y:.1f}" width="{cell}" height="22" fill="{fill}" '
                f'stroke="#ddd"><title>{_x(label)} · {_x(columns[j])}: {_x(t or "—")}</title></rect>'
            )
            if t:
                body.append(
                    _text(
                        label_w + cell * (j + 0.5), y + 11, t, "middle", font_size=10, fill="#fff" if dark else "#222"
                    )
                )
    return _svg(width, height, body, title)
