"""The real seed corpus end to end: counts and facts checked by reading the texts."""

import pytest

from kg.extract.parse import parse_file

from .conftest import JIANGXI_2021, JIANGXI_2022, JIANGXI_2024, JILIN, SHANGRAO


@pytest.mark.parametrize("path, count", [(SHANGRAO, 23), (JIANGXI_2022, 29), (JIANGXI_2024, 21), (JILIN, 27)])
def test_measure_counts(path, count):
    doc = parse_file(path)
    assert len(doc.measures) == count
    assert [m.index for m in doc.measures] == list(range(1, count + 1))


def test_scrambled_jiangxi_scrape_gives_one_measure_per_number_it_contains():
    doc = parse_file(JIANGXI_2021)
    assert [m.number for m in doc.measures] == [
        "一",
        "二",
        "三",
        "四",
        "五",
        "六",
        "七",
        "八",
        "十",
        "十五",
        "十八",
        "十九",
        "二十一",
    ]
    msgs = {w.code: str(w) for w in doc.warnings}
    for n in ["九", "十一", "十二", "十三", "十四", "十六", "十七", "二十"]:
        assert f"（{n}）" in msgs["missing_numbers"]
    for n in ["一", "二", "三", "四", "六", "七"]:
        assert f"（{n}）×2" in msgs["repeated_number"]
    texts = [s.text for m in doc.measures for s in m.sentences]
    assert len(texts) == len(set(texts)), "a duplicated sentence survived"
    assert sum(w.code == "duplicate_passage" for w in doc.warnings) >= 10


def test_shangrao_metadata():
    doc = parse_file(SHANGRAO)
    assert doc.title == "上饶市人民政府印发关于加快建立健全绿色低碳循环发展经济体系的实施方案的通知"
    assert doc.issued == "2022-03-27" and doc.issuers == ["上饶市人民政府"]
    assert doc.region == "上饶市" and doc.level == "municipal"
    assert [c.title for c in doc.citations] == [
        "国务院关于加快建立健全绿色低碳循环发展经济体系的指导意见",
        "江西省人民政府印发关于加快建立健全绿色低碳循环发展经济体系的若干措施的通知",
    ]


SHANGRAO_LEADS = {
    "二": "市工业和信息化局",
    "三": "市农业农村局",
    "四": "市文广新旅局",
    "八": "市交通运输局",
    "九": "市城管局",
    "十二": "市商务局",
    "十八": "市政府金融办",
    "十九": "市司法局",
    "二十二": "各有关单位",
}


def test_shangrao_agency_lists_with_lead_first():
    doc = parse_file(SHANGRAO)
    by = {m.number: m for m in doc.measures}
    assert by["一"].agencies == []
    for number, lead in SHANGRAO_LEADS.items():
        a = by[number].agencies
        assert a[0].role == "lead" and all(x.role == "support" for x in a[1:])
        assert a[0].name == lead, (number, a[0].name)


def test_shangrao_page_broken_list_of_measure_twelve():
    m = next(m for m in parse_file(SHANGRAO).measures if m.number == "十二")
    assert [a.name for a in m.agencies] == [
        "市商务局",
        "市城管局",
        "市发展改革委",
        "市生态环境局",
        "市市场监管局",
        "市机关事务管理局",
        "市交通运输局",
        "市教育局",
        "市妇联",
    ]
    assert [a.raw for a in m.agencies][2] == "市发改委"


def test_every_shangrao_agency_is_mapped():
    doc = parse_file(SHANGRAO)
    unmapped = {a.raw for m in doc.measures for a in m.agencies if not a.mapped}
    assert unmapped == set()


def test_generic_agencies_are_kept_and_marked():
    doc = parse_file(SHANGRAO)
    last = doc.measures[-1]
    assert [(a.name, a.generic) for a in last.agencies] == [("市发展改革委", False), ("各有关单位", True)]


def shangrao_targets():
    return [t for _, _, t in parse_file(SHANGRAO).all_targets()]


def test_shangrao_targets():
    got = sorted((t.year, t.value, t.unit, t.comparator) for t in shangrao_targets() if t.value is not None)
    assert got == [(2025, 20.0, "家", "="), (2025, 95.0, "%", ">="), (2025, 98.0, "%", ">=")]
    dated = [t for t in shangrao_targets() if t.value is None]
    assert len(dated) == 1 and dated[0].year == 2025 and "一村一点" in dated[0].text


def test_no_false_targets_in_shangrao():
    assert len(shangrao_targets()) == 4


def test_jiangxi_2024_section_targets_attach_to_sections():
    doc = parse_file(JIANGXI_2024)
    first = doc.sections[0]
    assert {t.value for t in first.targets} >= {29.0, 7000.0, 4600.0}
    assert all(t.year == 2026 for t in first.targets)


def test_jiangxi_2022_responsibility_forms():
    doc = parse_file(JIANGXI_2022)
    by = {m.number: m for m in doc.measures}
    assert [a.name for a in by["二十九"].agencies] == ["省生态环境厅"]
    assert [a.name for a in by["二十"].agencies] == ["省生态环境厅"]
    assert [(a.name, a.generic) for a in by["二十六"].agencies] == [("各有关部门", True), ("设区市", True)]
    assert by["九"].agencies[-1].name == "中国铁路南昌局集团有限公司"
    assert all(a.mapped for m in doc.measures for a in m.agencies)


def test_tex_residue_is_reported_and_unwrapped():
    doc = parse_file(JIANGXI_2022)
    assert any(w.code == "tex_residue" for w in doc.warnings)
    assert any("PM2.5" in s.text for m in doc.measures for s in m.sentences)


def test_traditional_script_gb18030_copy_parses_like_the_original(tmp_path):
    import opencc

    original = parse_file(SHANGRAO)
    trad = opencc.OpenCC("s2t").convert(SHANGRAO.read_text(encoding="utf-8"))
    copy = tmp_path / "shangrao-traditional.txt"
    copy.write_bytes(trad.encode("gb18030"))
    doc = parse_file(copy)
    assert doc.encoding == "gb18030"
    assert any(w.code == "traditional_script" for w in doc.warnings)
    assert [(m.number, m.title) for m in doc.measures] == [(m.number, m.title) for m in original.measures]
    assert [[a.name for a in m.agencies] for m in doc.measures] == [
        [a.name for a in m.agencies] for m in original.measures
    ]
    assert len(doc.all_targets()) == len(original.all_targets())
    m = doc.measures[1]
    assert trad[m.sentences[0].span.start : m.sentences[0].span.end].startswith("緊密對接")
