"""`kg all` writes every listing twice: JSON Lines and a flat CSV table a spreadsheet opens."""

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.pipeline import TABLES

from .conftest import DATA, JIANGXI_ID, SHANGRAO_ID


@pytest.fixture(scope="module")
def out(tmp_path_factory):
    out = tmp_path_factory.mktemp("all") / "out"
    r = CliRunner().invoke(main, ["--data", str(DATA), "all", "--out", str(out)])
    assert r.exit_code == 0, r.output
    return out


def _read(path) -> list[dict]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), path.name  # the BOM: Excel reads UTF-8
    return list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"), newline="")))


def test_every_listing_has_its_csv_with_the_same_rows_and_no_json_in_a_cell(out):
    for name in TABLES:
        records = [json.loads(line) for line in (out / f"{name}.jsonl").read_text(encoding="utf-8").splitlines()]
        rows = _read(out / f"{name}.csv")
        assert len(rows) == len(records), name
        plain = [k for k, v in records[0].items() if isinstance(v, (str, int, float)) and not isinstance(v, bool)]
        assert set(plain) <= set(rows[0]), name  # a plain field keeps its name
        for path in out.glob(f"{name}*.csv"):
            for row in _read(path):
                for value in row.values():
                    assert not value.startswith(("[", "{")), (path.name, value[:60])


def test_nested_records_are_tables_keyed_by_their_row(out):
    links = [json.loads(line) for line in (out / "alignment.jsonl").read_text(encoding="utf-8").splitlines()]
    evidence = _read(out / "alignment_evidence.csv")
    assert len(evidence) == sum(len(r["evidence"]) for r in links) > 0
    first = next(r for r in links if r["evidence"])
    e = first["evidence"][0]
    row = next(
        x
        for x in evidence
        if (x["source_doc"], x["source_measure"], x["target_doc"], x["target_measure"])
        == (first["source_doc"], first["source_measure"], first["target_doc"], first["target_measure"])
    )
    assert row["source_sentence"] == e["source_sentence"] and row["target_sentence"] == e["target_sentence"]
    assert int(row["source_span_start"]) == e["source_span"][0]
    agencies = _read(out / "measures_agencies.csv")
    assert {"doc", "key", "name", "role", "span_start", "span_end"} <= set(agencies[0])
    assert any(a["doc"] == SHANGRAO_ID and a["name"] == "市发展改革委" and a["role"] == "lead" for a in agencies)


def test_chinese_and_lists_read_back_intact(out):
    docs = {r["id"]: r for r in _read(out / "docs.csv")}
    assert docs[SHANGRAO_ID]["title"].startswith("上饶市人民政府印发")
    assert JIANGXI_ID in docs[SHANGRAO_ID]["parents"].split("; ") and docs[SHANGRAO_ID]["origin_title"]
    measures = [r for r in _read(out / "measures.csv") if r["doc"] == SHANGRAO_ID]
    assert len(measures) == 23 and all(r["text"] and int(r["span_end"]) > int(r["span_start"]) for r in measures)
    assert "agencies" not in measures[0] and "targets" not in measures[0]  # own tables: measures_agencies, targets


def test_workbook_holds_the_main_tables(out):
    from openpyxl import load_workbook

    from kg.pipeline import WORKBOOK

    wb = load_workbook(out / "tables.xlsx", read_only=True)
    assert wb.sheetnames == list(WORKBOOK)
    for name in WORKBOOK:
        rows = list(wb[name].iter_rows(values_only=True))
        csv_rows = _read(out / f"{name}.csv")
        assert list(rows[0]) == list(csv_rows[0]) and len(rows) - 1 == len(csv_rows), name
    titles = [r[1] for r in wb["docs"].iter_rows(min_row=2, values_only=True)]
    assert any(t.startswith("上饶市人民政府") for t in titles)
