"""Structure parsing on tiny texts, one per defect class the corpus shows."""

from pathlib import Path

import pytest

from kg.core.errors import InputError
from kg.extract.parse import parse_text

from .conftest import MINI_DOC


def codes(doc):
    return [w.code for w in doc.warnings]


def test_measures_with_run_in_titles():
    doc = parse_text(MINI_DOC)
    assert [(m.number, m.index, m.title) for m in doc.measures] == [
        ("一", 1, "推进工业绿色转型"),
        ("二", 2, "加快农业绿色发展"),
    ]
    assert doc.measures[0].section == "一"
    assert doc.sections[0].title == "健全生产体系"


def test_title_on_its_own_line():
    doc = parse_text(
        "关于测试的方案\n\n一、强化源头防控\n\n（四）强化生态环境分区管控\n\n落实分类指导。探索增加管控要求。（省生态环境厅负责）\n"
    )
    m = doc.measures[0]
    assert (m.number, m.title) == ("四", "强化生态环境分区管控")
    assert [s.text for s in m.sentences] == ["落实分类指导。", "探索增加管控要求。"]


def test_half_width_measure_headings():
    doc = parse_text("关于测试的方案\n一、总体\n(十三) 推动能源体系绿色低碳转型。积极发展光伏。(市发改委负责)\n")
    assert [(m.number, m.index) for m in doc.measures] == [("十三", 13)]


def test_responsibility_list_is_not_part_of_the_text():
    m = parse_text(MINI_DOC).measures[0]
    assert "按职责分工负责" not in m.text
    assert m.responsibility and m.responsibility.startswith("市工信局")


def test_spans_point_at_the_raw_text():
    doc = parse_text(MINI_DOC)
    for m in doc.measures:
        for s in m.sentences:
            assert MINI_DOC[s.span.start : s.span.end].replace(" ", "") == s.text


def test_document_without_numbered_units_is_one_measure():
    doc = parse_text("关于调整关税的公告\n自2022年起调整关税。请遵照执行。", "plain.txt")
    assert [(m.key, m.title) for m in doc.measures] == [("1", doc.title or "关于调整关税的公告")]
    assert "unnumbered_document" in codes(doc)


def test_empty_document_is_an_error():
    with pytest.raises(InputError, match="empty"):
        parse_text(" \n ", "empty.txt")


REGULATION = "某市管理办法\n第一章 总则\n第一条 为规范管理，制定本办法。\n第二条 本办法适用于：\n（一）甲；\n（二）乙。\n第二章 附则\n第三条 本办法自发布之日起施行。\n"


def test_regulation_articles_are_the_measures_and_chapters_the_sections():
    doc = parse_text(REGULATION)
    assert [(m.key, m.level) for m in doc.measures] == [
        ("art-1", "article"),
        ("art-2", "article"),
        ("art-3", "article"),
    ]
    assert [(x.title, x.level) for x in doc.sections] == [("总则", "chapter"), ("附则", "chapter")]
    assert "（一）甲；" in doc.measures[1].text


def test_arabic_items_restarting_under_items_are_measures_with_path_keys():
    doc = parse_text(
        "方案\n一、总体要求\n（一）目标。到2025年完成。\n二、重点任务\n（一）能源。\n1.发展光伏。建设基地。\n2.发展风电。建设风场。\n"
        "（二）工业。\n1.推进节能。改造设备。\n2.推进减排。\n三、保障措施\n（一）加强领导。各地落实。\n（二）强化考核。定期评估。\n"
    )
    assert [m.key for m in doc.measures] == ["1.1", "2.1.1", "2.1.2", "2.2.1", "2.2.2", "3.1", "3.2"]
    assert doc.measures[1].title == "发展光伏" and doc.measures[1].number == "1"


def test_table_of_contents_with_dot_leaders_is_skipped_and_reported():
    doc = parse_text(
        "规划\n目录\n第一章 现状……1\n第二章 任务……3\n第三章 保障……5\n第一章 现状\n甲。\n第二章 任务\n乙。\n第三章 保障\n丙。\n"
    )
    assert [m.title for m in doc.measures] == ["现状", "任务", "保障"]
    assert "table_of_contents" in codes(doc)


SCRAMBLED = (
    "某省人民政府印发关于测试的若干措施的通知发布日期:2021-07-08各设区市人民政府：现将《关于测试的若干措施》印发给你们。"
    "一、健全生产体系（一）推进工业绿色转型。推动钢铁产业绿色化发展。建设绿色制造体系。"
    "2021年7月8日（此件主动公开）关于测试的若干措施为贯彻落实《国务院指导意见》，结合实际，制定如下措施。"
    "（省工业和信息化厅、省发展改革委等按职责分工负责）（二）加快农业绿色发展。建设绿色有机农产品基地。"
    "一、健全生产体系（一）推进工业绿色转型。推动钢铁产业绿色化发展。发展壮大先进制造业集群。"
    "（省农业农村厅、省林业局等按职责分工负责）（四）壮大绿色环保产业。引导绿色环保产业加快发展。（省发展改革委负责）"
)


