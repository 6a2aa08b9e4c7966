"""Output formats: flat spreadsheet tables (lists joined, spans split, nested records in their own
table) and the UTF-8 BOM that CSV carries into a file, not into a pipe."""

import csv
import io
import os
import subprocess
import sys

from kg.present.output import BOM, LIST_SEP, csv_text, flat, flat_tables, render, stdout_is_file

from .conftest import DATA


def test_flat_splits_spans_joins_lists_and_spreads_objects():
    row, nested = flat(
        {
            "doc": "上饶",
            "span": [3, 9],
            "source_span": None,
            "parents": ["江西", "国务院"],
            "segments": [[0, 4], [7, 9]],
            "origin": {"id": "file", "level": "registered"},
            "evidence": [{"score": 0.9}],
            "empty": [],
        }
    )
    assert row == {
        "doc": "上饶",
        "span_start": 3,
        "span_end": 9,
        "source_span_start": None,
        "source_span_end": None,
        "parents": f"江西{LIST_SEP}国务院",
        "segments": f"0-4{LIST_SEP}7-9",
        "origin_id": "file",
        "origin_level": "registered",
        "empty": "",
    }
    assert nested == {"evidence": [{"score": 0.9}]}


def test_nested_records_get_their_own_table_keyed_by_their_row():
    links = [
        {"source_doc": "c", "source_measure": "1", "target_doc": "p", "target_measure": "2", "score": 0.8,
         "evidence": [{"source_sentence": "甲", "score": 0.9, "source_span": [0, 1]}]},
        {"source_doc": "c", "source_measure": "2", "target_doc": "p", "target_measure": None, "score": 0.1,
         "evidence": []},
    ]  # fmt: skip
    tables = flat_tables("alignment", links, ("source_doc", "source_measure", "target_doc", "target_measure"))
    assert [list(r) for r in tables["alignment"]] == [
        ["source_doc", "source_measure", "target_doc", "target_measure", "score"]
    ] * 2  # an empty list of records makes no column
    assert tables["alignment_evidence"] == [
        {
            "source_doc": "c",
            "source_measure": "1",
            "target_doc": "p",
            "target_measure": "2",
            "source_sentence": "甲",
            "score": 0.9,
            "source_span_start": 0,
            "source_span_end": 1,
        }
    ]


def test_a_nested_field_clashing_with_a_key_is_prefixed():
    tables = flat_tables("agencies", [{"name": "市发改委", "measures": [{"name": "x", "role": "lead"}]}], ("name",))
    assert tables["agencies_measures"] == [{"name": "市发改委", "measures_name": "x", "role": "lead"}]


def test_csv_text_reads_back_with_the_bom_and_chinese_intact():
    text = csv_text([{"name": "市发展改革委", "note": 'a, "b"\n新行'}, {"name": "省财政厅", "extra": 1}])
    assert text.startswith(BOM)
    data = text.encode("utf-8").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(data, newline="")))
    assert rows == [
        {"name": "市发展改革委", "note": 'a, "b"\n新行', "extra": ""},
        {"name": "省财政厅", "note": "", "extra": "1"},
    ]


def test_bom_only_when_stdout_is_a_regular_file(tmp_path):
    with open(tmp_path / "out.csv", "w", encoding="utf-8") as f:
        assert stdout_is_file(f)
    r, w = os.pipe()
    with os.fdopen(r) as reader, os.fdopen(w, "w") as writer:
        assert not stdout_is_file(writer) and not stdout_is_file(reader)
    assert not stdout_is_file(io.StringIO())
    assert render([{"a": "上饶"}], "csv", bom=True).startswith(BOM + "a\n")
    assert render([{"a": "上饶"}], "csv", bom=False) == "a\n上饶\n"


def test_listing_redirected_into_a_file_opens_in_a_spreadsheet(tmp_path):
    cmd = [sys.executable, "-c", "from kg.cli import main; main()", "--data", str(DATA), "docs", "--format", "csv"]
    with open(tmp_path / "docs.csv", "wb") as f:
        assert subprocess.run(cmd, stdout=f, timeout=300).returncode == 0
    raw = (tmp_path / "docs.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfid,title,")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert any(r["title"].startswith("上饶市人民政府") for r in rows)
    piped = subprocess.run(cmd, capture_output=True, timeout=300)
    assert piped.returncode == 0 and piped.stdout.startswith(b"id,title,")
