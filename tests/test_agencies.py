"""Responsibility lists: every printed form, lead first, names resolved, nothing dropped."""

import re
from pathlib import Path

import pytest

from kg.extract.agencies import find_responsibility_lists, parse_agencies, resolve_name
from kg.read.normalize import normalize

DATA = Path(__file__).resolve().parent.parent / "data"
SHANGRAO = DATA / "001_7d4b3fc7bf085163.txt"
JIANGXI_2021 = DATA / "000_fca3275a1a290cb6.txt"
JIANGXI_2022 = DATA / "002_3601092c99a91ae3.txt"


def agencies(raw, level="municipal", region="上饶市"):
    t = normalize(raw)
    lists = find_responsibility_lists(t, 0, len(t.text))
    assert len(lists) == 1, [x.raw for x in lists]
    return parse_agencies(t, lists[0], level, region)


def roles(raw, level="municipal", region="上饶市"):
    return [(a.name, a.role) for a in agencies(raw, level, region)]


@pytest.mark.parametrize(
    "raw",
    [
        "推进节水。（市发改委、市水利局等按职责分工负责）",
        "推进节水。（市发改委、市水利局按职责分工负责）",
        "推进节水。（市发改委、市水利局按职能分工负责）",
        "推进节水。（市发改委、市水利局负责）",
        "推进节水。\n（市发改委、市水利局等部门按职责分工负责）\n",
    ],
)
def test_list_forms_give_lead_then_support(raw):
    assert roles(raw) == [("市发展改革委", "lead"), ("市水利局", "support")]


def test_single_lead_with_qiantou():
    got = agencies("加强考核。（省生态环境厅牵头负责）", "provincial", "江西省")
    assert [(a.name, a.role, a.level, a.region, a.counterpart) for a in got] == [
        ("省生态环境厅", "lead", "provincial", "江西省", "生态环境部")
    ]


@pytest.mark.parametrize(
    "raw, expected",
    [
        (
            "（市发改委牵头，市工信局、市商务局配合）",
            [("市发展改革委", "lead"), ("市工业和信息化局", "support"), ("市商务局", "support")],
        ),
        ("（市发改委牵头，市工信局参与）", [("市发展改革委", "lead"), ("市工业和信息化局", "support")]),
        ("（市工信局配合，市发改委牵头）", [("市工业和信息化局", "support"), ("市发展改革委", "lead")]),
        (
            "（市发改委、市商务局牵头，各有关部门按职责分工负责）",
            [("市发展改革委", "lead"), ("市商务局", "lead"), ("各有关部门", "support")],
        ),
        ("（由市发改委负责，市工信局配合）", [("市发展改革委", "lead"), ("市工业和信息化局", "support")]),
    ],
)
def test_qiantou_peihe_forms(raw, expected):
    assert roles("推进。" + raw) == expected


def test_page_broken_list_is_rejoined_with_lead_first():
    raw = "推进。（市商务局、市\n\n市场监管局、市机关事务管理局等按职责分工负责）"
    got = agencies(raw)
    assert [(a.name, a.role) for a in got] == [
        ("市商务局", "lead"),
        ("市市场监管局", "support"),
        ("市机关事务管理局", "support"),
    ]
    broken = got[1]
    assert broken.raw == "市市场监管局" and raw[broken.span.start : broken.span.end] == "市\n\n市场监管局"


def test_half_width_brackets():
    raw = "推进。(市发改委、市自然资源局等按职责分工负责)"
    got = agencies(raw)
    assert [a.name for a in got] == ["市发展改革委", "市自然资源局"]
    assert [raw[a.span.start : a.span.end] for a in got] == ["市发改委", "市自然资源局"]


def test_generic_entries_are_kept_and_marked():
    got = agencies("抓好落实。（各有关部门、设区市按职责分工负责）", "provincial", "江西省")
    assert [(a.name, a.role, a.generic, a.mapped) for a in got] == [
        ("各有关部门", "lead", True, True),
        ("设区市", "support", True, True),
    ]
    assert got[0].region == "江西省" and got[1].level == "municipal" and got[1].region is None
    nested = agencies("落实。（各县（市、区）人民政府、市发改委负责）")
    assert [(a.name, a.generic) for a in nested] == [("各县（市、区）人民政府", True), ("市发展改革委", False)]