def test_scrambled_scrape_gives_one_measure_per_number():
    doc = parse_text(SCRAMBLED)
    assert [m.number for m in doc.measures] == ["一", "二", "四"]
    first = doc.measures[0]
    assert [s.text for s in first.sentences] == [
        "推动钢铁产业绿色化发展。",
        "建设绿色制造体系。",
        "发展壮大先进制造业集群。",
    ]
    assert len(first.segments) == 2


def test_scrambled_scrape_reports_duplicates_and_numbering():
    doc = parse_text(SCRAMBLED)
    msgs = [str(w) for w in doc.warnings]
    assert "duplicate_passage" in codes(doc)
    assert any("推动钢铁产业绿色化发展" in m for m in msgs if m.startswith("duplicate_passage"))
    assert any("（一）×2" in m for m in msgs if m.startswith("repeated_number"))
    assert any("（三）" in m for m in msgs if m.startswith("missing_numbers"))


def test_front_matter_inside_a_measure_moves_to_the_preamble():
    doc = parse_text(SCRAMBLED)
    assert "此件主动公开" not in doc.measures[0].text
    assert "制定如下措施" not in doc.measures[0].text
    assert any("制定如下措施" in s.text for s in doc.preamble)
    assert "front_matter_in_body" in codes(doc)


def test_repeated_heading_keeps_first_list_and_reports_the_other():
    doc = parse_text(SCRAMBLED)
    assert doc.measures[0].agencies[0].raw == "省工业和信息化厅"
    assert "conflicting_responsibility" in codes(doc)


def test_same_number_with_different_titles_is_two_measures():
    doc = parse_text(
        "关于测试的方案\n一、总体\n（一）推进工业转型。甲。（省工信厅负责）\n（一）加快农业发展。乙。（省农业农村厅负责）\n"
    )
    assert [(m.key, m.title) for m in doc.measures] == [("1", "推进工业转型"), ("1-2", "加快农业发展")]
    assert "repeated_number" in codes(doc)


def test_numbering_restarting_per_section_gives_section_keys():
    doc = parse_text("关于测试的方案\n一、生产\n（一）甲措施。甲。\n（二）乙措施。乙。\n二、流通\n（一）丙措施。丙。\n")
    assert [m.key for m in doc.measures] == ["1.1", "1.2", "2.1"]
    assert "repeated_number" not in codes(doc)


def test_cc_list_is_closing_matter_not_a_measure():
    doc = parse_text(
        "关于测试的方案\n一、总体\n（一）甲措施。推进甲工作。（省生态环境厅牵头负责）\n抄送：省法院、省检察院。\n"
    )
    assert "抄送" not in doc.measures[-1].text
    assert any("抄送" in s.text for s in doc.closing)


def test_stray_latin_word_is_reported():
    doc = parse_text("关于测试的方案\n一、总体\n（一）甲措施。结合棚户区 and 城镇老旧小区改造。\n")
    assert "stray_latin" in codes(doc)


def test_issuer_names_repeated_as_signature_are_not_duplicate_passages():
    doc = parse_text(
        "江西省生态环境厅\n江西省能源局\n关于印发《测试方案》的通知\n现将《测试方案》印发给你们。\n江西省生态环境厅\n江西省能源局\n一、总体\n（一）甲措施。推进甲工作。\n"
    )
    assert "duplicate_passage" not in codes(doc)


def test_mixed_bracket_widths_are_one_level():
    doc = parse_text("方案\n一、任务\n（一）甲。做甲。\n(二)乙。做乙。\n（1）丙。\n(2)丁。\n")
    assert [m.number for m in doc.measures] == ["一", "二"]


SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "dual-carbon" / "pdf"


def _shared_text(number: str) -> str:
    if not SHARED.is_dir():
        pytest.skip("shared corpus ../shared/corpora/dual-carbon is absent")
    from kg.read import read_source

    return read_source(next(SHARED.glob(f"{number}、*.pdf"))).text


def test_shared_jiangxi_measures_pdf_gives_21_titled_measures():
    doc = parse_text(_shared_text("89"))
    assert [m.key for m in doc.measures] == [str(i) for i in range(1, 22)]
    assert all(m.title for m in doc.measures)


def test_shared_shangrao_pdf_gives_the_seed_measures():
    from kg.extract.parse import parse_file

    from .conftest import SHANGRAO

    seed = parse_file(SHANGRAO)
    doc = parse_text(_shared_text("355"))
    assert [(m.key, m.title) for m in doc.measures] == [(m.key, m.title) for m in seed.measures]


def test_shared_regulation_pdf_gives_articles():
    doc = parse_text(_shared_text("480"))
    assert doc.measures and all(m.key.startswith("art-") for m in doc.measures)
