"""PDF layout removed by normalisation: page furniture, justification, broken lines."""

import re
from pathlib import Path

import pytest

from kg.read.layout import ascii_full_stops, glued_heading_breaks, page_furniture
from kg.read.normalize import normalize

SHARED_PDF = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "dual-carbon" / "pdf"

BODY = "推进工业绿色低碳转型，加快淘汰落后产能，持续推进传统产业优化升级，实施"  # a full printed line


def _span_text(t, word):
    i = t.text.index(word)
    span = t.raw_span(i, i + len(word))
    return t.raw[span.start : span.end]


@pytest.mark.parametrize(
    "number", ["— 2 —", "—２—", "-3-", "- 3 -", "― 4 ―", "第 3 页", "第3页 共10页", "3/10", "－ ５ －", "一 8 一"]
)
def test_page_number_lines_are_removed(number):
    raw = f"一、总体要求。\n{BODY}\n{number}\n\f新一轮技术改造。"
    t = normalize(raw)
    assert t.text == f"一、总体要求。\n{BODY}新一轮技术改造。"
    assert _span_text(t, "新一轮") == "新一轮"


def test_bare_page_numbers_are_removed_when_pages_agree():
    pages = [f"第{i}段正文内容。\n{i + 1}\n" for i in range(3)]
    t = normalize("\f".join(pages))
    assert t.text == "第0段正文内容。\n第1段正文内容。\n第2段正文内容。"


def test_a_lone_number_in_the_text_is_kept():
    t = normalize("全市绿色工厂达到\n20\n家。\f下一页。")
    assert "20" in t.text


def test_running_header_repeated_on_three_pages_is_removed():
    header = "江西省人民政府公报"
    raw = "\f".join(f"{header}\n第{i}条内容。\n— {i} —\n" for i in range(1, 4))
    t = normalize(raw)
    assert header not in t.text
    assert t.text == "第1条内容。\n第2条内容。\n第3条内容。"
    assert t.raw.index("第3条") == t.raw_span(t.text.index("第3条"), t.text.index("第3条") + 2).start


def test_a_line_repeated_on_few_pages_is_kept():
    raw = "完成时限：年底前\n一是任务。\f其他内容。\f其他内容。\f完成时限：年底前\n二是任务。"
    assert "完成时限：年底前" in normalize(raw).text


def test_justification_spaces_in_a_spaced_title_are_removed():
    assert normalize("关 于 推 进 工 业 绿 色 发 展 的 通 知\f").text == "关于推进工业绿色发展的通知"


def test_ascii_stops_and_commas_between_chinese_become_full_width():
    raw = "鼓励企业谋划实施绿色化改造项目,加大支持力度.推行工业产品绿色设计.\f"
    assert normalize(raw).text == "鼓励企业谋划实施绿色化改造项目，加大支持力度。推行工业产品绿色设计。"


def test_ascii_stops_in_numbering_decimals_and_dates_are_kept():
    s = "1.加强管理\n下降3.5个百分点\n2021.09.22\n一.总体要求\n建设. 推进"
    assert [s[i - 1 : i + 1] for i in ascii_full_stops(s)] == ["设."]


def test_line_broken_mid_sentence_across_a_page_end_is_joined():
    raw = f"（一）实施工业绿色改造。{BODY}\n— 1 —\n\f新一轮技术改造升级行动。\n（二）发展农业。"
    t = normalize(raw)
    assert t.text == f"（一）实施工业绿色改造。{BODY}新一轮技术改造升级行动。\n（二）发展农业。"


def test_line_with_a_comma_continues_even_when_short():
    t = normalize("到2025年，全省绿色\n工厂达到200家。\f")
    assert t.text == "到2025年，全省绿色工厂达到200家。"


