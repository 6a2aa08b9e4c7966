"""The curated tables: the shipped ones load, and a researcher's mistake is one clear line."""

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.core.errors import MappingError
from kg.core.resources import mapping_path
from kg.curated.agency_names import resolve_name
from kg.curated.mappings import (
    KINDS,
    LEVELS,
    find_region_in,
    load_agencies,
    load_regions,
    load_units,
    parent_region,
    region_by_name,
)

HEADER = "name,aliases,level,region,kind,counterpart,note\n"
GOOD = (
    HEADER
    + "省发展改革委,省发改委,provincial,,government_department,,\n市发展改革委,市发改委,municipal,,government_department,省发展改革委,\n"
)


def test_shipped_tables_load_and_are_consistent():
    agencies, regions = load_agencies(), load_regions()
    assert len(agencies) > 100 and len(regions) >= 20
    names = {e.name for e in agencies}
    for e in agencies:
        assert e.kind in KINDS and (e.level in LEVELS or e.kind == "generic")
        assert not e.counterpart or e.counterpart in names
    assert load_agencies() is load_agencies()  # the default table is cached


def test_counterparts_climb_one_level():
    t = load_agencies()
    up = {e.name: e.counterpart for e in t}
    assert up["市工业和信息化局"] == "省工业和信息化厅" and up["省工业和信息化厅"] == "工业和信息化部"
    assert up["市城管局"] == "省住房城乡建设厅"
    assert up["上饶车务段"] == "中国铁路南昌局集团有限公司"
    assert up["中国人民银行上饶市中心支行"] == "中国人民银行南昌中心支行"
    assert resolve_name("上饶银保监分局").counterpart == "江西银保监局"
    assert up["市中级人民法院"] == "省高级人民法院"
    assert up["市大数据发展管理局"] == ""  # honestly unknown, left blank


def test_agencies_csv_holds_only_exceptions():
    """A curated row the function table already gives (same name, kind and counterpart) is redundant."""
    redundant = []
    for e in load_agencies():
        if e.generated or e.kind == "generic":
            continue
        r = resolve_name(e.name, e.level, e.region or None, functions_only=True)
        same = (r.name, r.kind, r.counterpart or "", r.level, r.region or "") == (
            e.name,
            e.kind,
            e.counterpart,
            e.level,
            e.region or (r.region or ""),
        )
        if r.mapped and same:
            redundant.append(e.name)
    assert redundant == []


def test_region_lookup_by_name_short_name_and_alias():
    assert region_by_name("江西省").code == "360000"
    assert region_by_name("赣").name == "江西省"
    assert region_by_name("上饶").code == "361100"
    assert region_by_name("吉").name == "吉林省"
    assert region_by_name("火星") is None
    assert parent_region("上饶市").name == "江西省"
    assert parent_region(region_by_name("江西省")).name == "中华人民共和国"
    assert parent_region("中华人民共和国") is None


@pytest.mark.parametrize(
    "text, expected",
    [
        ("上饶市人民政府印发关于加快建立健全绿色低碳循环发展经济体系的实施方案的通知", "上饶市"),
        ("吉林省人民政府关于加快建立健全绿色低碳循环发展经济体系的实施意见", "吉林省"),
        ("江西省上饶市人民政府", "上饶市"),
        ("江西省人民政府关于支持赣州市发展的意见", "江西省"),
        ("江西省生态环境厅", "江西省"),
        ("吉林市人民政府", "吉林市"),
        ("国务院关于测试的指导意见", None),
    ],
)
def test_find_region_in(text, expected):
    r = find_region_in(text)
    assert (r.name if r else None) == expected


@pytest.fixture
def mdir(tmp_path, monkeypatch):
    """A researcher's own mappings/ folder, the working directory its parent."""
    d = tmp_path / "mappings"
    d.mkdir()
    shutil.copy(mapping_path("regions.csv"), d / "regions.csv")
    monkeypatch.chdir(tmp_path)
    return d


def agencies_error(mdir, text):
    (mdir / "agencies.csv").write_text(text, encoding="utf-8")
    with pytest.raises(MappingError) as e:
        load_agencies(mdir / "agencies.csv")
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_a_good_custom_table_loads(mdir):
    (mdir / "agencies.csv").write_text(GOOD, encoding="utf-8")
    t = load_agencies(mdir / "agencies.csv")
    assert [e.name for e in t if not e.generated] == ["省发展改革委", "市发展改革委"]
    assert t.lookup("市发改委").name == "市发展改革委"


def test_unknown_kind_names_file_line_and_column(mdir):
    msg = agencies_error(mdir, GOOD + "市商务局,,municipal,,goverment,,\n")
    assert msg.startswith(
        'mappings/agencies.csv line 4, column "kind": unknown kind "goverment" (expected one of government,'
    )


