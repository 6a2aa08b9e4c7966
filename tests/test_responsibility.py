"""Every printed form of a responsibility list, lead and support from labels or the rule, deadlines."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract.agencies import parse_agencies
from kg.extract.parse import parse_text
from kg.extract.responsibility import deadline_targets, find_responsibility_lists, measure_agencies
from kg.read.normalize import normalize

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "dual-carbon" / "pdf"


def lists(raw):
    t = normalize(raw)
    return t, find_responsibility_lists(t, 0, len(t.text))


def roles(raw, level="provincial", region="江西省"):
    t, found = lists(raw)
    assert len(found) == 1, [x.raw for x in found]
    return [(a.raw, a.role) for a in parse_agencies(t, found[0], level, region)]


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("推进。（责任单位：省发改委、省工信厅）", [("省发改委", "lead"), ("省工信厅", "support")]),
        ("推进。（责任单位:省发改委、省工信厅）", [("省发改委", "lead"), ("省工信厅", "support")]),
        (
            "推进。（牵头单位：住房城乡建设厅；配合单位：应急管理厅）",
            [("住房城乡建设厅", "lead"), ("应急管理厅", "support")],
        ),
        (
            "推进。（牵头单位：省发改委，参与单位：省工信厅、省财政厅）",
            [("省发改委", "lead"), ("省工信厅", "support"), ("省财政厅", "support")],
        ),
        ("推进。（省发改委牵头，省工信厅配合）", [("省发改委", "lead"), ("省工信厅", "support")]),
        ("推进。（省发改委牵头，省工信厅参与）", [("省发改委", "lead"), ("省工信厅", "support")]),
        ("推进。（省工信厅配合，省发改委负责）", [("省工信厅", "support"), ("省发改委", "lead")]),
        ("推进。（省生态环境厅负责）", [("省生态环境厅", "lead")]),
        (
            "推进。（省发改委、省工信厅，省通信管理局、天津海关、编办等按职责分工负责）",
            [
                ("省发改委", "lead"),
                ("省工信厅", "support"),
                ("省通信管理局", "support"),
                ("天津海关", "support"),
                ("编办", "support"),
            ],
        ),
        (
            "推进。〔责任单位：省发改委、省统计局，各市相关主管部门〕",
            [("省发改委", "lead"), ("省统计局", "support"), ("各市相关主管部门", "support")],
        ),
    ],
)
def test_labelled_and_verb_forms_give_lead_and_support(raw, expected):
    assert roles(raw) == expected


def test_support_label_alone_names_no_lead():
    assert roles("推进。（配合单位：第一专员办公室、第二专员办公室）") == [
        ("第一专员办公室", "support"),
        ("第二专员办公室", "support"),
    ]


def test_label_lines_after_a_measure_are_one_list():
    raw = "植树造林90万亩。\n牵头单位：市林业局\n责任单位：各县（市、区）人民政府\n2.实施森林增质工程。"
    assert roles(raw, "municipal", "上饶市") == [("市林业局", "lead"), ("各县（市、区）人民政府", "support")]
    t, [lst] = lists(raw)
    assert t.text[lst.start : lst.end] == "牵头单位：市林业局\n责任单位：各县（市、区）人民政府"


def test_label_line_without_lead_label_follows_the_first_listed_rule():
    raw = "推动技改项目投产。\n责任单位：市工信局，各县（市）区政府、高新区管委会\n（三）绩效考核。"
    assert roles(raw, "municipal", "上饶市") == [
        ("市工信局", "lead"),
        ("各县（市）区政府", "support"),
        ("高新区管委会", "support"),
    ]


def test_labels_run_together_by_a_rejoined_line_are_split():
    raw = "减少碳排放。\n牵头单位：市林业局、住建局责任单位：各县（市、区）人民政府\n"
    assert roles(raw, "municipal", "上饶市") == [
        ("市林业局", "lead"),
        ("住建局", "lead"),
        ("各县（市、区）人民政府", "support"),
    ]


def test_deadline_in_a_list_is_not_an_agency_and_becomes_a_dated_target():
    raw = "组织编制专项规划。（责任部门：气候处，完成期限：6月底）"
    t, [lst] = lists(raw)
    assert [(a.raw, a.role) for a in parse_agencies(t, lst)] == [("气候处", "lead")]
    [target] = deadline_targets(t, [lst], "2021-03-02")
    assert (target.text, target.year, target.value, target.indicator) == ("6月底", 2021, None, "完成时限")
    assert raw[target.span.start : target.span.end] == "6月底"
    line = "完成登记工作。\n责任处室：自然资源确权登记处\n完成时限：2021年12月底前\n三、探索"
    t, [lst] = lists(line)
    assert [a.raw for a in parse_agencies(t, lst)] == ["自然资源确权登记处"]
    assert [(x.text, x.year) for x in deadline_targets(t, [lst])] == [("2021年12月底前", 2021)]


@pytest.mark.parametrize(
    "raw, expected",
    [
        (
            "推进。（工业和信息化部、国家发展改革委等按职责分工负责，地方各级人民政府负责落实。以下均需地方各级人民政府落实，不再列出）",
            ["工业和信息化部", "国家发展改革委", "地方各级人民政府"],
        ),
        (
            "推进。（责任单位：市发改委、市经信局，各区人民政府〈含开发区、风景区管委会，以下工作任务均需各区人民政府落实，不再列出〉）",
            ["市发改委", "市经信局", "各区人民政府"],
        ),
        (
            "推进。（自治区工业和信息化厅、发展改革委负责，各地级市人民政府具体落实，以下任务不再列出）",
            ["自治区工业和信息化厅", "发展改革委", "各地级市人民政府"],
        ),
    ],
)
def test_tails_that_scope_later_lists_are_dropped(raw, expected):
    assert [a for a, _ in roles(raw)] == expected


def test_nested_brackets_inside_a_list_stay_in_the_name():
    got = roles("推进。〔责任单位：省发改委，各市（含定州、辛集市，下同）相关主管部门〕")
    assert got == [("省发改委", "lead"), ("各市（含定州、辛集市，下同）相关主管部门", "support")]
    assert roles("推进。（责任单位：省经信厅，各市、州、县人民政府）")[1] == ("各市、州、县人民政府", "support")


def test_comma_rule_tail_makes_the_first_comma_group_lead():
    raw = "推进。［责任单位：市经信局、市生态环境局，各区（市）县政府（管委会）；逗号前为牵头单位，下同］"
    assert roles(raw, "municipal", "成都市") == [
        ("市经信局", "lead"),
        ("市生态环境局", "lead"),
        ("各区（市）县政府（管委会）", "support"),
    ]


def test_first_of_each_group_rule_tail():
    raw = "推进。（责任单位：重庆市能源局、市经济信息委；四川省能源局、经济和信息化厅；两省市列首位的为牵头单位，下同）"
    assert roles(raw) == [
        ("重庆市能源局", "lead"),
        ("市经济信息委", "support"),
        ("四川省能源局", "lead"),
        ("经济和信息化厅", "support"),
    ]


def test_a_rule_stated_with_xiatong_holds_for_the_lists_below():
    raw = (
        "甲。（责任单位：重庆市能源局、市经济信息委；四川省能源局、经济和信息化厅；两省市列首位的为牵头单位，下同）"
        "乙。（责任单位：重庆市水利局、市发展改革委；四川省水利厅、发展改革委）"
    )
    t, found = lists(raw)
    assert [[(a.raw, a.role) for a in parse_agencies(t, x)] for x in found][1] == [
        ("重庆市水利局", "lead"),
        ("市发展改革委", "support"),
        ("四川省水利厅", "lead"),
        ("发展改革委", "support"),
    ]


def test_list_broken_across_lines_is_read_whole():
    raw = "推进。（责任单位：\n市发展改革委、市经济信息化委、\n市生态环境局）\n（二）下一项"
    t, [lst] = lists(raw)
    got = parse_agencies(t, lst, "municipal", "上海市")
    assert [a.raw for a in got] == ["市发展改革委", "市经济信息化委", "市生态环境局"]
    assert [raw[a.span.start : a.span.end] for a in got][0] == "市发展改革委"


def test_measure_agencies_are_the_union_over_its_sub_items():
    raw = (
        "（一）推进工业转型。\n1.推进节能。（市发改委牵头，市工信局配合）\n2.推进减排。（市生态环境局、市发改委负责）\n"
    )
    t, found = lists(raw)
    got = measure_agencies(t, found, "municipal", "上饶市")
    assert [(a.raw, a.role) for a in got] == [("市发改委", "lead"), ("市工信局", "support"), ("市生态环境局", "lead")]
    assert raw[got[2].span.start : got[2].span.end] == "市生态环境局"


def test_parse_gives_a_measure_the_union_and_its_deadline():
    raw = (
        "关于推进节能工作的通知\n一、重点任务\n（一）推进节能。推进节能。（责任单位：市发改委，完成时限：2022年底前）"
        "推进减排。（市生态环境局负责）\n（二）推进减排。推进减排。（市工信局负责）\n（三）推进降碳。推进降碳。（市商务局负责）\n"
    )
    d = parse_text(raw, level="municipal", region="上饶市")
    first = d.measures[0]
    assert [(a.raw, a.role) for a in first.agencies] == [("市发改委", "lead"), ("市生态环境局", "lead")]
    assert [(x.text, x.year, x.value) for x in first.targets if x.indicator == "完成时限"] == [
        ("2022年底前", 2022, None)
    ]
    assert "责任单位" not in first.text


@pytest.mark.skipif(not SHARED.is_dir(), reason="the shared dual-carbon corpus is not here")
@pytest.mark.parametrize(
    "name, n_with, n_measures",
    [
        ("352、四川省关于加强县城绿色低碳建设的实施意见.pdf", 13, 20),
        ("490、三明市关于实施林业碳汇“三建两创”行动助力实现“双碳”目标的通知.pdf", 19, 22),
    ],
)
def test_shared_pdfs_with_labelled_lists_yield_agencies(name, n_with, n_measures):
    from kg.extract.parse import parse_file

    d = parse_file(SHARED / name)
    assert len(d.measures) == n_measures
    assert sum(1 for m in d.measures if m.agencies) >= n_with


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="（）〔〕【】〈〉市局\n", max_size=50), st.integers(0, 50))
def test_brackets_found_by_regex_are_those_a_character_scan_finds(s, a):
    from kg.extract.responsibility import CLOSE, OPEN, _matching_close, _next_open

    end = len(s)
    assert _next_open(s, a, end) == next((i for i in range(a, end) if s[i] in OPEN[:4]), -1)
    for i in (i for i in range(end) if s[i] in OPEN):
        depth, want = 0, None
        for j in range(i, min(end, i + 400)):
            if s[j] == "\n" and s.startswith("\n\n", j):
                break
            depth += s[j] in OPEN
            depth -= s[j] in CLOSE
            if s[j] in CLOSE and depth == 0:
                want = j
                break
        assert _matching_close(s, i, end) == want
