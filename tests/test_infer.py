"""Inference of level, region, ids, parents and duplicates for files no registry lists."""

import shutil
from pathlib import Path

import pytest

from kg.core.model import Citation, Span
from kg.corpus import process
from kg.corpus.identify import Candidate, CitationIndex, readable_id, unique_id
from kg.extract.place import infer_place
from kg.present.records import docs_records

from .conftest import DATA, JIANGXI_2021, SHANGRAO

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "dual-carbon"


def test_provincial_issuer_places_the_document_in_its_province():
    assert infer_place("关于测试的通知", ["江西省人民政府"]) == infer_place("x", ["江西省人民政府"])
    assert infer_place("关于测试的通知", ["江西省人民政府"]).region == "江西省"


def test_ministry_issuer_is_national():
    p = infer_place("关于开展试点的通知", ["生态环境部办公厅"])
    assert (p.level, p.region) == ("national", "中华人民共和国")


def test_regionless_issuer_takes_the_region_of_the_doc_number():
    p = infer_place("关于测试的实施意见", ["自治区人民政府"], "桂政发〔2022〕3号")
    assert (p.level, p.region, p.how) == ("provincial", "广西壮族自治区", "doc_number")


def test_city_named_in_a_provincial_document_gives_its_province():
    assert infer_place("关于支持拉萨南北山绿化的政策措施", ["自治区人民政府办公厅"]).region == "西藏自治区"


def test_nothing_to_go_by_places_nothing():
    assert infer_place("关于测试的通知", [], None, "").level is None


def test_readable_id_is_region_year_and_short_title():
    assert readable_id("上饶市", "2022-03-27", "上饶市人民政府印发关于测试方案的通知") == "上饶-2022-测试方案"


def test_colliding_id_takes_the_doc_number_then_a_file_hash():
    assert unique_id("a", {"a"}, "赣府发〔2021〕12号", "x.pdf") == "a-12"
    h = unique_id("a", {"a"}, None, "x.pdf")
    assert h.startswith("a-") and h == unique_id("a", {"a"}, None, "x.pdf")


def test_citation_of_a_higher_document_in_the_same_line_becomes_a_parent():
    index = CitationIndex(
        [
            Candidate("nat", "national", "中华人民共和国", ("国务院关于测试的指导意见",), "国发〔2021〕4号"),
            Candidate("jx", "provincial", "江西省", ("江西省人民政府关于测试的若干措施",)),
            Candidate("jl", "provincial", "吉林省", ("吉林省人民政府关于测试的若干措施",)),
        ]
    )
    child = Candidate("sr", "municipal", "上饶市", ())
    cites = [
        Citation("关于测试的指导意见", "国发〔2021〕4 号", Span(0, 1)),
        Citation("江西省人民政府关于测试的若干措施", None, Span(0, 1)),
        Citation("吉林省人民政府关于测试的若干措施", None, Span(0, 1)),
    ]
    assert index.parents(child, cites) == ["nat", "jx"]


def test_folder_without_registry_is_processed(tmp_path):
    for f in (SHANGRAO, JIANGXI_2021):
        shutil.copy(f, tmp_path)
    reg, results = process(tmp_path)
    recs = {r["file"]: r for r in docs_records(results)}
    sr = recs[SHANGRAO.name]
    assert (sr["level"], sr["region"], sr["measures"]) == ("municipal", "上饶市", 23)
    assert sr["id"].startswith("上饶-2022-") and sr["origin"]["level"] == "inferred"
    assert recs[JIANGXI_2021.name]["id"] in sr["parents"]


def test_registry_entry_overrides_an_inferred_field(tmp_path):
    shutil.copy(SHANGRAO, tmp_path)
    (tmp_path / "corpus.yaml").write_text(
        f"documents:\n  - file: {SHANGRAO.name}\n    id: sr\n    issued: 2022-01-01\n", encoding="utf-8"
    )
    _, results = process(tmp_path)
    rec = docs_records(results)[0]
    assert (rec["id"], rec["issued"], rec["region"]) == ("sr", "2022-01-01", "上饶市")
    assert rec["origin"]["issued"] == "registered" and rec["origin"]["region"] == "inferred"


def test_seed_registry_is_unchanged():
    reg, results = process(DATA)
    assert [e.id for e in reg.entries][:2] == ["china-2021-green-economy", "jiangxi-2021-green-economy"]
    assert all(p.held is None for p in results)


def test_scrape_and_official_copy_are_one_document(tmp_path):
    if not SHARED.is_dir():
        pytest.skip("shared corpus ../shared/corpora/dual-carbon is absent")
    shutil.copy(next((SHARED / "pdf").glob("89、*.pdf")), tmp_path / "89.pdf")
    shutil.copy(JIANGXI_2021, tmp_path / "0_scrape.txt")  # read before 89.pdf
    _, results = process(tmp_path)
    by = {p.entry.file: p for p in results}
    assert by["0_scrape.txt"].duplicate_of == by["89.pdf"].entry.id and by["0_scrape.txt"].doc is None
    assert any(w.code == "duplicate_document" for w in by["89.pdf"].doc.warnings)
    # the copy that is used carries the plain id, whichever file was read first
    assert by["0_scrape.txt"].entry.id == by["89.pdf"].entry.id + "-" + by["0_scrape.txt"].entry.id.rsplit("-", 1)[1]
