"""`kg report`: the alignment-gap report a researcher reads, from the graph built with the real aligner."""

import re

import pytest
from click.testing import CliRunner

from kg.analysis.gaps import coverage
from kg.cli import main
from kg.pipeline import build_graph
from kg.present.report import to_html, to_markdown, write_report

from .conftest import DATA, JIANGXI_ID, SHANGRAO_ID

STEM = f"{SHANGRAO_ID}__{JIANGXI_ID}"


@pytest.fixture(scope="module")
def reported(tmp_path_factory):

    root = tmp_path_factory.mktemp("report")
    build_graph(DATA, root / "build")
    summary = write_report(root / "build", root / "report")
    return root, summary


def test_one_report_per_child_parent_pair_with_text(reported):
    root, summary = reported
    assert summary.pairs == [(SHANGRAO_ID, JIANGXI_ID)]
    for name in [f"{STEM}.md", f"{STEM}.html", f"{STEM}-agencies.svg", "index.md", "index.html"]:
        assert (root / "report" / name).stat().st_size > 0, name


def test_summary_figures_are_the_coverage_of_the_graph(reported):
    root, _ = reported
    md = (root / "report" / f"{STEM}.md").read_text(encoding="utf-8")
    cov = coverage(root / "build", SHANGRAO_ID, JIANGXI_ID)[0]
    assert f"| parent measures implemented | {cov.implemented} / {cov.parent_measures} (" in md
    assert f"| child measures with a parent | {cov.with_parent} / {cov.child_measures} (" in md


def test_parent_table_cites_measure_numbers_on_both_sides(reported):
    md = (reported[0] / "report" / f"{STEM}.md").read_text(encoding="utf-8")
    assert "| parent measure | child measure | score | status | method | margin | rank |" in md
    # every link shows the relative evidence its status rests on: margin over the runner-up, rank 1 = best child
    assert re.search(
        r"\| （一）推进工业绿色转型 \| （二）推进工业绿色转型 \| 0\.[5-9][0-9]* \| aligned \| auto \| 0\.[0-9]+ \| 1 \|",
        md,
    )
    # a heading the scrape lost (the official PDF prints （十六）大力发展绿色金融), linked by the tool
    assert re.search(
        r"\| （十六）（标题缺失） ⚠ heading lost in the source \| （十八）大力发展绿色金融 \| [0-9.]+ \| aligned \| auto \|",
        md,
    )


def test_gap_lists_targets_agencies_and_warnings_are_there(reported):
    md = (reported[0] / "report" / f"{STEM}.md").read_text(encoding="utf-8")
    innovations = md.split("## Local innovations")[1].split("## ")[0]
    assert "（四）推动旅游业绿色发展" in innovations and "（一）坚定绿色发展理念" in innovations
    targets = md.split("## Targets")[1].split("## ")[0]
    assert "98%" in targets and "| kept |" in targets
    assert "## Agency load" in md and "![" in md and f"{STEM}-agencies.svg" in md
    assert "### shangrao-2022-green-economy (2)" in md and "stray\\_latin" in md  # Markdown-escaped
    assert "| policy-kg | " in md and "kg all" in md


def test_html_is_self_contained_with_the_chart_inline(reported):
    page = (reported[0] / "report" / f"{STEM}.html").read_text(encoding="utf-8")
    assert "<svg" in page and "<style>" in page
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']https?:""", page)


def test_document_text_is_escaped_in_html():
    page = to_html([("h1", "<script>alert(1)</script>"), ("table", ["a"], [["x & <b>y</b>"]])])
    assert "<script>alert" not in page and "&lt;script&gt;" in page and "x &amp; &lt;b&gt;" in page
    assert "\\|" in to_markdown([("table", ["a"], [["a|b"]])])


def test_report_is_deterministic(reported, tmp_path):
    root, _ = reported
    again = write_report(root / "build", tmp_path / "again")
    for path in again.written:
        assert path.read_bytes() == (root / "report" / path.name).read_bytes(), path.name


def test_report_without_a_build_says_to_build(tmp_path):
    r = CliRunner().invoke(main, ["report", "--build", str(tmp_path / "nothing"), "--out", str(tmp_path / "r")])
    assert r.exit_code != 0 and r.output.startswith("Error: ") and r.output.count("\n") == 1
    assert "kg build" in r.output


def test_one_pair_report_is_the_same_as_in_the_whole_report(reported, tmp_path):
    root, _ = reported
    one = write_report(root / "build", tmp_path / "one", child=SHANGRAO_ID, parent=JIANGXI_ID)
    assert one.pairs == [(SHANGRAO_ID, JIANGXI_ID)]
    for name in (f"{STEM}.md", f"{STEM}.html"):
        assert (tmp_path / "one" / name).read_text(encoding="utf-8") == (root / "report" / name).read_text(
            encoding="utf-8"
        )
    assert write_report(root / "build", tmp_path / "none", parent="jilin-2021-green-economy").pairs == []


# ------------------------------------------------------------------ evidence and honest findings


