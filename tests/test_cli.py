"""The CLI as a user sees it: output formats, exact error messages, exit codes."""

import csv
import io
import json
from pathlib import Path

from click.testing import CliRunner

from kg.cli import main

from .conftest import DATA, MINI_DOC, SHANGRAO, write_corpus

REG = """documents:
  - id: city
    file: city.txt
    title: 上饶市人民政府印发关于测试的实施方案的通知
    level: municipal
    region: 上饶市
"""


def run(*args, **kw):
    return CliRunner().invoke(main, list(args), catch_exceptions=False, **kw)


def test_docs_lists_every_registered_document_as_jsonl():
    r = run("--data", str(DATA), "docs", "--format", "jsonl")
    assert r.exit_code == 0, r.output
    recs = [json.loads(line) for line in r.output.splitlines()]
    assert len(recs) == 6
    by = {x["id"]: x for x in recs}
    assert by["china-2021-green-economy"]["status"] == "no text"
    assert by["shangrao-2022-green-economy"]["measures"] == 23
    assert by["shangrao-2022-green-economy"]["parents"] == ["china-2021-green-economy", "jiangxi-2021-green-economy"]
    assert set(recs[0]) >= {"id", "title", "level", "region", "issued", "file", "parents", "measures", "warnings"}


def test_parse_json_follows_the_contract():
    r = run("parse", str(SHANGRAO), "--format", "json")
    assert r.exit_code == 0
    doc = json.loads(r.output)
    assert set(doc) >= {"title", "issuers", "doc_number", "issued", "citations", "warnings", "measures"}
    m = doc["measures"][12]
    assert (m["number"], m["index"]) == ("十三", 13)
    assert set(m) >= {"number", "index", "section", "title", "text", "sentences", "agencies", "targets"}
    assert set(m["agencies"][0]) >= {"name", "raw", "role"}
    assert "上饶" in r.output  # Chinese is not escaped


def test_targets_csv_has_header_and_rows():
    r = run("--data", str(DATA), "targets", "--doc", "shangrao-2022-green-economy", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert rows and set(rows[0]) >= {
        "doc",
        "number",
        "year",
        "indicator",
        "value",
        "unit",
        "comparator",
        "scope",
        "text",
    }


def test_agencies_table_shows_lead_and_support_counts():
    r = run("--data", str(DATA), "agencies", "--doc", "shangrao-2022-green-economy", "--format", "table")
    assert r.exit_code == 0
    assert "市发展改革委" in r.output and "lead" in r.output and "support" in r.output


def test_parse_of_an_empty_file_is_one_line_and_exit_1(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_text("")
    r = CliRunner().invoke(main, ["parse", str(p)])
    assert r.exit_code == 1
    assert r.output == f"Error: {p}: empty file\n"


def test_parse_of_a_text_without_measures(tmp_path):
    p = tmp_path / "plain.txt"
    p.write_text(" \n", encoding="utf-8")
    r = CliRunner().invoke(main, ["parse", str(p)])
    assert r.exit_code == 1 and "empty file" in r.output and "Traceback" not in r.output


def test_malformed_registry_is_one_line(tmp_path):
    write_corpus(tmp_path, {}, "documents: [\n")
    r = CliRunner().invoke(main, ["--data", str(tmp_path), "docs"])
    assert r.exit_code == 1
    assert r.output.startswith("Error: ") and r.output.count("\n") == 1 and "corpus.yaml" in r.output


def test_whole_corpus_command_processes_others_and_names_the_failure(tmp_path):
    reg = REG + "  - id: broken\n    file: broken.txt\n    title: t\n    level: municipal\n    region: 上饶市\n"
    write_corpus(tmp_path, {"city.txt": MINI_DOC, "broken.txt": "\x00\x01\x02" * 100}, reg)
    r = CliRunner().invoke(main, ["--data", str(tmp_path), "docs", "--format", "jsonl"])
    assert r.exit_code == 1
    assert [json.loads(x)["id"] for x in r.stdout.splitlines()] == ["city", "broken"]
    assert "broken.txt: binary file, not text" in r.stderr


def test_all_writes_outputs_and_summary(tmp_path):
    out = tmp_path / "out"
    r = run("--data", str(DATA), "all", "--out", str(out))
    assert r.exit_code == 0, r.output
    assert "5 documents parsed (1 registered without text, 0 failed)" in r.output
    for name in [
        "docs.jsonl",
        "agencies.jsonl",
        "targets.jsonl",
        "measures.jsonl",
        "warnings.jsonl",
        "alignment.jsonl",
        "build/graph.nt",
        "report/index.html",
        "report/shangrao-2022-green-economy__jiangxi-2021-green-economy.md",
        "report/shangrao-2022-green-economy__jiangxi-2021-green-economy.html",
        "alignment.html",
        "agencies.html",
    ]:
        assert (out / name).stat().st_size > 0, name
    assert "SHACL-valid" in r.output and "1 alignment-gap reports" in r.output
    assert (out / "documents" / "shangrao-2022-green-economy.json").exists()
    assert not [p for p in out.iterdir() if p.name.startswith(".kg-")]


def test_all_is_deterministic(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # the front page's date: the same across midnight
    a, b = tmp_path / "a", tmp_path / "b"
    run("--data", str(DATA), "all", "--out", str(a))
    run("--data", str(DATA), "all", "--out", str(b))
    # everything but the store's database files (RocksDB writes ids and logs of its own)
    files = sorted(p.relative_to(a) for p in a.rglob("*") if p.is_file() and "store" not in p.relative_to(a).parts)
    assert any(f.suffix == ".html" for f in files) and (Path("build") / "graph.nt") in files
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files)