def test_aliases_resolve_to_canonical_names():
    got = agencies("推进。（市发改委、市工信局等按职责分工负责）")
    assert [(a.raw, a.name, a.mapped) for a in got] == [
        ("市发改委", "市发展改革委", True),
        ("市工信局", "市工业和信息化局", True),
    ]
    assert resolve_name("省管局", "provincial", "江西省").name == "省机关事务管理局"
    assert resolve_name("人行上饶市中心支行").name == "中国人民银行上饶市中心支行"


def test_unmapped_agency_is_reported_not_dropped():
    got = agencies("推进。（市发改委、市未来产业促进局等按职责分工负责）")
    assert [(a.name, a.mapped, a.role) for a in got] == [
        ("市发展改革委", True, "lead"),
        ("市未来产业促进局", False, "support"),
    ]
    assert (got[1].raw, got[1].level, got[1].region, got[1].kind) == ("市未来产业促进局", "municipal", "上饶市", None)


@pytest.mark.parametrize(
    "raw",
    [
        "2021年7月8日（此件主动公开）",
        "落实《指导意见》（国发〔2021〕4号）",
        "支持企业上市（挂牌）",
        "平板玻璃（含光伏玻璃）",
        "生物（中）医药",
        "（十二）倡导绿色低碳生活方式",
        "（企业自主负责）",
        "（此件主动公开，省生态环境厅负责）",
    ],
)
def test_parentheticals_that_are_not_lists_are_ignored(raw):
    t = normalize(raw)
    assert find_responsibility_lists(t, 0, len(t.text)) == []


def test_search_is_limited_to_the_range():
    t = normalize("甲。（市发改委负责）乙。（市工信局负责）")
    second = t.text.index("乙")
    assert [x.raw for x in find_responsibility_lists(t, second, len(t.text))] == ["市工信局负责"]


@pytest.mark.parametrize(
    "raw, level, region, expected",
    [
        ("江西省发展和改革委员会", None, None, ("省发展改革委", "provincial", "江西省", True)),
        ("江西省生态环境厅", "provincial", "江西省", ("省生态环境厅", "provincial", "江西省", True)),
        ("上饶市生态环境局", None, None, ("市生态环境局", "municipal", "上饶市", True)),
        ("中共江西省委办公厅", None, None, ("省委办公厅", "provincial", "江西省", True)),
        ("吉林省人民政府", None, None, ("省人民政府", "provincial", "吉林省", True)),
        ("省生态环境厅", "municipal", "上饶市", ("省生态环境厅", "provincial", "江西省", True)),
        ("市生态环境局", "provincial", "江西省", ("市生态环境局", "municipal", None, True)),
        ("国家发展改革委", "municipal", "上饶市", ("国家发展改革委", "national", "中华人民共和国", True)),
        ("上饶车务段", "provincial", "吉林省", ("上饶车务段", "municipal", "上饶市", True)),
        ("南昌铁路局", None, None, ("中国铁路南昌局集团有限公司", "provincial", "江西省", True)),
        ("县未来局", "municipal", "上饶市", ("县未来局", "county", None, False)),
    ],
)
def test_resolve_name(raw, level, region, expected):
    r = resolve_name(raw, level, region)
    assert (r.name, r.level, r.region, r.mapped) == expected


def corpus_items(path, level, region):
    raw = path.read_text(encoding="utf-8")
    t = normalize(raw)
    lists = find_responsibility_lists(t, 0, len(t.text))
    return raw, lists, [a for lst in lists for a in parse_agencies(t, lst, level, region)]


@pytest.mark.parametrize(
    "path, level, region, n_lists",
    [
        (SHANGRAO, "municipal", "上饶市", 22),
        (JIANGXI_2022, "provincial", "江西省", 26),
        (JIANGXI_2021, "provincial", "江西省", 18),
    ],
)
def test_every_corpus_list_item_resolves(path, level, region, n_lists):
    raw, lists, items = corpus_items(path, level, region)
    assert len(lists) == n_lists == raw.count("负责）") + raw.count("负责)")
    assert [a.raw for a in items if not a.mapped] == []
    for a in items:
        assert re.sub(r"\s", "", raw[a.span.start : a.span.end]) == a.raw


