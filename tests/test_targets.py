"""Targets: tiny fixtures for each rule, then the real Shangrao and 2024 Jiangxi texts."""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.extract.targets import extract_targets
from kg.read.normalize import normalize

DATA = Path(__file__).resolve().parent.parent / "data"
SHANGRAO = DATA / "001_7d4b3fc7bf085163.txt"
JIANGXI_2024 = DATA / "003_237c29cb87039f1f.txt"


def targets(raw: str):
    t = normalize(raw)
    return extract_targets(t, 0, len(t.text))


def one(raw: str):
    found = targets(raw)
    assert len(found) == 1, found
    return found[0]


# --- year markers -------------------------------------------------------------------


def test_year_marker_with_di_gives_year_and_dated_goal_without_value():
    t = one("到2025年底，可再生资源回收点基本实现“一村一点”。")
    assert (t.year, t.value, t.comparator) == (2025, None, None)
    assert t.indicator == "可再生资源回收点基本实现“一村一点”"


def test_year_range_at_clause_start_sets_year_start():
    found = targets("2024-2026年，新增人工造林面积150万亩、封山育林130万亩。")
    assert [(t.year_start, t.year, t.indicator, t.value, t.unit) for t in found] == [
        (2024, 2026, "新增人工造林面积", 150, "万亩"),
        (2024, 2026, "封山育林", 130, "万亩"),
    ]


def test_bare_year_at_clause_start_followed_by_content_is_a_marker():
    t = one("实施新型储能发展规划（2024-2030年）,2026年储能装机容量达到270万千瓦。")
    assert (t.year, t.indicator, t.value, t.unit, t.comparator) == (2026, "储能装机容量", 270, "万千瓦", "=")


def test_year_nian_qian_is_a_marker():
    t = one("确保如期实现2030年前碳达峰目标。")
    assert (t.year, t.value) == (2030, None)
    assert "碳达峰目标" in t.indicator and "2030" not in t.indicator


def test_year_di_inside_a_clause_dates_that_clause():
    t = one("城镇原生生活垃圾2021年底基本实现零填埋。")
    assert (t.year, t.indicator) == (2021, "城镇原生生活垃圾基本实现零填埋")


def test_plan_periods_in_brackets_dates_and_base_years_are_not_markers():
    assert targets("全面实施全市城区排水系统改造提升三年(2021-2023 年)攻坚行动。") == []
    assert targets("2022 年 3 月 27 日\n发布日期:2021-07-08各设区市人民政府：") == []
    assert targets("山茶油线上销售额比2022年明显增加。") == []


def test_new_marker_in_sentence_starts_new_scope_and_inherits_indicator():
    found = targets("到2025年，全省水路和铁路货运量占比达到15%，到2030年达到23%。")
    assert [(t.year, t.indicator, t.value, t.scope) for t in found] == [
        (2025, "水路和铁路货运量占比", 15, "全省"),
        (2030, "水路和铁路货运量占比", 23, "全省"),
    ]


def test_year_scope_ends_at_sentence_end():
    found = targets("到2025年，绿色工厂达到20家。推进农业节水。")
    assert len(found) == 1 and found[0].value == 20


def test_each_clause_without_quantity_in_year_scope_is_a_dated_goal():
    found = targets("到2035年，绿色发展内生动力显著增强，生态环境根本好转。")
    assert [(t.year, t.indicator, t.value) for t in found] == [
        (2035, "绿色发展内生动力显著增强", None),
        (2035, "生态环境根本好转", None),
    ]


# --- comparators, ranges, changes ---------------------------------------------------


@pytest.mark.parametrize(
    "clause, comparator",
    [
        ("林业总产值稳定在7000亿元以上", ">="),
        ("绿色出行比例不低于70%", ">="),
        ("新建充电桩不少于300个", ">="),
        ("煤炭消费量不超过5000万吨", "<="),
        ("单位能耗不高于0.5吨标准煤", "<="),
        ("排放量降至300万吨以下", "<="),
        ("电炉钢比例提升至15%", "="),
        ("短流程炼钢产能提高至460万吨", "="),
        ("货运量占比达15%", "="),
        ("地方标准40项左右", "~"),
        ("竹产业产值突破1000亿元", ">"),
        ("产能比例超过30%", ">"),
        ("培育3-5家网络货运龙头企业", "range"),
        ("PM2.5平均浓度在29微克/立方米的基础上巩固改善", "baseline"),
    ],
)
def test_comparator_words(clause, comparator):
    assert one(f"到2026年，{clause}。").comparator == comparator


