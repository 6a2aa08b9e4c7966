"""Diffusion: the copy rate of a link, the saved queries ``diffusion`` and ``coverage`` on a
tiny national guidance with two provincial implementations (hand-written links), the
report's matrix, and the three levels of the shared green-economy family (skipped where
``../shared/corpora/dual-carbon`` is absent)."""

from pathlib import Path

import pytest

from kg.align.diffusion import copy_rate
from kg.core.model import Evidence, Link, Sentence, Span
from kg.pipeline import build_graph
from kg.present.report_diffusion import additions_table, matrices, matrix_table
from kg.store.query import resolve, run_query

from .conftest import write_corpus

NATIONAL = """国务院关于测试绿色发展的指导意见

一、重点任务

（一）推进工业绿色升级。加快实施钢铁、石化、化工等行业绿色化改造。推行产品绿色设计。

（二）加快农业绿色发展。鼓励发展生态种植、生态养殖。

（三）打造绿色物流。积极调整运输结构，推进铁水、公铁联运。
"""
# 江西 copies （一） whole and rewrites （二）, and adds a measure of its own.
JIANGXI = """江西省关于测试绿色发展的实施意见

一、重点任务

（一）推进工业绿色升级。加快实施钢铁、石化、化工等行业绿色化改造。推行产品绿色设计。

（二）发展绿色农业。全省推广稻渔综合种养。

（三）建设赣江绿色走廊。开展沿江生态修复。
"""
# 吉林 copies one sentence of （一） into a longer measure and copies （三）.
JILIN = """吉林省关于测试绿色发展的实施意见

一、重点任务

（一）推进工业绿色升级。加快实施钢铁、石化、化工等行业绿色化改造。支持长春汽车产业集群建设绿色工厂示范项目。

（二）打造绿色物流。积极调整运输结构，推进铁水、公铁联运。
"""
REGISTRY = """documents:
  - id: nation
    file: nation.txt
    title: 国务院关于测试绿色发展的指导意见
    level: national
    region: 中华人民共和国
    issuers: [国务院]
    issued: 2021-02-02
  - id: jiangxi
    file: jiangxi.txt
    title: 江西省关于测试绿色发展的实施意见
    level: provincial
    region: 江西省
    issuers: [江西省人民政府]
    issued: 2021-07-08
    implements: [nation]
  - id: jilin
    file: jilin.txt
    title: 吉林省关于测试绿色发展的实施意见
    level: provincial
    region: 吉林省
    issuers: [吉林省人民政府]
    issued: 2021-08-01
    implements: [nation]
"""
SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "dual-carbon" / "pdf"
# The green-economy family (the shared corpus README): the national guidance, 19 provinces, 7 cities.
NATIONAL_PDF = 6
PROVINCES = (89, 243, 107, 235, 69, 80, 75, 219, 516, 85, 361, 106, 227, 239, 240, 241, 79, 386, 66)
CITIES = (355, 234, 358, 359, 111, 242, 362)


def sentences(*texts):
    out, at = [], 0
    for t in texts:
        out.append(Sentence(t, Span(at, at + len(t))))
        at += len(t)
    return out


def test_copy_rate_counts_the_characters_of_copied_sentences_only():
    own = sentences("推进工业绿色升级。", "加快实施钢铁行业改造。", "支持汽车产业集群建设绿色工厂示范项目。")
    parent = sentences("推进工业绿色升级。")[0]
    evidence = [Evidence(own[0], parent, 0.97), Evidence(own[1], parent, 0.85), Evidence(own[2], parent, 0.84)]
    link = Link("c", "1", "p", "1", 0.7, "aligned", evidence=evidence)
    assert copy_rate(link, own) == round((9 + 11) / (9 + 11 + 19), 4)
    assert copy_rate(link, own, threshold=0.9) == round(9 / 39, 4)


def test_copy_rate_is_absent_without_a_parent_measure_or_text():
    own = sentences("推进工业绿色升级。")
    assert copy_rate(Link("c", "1", "p", None, 0.1, "unaligned"), own) is None
    assert copy_rate(Link("c", "1", "p", "1", 0.6, "aligned"), []) is None
    assert copy_rate(Link("c", "1", "p", "1", 0.6, "aligned"), own) == 0.0


@pytest.fixture(scope="module")
def family(tmp_path_factory):
    """The tiny family built with hand links: 江西 （一）→（一） copied, （二）→（二） rewritten,
    （三） an addition; 吉林 （一）→（一） half copied (one of two sentences of equal length), （二）→（三） copied but only weak."""
    from kg.corpus import process
    from kg.store.build import build

    data = write_corpus(
        tmp_path_factory.mktemp("family"),
        {"nation.txt": NATIONAL, "jiangxi.txt": JIANGXI, "jilin.txt": JILIN},
        REGISTRY,
    )
    registry, results = process(data)
    docs = {p.entry.id: p.doc for p in results}

    def link(child, key, parent_key, status, copied):
        m = next(m for m in docs[child].measures if m.key == key)
        p = next(m for m in docs["nation"].measures if m.key == parent_key) if parent_key else None
        evidence = [Evidence(s, p.sentences[0], 0.95) for s in m.sentences[:copied]] if p else []
        score = {"aligned": 0.8, "weak": 0.4, "unaligned": 0.1}[status]
        return Link(child, key, "nation", parent_key, score, status, evidence=evidence)

    links = [
        link("jiangxi", "1", "1", "aligned", 3),
        link("jiangxi", "2", "2", "aligned", 0),
        link("jiangxi", "3", None, "unaligned", 0),
        link("jilin", "1", "1", "aligned", 1),
        link("jilin", "2", "3", "weak", 2),
    ]
    return build((registry, results), links, data / "build").out


