"""Annexed task-division tables: rows read from tab-separated cells, matched to the measures they restate.

The shared PDFs name such annexes but do not include them, so these fixtures are written
for the case, in the form kg.read gives DOCX and HTML tables (one line per row, cells
joined by tabs).
"""

from kg.extract.parse import parse_text
from kg.extract.task_tables import find_task_rows, match_rows
from kg.read.normalize import normalize

BODY = (
    "关于推进节能降碳工作的实施方案\n一、重点任务\n"
    "（一）推进钢铁行业节能降碳。实施钢铁行业节能降碳改造，实施一批重点项目。\n"
    "（二）推动建筑领域绿色转型。推动建筑领域绿色低碳转型发展，提高新建建筑节能标准。\n"
    "（三）加强组织保障。各地要加强组织领导。\n"
)
TABLE = (
    "附件\n重点任务分工\n序号\t重点任务\t牵头单位\t责任单位\t完成时限\n"
    "1\t实施钢铁行业节能降碳改造\t省发展改革委\t省工业和信息化厅、省生态环境厅\t2022年底前\n"
    "2\t推动建筑领域绿色低碳转型发展\t省住房城乡建设厅\t省发展改革委\t持续推进\n"
)


def test_rows_give_lead_support_and_deadline_with_raw_spans():
    raw = BODY + TABLE
    rows = find_task_rows(normalize(raw), 0, None, "provincial", "江西省", "2022-05-01")
    assert [r.task for r in rows] == ["实施钢铁行业节能降碳改造", "推动建筑领域绿色低碳转型发展"]
    first = rows[0]
    assert [(a.raw, a.role) for a in first.agencies] == [
        ("省发展改革委", "lead"),
        ("省工业和信息化厅", "support"),
        ("省生态环境厅", "support"),
    ]
    assert all(raw[a.span.start : a.span.end] == a.raw for a in first.agencies)
    assert (first.deadline.text, first.deadline.year, first.deadline.value) == ("2022年底前", 2022, None)
    assert (rows[1].deadline.text, rows[1].deadline.year) == ("持续推进", None)


def test_without_a_lead_column_the_first_listed_leads():
    raw = BODY + "附件\n序号\t工作任务\t责任单位\n1\t实施钢铁行业节能降碳改造\t省工信厅、省发改委\n"
    [row] = find_task_rows(normalize(raw))
    assert [(a.raw, a.role) for a in row.agencies] == [("省工信厅", "lead"), ("省发改委", "support")]


def test_tab_lines_without_a_task_header_are_not_a_task_table():
    raw = BODY + "附件\n地区\t2021年\t2022年\n上饶市\t12\t15\n"
    assert find_task_rows(normalize(raw)) == []


def test_rows_are_matched_to_the_measures_they_restate():
    d = parse_text(BODY, level="provincial", region="江西省")
    rows = find_task_rows(normalize(BODY + TABLE))
    got = [(r.task, m.key if m else None) for r, m, _ in match_rows(rows, d.measures)]
    assert got == [("实施钢铁行业节能降碳改造", "1"), ("推动建筑领域绿色低碳转型发展", "2")]


def test_parse_gives_measures_the_table_agencies_and_reports_unmatched_rows():
    raw = BODY + TABLE + "3\t开展全民节能行动\t省机关事务管理局\t\t持续推进\n"
    d = parse_text(raw, level="provincial", region="江西省")
    by_key = {m.key: m for m in d.measures}
    assert [(a.raw, a.role) for a in by_key["1"].agencies] == [
        ("省发展改革委", "lead"),
        ("省工业和信息化厅", "support"),
        ("省生态环境厅", "support"),
    ]
    assert [t.text for t in by_key["2"].targets if t.indicator == "完成时限"] == ["持续推进"]
    assert by_key["3"].agencies == []
    assert [w.code for w in d.warnings].count("unmatched_task_row") == 1


def test_a_table_agency_is_resolved_like_a_listed_one():
    """A row's agencies carry what a responsibility list's carry: function and counterpart too."""
    from kg.extract.agencies import resolve_name

    [first, _] = find_task_rows(normalize(BODY + TABLE), 0, None, "provincial", "江西省", "2022-05-01")
    lead = first.agencies[0]
    expected = resolve_name("省发展改革委", "provincial", "江西省")
    assert (lead.name, lead.function, lead.counterpart) == (expected.name, expected.function, expected.counterpart)
    assert lead.function == "development_reform"
