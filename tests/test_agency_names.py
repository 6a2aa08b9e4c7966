"""Names resolved by their shape (kg.curated.agency_kinds): divisions, zones, institutions, enterprises, counties."""

import shutil

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.core.resources import mapping_path
from kg.curated.agency_names import _region_in, _region_prefix, _short_names, issuing_department, resolve_name
from kg.curated.mappings import LEVEL_PREFIX, load_agencies, load_regions


def test_a_division_belongs_to_the_department_named_by_the_title():
    issuer = issuing_department([], "省生态环境厅2021年度推动碳达峰、碳中和工作计划", "provincial", "江苏省")
    r = resolve_name("气候处", "provincial", "江苏省", doc_issuer=issuer)
    assert (r.kind, r.function, r.level, r.region, r.part_of) == (
        "internal_division",
        "ecology_environment",
        "provincial",
        "江苏省",
        "省生态环境厅",
    )


def test_a_division_without_an_issuing_department_stays_unmapped():
    assert not resolve_name("气候处", "provincial", "江苏省").mapped


@pytest.mark.parametrize(
    "raw, level, region, expected",
    [
        ("涠洲岛旅游区管委会", "municipal", "北海市", ("zone_committee", "municipal", "北海市", None)),
        ("天津自贸试验区管委会", "provincial", "天津市", ("zone_committee", "provincial", "天津市", None)),
        ("省环科院", "provincial", "江苏省", ("public_institution", "provincial", "江苏省", "ecology_environment")),
        ("天津港集团", "provincial", "天津市", ("state_enterprise", "provincial", "天津市", None)),
        ("国网天府新区供电公司", "municipal", "成都市", ("state_enterprise", "municipal", "成都市", "power_grid")),
        ("市公安局交通管理局", "municipal", "成都市", ("internal_division", "municipal", "成都市", "public_security")),
    ],
)
def test_bodies_other_than_functions_get_kind_level_and_region(raw, level, region, expected):
    r = resolve_name(raw, level, region)
    assert r.mapped and (r.kind, r.level, r.region, r.function) == expected


def test_a_county_missing_from_regions_is_a_county_government_of_the_city():
    r = resolve_name("金堂县", "municipal", "成都市")
    assert (r.name, r.kind, r.level, r.region, r.parent_region) == (
        "金堂县人民政府",
        "government",
        "county",
        "金堂县",
        "成都市",
    )


@pytest.mark.parametrize("raw", ["公共机构节能主管部门", "有农业的区人民政府", "煤炭企业", "开发区", "市县人民政府"])
def test_phrases_naming_a_class_of_bodies_are_generic(raw):
    assert resolve_name(raw, "provincial", "上海市").generic


def test_a_combined_level_name_resolves_to_the_first_level():
    r = resolve_name("市、区机管局", "municipal", "成都市")
    assert (r.function, r.level, r.region) == ("government_affairs_offices", "municipal", "成都市")


def test_a_class_of_bodies_is_generic_and_keeps_the_documents_region():
    """各区人民政府 or X等市级有关部门 names no one body: never a region called 各区."""
    for name, level, region in [
        ("各区人民政府", "provincial", "天津市"),
        ("有关区人民政府", "municipal", "武汉市"),
        ("各市、州、县人民政府", "provincial", "四川省"),
        ("市发展改革委等市级有关部门", "provincial", "天津市"),
    ]:
        r = resolve_name(name, level, region)
        assert r.generic and r.region == region and r.kind == "generic", r


def test_every_agency_kinds_row_decides_the_names_it_describes():
    """No row of agency_kinds.csv is shadowed by an earlier one: a name holding (or ending in)
    the row's word gets the row's kind and function."""
    from kg.curated.agency_kinds import load_kinds

    table = load_kinds()
    for word, kind, function in table.contains:
        assert table.match(f"省{word}甲") == (kind, function), word
    for word, kind, function in table.suffixes:
        assert table.match(f"测试{word}") == (kind, function), word


def _scan_region_in(key, regions):
    """What ``_region_in`` answered before its index: every name of every region tried in turn."""
    for names in (lambda r: (r.name,), _short_names):
        hits = sorted(
            ((p, -len(n), n, r) for r in regions if r.level != "national" for n in names(r) if (p := key.find(n)) >= 0),
            key=lambda h: (h[0], h[1]),
        )
        if hits:
            p, _, n, region = hits[0]
            rest = key[:p] + key[p + len(n) :]
            for q, _, m, inner in hits[1:]:
                if q == p + len(n) and region in regions.ancestors(inner)[1:]:
                    region, rest = inner, key[:p] + key[q + len(m) :]
                    break
            return region, rest
    return None


def _scan_region_prefix(key, regions):
    hits = [(p, -len(r.name), r) for r in regions if (p := key.find(r.name)) >= 0]
    if not hits:
        return None
    p, _, region = min(hits, key=lambda h: (h[0], h[1]))
    stripped = key[:p] + LEVEL_PREFIX[region.level] + key[p + len(region.name) :]
    return (region, stripped) if stripped else None


# pieces agency names are made of: region names (full, short, nested, shared: 吉林), and stems
PIECES = [
    "江西省",
    "江西",
    "上饶市",
    "上饶",
    "吉林省",
    "吉林市",
    "吉林",
    "中华人民共和国",
    "中国",
    "南宁",
    "广西壮族自治区",
]
PIECES += ["人民银行", "中心支行", "发展和改革委员会", "省", "市", "生态环境局", "中共", "委"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=5).map("".join))
def test_the_region_index_answers_as_a_scan_of_every_name(key):
    regions = load_regions()
    assert _region_in(key, regions) == _scan_region_in(key, regions)
    assert _region_prefix(key, regions) == _scan_region_prefix(key, regions)


def test_the_region_index_answers_as_a_scan_on_every_agency_name_of_the_tables():
    regions = load_regions()
    names = {n for e in load_agencies() for n in (e.name, *e.aliases)}
    assert len(names) > 100
    for n in names:
        for key in (n, "上饶市" + n, "江西省上饶市" + n):
            assert _region_in(key, regions) == _scan_region_in(key, regions), key


def test_a_mappings_folder_of_ones_own_gets_its_own_region_index(tmp_path, monkeypatch):
    """A region added to a researcher's regions.csv (KG_MAPPINGS) is found in names; the
    installed tables, indexed earlier in the same process, still do not know it."""
    assert resolve_name("测试市生态环境局", "municipal", "上饶市").region == "上饶市"  # indexed now
    for f in mapping_path("x").parent.glob("*.csv"):
        shutil.copy(f, tmp_path / f.name)
    with open(tmp_path / "regions.csv", "a", encoding="utf-8") as out:
        out.write("369900,测试市,测试,municipal,360000,\n")
    monkeypatch.setenv("KG_MAPPINGS", str(tmp_path))
    assert mapping_path("regions.csv") == tmp_path / "regions.csv"
    r = resolve_name("测试市生态环境局", "municipal", "上饶市")
    assert (r.region, r.level, r.function) == ("测试市", "municipal", "ecology_environment")
    assert _region_in("测试生态环境局", load_regions())[0].name == "测试市"
    monkeypatch.delenv("KG_MAPPINGS")
    assert resolve_name("测试市生态环境局", "municipal", "上饶市").region == "上饶市"
    assert _region_in("测试生态环境局", load_regions()) is None