def test_diffusion_query_gives_each_parent_measure_with_the_documents_linked_to_it(family):
    rows = run_query(family, resolve("diffusion")).rows
    got = [
        (r["parent_key"], r.get("child_doc"), r.get("implementing"), r.get("copy_rate"), r.get("weak")) for r in rows
    ]
    assert got == [
        ("1", "jiangxi", 1, 1.0, 0),
        ("1", "jilin", 1, 0.5, 0),
        ("2", "jiangxi", 1, 0.0, 0),
        ("3", "jilin", 0, None, 1),
    ]
    assert {r["parent_level"] for r in rows} == {"national"} and {r["child_level"] for r in rows} == {"provincial"}


def test_coverage_query_counts_implemented_measures_and_additions_without_weak_links(family):
    rows = run_query(family, resolve("coverage")).rows
    got = [
        (
            r["child_doc"],
            r["parent_measures"],
            r["implemented"],
            r["child_measures"],
            r["additions"],
            round(r["mean_copy_rate"], 4),
        )
        for r in rows
    ]
    assert got == [("jiangxi", 3, 2, 3, 1, 0.5), ("jilin", 3, 1, 2, 1, 0.5)]


def test_matrix_has_a_row_per_parent_measure_and_a_column_per_province(family):
    (m,) = matrices(run_query(family, resolve("diffusion")).rows, run_query(family, resolve("coverage")).rows)
    columns, rows, styles = matrix_table(m)
    assert columns == ["parent measure", "吉林省", "江西省", "implemented by", "median copy rate"]
    assert [r[:4] for r in rows[:3]] == [
        ["（一）推进工业绿色升级", "50%", "100%", "2 / 2"],
        ["（二）加快农业绿色发展", "", "0%", "1 / 2"],
        ["（三）打造绿色物流", "weak", "", "0 / 2"],
    ]
    assert rows[3][:3] == ["measures implemented", "1 / 3", "2 / 3"] and rows[-1][:3] == [
        "additions (measures with no parent measure)",
        "1",
        "1",
    ]
    assert styles[0][2].startswith("background") and styles[1][1] == ""
    assert matrices(run_query(family, resolve("diffusion")).rows, min_children=3) == []


def test_matrix_page_lists_what_each_province_adds(family):
    (m,) = matrices(run_query(family, resolve("diffusion")).rows)
    assert additions_table(m, run_query(family, resolve("innovations")).rows) == [
        ["吉林省", "1", "（二）打造绿色物流（weak）"],
        ["江西省", "1", "（三）建设赣江绿色走廊"],
    ]


def test_report_writes_the_matrix_page_for_a_parent_with_two_implementations(family, tmp_path):
    from kg.present.report import write_report

    summary = write_report(family, tmp_path / "report")
    names = {p.name for p in summary.written}
    assert {"diffusion__nation.html", "diffusion__nation.md"} <= names
    page = (tmp_path / "report" / "diffusion__nation.html").read_text(encoding="utf-8")
    assert '<table class="matrix">' in page and "background:hsl(" in page
    assert "## Diffusion across provinces" in (tmp_path / "report" / "index.md").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def shared_family(tmp_path_factory):
    if not SHARED.is_dir():
        pytest.skip("shared corpus ../shared/corpora/dual-carbon is absent")

    folder = tmp_path_factory.mktemp("green-economy")
    for n in (NATIONAL_PDF, *PROVINCES, *CITIES):
        (pdf,) = SHARED.glob(f"{n}、*.pdf")
        (folder / pdf.name).symlink_to(pdf)
    return build_graph(folder, folder / "build").out


def test_green_economy_family_is_aligned_on_three_levels(shared_family):
    rows = run_query(shared_family, resolve("coverage")).rows
    provinces = [r for r in rows if r["parent_doc"].startswith("中国") and r["child_level"] == "provincial"]
    assert len(provinces) >= 15
    parents = {}
    for r in rows:
        parents.setdefault(r["child_region"], set()).add(r["parent_doc"].split("-")[0])
    assert parents["上饶市"] == {"中国", "江西"}  # cites 国发〔2021〕4号 and the Jiangxi measures
    assert parents["北海市"] == parents["梧州市"] == {"中国", "广西"}
    assert parents["大连市"] == {"中国"}  # implements the State Council guidance directly
    assert parents["石家庄市"] == parents["邯郸市"] == {"河北"}


def test_green_economy_matrix_is_national_measures_by_provinces(shared_family):
    ms = matrices(run_query(shared_family, resolve("diffusion")).rows)
    national = next(m for m in ms if m.parent.startswith("中国"))
    assert len(national.measures) == 30 and len(national.children) >= 15
    columns, rows, _ = matrix_table(national)
    assert len(columns) == len(national.children) + 3 and len(rows) == 30 + 4
    assert sum(1 for k, _, _ in national.measures if len(national.implementers(k)) >= 15) >= 5
