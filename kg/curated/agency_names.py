"""Agency names resolved to a function held by a region at a level.

A printed name (市工信局, 江西省发展和改革委员会, 自治区工业和信息化厅, 人民银行南宁中心支行,
a bare 生态环境局 in a city's list) becomes (function, region, level): the function from
``mappings/agency_functions.csv``, the region from the name itself (through regions.csv) or
else from the issuing document, the level from the name's prefix, the region, or the level
the name is used at. The canonical name is the one that level uses (市工业和信息化局 of 上饶市;
自治区发展改革委 of 广西), and the counterpart one level up follows from the shared function.
``mappings/agencies.csv`` holds the exceptions and is read first; a name neither table knows
is kept and flagged unmapped.

>>> r = resolve_name("工信局", "municipal", "梧州市")
>>> (r.name, r.function, r.region, r.counterpart)
('市工业和信息化局', 'industry_it', '梧州市', '自治区工业和信息化厅')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from kg.core.model import AgencyRef, Span
from kg.curated.agency_functions import Function, FunctionTable, load_functions
from kg.curated.agency_kinds import classify
from kg.curated.mappings import LEVEL_PREFIX, LEVELS, AgencyTable, Region, load_agencies

LEVEL_BY_PREFIX = (("国家", "national"), ("省", "provincial"), ("市", "municipal"), ("县", "county"), ("区", "county"))
# prefixes a region-less name starts with, and the level each means
NAME_PREFIX = (
    ("自治区", "provincial"),
    ("省", "provincial"),
    ("市", "municipal"),
    ("州", "municipal"),
    ("盟", "municipal"),
    ("县", "county"),
    ("区", "county"),
    ("旗", "county"),
)
GENERIC = re.compile(r"有关|相关")  # 有关区人民政府, 市级有关部门: whichever bodies it concerns
ANNOTATION = re.compile(r"[〔（][^〔〕（）]*[〕）]$")  # 发展改革委〔能源局〕: the office it also is


@dataclass(frozen=True)
class Resolved:
    """What the tables say about one printed agency name."""

    raw: str
    name: str  # canonical name, or ``raw`` when unmapped
    mapped: bool
    generic: bool
    level: Optional[str]
    region: Optional[str]
    kind: Optional[str]
    counterpart: Optional[str]
    function: Optional[str] = None  # id in agency_functions.csv
    part_of: Optional[str] = None  # the body a division or unit belongs to (kg.curated.agency_kinds)
    parent_region: Optional[str] = None  # a county's city, when the county is not in regions.csv

    def ref(self, role: str, span: Span) -> AgencyRef:
        """This agency as printed at ``span`` with ``role`` (lead | support) in a measure."""
        return AgencyRef(
            raw=self.raw,
            name=self.name,
            role=role,
            span=span,
            generic=self.generic,
            mapped=self.mapped,
            level=self.level,
            region=self.region,
            kind=self.kind,
            counterpart=self.counterpart,
            function=self.function,
            part_of=self.part_of,
            parent_region=self.parent_region,
        )


def resolve_name(
    raw: str,
    doc_level: Optional[str] = None,
    doc_region: Optional[str] = None,
    table: Optional[AgencyTable] = None,
    functions_only: bool = False,
    doc_issuer: Optional[str] = None,
) -> Resolved:
    """Resolve one printed name ("市发改委", "江西省发展和改革委员会") in a document's context.

    ``doc_level``/``doc_region`` fill in what the name leaves open: 市生态环境局 in a 上饶市
    document is 上饶市's; 省生态环境厅 there is 江西省's; 发展改革委 in a 自治区 document is the
    自治区's. ``doc_issuer`` is the issuing department (``issuing_department``): 气候处 in its
    work plan is its division. ``functions_only`` skips the exceptions of agencies.csv (to tell
    which are redundant) and the kinds told by a name's shape (``kg.curated.agency_kinds``).
    """
    return _resolve(raw, doc_level, doc_region, table or load_agencies(), load_functions(), functions_only, doc_issuer)


ISSUER_IN_TITLE = re.compile(r"^(?:关于印发)?《?(.{2,20}?(?:厅|局|委员会|委))")
ISSUING_KINDS = ("government_department", "vertical_branch", "party_organ", "public_institution")


def issuing_department(
    issuers,
    title: str,
    doc_level: Optional[str] = None,
    doc_region: Optional[str] = None,
    table: Optional[AgencyTable] = None,
) -> Optional[str]:
    """The department that issued a document (its own work plan names its divisions), from the
    issuers or the name opening the title (辽宁省自然资源厅2021年度…工作计划); None for a government."""
    m = ISSUER_IN_TITLE.match(re.sub(r"\s+", "", title or ""))
    for name in (*issuers, *((m[1],) if m else ())):
        r = resolve_name(name, doc_level, doc_region, table)
        if r.mapped and not r.generic and r.kind in ISSUING_KINDS:
            return name
    return None


@lru_cache(maxsize=8192)
def _resolve(
    raw: str,
    doc_level: Optional[str],
    doc_region: Optional[str],
    table: AgencyTable,
    functions: FunctionTable,
    functions_only: bool = False,
    doc_issuer: Optional[str] = None,
) -> Resolved:
    regions = table.regions
    key = re.sub(r"\s+", "", raw).replace("(", "（").replace(")", "）")
    doc = regions.get(doc_region) if doc_region else None
    context = tuple(r.name for r in regions.ancestors(doc)) if doc else ()
    # rows made from the function table are left to ``_parse``, which places them in their region
    entry = None if functions_only else table.lookup(key, context, curated=True)
    prefix = _region_prefix(key, regions) if entry is None else None
    if prefix is not None and not functions_only:
        entry = table.lookup(prefix[1], tuple(r.name for r in regions.ancestors(prefix[0])), curated=True)
    generic = key.startswith("各") or GENERIC.search(key) is not None or (entry is not None and entry.kind == "generic")
    if entry is None:
        for k in dict.fromkeys((key, ANNOTATION.sub("", key))):
            found = _parse(k, doc_level, doc, functions, regions)
            if found is not None:
                f, level, region = found
                return Resolved(
                    raw=raw,
                    name=functions.canonical(f, level, region) or k,
                    mapped=True,
                    generic=generic,
                    level=level,
                    region=region.name if region else None,
                    kind=f.kind,
                    counterpart=functions.counterpart(f, level, region, regions),
                    function=f.id,
                )
    level = (entry.level if entry else None) or (prefix[0].level if prefix else None)
    level = level or _level_from_prefix(key) or doc_level
    if entry is not None and entry.region:
        region_name = entry.region
    elif prefix is not None:
        region_name = prefix[0].name
    else:
        region_name = _region_for_level(level, doc, regions)
    if entry is None and not functions_only:
        issuer = _resolve(doc_issuer, doc_level, doc_region, table, functions) if doc_issuer else None
        found = classify(
            key,
            doc_level,
            doc,
            issuer,
            regions,
            lambda n: _resolve(n, doc_level, doc_region, table, functions, False, doc_issuer),
            generic,
        )
        if found is not None:
            return Resolved(raw=raw, mapped=True, **{"generic": generic, "counterpart": None, **found})
    function = None
    if entry is not None:
        function = entry.function or _function_of(entry.name, entry.level, functions, regions)
    return Resolved(
        raw=raw,
        name=entry.name if entry else raw,
        mapped=entry is not None,
        generic=generic,
        level=level,
        region=region_name,
        kind=entry.kind if entry else None,
        counterpart=(entry.counterpart or None) if entry else None,
        function=function,
    )


def _function_of(name: str, level: str, functions: FunctionTable, regions) -> Optional[str]:
    found = _parse(name, level or None, None, functions, regions)
    return found[0].id if found else None


def _parse(
    key: str, doc_level: Optional[str], doc: Optional[Region], functions: FunctionTable, regions
) -> Optional[tuple[Function, str, Optional[Region]]]:
    """(function, level, region) of a name the function table knows, else None."""
    if key in functions.national:
        return functions.national[key], "national", regions.national()
    hit = _region_in(key, regions)
    if hit is not None:
        region, rest = hit
        f = functions.by_stem.get(rest)
        if f is None:
            return None
        levels = functions.levels_of[rest]
        if region.level not in levels:  # 中国人民银行沈阳分行: a provincial body named after a city
            up = next((r for r in regions.ancestors(region) if r.level in levels), None)
            region = up or region
        return f, region.level, region
    for p, level in NAME_PREFIX:
        rest = key.removeprefix("中共")
        if rest.startswith(p) and (f := functions.by_stem.get(rest[len(p) :])) is not None:
            return _placed(f, level, doc, regions)
    f = functions.by_stem.get(key)
    if f is None:
        return None
    levels = functions.levels_of[key]
    if doc_level in levels:
        level = doc_level
    elif doc_level in LEVELS:  # 生态环境厅 in a city's list is the province's
        level = min(levels, key=lambda lv: (abs(LEVELS.index(lv) - LEVELS.index(doc_level)), LEVELS.index(lv)))
    else:
        level = min(levels, key=LEVELS.index)
    return _placed(f, level, doc, regions)


def _placed(f: Function, level: str, doc: Optional[Region], regions) -> tuple[Function, str, Optional[Region]]:
    """A region-less name placed by the issuing document: in a municipality directly under the
    central government (上海市) a 市 body is the provincial-level one."""
    city = (
        next((r for r in regions.ancestors(doc) if r.level == "provincial" and r.name.endswith("市")), None)
        if doc
        else None
    )
    if level == "municipal" and city is not None:
        return f, "provincial", city
    name = _region_for_level(level, doc, regions)
    return f, level, regions.get(name) if name else None


def _region_in(key: str, regions) -> Optional[tuple[Region, str]]:
    """The region a name carries and the name without it: "江西省发展和改革委员会" → (江西省,
    "发展和改革委员会"); "人民银行南宁中心支行" → (南宁市, "人民银行中心支行"). Full names first,
    then short names of two characters or more; a region nested right after another wins."""
    for short in (False, True):
        hits = _occurrences(key, _name_index(regions, short, False))
        if hits:
            p, _, n, region = hits[0]
            rest = key[:p] + key[p + len(n) :]
            for q, _, m, inner in hits[1:]:
                if q == p + len(n) and region in regions.ancestors(inner)[1:]:
                    region, rest = inner, key[:p] + key[q + len(m) :]
                    break
            return region, rest
    return None


@lru_cache(maxsize=16)
def _name_index(regions, short: bool, national: bool) -> tuple[dict[str, list[tuple[int, Region]]], dict]:
    """The names of ``regions`` (full, or short: ``_short_names``) → [(rank, region)], the rank
    being the order in which the table lists them, and per first character the lengths of the
    names it starts, longest first.
    Made once per table (a ``mappings`` folder of one's own has its own): names are looked up
    in every agency name of every document, and a table lists hundreds of regions."""
    index: dict[str, list[tuple[int, Region]]] = {}
    rank = 0
    for r in regions:
        if r.level == "national" and not national:
            continue
        for n in _short_names(r) if short else (r.name,):
            index.setdefault(n, []).append((rank, r))
            rank += 1
    lengths: dict[str, set[int]] = {}  # first character → lengths of the names it starts
    for n in index:
        lengths.setdefault(n[0], set()).add(len(n))
    return index, {c: tuple(sorted(ls, reverse=True)) for c, ls in lengths.items()}


def _occurrences(key: str, indexed) -> list[tuple[int, int, str, Region]]:
    """(position, -length, name, region) of the first occurrence in ``key`` of every indexed
    name, by position, longest first, then in table order: what a ``key.find`` of each name
    in turn, sorted, gives, with one dictionary look-up per substring of ``key`` instead."""
    index, lengths = indexed
    seen: set[str] = set()
    hits = []
    for i, c in enumerate(key):
        for n in lengths.get(c, ()):
            name = key[i : i + n]
            if len(name) == n and name not in seen and name in index:
                seen.add(name)
                hits.extend((i, -n, rank, name, r) for rank, r in index[name])
    hits.sort(key=lambda h: (h[0], h[1], h[2]))
    return [(p, m, name, r) for p, m, _, name, r in hits]


def _short_names(r: Region) -> tuple[str, ...]:
    """Short names of two characters or more; a city's name without 市 also where regions.csv
    leaves its short name blank as a common word (来宾), since an agency name is no running text."""
    bare = (r.name[:-1],) if r.level == "municipal" and r.name.endswith("市") and len(r.name) >= 3 else ()
    return tuple(n for n in dict.fromkeys((*r.names[1:], *bare)) if len(n) >= 2)


def _region_prefix(key: str, regions) -> Optional[tuple[Region, str]]:
    """The first full region name in ``key`` and the level-generic name without it:
    "江西省发展和改革委员会" → (江西省, "省发展和改革委员会"); "中共江西省委办公厅" → "中共省委办公厅"."""
    hits = _occurrences(key, _name_index(regions, False, True))
    if not hits:
        return None
    p, _, _, region = hits[0]
    stripped = key[:p] + LEVEL_PREFIX[region.level] + key[p + len(region.name) :]
    return (region, stripped) if stripped else None


def _level_from_prefix(name: str) -> Optional[str]:
    name = name.removeprefix("中共")
    return next((level for prefix, level in LEVEL_BY_PREFIX if name.startswith(prefix)), None)


def _region_for_level(level: Optional[str], doc: Optional[Region], regions) -> Optional[str]:
    """The document's region, or its ancestor at ``level`` (省X in a 上饶市 document → 江西省)."""
    if level == "national":
        top = regions.national()
        return top.name if top else None
    if doc is None or level is None:
        return None
    return next((r.name for r in regions.ancestors(doc) if r.level == level), None)