def test_range_gives_value_and_value_max():
    t = one("到2025年底，培育3-5家网络货运龙头企业。")
    assert (t.value, t.value_max, t.unit, t.indicator) == (3, 5, "家", "网络货运龙头企业")


def test_baseline_keeps_indicator_before_zai():
    t = one("到2026年，全省PM2.5平均浓度在29微克/立方米的基础上巩固改善。")
    assert (t.indicator, t.value, t.unit, t.scope) == ("PM2.5平均浓度", 29, "微克/立方米", "全省")


def test_relative_change_sets_change_and_base_year():
    up = one("到2025年，改造后高标准池塘产能提高50%以上。")
    assert (up.change, up.value, up.comparator, up.indicator) == ("increase", 50, ">=", "改造后高标准池塘产能")
    down = one("到2025年，单位地区生产总值能耗比2020年下降13.5%。")
    assert (down.change, down.baseline_year, down.value) == ("decrease", 2020, 13.5)
    assert down.indicator == "单位地区生产总值能耗"


def test_fan_liang_fan_is_four_times_with_base_year():
    t = one("到2026年，山茶油线上销售额比2022年翻两番。")
    assert (t.value, t.unit, t.change, t.baseline_year, t.indicator) == (4, "倍", "increase", 2022, "山茶油线上销售额")


def test_li_zheng_marks_aspirational_only_its_own_clause():
    a, b = targets("到2025年，全省新能源发电装机力争达到3200万千瓦以上，非化石能源消费比重达到18.3%。")
    assert (a.aspirational, a.value, a.comparator, a.scope) == (True, 3200, ">=", "全省")
    assert (b.aspirational, b.value, b.indicator, b.scope) == (False, 18.3, "非化石能源消费比重", "全省")


def test_li_zheng_before_year_marker_marks_the_scope():
    assert one("力争到2025年，全州新建充电桩3000个。").aspirational


def test_unitless_value():
    t = one("到2025年，农业灌溉水有效利用系数达到0.53以上。")
    assert (t.value, t.unit, t.comparator) == (0.53, "", ">=")


# --- several quantities in one clause -------------------------------------------------


def test_fenbie_gives_one_target_per_value_with_shared_head_noun():
    a, b = targets("到2025年，高速公路、普通国省干线公路废旧沥青路面材料循环利用率分别达到98%和95%以上。")
    assert (a.indicator, a.value, a.unit, a.comparator) == ("高速公路废旧沥青路面材料循环利用率", 98, "%", ">=")
    assert (b.indicator, b.value, b.unit, b.comparator) == ("普通国省干线公路废旧沥青路面材料循环利用率", 95, "%", ">=")


def test_fenbie_with_complete_indicators():
    found = targets("到2026年，湿地保护率、水土保持率分别达到62%、86.7%。")
    assert [(t.indicator, t.value) for t in found] == [("湿地保护率", 62), ("水土保持率", 86.7)]


def test_fenbie_distributes_head_noun_after_latin_modifier():
    found = targets("到2025年，全省氮氧化物、VOCs重点工程减排量分别达到2.73万吨、1.41万吨。")
    assert [(t.indicator, t.value, t.unit) for t in found] == [
        ("氮氧化物重点工程减排量", 2.73, "万吨"),
        ("VOCs重点工程减排量", 1.41, "万吨"),
    ]


def test_quantities_joined_by_dun_give_separate_indicators_and_scope():
    found = targets("到2025年底，全省建成省级绿色园区50家以上、绿色工厂200家以上。")
    assert [(t.indicator, t.value, t.unit, t.comparator, t.scope) for t in found] == [
        ("省级绿色园区", 50, "家", ">=", "全省"),
        ("绿色工厂", 200, "家", ">=", "全省"),
    ]


def test_qizhong_narrows_the_indicator_and_scope_comes_from_earlier_in_sentence():
    a, b = targets("到2025年，全省城市污泥无害化处理率达到90%以上，其中设区城市达到95%以上。")
    assert (a.indicator, b.indicator, b.scope, b.value) == (
        "城市污泥无害化处理率",
        "城市污泥无害化处理率（设区城市）",
        "全省",
        95,
    )


def test_qualifier_quantity_yields_to_verb_governed_one():
    t = one("到2030年，城区常住人口100万以上的城市绿色出行比例不低于70%。")
    assert (t.value, t.comparator) == (70, ">=")
    t = one("到2026年，废钢铁、废铜等9种再生资源循环利用量力争达到4600万吨。")
    assert (t.value, t.unit, t.aspirational) == (4600, "万吨", True)


