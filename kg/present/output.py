"""Output formats, written once for every listing command: table, jsonl, csv, json.

JSON is UTF-8 with Chinese unescaped; CSV cells holding lists or objects carry them
as JSON so nothing is lost; tables are for people and may abbreviate.
"""

from __future__ import annotations

import csv
import io
import json
import sys
from typing import Optional, Sequence

FORMATS = ("table", "jsonl", "csv")


def default_format(stream=None) -> str:
    """Table on a terminal, JSON Lines when piped into another tool."""
    stream = stream or sys.stdout
    return "table" if hasattr(stream, "isatty") and stream.isatty() else "jsonl"


def to_json(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, sort_keys=False)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, (list, dict)):
        return to_json(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def render(
    records: Sequence[dict],
    fmt: str,
    columns: Optional[Sequence[str]] = None,
    table_columns: Optional[Sequence[str]] = None,
    title: Optional[str] = None,
) -> str:
    """Render records as ``fmt``; ``table_columns`` picks what a person sees in a table."""
    if fmt == "jsonl":
        return "".join(to_json(r) + "\n" for r in records)
    if fmt == "json":
        return to_json(list(records) if len(records) != 1 else records[0]) + "\n"
    cols = list(columns or (records[0].keys() if records else []))
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        for r in records:
            w.writerow([_cell(r.get(c)) for c in cols])
        return buf.getvalue()
    if fmt == "table":
        return _table(records, list(table_columns or cols), title)
    raise ValueError(f"unknown format {fmt!r}")


def _short(v, width: int = 40) -> str:
    if isinstance(v, list) and not v:
        return ""
    s = _cell(v) if not isinstance(v, list) or not v or isinstance(v[0], (dict, list)) else "、".join(map(_cell, v))
    if isinstance(v, list) and v and isinstance(v[0], (dict, list)):
        s = str(len(v))
    return s if len(s) <= width else s[: width - 1] + "…"


def _table(records: Sequence[dict], cols: list[str], title: Optional[str]) -> str:
    from rich.console import Console
    from rich.table import Table

    t = Table(title=title, show_lines=False, header_style="bold")
    for c in cols:
        t.add_column(c, overflow="fold")
    for r in records:
        t.add_row(*[_short(r.get(c)) for c in cols])
    buf = io.StringIO()
    Console(file=buf, width=200, force_terminal=False, color_system=None).print(t)
    return buf.getvalue()
