"""tables.xlsx: the flat tables as sheets a spreadsheet opens, the same bytes for the same rows."""

import io
import time

from openpyxl import load_workbook

from kg.present.workbook import MAX_CELL, workbook


def test_sheets_hold_the_rows_with_chinese_numbers_and_empty_cells():
    data = workbook(
        {
            "docs": [{"id": "shangrao", "title": "上饶市实施方案", "measures": 23}, {"id": "x", "extra": 0.5}],
            "alignment_evidence_with_a_very_long_sheet_name": [{"score": 0.91}],
        }
    )
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["docs", "alignment_evidence_with_a_very_"]  # Excel allows 31 characters
    rows = list(wb["docs"].iter_rows(values_only=True))
    assert rows == [
        ("id", "title", "measures", "extra"),
        ("shangrao", "上饶市实施方案", 23, None),
        ("x", None, None, 0.5),
    ]


def test_control_characters_are_dropped_and_overlong_text_is_cut():
    wb = load_workbook(io.BytesIO(workbook({"t": [{"a": "甲\x00乙\x1f丙", "b": "长" * (MAX_CELL + 10)}]})))
    a, b = list(wb["t"].iter_rows(values_only=True))[1]
    assert a == "甲乙丙" and len(b) == MAX_CELL and b.endswith("…")


def test_same_rows_same_bytes():
    tables = {"docs": [{"id": "a", "title": "江西"}]}
    first = workbook(tables)
    time.sleep(2.1)  # zip entry times have a two-second resolution
    assert workbook(tables) == first
