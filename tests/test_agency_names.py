"""Names resolved by their shape (kg.curated.agency_kinds): divisions, zones, institutions, enterprises, counties."""

import pytest

from kg.curated.agency_names import issuing_department, resolve_name


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
