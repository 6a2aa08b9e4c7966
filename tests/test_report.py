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
    assert "### shangrao-2022-green-economy (2)" in md and "stray_latin" in md
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
