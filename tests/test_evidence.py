"""kg.analysis.evidence: each link's two texts side by side from the graph, and the marks a reader judges them by."""

import unicodedata

import pytest

from kg.analysis.evidence import evidence, failed, marks, unimplemented
from kg.analysis.gaps import coverage, gaps, query_text
from kg.core.errors import KgError
from kg.store.query import restrict, run_query

from .conftest import DATA, JIANGXI_ID, SHANGRAO_ID, write_corpus

PROVINCE = """江西省测试措施

（一）推进工业绿色转型。建设绿色制造体系，培育一批绿色工厂和绿色园区，到2025年全省建成绿色工厂200家以上。推动钢铁、石化、化工、有色、建材等产业绿色化发展。（省工业和信息化厅、省发展改革委按职责分工负责）

（二）加快农业绿色发展。推进农业节水，发展生态循环农业，加强农业面源污染防治。（省农业农村厅负责）
"""
# both city measures draw on the province's （一） and leave its target out; （二） is implemented by nothing
CITY = """上饶市测试方案

（一）推进工业绿色转型。建设绿色制造体系，培育一批绿色工厂和绿色园区。推动钢铁、石化、化工、有色、建材等产业绿色化发展。（市工业和信息化局、市商务局按职责分工负责）

（二）推动产业绿色化发展。推动钢铁、石化、化工、有色、建材等产业绿色化发展，培育一批绿色工厂和绿色园区。（市工业和信息化局负责）
"""
REGISTRY = """documents:
  - {id: prov, file: p.txt, title: 江西省测试措施, level: provincial, region: 江西省, implements: []}
  - {id: city, file: c.txt, title: 上饶市测试方案, level: municipal, region: 上饶市, implements: [prov]}
  - {id: broken, file: typo.txt, title: 上饶市另一方案, level: municipal, region: 上饶市, implements: [prov]}
  - {id: empty, file: e.txt, title: 上饶市空方案, level: municipal, region: 上饶市, implements: [prov]}
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    from kg.pipeline import build_graph

    root = tmp_path_factory.mktemp("evidence")
    data = write_corpus(root, {"p.txt": PROVINCE, "c.txt": CITY, "e.txt": ""}, REGISTRY)
    build_graph(data, root / "build")
    return root / "build"


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    from kg.pipeline import build_graph

    root = tmp_path_factory.mktemp("evidence-seeds")
    build_graph(DATA, root / "build")
    return root / "build"


# ------------------------------------------------------------------ marks (pure)


def _texts(text, found):
    return [(text[s:e], k) for s, e, k in found]


def test_copied_runs_of_four_or_more_characters_and_changed_numbers_and_years():
    child, parent = "到2025年，全市建成绿色工厂20家。", "到2030年，全省建成绿色工厂200家以上。"
    c, p = marks(child, parent)
    assert _texts(child, c) == [("2025年", "changed"), ("建成绿色工厂", "copied"), ("20", "changed")]
    assert _texts(parent, p) == [("2030年", "changed"), ("建成绿色工厂", "copied"), ("200", "changed")]


def test_a_number_printed_on_both_sides_is_not_changed_and_short_common_words_are_not_copied():
    c, p = marks("绿色工厂达到98%。", "绿色工厂达到98%以上，推进节能。")
    assert _texts("绿色工厂达到98%。", c) == [("绿色工厂达到98%", "copied")]
    assert marks("推进绿色", "绿色发展") == ([], [])  # 绿色: two characters in common, not copying


def test_reordered_sentences_count_as_copied_through_the_matched_pairs():
    a, b = "甲乙丙丁戊己。", "庚辛壬癸子丑。"
    child, parent = a + b, b + a
    whole, _ = marks(child, parent)
    paired, _ = marks(child, parent, pairs=[(a, a), (b, b)])
    assert sum(e - s for s, e, _ in paired) == len(child) > sum(e - s for s, e, _ in whole)


def test_wording_copied_out_of_order_is_found_sentence_against_sentence():
    child = "推动钢铁化工等产业绿色化发展，培育一批绿色工厂和绿色园区。"
    parent = "培育一批绿色工厂和绿色园区。推动钢铁化工等产业绿色化发展。"
    c, p = marks(child, parent)
    assert any(text.startswith("培育一批绿色工厂和绿色园区") and k == "copied" for text, k in _texts(child, c))
    assert sum(e - s for s, e, _ in p) >= len(parent) - 2
    # a four-character word out of order is a shared word, not copying
    child, parent = "绿色发展。甲乙丙丁戊己。", "甲乙丙丁戊己。绿色发展。"
    found = _texts(child, marks(child, parent)[0])
    assert [k for _, k in found] == ["copied"] and found[0][0].startswith("甲乙丙丁戊己")


def test_marks_never_overlap_and_agencies_printed_in_the_text_are_marked():
    child = "由市商务局牵头，到2025年建成绿色工厂。"
    c, _ = marks(child, "到2025年建成绿色工厂。", added=["市商务局"])
    assert ("市商务局", "added") in _texts(child, c)
    assert all(e1 <= s2 for (_, e1, _), (s2, _, _) in zip(c, c[1:]))


# ------------------------------------------------------------------ from the graph


def test_one_evidence_per_child_measure_with_both_texts_and_positions(tiny):
    found = evidence(tiny, "city", "prov")
    assert [e.child.key for e in found] == ["1", "2"]
    first = found[0]
    assert first.status == "aligned" and first.implements and first.parent.key == "1"
    assert first.child.text.startswith("建设绿色制造体系") and first.parent.text.startswith("建设绿色制造体系")
    text, start, end, page = first.parent.sentences[0]
    assert PROVINCE[start:end] == text and page is None  # the raw-text span the graph keeps
    assert first.parent.agencies == ["省工业和信息化厅", "省发展改革委"]  # lead first
    # the city's 市工业和信息化局 is the counterpart of 省工业和信息化厅; 市商务局 has none in the parent
    assert first.agencies_added == ["市商务局"] and first.agencies_dropped == ["省发展改革委"]
    assert ("200", "changed") in _texts(first.parent.text, first.parent_marks)
    assert any(k == "copied" and e - s >= 4 for s, e, k in first.child_marks)
    assert first.pairs and all(c in first.child.text and p in first.parent.text for c, p in first.pairs)


def test_a_weak_link_keeps_what_it_rests_on(tiny):
    weak = evidence(tiny, "city", "prov")[1]
    assert weak.status == "weak" and not weak.implements and weak.parent.key == "1"
    assert weak.score > 0 and weak.pairs


def test_unimplemented_parent_measures_come_with_text_and_agencies(tiny):
    (side,) = unimplemented(tiny, "city", "prov")
    assert (side.key, side.title, side.agencies) == ("2", "加快农业绿色发展", ["省农业农村厅"])
    assert side.text.startswith("推进农业节水") and side.where.startswith("chars ")


def test_documents_that_failed_or_have_no_measure_are_failed(tiny):
    bad = failed(tiny)
    assert set(bad) == {"broken", "empty"}
    assert "typo.txt" in bad["broken"] and "e.txt" in bad["empty"]


def test_gaps_on_a_failed_document_is_one_clear_error_and_no_findings_elsewhere(tiny):
    with pytest.raises(KgError, match="“broken” failed, so it has no findings: .*typo.txt"):
        gaps(tiny, child="broken")
    everything = gaps(tiny)
    assert {g.child_doc for g in everything} == {"city"}  # never 'broken implemented nothing'
    assert {c.child_doc for c in coverage(tiny)} == {"city"}


def test_a_parent_target_two_links_leave_out_is_dropped_once(tiny):
    rows = run_query(tiny, restrict(query_text("targets"), {"child_doc": ["city"]})).rows
    carrying = {(r["child_key"], r["parent_key"]) for r in rows if r["side"] == "parent" and r["value"] == 200}
    assert carrying == {("1", "1"), ("2", "1")}  # both links carry the target: the case can double-count
    dropped = [g for g in gaps(tiny, child="city", kinds=("target_change",)) if g.change == "dropped"]
    assert [g.parent_value for g in dropped] == [200]


def test_seed_pair_every_shangrao_measure_has_evidence_with_real_spans(seeds):
    found = evidence(seeds, SHANGRAO_ID, JIANGXI_ID)
    raw = (DATA / "001_7d4b3fc7bf085163.txt").read_text(encoding="utf-8")
    assert len(found) == 23
    linked = [e for e in found if e.parent is not None]
    assert linked and all(e.parent.text and e.child.text for e in linked)

    def squash(s):  # the graph keeps normalised text (widths, spaces), with spans into the raw file
        return "".join(unicodedata.normalize("NFKC", s).split())

    for e in found:
        for text, start, end, _ in e.child.sentences:
            assert squash(raw[start:end]) == squash(text)
    assert sum(k == "copied" for e in linked for *_, k in e.child_marks) > len(linked)
