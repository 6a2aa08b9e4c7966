"""The shared corpus of official PDFs read as a researcher collects them: no registry, no text
extracted by hand. Skipped where ``../shared/corpora/dual-carbon`` is absent."""

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.extract.parse import parse_file

from .conftest import SHANGRAO

PDF = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "dual-carbon" / "pdf"
pytestmark = pytest.mark.skipif(not PDF.is_dir(), reason="shared corpus ../shared/corpora/dual-carbon is absent")


def _pdf(number: str) -> Path:
    return next(PDF.glob(f"{number}、*.pdf"))


def test_shangrao_pdf_gives_the_seed_measures_titles_and_agencies_with_pages():
    seed, doc = parse_file(SHANGRAO), parse_file(_pdf("355"))
    assert [(m.key, m.title) for m in doc.measures] == [(m.key, m.title) for m in seed.measures]
    assert [[a.name for a in m.agencies] for m in doc.measures] == [[a.name for a in m.agencies] for m in seed.measures]
    pages = [m.span.page for m in doc.measures]
    assert pages == sorted(pages) and pages[0] == 2 and pages[-1] == len(doc.pages)
    m = doc.measures[11]  # its responsibility list is broken by a page end in the seed's source too
    assert all(a.span.page in (m.span.page, m.span.page + 1) for a in m.agencies)


def test_a_measure_page_is_where_its_text_is():
    doc = parse_file(_pdf("89"))
    for m in doc.measures:
        page_text = doc.raw.split("\f")[m.span.page - 1]
        assert m.title in page_text.replace("\n", "") or m.title[:4] in page_text


def test_national_guidance_is_a_national_document_with_measures():
    doc = parse_file(_pdf("6"))
    assert doc.level == "national" and doc.region == "中华人民共和国"
    assert len(doc.measures) >= 25 and doc.format == "pdf"


def test_kg_parse_json_of_a_pdf_gives_pages(tmp_path):
    r = CliRunner().invoke(main, ["parse", str(_pdf("355")), "--format", "json"])
    assert r.exit_code == 0, r.output
    rec = json.loads(r.output)
    assert rec["format"] == "pdf" and rec["pages"] == 16
    assert all(m["page"] >= 2 for m in rec["measures"])


def test_kg_all_on_the_pdf_folder_with_no_registry(tmp_path):
    out = tmp_path / "out"
    r = CliRunner().invoke(main, ["--data", str(PDF), "all", "--out", str(out), "--workers", "2"])
    assert r.exit_code == 0, r.output
    docs = [json.loads(line) for line in (out / "docs.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(docs) == len(list(PDF.glob("*.pdf")))
    national = next(d for d in docs if d["file"].startswith("6、"))
    assert national["level"] == "national" and national["measures"] >= 25 and national["status"] == "parsed"
    shangrao = next(d for d in docs if d["file"].startswith("355、"))
    assert {d["file"].split("、")[0] for d in docs if d["id"] in shangrao["parents"]} == {"6", "89"}
    for name in ["build/graph.nt", "report/index.html", "alignment.html", "agencies.html", "alignment.jsonl"]:
        assert (out / name).stat().st_size > 0, name
    assert "SHACL-valid" in r.output
