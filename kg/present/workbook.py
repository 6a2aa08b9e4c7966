"""``tables.xlsx``: the main flat tables of ``kg all`` as one Excel workbook, a sheet per table.

The same rows and columns as the CSV tables (``kg.present.output.flat_tables``), with
numbers as numbers. Excel limits a cell to 32,767 characters and forbids control
characters: a longer text is cut with "…" (the CSV keeps it whole) and control characters
are dropped. The file is deterministic: fixed document dates and zip entry times, so the
same corpus gives the same bytes.
"""

from __future__ import annotations

import io
import zipfile
from typing import Sequence

MAX_CELL = 32767
EPOCH = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip entry can carry


def _value(v):
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if v is None or isinstance(v, (int, float)):
        return v
    s = ILLEGAL_CHARACTERS_RE.sub("", str(v))
    return s if len(s) <= MAX_CELL else s[: MAX_CELL - 1] + "…"


def workbook(tables: dict[str, Sequence[dict]]) -> bytes:
    """The tables (sheet name → flat rows) as the bytes of an .xlsx file, a header row per sheet."""
    from datetime import datetime

    from openpyxl import Workbook
    from openpyxl.writer.excel import ExcelWriter

    wb = Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "policy-kg"
    wb.properties.created = wb.properties.modified = datetime(*EPOCH)
    for name, rows in tables.items():
        ws = wb.create_sheet(name[:31])
        cols = list(dict.fromkeys(c for r in rows for c in r))
        ws.append(cols)
        for r in rows:
            ws.append([_value(r.get(c)) for c in cols])
        ws.freeze_panes = "A2"
    buf = io.BytesIO()
    # ExcelWriter, not wb.save: save stamps the document's "modified" date with the current time
    ExcelWriter(wb, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)).save()
    return _fixed_times(buf.getvalue())


def _fixed_times(data: bytes) -> bytes:
    """The zip with every entry dated ``EPOCH`` (openpyxl stamps them with the current time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