def test_only_quantity_in_year_scope_is_a_target_even_if_attributive():
    t = one("到2025年，80%以上的园区实施循环化改造。")
    assert (t.value, t.unit, t.comparator) == (80, "%", ">=")


# --- quantities that are not targets ---------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "深入实施制造业重点产业链现代化建设“1269”行动计划。",
        "紧密对接全省“2+6+N”产业高质量跨越式发展行动计划。",
        "持续推进“八大标志性战役、30个专项行动”。",
        "推进“5G+工业互联网”融合应用。",
        "支持婺源篁岭等景区创建国家 5A 级景区。",
        "加大细颗粒物（PM_{2.5}）和臭氧协同减排力度，控制CO2排放。",
        "强化1,2-二氯乙烷和甲醛、二氯甲烷等新污染物管控。",
        "县级及以上城市建成区不再审批 35 蒸吨/小时以下燃煤锅炉。",
        "推动新建建筑全面实施 65%节能标准。",
        "2021年7月8日（此件主动公开）",
        "为贯彻落实《国务院关于加快建立健全绿色低碳循环发展经济体系的指导意见》（国发〔2021〕4号）。",
        "（市发改委、市生态环境局等按职责分工负责）",
        "建设10万吨级码头。",
    ],
)
def test_not_a_target(raw):
    assert targets(raw) == []


def test_quantities_outside_year_scope_need_a_governing_verb():
    t = one("大力发展装配式建筑，实施10个以上绿色建造智能建造示范项目。")
    assert (t.year, t.value, t.unit, t.comparator, t.indicator) == (None, 10, "个", ">=", "绿色建造智能建造示范项目")
    t = one("扩大绿色消费，逐步将节能节水、环保产品政府采购规模提升至同类产品采购规模的90%以上。")
    assert (t.value, t.comparator, t.indicator) == (90, ">=", "节能节水、环保产品政府采购规模")
    t = one("重点建设井开区支线、赣州南支线、蔡岭—都昌支线等30余条省级管道。")
    assert (t.value, t.unit, t.comparator) == (30, "条", ">=")
    assert one("推动10个红松绿色产业基地建设。").indicator == "红松绿色产业基地建设"
    assert targets("2021年，全省GDP增长8%。") == []


def test_responsibility_list_is_ignored():
    found = targets("到2025年全市绿色工厂总数达到20家。（市工信局、市发改委等按职责分工负责）")
    assert [(t.indicator, t.value, t.scope) for t in found] == [("绿色工厂总数", 20, "全市")]


# --- spans, slices, robustness ------------------------------------------------------


def test_span_and_text_cover_the_clause_in_the_raw_text():
    raw = "推进工业转型。到 2025 年，全省建成省级绿色园区 50 家以上、绿色工厂 200 家以上。"
    t = normalize(raw)
    for x in extract_targets(t, 0, len(t.text)):
        assert re.sub(r"\s", "", raw[x.span.start : x.span.end]) == x.text
        assert x.text == "全省建成省级绿色园区50家以上、绿色工厂200家以上"


def test_only_the_given_slice_is_read():
    t = normalize("到2025年，绿色工厂达到20家。到2030年，绿色园区达到50家。")
    a = t.text.index("到2030")
    assert [x.value for x in extract_targets(t, a, len(t.text))] == [50]
    assert [x.value for x in extract_targets(t, 0, a)] == [20]


PIECES = [
    "到2025年",
    "2024-2026年",
    "，",
    "。",
    "、",
    "分别达到",
    "98%和95%以上",
    "力争",
    "全省",
    "（",
    "）",
    "“",
    "”",
    "比2022年",
    "翻两番",
    "3-5家",
    "1,2-",
    "PM2.5",
    "以上的",
    "在29微克/立方米的基础上",
    "\n",
    "实施",
    "10个",
    "达到",
    "2030年前",
    "其中",
    "余条",
    ",",
    "9",
    "年底",
]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=5)), max_size=30).map("".join), st.data())
def test_never_crashes_and_spans_stay_inside_the_raw_text(raw, data):
    t = normalize(raw, simplify=False)
    n = len(t.text)
    a = data.draw(st.integers(-2, n + 2))
    b = data.draw(st.integers(-2, n + 2))
    for x in extract_targets(t, a, b) + extract_targets(t, 0, n):
        assert 0 <= x.span.start <= x.span.end <= len(raw)
        assert x.value is None or x.comparator is not None


