"""Bodies that hold no function of government, told by the shape of their name.

A name the function table does not know is often still plain to a reader: 气候处 in a 省生态环境厅
work plan is a division of that department; 涠洲岛旅游区管委会 the committee of a zone in the
issuing city; 省环科院 a public institution (事业单位); 天津港集团 an enterprise; 金堂县 the
government of a county, which regions.csv (provinces and prefecture-level cities only) does not
list. Each kind says what "resolved" means for it: kind, region and level known, and the function
where one applies (a division's is its department's; an institution's comes from
``mappings/agency_kinds.csv`` where a word makes it clear, else from the issuing department it
serves). Phrases naming a class of bodies (公共机构节能主管部门, 有农业的区人民政府, 煤炭企业) are
generic, like 各有关部门.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Callable, Optional, Union

from kg.core.resources import mapping_path
from kg.curated.mappings import KINDS, Rows, _check_choice

KIND_COLUMNS = ("word", "where", "kind", "function", "note")
LIST_OF_BODIES = re.compile(r"、|等.*(?:部门|单位)$")  # 各市、州、县人民政府, X等市级有关部门
GENERIC_DESC = re.compile(
    r"主管部门$|主管单位$|成员单位$|的.*(?:政府|部门|单位)$|^(?:地方)?各级|"
    r"^[省市县区]{2,}(?:人民)?政府$|^[\u4e00-\u9fff]{1,6}企业$"
)
COMBINED = re.compile(r"^([省市区县])、[省市区县]级?(.+)$")  # 市、区机管局: the city's and the districts'
HEAD_OF_LIST = re.compile(r"^(.+?)等(?:有关|相关)?(?:部门|单位)")  # 市商务局等部门和各区人民政府
COUNTY_GOV = re.compile(r"^(.{1,8}?(?:县|区|市|旗))(?:人民)?政府$")
COUNTY = re.compile(r"^[\u4e00-\u9fff]{1,4}(?:县|市|区|旗)$")
ZONE_WORDS = r"(?:示范区|新区|开发区|高新区|经开区|园区|自贸区|试验区|保税区|旅游区|风景区|风景名胜区|度假区|合作区)"
ZONE = re.compile(rf"(?:{ZONE_WORDS}|管委会|管理委员会)$")
BARE_ZONE = re.compile(rf"^{ZONE_WORDS}$")
DIVISION = re.compile(r"(?:处|科|室|办公室|专员办|股)$")
HEAD_END = re.compile(r"(?:局|厅|委|办|集团公司|集团|公司)$")
ENTERPRISES = ("state_enterprise", "enterprise")


def classify(
    key: str, doc_level: Optional[str], doc, issuer, regions, resolve: Callable, generic: bool = False
) -> Optional[dict]:
    """The fields of ``Resolved`` for a name the tables leave open, or None when its shape tells
    nothing. ``doc`` is the issuing document's Region, ``issuer`` its issuing department (a
    Resolved) or None, ``resolve`` resolves another name in the same document; ``generic``:
    the name already reads as a class of bodies (各…, 有关…, kg.curated.agency_names)."""
    if GENERIC_DESC.search(key) or BARE_ZONE.match(key):
        return dict(
            name=key,
            generic=True,
            kind="zone_committee" if BARE_ZONE.match(key) else "generic",
            level=doc_level,
            region=doc.name if doc else None,
        )
    for pattern, make in ((COMBINED, lambda m: m[1] + m[2]), (HEAD_OF_LIST, lambda m: m[1])):
        m = pattern.match(key)
        if m and (r := resolve(make(m))).mapped and not r.generic:
            return _fields(r)
    if generic or LIST_OF_BODIES.search(key):  # 各区人民政府, X等市级有关部门: no one body, no region of its own
        return dict(name=key, generic=True, kind="generic", level=doc_level, region=doc.name if doc else None)
    if (gov := _government(key, doc, regions, resolve)) is not None:
        return gov
    if ZONE.search(key):
        level, region = _where(key, doc_level, doc, regions)
        return dict(name=key.replace("管理委员会", "管委会"), kind="zone_committee", level=level, region=region)
    if (sub := _sub_unit(key, regions, resolve)) is not None:
        return sub
    found = load_kinds().match(key)
    if found is not None:
        kind, function = found
        if not function and kind == "public_institution" and issuer is not None:
            function = issuer.function  # 宣教中心 in a department's own plan serves that department
        level, region = _where(key, doc_level, doc, regions)
        return dict(name=key, kind=kind, function=function or None, level=level, region=region)
    if DIVISION.search(key) and issuer is not None:
        return dict(
            name=issuer.name + key,
            kind="internal_division",
            function=issuer.function,
            level=issuer.level,
            region=issuer.region,
            part_of=issuer.name,
        )
    return None


def _fields(r) -> dict:
    return dict(
        name=r.name,
        generic=r.generic,
        kind=r.kind,
        level=r.level,
        region=r.region,
        counterpart=r.counterpart,
        function=r.function,
        part_of=r.part_of,
        parent_region=r.parent_region,
    )


def _government(key: str, doc, regions, resolve) -> Optional[dict]:
    """彭州市, 金堂县, 滨海新区人民政府: the government of a county-level region (regions.csv has no
    county rows, so the region is the name; its parent is the document's city when there is one)."""
    m = COUNTY_GOV.match(key)
    place = m[1] if m else key if COUNTY.match(key) and not ZONE.search(key) else None
    if place is None:
        return None
    known = regions.get(place)
    if known is not None:
        r = resolve(place + "人民政府")
        return _fields(r) if r.mapped else None
    city = doc if doc is not None and (doc.level == "municipal" or doc.name.endswith("市")) else None
    return dict(
        name=place + "人民政府",
        kind="government",
        function="government",
        level="county",
        region=place,
        parent_region=city.name if city else None,
    )


def _sub_unit(key: str, regions, resolve) -> Optional[dict]:
    """市公安局交通管理局, 广西机场管理集团公司北海机场: a unit of a body the tables know."""
    from kg.curated.agency_names import _region_in

    for i in range(len(key) - 2, 1, -1):
        head, rest = key[:i], key[i:]
        if not HEAD_END.search(head):
            continue
        r = resolve(head)
        if not r.mapped or r.generic:
            continue
        if r.kind in ENTERPRISES:
            hit = _region_in(rest, regions)
            region = hit[0] if hit else regions.get(r.region) if r.region else None
            return dict(
                name=key,
                kind=r.kind,
                level=region.level if region else r.level,
                region=region.name if region else r.region,
                function=r.function,
                part_of=r.name,
            )
        return dict(
            name=r.name + rest,
            kind="internal_division",
            function=r.function,
            level=r.level,
            region=r.region,
            part_of=r.name,
        )
    return None


def _where(key: str, doc_level: Optional[str], doc, regions) -> tuple[Optional[str], Optional[str]]:
    """(level, region) of a body from the region its name carries, its 省/市 prefix, or the document."""
    from kg.curated.agency_names import NAME_PREFIX, _region_for_level, _region_in

    hit = _region_in(key, regions)
    if hit is not None:
        return hit[0].level, hit[0].name
    for p, level in NAME_PREFIX:
        if key.startswith(p):
            city = (
                next((r for r in regions.ancestors(doc) if r.level == "provincial" and r.name.endswith("市")), None)
                if doc
                else None
            )
            if level == "municipal" and city is not None:
                return "provincial", city.name
            return level, _region_for_level(level, doc, regions)
    return (doc.level, doc.name) if doc is not None else (doc_level, None)


class KindTable:
    """agency_kinds.csv: words a name holds (read first), then endings, longest first."""

    def __init__(self, contains: list, suffixes: list):
        self.contains = contains
        self.suffixes = sorted(suffixes, key=lambda row: -len(row[0]))

    def match(self, key: str) -> Optional[tuple[str, str]]:
        for word, kind, function in self.contains:
            if word in key:
                return kind, function
        for word, kind, function in self.suffixes:
            if key.endswith(word) and len(key) > len(word):
                return kind, function
        return None


@lru_cache(maxsize=4)
def _cached(path: str) -> KindTable:
    from kg.curated.agency_functions import load_functions

    rows = Rows(Path(path), KIND_COLUMNS)
    functions = load_functions()
    contains, suffixes = [], []
    for line, row in rows:
        rows.require(line, row, ("word", "where", "kind"))
        _check_choice(rows, line, "where", row["where"], ("contains", "suffix"))
        _check_choice(rows, line, "kind", row["kind"], KINDS)
        if row["function"] and row["function"] not in functions.by_id:
            raise rows.error(line, "function", f'unknown function "{row["function"]}"')
        (contains if row["where"] == "contains" else suffixes).append((row["word"], row["kind"], row["function"]))
    return KindTable(contains, suffixes)


def load_kinds(path: Union[str, Path, None] = None) -> KindTable:
    """agency_kinds.csv (default: the installed ``mappings/``; cached), validated."""
    return _cached(str(Path(path) if path is not None else mapping_path("agency_kinds.csv")))