def test_shangrao_measure_twelve_page_broken_list():
    raw, lists, _ = corpus_items(SHANGRAO, "municipal", "上饶市")
    t = normalize(raw)
    a, b = t.text.index("（十二）"), t.text.index("（十三）")
    [lst] = find_responsibility_lists(t, a, b)
    got = parse_agencies(t, lst, "municipal", "上饶市")
    assert [x.name for x in got] == [
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
    assert [x.role for x in got] == ["lead"] + ["support"] * 8
    assert all(x.region == "上饶市" and x.level == "municipal" for x in got[:8])


def test_jiangxi_2022_issuers_and_copy_list_resolve():
    raw = JIANGXI_2022.read_text(encoding="utf-8")
    issuers = [line for line in raw[: raw.index("赣环气候字")].split("\n") if line.strip()]
    assert len(issuers) == 7
    cc = raw[raw.index("抄 送：") + 4 : raw.index("。", raw.index("抄 送："))]
    names = issuers + re.split(r"[、，]", cc)
    unresolved = [n for n in names if not resolve_name(n, "provincial", "江西省").mapped]
    assert unresolved == []
    assert resolve_name("江西省住房和城乡建设厅").name == "省住房城乡建设厅"


@pytest.mark.parametrize(
    "raw, level, region, expected",
    [
        # abbreviations and the names other provinces use, one function each
        ("市经信局", "municipal", "合肥市", ("市工业和信息化局", "industry_it", "municipal", "合肥市")),
        ("经济和信息化厅", "provincial", "四川省", ("省工业和信息化厅", "industry_it", "provincial", "四川省")),
        ("住建局", "municipal", "梧州市", ("市住房城乡建设局", "housing_construction", "municipal", "梧州市")),
        ("南宁市发展改革委", None, None, ("市发展改革委", "development_reform", "municipal", "南宁市")),
        # the region from the name itself, also a short name or a city without 市
        ("辽宁银保监局", None, None, ("辽宁银保监局", "banking_regulation", "provincial", "辽宁省")),
        ("人民银行北海市中心支行", None, None, ("中国人民银行北海市中心支行", "central_bank", "municipal", "北海市")),
        ("来宾银保监分局", "municipal", "来宾市", ("来宾银保监分局", "banking_regulation", "municipal", "来宾市")),
        ("国家税务总局广西壮族自治区税务局", None, None, ("自治区税务局", "taxation", "provincial", "广西壮族自治区")),
        # region-less names take the issuing document's region
        (
            "发展改革委",
            "provincial",
            "宁夏回族自治区",
            ("自治区发展改革委", "development_reform", "provincial", "宁夏回族自治区"),
        ),
        ("工业和信息化局", "municipal", "梧州市", ("市工业和信息化局", "industry_it", "municipal", "梧州市")),
        ("市场监管局", "municipal", "北海市", ("市市场监管局", "market_regulation", "municipal", "北海市")),
        (
            "生态环境厅",
            "municipal",
            "北海市",
            ("自治区生态环境厅", "ecology_environment", "provincial", "广西壮族自治区"),
        ),
        (
            "银保监局",
            "provincial",
            "宁夏回族自治区",
            ("宁夏银保监局", "banking_regulation", "provincial", "宁夏回族自治区"),
        ),
        # a 市 body of a municipality directly under the central government is provincial-level
        ("市经济信息化委", "provincial", "上海市", ("市工业和信息化厅", "industry_it", "provincial", "上海市")),
        (
            "发展改革委〔能源局〕",
            "provincial",
            "宁夏回族自治区",
            ("自治区发展改革委", "development_reform", "provincial", "宁夏回族自治区"),
        ),
    ],
)
def test_naming_variants_resolve_to_function_region_and_level(raw, level, region, expected):
    r = resolve_name(raw, level, region)
    assert r.mapped and (r.name, r.function, r.level, r.region) == expected


@pytest.mark.parametrize(
    "raw, level, region, counterpart",
    [
        ("工信局", "municipal", "梧州市", "自治区工业和信息化厅"),
        ("自治区工业和信息化厅", "provincial", "广西壮族自治区", "工业和信息化部"),
        ("市生态环境局", "municipal", "银川市", "自治区生态环境厅"),
        ("城管局", "municipal", "北海市", "自治区住房城乡建设厅"),  # no provincial 城管: the function's ``up``
        ("北海银保监分局", None, None, "广西银保监局"),
        ("银川海关", None, None, "海关总署"),  # no provincial customs: the next level that has one
        ("金融办", "provincial", "广西壮族自治区", None),  # no national counterpart of local finance bureaus
    ],
)
def test_counterparts_follow_from_the_function_for_any_region(raw, level, region, counterpart):
    assert resolve_name(raw, level, region).counterpart == counterpart


def test_generic_and_unknown_names_stay_apart():
    assert resolve_name("有关区人民政府", "municipal", "武汉市").generic
    r = resolve_name("市效能办", "municipal", "北海市")  # an office no table knows: kept, flagged
    assert (r.mapped, r.function, r.region) == (False, None, "北海市")
