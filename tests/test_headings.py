from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.headings import find_headings, outline, sentence_ranges


def heads(s):
    return [(h.kind, h.number, h.title) for h in find_headings(s, len(s))]


def test_enumerations_in_running_text_are_not_headings():
    s = "（一）指导思想。深入贯彻党的十九大和十九届二中、三中、四中、五中全会精神，支持中韩（长春）国际合作示范区。"
    assert heads(s) == [("measure", "一", "指导思想")]


def test_section_title_run_into_its_first_measure():
    s = "执行。一、健全生产体系（一）推进工业绿色转型。持续推进。"
    assert heads(s) == [("section", "一", "健全生产体系"), ("measure", "一", "推进工业绿色转型")]


def test_measure_heading_right_after_a_responsibility_list():
    s = "（一）甲措施。甲。（省发展改革委负责）（二）乙措施。乙。"
    assert [h[1] for h in heads(s)] == ["一", "二"]


def test_long_run_in_text_without_early_full_stop_has_no_title():
    s = "（一）" + "很长的一句话" * 15 + "。"
    assert heads(s) == [("measure", "一", "")]


def test_sentences_end_at_full_stops_and_line_ends():
    s = "推进甲。推进乙！\n标题行\n推进丙"
    assert [s[a:b] for a, b in sentence_ranges(s, 0, len(s))] == ["推进甲。", "推进乙！", "标题行", "推进丙"]


def test_sections_only_notice_makes_the_sections_measures():
    s = "通知\n一、申报范围\n甲。\n二、申报要求\n乙。\n三、时间安排\n丙。\n"
    assert [(k, n) for k, n, _ in heads(s)] == [("measure", "一"), ("measure", "二"), ("measure", "三")]


def test_short_list_inside_one_measure_stays_in_its_text():
    s = "方案\n一、任务\n（一）甲。做甲。\n1.子项一。\n2.子项二。\n（二）乙。做乙。\n（三）丙。做丙。\n（四）丁。做丁。\n（五）戊。做戊。\n（六）己。做己。\n"
    assert [n for k, n, _ in heads(s) if k == "measure"] == ["一", "二", "三", "四", "五", "六"]


def test_run_in_enumeration_is_not_a_heading():
    s = "方案\n一、任务\n（一）甲。一是推进甲，二是推进乙。\n（二）乙。做乙。\n"
    assert [n for k, n, _ in heads(s) if k == "measure"] == ["一", "二"]


def test_malformed_numeral_is_no_heading():
    s = "方案\n一、任务\n（一）甲。做甲。\n（九百九十九百）乙。做乙。\n"
    o = outline(s, len(s))
    assert [h.number for h in o.bad] == ["九百九十九百"]


def test_chapter_title_on_the_next_line():
    s = "规划\n第一章\n总则\n甲。\n第二章\n任务\n乙。\n"
    assert heads(s) == [("measure", "一", "总则"), ("measure", "二", "任务")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="第一二章条、（）1.\n。；  x", max_size=60))
def test_headings_tried_where_they_may_start_are_those_a_scan_of_every_character_finds(s):
    from kg.extract.headings import _HEAD_AFTER, HEADING_LEVELS, _heading_matches

    end = len(s) - len(s) // 5
    starts = [0, *(m.end() for m in _HEAD_AFTER.finditer(s, 0, end))]
    for _, pattern in HEADING_LEVELS:
        found = [m.span() for m in _heading_matches(pattern, s, end, starts)]
        assert found == [m.span() for m in pattern.finditer(s, 0, end)]