def test_every_link_has_an_evidence_panel_with_both_texts(reported):
    from kg.analysis.evidence import evidence

    page = (reported[0] / "report" / f"{STEM}.html").read_text(encoding="utf-8")
    found = evidence(reported[0] / "build", SHANGRAO_ID, JIANGXI_ID)
    assert page.count('<details class="ev ') == len(found) == 23
    linked = next(e for e in found if e.parent is not None and e.status == "aligned")
    panel = page.split(f"<summary>（{linked.child.number}）")[1].split("</details>")[0]
    assert '<section class="side child">' in panel and '<section class="side parent">' in panel
    assert '<mark class="copied">' in panel and linked.parent.where in panel
    md = (reported[0] / "report" / f"{STEM}.md").read_text(encoding="utf-8")
    assert "## Evidence: each child measure beside the parent measure it is linked to (23)" in md
    assert f"  - parent, {linked.parent.where}: " in md and "% copied" in md


def test_findings_on_the_rebuilt_seed_carry_a_caveat_linked_to_its_warnings(reported):
    page = (reported[0] / "report" / f"{STEM}.html").read_text(encoding="utf-8")
    target = f'id="warnings-{JIANGXI_ID}"'
    assert target in page and f'<a href="#warnings-{JIANGXI_ID}">' in page
    intro = page.split("<h2>Summary</h2>")[0]
    assert 'class="caveat"' in intro and "rebuilt" in intro and "replaced_sentence 17" in intro


def test_markdown_escapes_hostile_document_text_everywhere():
    hostile = "<script>alert(1)</script> | *粗* _斜_ [链](http://x) `码`"
    md = to_markdown(
        [("h1", hostile), ("p", f"how `{SHANGRAO_ID}` implements {hostile}"), ("table", ["a"], [[hostile]])]
    )
    # nothing Markdown or HTML would act on is left unescaped: no tag, link, emphasis or cell break
    assert not re.search(r"(?<!\\)(<script|\]\(|\*粗|\| \*)", md.replace("| a |", ""))
    assert "\\<script\\>" in md and "\\|" in md and "\\*粗\\*" in md and f"`{SHANGRAO_ID}`" in md


def test_a_weak_link_with_no_evidence_is_not_offered_for_confirmation():
    from kg.analysis.evidence import Evidence, Side
    from kg.present.report_evidence import evidence_md, offered, summary_line

    child = Side("c", "1", "某措施", "推进绿色发展。", [("推进绿色发展。", 10, 17, None)], [], "一")
    parent = Side("p", "2", None, "", [], [], "二", heading_lost=True)
    empty = Evidence(child, parent, "weak", 0.0, None, "auto", [], [], [])
    judged = Evidence(child, parent, "weak", 0.41, 0.05, "auto", [("推进绿色发展。", "推进绿色发展。")], [], [])
    assert not offered(empty) and offered(judged)
    assert "nothing to confirm" in summary_line(empty) and "confirm or reject" not in summary_line(empty)
    assert "confirm or reject" in summary_line(judged) and "margin 0.05" in summary_line(judged)
    assert "no text in the source" in evidence_md(empty, None)


TINY_PARENT = """江西省测试措施

（一）推进工业绿色转型。建设绿色制造体系，培育一批绿色工厂和绿色园区。（省工业和信息化厅负责）

（二）加快农业绿色发展。推进农业节水，发展生态循环农业，加强农业面源污染防治。（省农业农村厅、省水利厅负责）
"""
TINY_CHILD = """上饶市测试方案

（一）推进工业绿色转型。建设绿色制造体系，培育一批绿色工厂和绿色园区。（市工业和信息化局负责）
"""
TINY_REGISTRY = """documents:
  - {id: prov, file: p.txt, title: 江西省测试措施, level: provincial, region: 江西省, implements: []}
  - {id: city, file: c.txt, title: 上饶市测试方案, level: municipal, region: 上饶市, implements: [prov]}
  - {id: broken, file: typo.txt, title: 上饶市另一方案, level: municipal, region: 上饶市, implements: [prov]}
"""


def test_a_failed_document_gets_no_report_and_unimplemented_measures_show_their_text(tmp_path):
    from kg.pipeline import build_graph

    from .conftest import write_corpus

    data = write_corpus(tmp_path, {"p.txt": TINY_PARENT, "c.txt": TINY_CHILD}, TINY_REGISTRY)
    build_graph(data, tmp_path / "build")
    summary = write_report(tmp_path / "build", tmp_path / "report")
    assert summary.pairs == [("city", "prov")]
    assert list(summary.failed) == ["broken"] and "typo.txt" in summary.failed["broken"]
    assert not list((tmp_path / "report").glob("broken__*"))
    md = (tmp_path / "report" / "city__prov.md").read_text(encoding="utf-8")
    missing = md.split("## Parent measures the child does not implement (1)")[1].split("## ")[0]
    assert "（二）加快农业绿色发展" in missing and "推进农业节水，发展生态循环农业" in missing
    assert "省农业农村厅、省水利厅" in missing
    r = CliRunner().invoke(main, ["gaps", "--build", str(tmp_path / "build"), "--child", "broken"])
    assert r.exit_code != 0 and r.output.count("\n") == 1 and "“broken” failed" in r.output