# --- the real corpus -------------------------------------------------------------------


def _doc_targets(path):
    t = normalize(path.read_text(encoding="utf-8"))
    return extract_targets(t, 0, len(t.text))


def test_shangrao_gives_exactly_its_four_targets():
    found = _doc_targets(SHANGRAO)
    summary = [(t.year, t.value, t.unit, t.comparator) for t in found]
    assert summary == [
        (2025, 20, "家", "="),
        (2025, None, "", None),
        (2025, 98, "%", ">="),
        (2025, 95, "%", ">="),
    ]
    assert "绿色开发区和绿色工厂总数" in found[0].indicator and found[0].scope == "全市"
    assert "一村一点" in found[1].indicator
    assert found[2].indicator == "高速公路废旧沥青路面材料循环利用率"
    assert found[3].indicator == "普通国省干线公路废旧沥青路面材料循环利用率"


def test_jiangxi_2024_targets():
    found = _doc_targets(JIANGXI_2024)
    by_value = {(t.value, t.unit): t for t in found if t.value is not None}
    by_indicator = {t.indicator: t for t in found}
    income = by_indicator["新能源产业链营业收入"]
    assert (income.year, income.value, income.unit, income.aspirational) == (2026, 7000, "亿元", True)
    assert by_indicator["林业总产值"].aspirational is False
    afforest = by_value[(150, "万亩")]
    assert (afforest.year_start, afforest.year, afforest.indicator) == (2024, 2026, "新增人工造林面积")
    soil = by_value[(93, "%")]
    assert (soil.indicator, soil.comparator, soil.year) == ("受污染耕地安全利用率", ">=", 2026)
    assert by_value[(4600, "万吨")].aspirational and (9, "种") not in by_value
    assert by_value[(10, "个")].year is None and by_value[(7, "个")].year == 2025
    assert by_value[(4, "倍")].baseline_year == 2022
    assert by_value[(29, "微克/立方米")].comparator == "baseline"
    assert not any(t.value in (1, 2, 1269) for t in found)
    assert not any("二氯乙烷" in t.text for t in found)
    assert not any(t.value == 30 and t.unit == "个" for t in found)  # “八大标志性战役、30个专项行动”
    assert [t.value for t in found if t.year == 2026 and t.value is not None][:3] == [29, 7000, 4600]
    assert sum(t.value is not None for t in found) == 32


def _scan_mask(s):
    """The bracket mask as the per-character loop made it, for comparison."""
    from kg.extract.targets import CLOSERS, OPENERS

    depth, out = 0, []
    for c in s:
        if c in OPENERS:
            depth += 1
            out.append(True)
        elif c in CLOSERS and depth:
            depth -= 1
            out.append(True)
        else:
            out.append(depth > 0)
    return out


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="到2025年，,；（）《》“”(a1。\n", max_size=60))
def test_masks_sentences_and_clauses_found_by_regex_are_those_of_a_character_scan(t):
    from kg.extract.targets import CLAUSE_SEP, SENTENCE_END, _clauses, _mask, _sentences

    mask = _mask(t)
    assert mask == _scan_mask(t)
    cuts, a = [], 0
    for i, c in enumerate(t):
        digits = c == "," and 0 < i < len(t) - 1 and t[i - 1].isdigit() and t[i + 1].isdigit()
        if (c in CLAUSE_SEP and not mask[i] and not digits) or c in SENTENCE_END:
            cuts.append((a, i))
            a = i + 1
    assert _clauses(t, mask) == [(x, y) for x, y in [*cuts, (a, len(t))] if y > x]
    ends = [i + 1 for i, c in enumerate(t) if c in SENTENCE_END]
    spans = [(a, b) for a, b in zip([0, *ends], [*ends, len(t)]) if b > a]
    assert list(_sentences(t, 0, len(t))) == spans


def test_a_sentence_without_a_digit_has_no_target_and_one_with_a_year_has():
    t = normalize("全面推进绿色低碳发展，确保能耗双控目标全面完成。到2030年，力争单位产值能耗翻一番。")
    found = extract_targets(t, 0, len(t.text))
    assert [(x.year, x.value, x.unit) for x in found] == [(2030, 2.0, "倍")]
    assert t.text[found[0].span.start : found[0].span.end] == "力争单位产值能耗翻一番"