@pytest.mark.parametrize(
    "row, where, problem",
    [
        ("市商务局,,city,,government_department,,", 'line 4, column "level"', 'unknown level "city"'),
        (",市商务,municipal,,government_department,,", 'line 4, column "name"', "empty name"),
        (
            "市发展改革委,,municipal,,government_department,,",
            'line 4, column "name"',
            'duplicate name "市发展改革委" (first on line 3)',
        ),
        (
            "市商务局,市发改委,municipal,,government_department,,",
            'line 4, column "aliases"',
            '"市发改委" already names 市发展改革委',
        ),
        (
            "市商务局,,municipal,,government_department,省未来厅,",
            'line 4, column "counterpart"',
            'counterpart "省未来厅" is not a canonical name',
        ),
        ("市商务局,,municipal,火星市,government_department,,", 'line 4, column "region"', 'unknown region "火星市"'),
        ("市商务局,a||b,municipal,,government_department,,", 'line 4, column "aliases"', "empty alias"),
        ("市商务局,,municipal,,government_department,", "line 4:", "6 fields, the header has 7"),
    ],
)
def test_malformed_agency_rows(mdir, row, where, problem):
    msg = agencies_error(mdir, GOOD + row + "\n")
    assert msg.startswith(f"mappings/agencies.csv {where}") and problem in msg, msg


def test_same_alias_in_another_region_scope_is_allowed(mdir):
    rows = "市交通局,市交通运输局,municipal,上饶市,government_department,,\n"
    (mdir / "agencies.csv").write_text(
        GOOD + "市交通运输局,,municipal,,government_department,,\n" + rows, encoding="utf-8"
    )
    t = load_agencies(mdir / "agencies.csv")
    assert t.lookup("市交通运输局", ("上饶市",)).name == "市交通局"
    assert t.lookup("市交通运输局", ("南昌市",)).name == "市交通运输局"


def test_missing_and_unknown_header_columns(mdir):
    msg = agencies_error(mdir, "name,aliases,level,region,kind,counterpart\n")
    assert msg.startswith('mappings/agencies.csv line 1, column "note": missing column')
    msg = agencies_error(mdir, HEADER.strip() + ",extra\n")
    assert msg.startswith('mappings/agencies.csv line 1, column "extra": unknown column')


def test_missing_file_is_a_mapping_error(tmp_path):
    with pytest.raises(MappingError, match="file not found"):
        load_agencies(tmp_path / "agencies.csv")


REGIONS_HEAD = "code,name,short_name,level,parent_code,aliases\n100000,中华人民共和国,中国,national,,\n"


@pytest.mark.parametrize(
    "row, where, problem",
    [
        ("36000,江西省,江西,provincial,100000,", 'line 3, column "code"', 'bad region code "36000"'),
        ("100000,江西省,江西,provincial,100000,", 'line 3, column "code"', 'duplicate code "100000"'),
        ("360000,江西省,江西,province,100000,", 'line 3, column "level"', 'unknown level "province"'),
        ("360000,江西省,江西,provincial,990000,", 'line 3, column "parent_code"', 'unknown parent code "990000"'),
        ("360000,中华人民共和国,江西,provincial,100000,", 'line 3, column "name"', "already names region 100000"),
    ],
)
def test_malformed_region_rows(mdir, row, where, problem):
    (mdir / "regions.csv").write_text(REGIONS_HEAD + row + "\n", encoding="utf-8")
    with pytest.raises(MappingError) as e:
        load_regions(mdir / "regions.csv")
    msg = str(e.value)
    assert msg.startswith(f"mappings/regions.csv {where}") and problem in msg, msg


def test_units_table_loads_kinds():
    units = load_units()
    assert units["家"] == "count" and units["%"] == "percent" and units["万千瓦"] == "measure"


@pytest.mark.parametrize(
    "body, line",
    [
        ("unit,kind\n家,count\n万亩\n", 3),
        ("unit,kind\n家,count\n吨,weight\n", 3),
        ("unit;kind\n", 1),
        ("unit,kind\n家,count\n家,count\n", 3),
    ],
)
def test_malformed_units_table_names_file_and_line(tmp_path, body, line):
    p = tmp_path / "units.csv"
    p.write_text(body, encoding="utf-8")
    with pytest.raises(MappingError, match=rf"units\.csv line {line}\b"):
        load_units(str(p))


def test_every_doc_number_prefix_is_its_regions_abbreviation():
    """Each row of doc_number_prefixes.csv checked against the region it names: a province's
    one-character abbreviation (regions.csv aliases) or the first character of its short name
    (内政发, 云政发); the State Council's and the Party Centre's prefixes name the state."""
    from kg.curated.mappings import load_doc_number_prefixes, load_regions

    national = load_regions().national()
    for prefix, region in load_doc_number_prefixes().items():
        if region == national:
            assert prefix[0] in "国中", prefix
        else:
            assert region.level == "provincial", (prefix, region.name)
            assert prefix in region.aliases or prefix == (region.short_name or region.name)[0], (prefix, region.name)


def _scan_hits(regions, text, names):
    """What ``RegionTable._hits`` answered before its index: every name of every region tried."""
    hits = []
    for r in regions:
        found = [p for n in names(r) if (p := text.find(n)) >= 0]
        if found:
            hits.append((min(found), r))
    return sorted(hits, key=lambda h: (h[0], -len(h[1].name)))


REGION_PIECES = [
    "江西省",
    "江西",
    "赣",
    "上饶市",
    "上饶",
    "吉林省",
    "吉林市",
    "吉林",
    "中国",
    "全国",
    "南昌",
    "人民政府",
    "关于",
    "市",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(REGION_PIECES), max_size=6).map("".join))
def test_regions_named_in_a_text_are_those_a_scan_of_every_name_finds(text):
    table = load_regions()
    assert table._hits(text, short=False) == _scan_hits(table, text, lambda r: (r.name,))
    short = _scan_hits(table, text, lambda r: tuple(n for n in r.names[1:] if len(n) >= 2))
    assert table._hits(text, short=True) == short