def test_heading_and_signature_lines_keep_their_breaks():
    raw = f"{BODY}。\n一、总体要求\n坚持系统观念。\n江西省人民政府\n2021年7月8日\n（此件主动公开）\f"
    assert normalize(raw).text.split("\n")[1:] == [
        "一、总体要求",
        "坚持系统观念。",
        "江西省人民政府",
        "2021年7月8日",
        "（此件主动公开）",
    ]


@pytest.mark.parametrize("marker", ["（一）", "(一)", "1.", "1．", "（1）", "第一章", "第一条", "第一节", "一是", "——"])
def test_next_line_starting_a_numbered_unit_is_not_joined(marker):
    t = normalize(f"{BODY}\n{marker}加强管理。\f")
    assert t.text.split("\n")[1].startswith(marker.replace("(一)", "（一）").replace("．", "."))


def test_multi_line_title_becomes_one_line():
    raw = "甘肃省人民政府文件\n甘政发〔2021〕62号\n甘肃省人民政府印发关于加快建立健全\n绿色低碳循环发展经济体系实施方案的通知\n各市人民政府：\f"
    assert normalize(raw).text.split("\n") == [
        "甘肃省人民政府文件",
        "甘政发〔2021〕62号",
        "甘肃省人民政府印发关于加快建立健全绿色低碳循环发展经济体系实施方案的通知",
        "各市人民政府：",
    ]


def test_heading_number_alone_on_its_line_takes_its_title():
    assert normalize("（五）\n提高服务业绿色发展水平。\f").text == "（五）提高服务业绿色发展水平。"


def test_characters_split_from_their_line_are_rejoined():
    t = normalize(f"{BODY}\n成发\n展。\f")
    assert t.text == f"{BODY}成发展。"


def test_heading_glued_to_the_previous_line_gets_its_own_line():
    raw = "一、总体要求\n推进绿色低碳循环发展经济体系建设二、主要任务\n（一）加强管理。\f"
    t = normalize(raw)
    assert t.text.split("\n")[1:3] == ["推进绿色低碳循环发展经济体系建设", "二、主要任务"]
    assert _span_text(t, "二、主要任务") == "二、主要任务"


def test_in_text_enumerations_are_not_split_as_headings():
    s = "一、总体要求\n推动第一、二、三产业协同发展和（二）项所列任务"
    assert glued_heading_breaks(s) == []


def test_text_without_form_feeds_has_no_page_furniture():
    assert page_furniture("正文。\n— 2 —\n正文。") == set()


def test_page_of_a_raw_offset():
    t = normalize("第一页。\f第二页。\f第三页。")
    assert [t.page_at(t.offsets[t.text.index(w)]) for w in ["第一页", "第二页", "第三页"]] == [1, 2, 3]


def _shared_pdf(prefix: str) -> Path:
    if not SHARED_PDF.is_dir():
        pytest.skip("shared corpus ../shared/corpora/dual-carbon is absent")
    return next(SHARED_PDF.glob(f"{prefix}、*.pdf"))


def _pdftotext(path: Path) -> str:
    """The PDF's text layer as kg reads it (pages separated by form feeds)."""
    from kg.read import read_source

    return read_source(path).text


def test_gansu_pdf_loses_page_numbers_and_ascii_punctuation():
    t = normalize(_pdftotext(_shared_pdf("107")))
    assert not re.search(r"^\s*[—-]\s*\d+\s*[—-]\s*$", t.text, re.M)
    assert not re.search(r"[\u4e00-\u9fff][.,«»][\u4e00-\u9fff]", t.text)
    assert "制定出台《甘肃省排污许可管理实施细则》，开展危险废物专项整治三年行动。" in t.text


def test_jiangxi_pdf_lines_are_rejoined_across_page_ends():
    t = normalize(_pdftotext(_shared_pdf("89")))
    assert t.text.splitlines()[0] == "江西省人民政府印发关于加快建立健全绿色低碳循环发展经济体系的若干措施的通知"
    assert "推进制造业数字化智能化改造，发展先进制造业集群" in t.text
