"""Load across provinces: the saved query function-load and the report index section built on it."""

import json
from collections import defaultdict

from click.testing import CliRunner

from kg.cli import main
from kg.present.report import to_markdown
from kg.present.report_load import (
    NO_FUNCTION,
    Family,
    city_table,
    families,
    function_load,
    heatmap,
    implementations,
    load_blocks,
    province_table,
    share_bars,
)

from .conftest import DATA, JIANGXI_ID, SHANGRAO_ID

CHINA_ID = "china-2021-green-economy"


def test_function_load_rows_add_up_to_the_counts_of_kg_agencies(built):
    out = CliRunner().invoke(main, ["--data", str(DATA), "agencies", "--format", "jsonl"]).output
    expected = defaultdict(lambda: {"lead": 0, "support": 0})
    for line in out.splitlines():
        a = json.loads(line)
        for m in a["measures"]:
            expected[(m["doc"], a.get("function"))][m["role"]] += 1
    got = {(r.doc, r.function): {"lead": r.lead, "support": r.support} for r in function_load(built.out)}
    assert got == dict(expected)


def test_function_load_rows_carry_the_documents_level_and_region(built):
    rows = [r for r in function_load(built.out) if r.doc == SHANGRAO_ID]
    assert {(r.level, r.region) for r in rows} == {("municipal", "上饶市")}
    dev = next(r for r in rows if r.function == "development_reform")
    assert dev.label == "发展改革" and dev.lead > 0
    assert all(r.label == NO_FUNCTION for r in rows if r.function is None)


def test_national_document_is_grouped_with_its_provincial_implementations(built):
    fams = families(implementations(built.out), "national", "provincial")
    china = next(f for f in fams if f.parent == CHINA_ID)
    assert [c[0] for c in china.children] == ["jilin-2021-green-economy", JIANGXI_ID]  # by region: 吉林省, 江西省
    assert all(c[0] != SHANGRAO_ID for f in fams for c in f.children)  # a city is not a province


def test_province_table_has_a_column_per_province_naming_agencies_and_lists_the_silent_ones():
    leads = _leads_of({"p": {"发展改革": 3, "生态环境": 1}, "q": {"生态环境": 2, NO_FUNCTION: 1}})
    fam = Family("nation", "中华人民共和国", (("p", "甲省"), ("q", "乙省"), ("r", "丙省")))
    columns, rows, shown, silent = province_table(fam, leads)
    assert columns == ["function", "甲省", "乙省"] and silent == ["r"]
    assert rows == [
        ["发展改革", "3", "0"],
        ["生态环境", "1", "2"],
        [NO_FUNCTION, "0", "1"],  # tie: by name
        ["all lead responsibilities", "4", "3"],
    ]
    assert shown == [("p", "甲省"), ("q", "乙省")]


def test_a_second_document_of_the_same_region_gets_its_own_numbered_column():
    leads = _leads_of({"p": {"财政": 1}, "p2": {"财政": 2}})
    columns, *_ = province_table(Family("nation", None, (("p", "甲省"), ("p2", "甲省"))), leads)
    assert columns == ["function", "甲省", "甲省（2）"]


def test_city_table_sets_the_provinces_lead_share_against_the_cities_pooled_share():
    leads = _leads_of({"prov": {"发展改革": 3, "财政": 1}, "c1": {"发展改革": 1, "财政": 1}, "c2": {"财政": 2}})
    columns, rows, shares = city_table(Family("prov", "甲省", (("c1", "子市"), ("c2", "丑市"))), leads)
    assert columns == ["function", "甲省 lead (share)", "cities lead (share, pooled)", "子市", "丑市"]
    assert rows[:2] == [["发展改革", "3 (75%)", "1 (25%)", "1", "0"], ["财政", "1 (25%)", "3 (75%)", "1", "2"]]
    assert rows[-1] == ["all lead responsibilities", "4", "4", "2", "2"]
    assert ("发展改革", 0.75, 0.25) in shares


def test_seed_index_section_shows_jiangxi_against_shangrao(built):
    md = to_markdown(load_blocks(built.out, {}))
    assert "## Load across provinces" in md
    national = md.split("### National documents")[1].split("### Provinces and their cities")[0]
    assert "| function | 吉林省 | 江西省 |" in national or "| function | 江西省 |" in national
    cities = md.split("### Provinces and their cities")[1]
    assert (
        f"{JIANGXI_ID} → 上饶市" in cities
        and "| function | 江西省 lead (share) | cities lead (share, pooled) | 上饶市 |" in cities
    )


def test_charts_are_deterministic_svg_with_text_kept_as_text():
    columns, rows = ["function", "甲省", "乙省"], [["发展改革", "3", "0"], ["财政", "1", "2"], ["all", "4", "2"]]
    svg = heatmap(columns, rows)
    assert svg.startswith("<svg") and "发展改革" in svg and svg == heatmap(columns, rows)
    bars = share_bars("甲省", [("发展改革", 0.75, 0.25), ("财政", 0.25, 0.75)])
    assert (
        bars.startswith("<svg")
        and "甲省" in bars
        and bars == share_bars("甲省", [("发展改革", 0.75, 0.25), ("财政", 0.25, 0.75)])
    )
    assert heatmap(["function", "甲省"], rows) is None  # one document: the table says it all


def _leads_of(counts):
    out = defaultdict(lambda: defaultdict(int))
    for doc, fs in counts.items():
        for f, v in fs.items():
            out[doc][f] = v
    return out
