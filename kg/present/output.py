"""Output formats, written once for every listing command: table, jsonl, csv, json.

JSON is UTF-8 with Chinese unescaped; tables are for people and may abbreviate. CSV on
stdout keeps a cell holding a list or an object as JSON so nothing is lost, and starts with
a UTF-8 BOM only when stdout is a regular file (``kg docs --format csv > docs.csv``: Excel
then reads the Chinese right), not on a terminal or a pipe, where a BOM would be read as
part of the first column's name. The spreadsheet tables ``kg all`` writes are flat instead
(``flat_tables``): a list of plain values is one cell joined with ``"; "``, a span is two
columns ``<name>_start`` / ``<name>_end``, an object is one column per field
``<name>_<field>``, and a list of records is its own table keyed by the columns of its row.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import sys
from typing import Optional, Sequence

LIST_SEP = "; "  # joins a list of plain values in one spreadsheet cell
BOM = "\ufeff"

FORMATS = ("table", "jsonl", "csv")


def default_format(stream=None) -> str:
    """Table on a terminal, JSON Lines when piped into another tool."""
    stream = stream or sys.stdout
    return "table" if hasattr(stream, "isatty") and stream.isatty() else "jsonl"


def stdout_is_file(stream=None) -> bool:
    """Whether ``stream`` (stdout) was redirected into a regular file, not a terminal or a pipe."""
    stream = stream or sys.stdout
    try:
        return stat.S_ISREG(os.fstat(stream.fileno()).st_mode)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False


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
    bom: Optional[bool] = None,
) -> str:
    """Render records as ``fmt``; ``table_columns`` picks what a person sees in a table;
    ``bom``: start CSV with a UTF-8 BOM (default: when stdout is a regular file)."""
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
        return (BOM if (stdout_is_file() if bom is None else bom) else "") + buf.getvalue()
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


def _plain(v) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _is_span(v) -> bool:
    return isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v)


def _span_name(k: str) -> bool:
    return k == "span" or k.endswith("_span")


def flat(record: dict, nested_fields: Sequence[str] = ()) -> tuple[dict, dict[str, list[dict]]]:
    """(the record with flat columns, its lists of records by field name) as the module
    docstring says; a list of spans becomes ``start-end`` joined like any list;
    ``nested_fields`` are lists of records even when empty here.

    >>> flat({"doc": "a", "span": [1, 4], "parents": ["x", "y"], "origin": {"id": "r"}, "ev": [{"s": 1}]})
    ({'doc': 'a', 'span_start': 1, 'span_end': 4, 'parents': 'x; y', 'origin_id': 'r'}, {'ev': [{'s': 1}]})
    """
    row, nested = {}, {}
    for k, v in record.items():
        if k in nested_fields:
            nested[k] = v or []
        elif _span_name(k) and (v is None or _is_span(v)):
            row[f"{k}_start"], row[f"{k}_end"] = v or (None, None)
        elif _plain(v):
            row[k] = v
        elif isinstance(v, dict):
            for kk, vv in flat(v)[0].items():
                row[f"{k}_{kk}"] = vv
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            nested[k] = v
        elif isinstance(v, list):
            row[k] = LIST_SEP.join(f"{x[0]}-{x[1]}" if _is_span(x) else _cell(x) for x in v)
        else:
            row[k] = _cell(v)
    return row, nested


def flat_tables(name: str, records, key: Sequence[str], drop: Sequence[str] = ()) -> dict[str, list[dict]]:
    """``{name: flat rows, f"{name}_{field}": rows of each list of records}``: a nested row
    starts with the ``key`` columns of its parent row (same names), then its own columns
    (prefixed with the field name where one would clash with a key). ``drop``: list fields
    left out because another table holds them."""
    tables: dict[str, list[dict]] = {name: []}
    records = [{k: v for k, v in r.items() if k not in drop} for r in records]
    lists = {k for r in records for k, v in r.items() if isinstance(v, list) and v and isinstance(v[0], dict)}
    for r in records:
        row, nested = flat(r, lists)
        tables[name].append(row)
        for field, items in nested.items():
            keys = {k: row.get(k) for k in key}
            rows = tables.setdefault(f"{name}_{field}", [])
            for item in items:
                sub = flat(item)[0]
                rows.append({**keys, **{(f"{field}_{k}" if k in keys else k): v for k, v in sub.items()}})
    return tables


def csv_text(rows: Sequence[dict]) -> str:
    """A flat table as CSV for a spreadsheet: UTF-8 BOM, every column any row has, in first-seen order."""
    cols = list(dict.fromkeys(c for r in rows for c in r))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(cols)
    for r in rows:
        w.writerow([_cell(r.get(c)) for c in cols])
    return BOM + buf.getvalue()
