from kg.headings import find_headings, sentence_ranges


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
