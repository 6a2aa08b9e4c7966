"""The functions of Chinese government (发展改革, 生态环境, 人民银行分支机构 …) and the names
each level gives them, from ``mappings/agency_functions.csv``.

An agency is a function held by a region at a level; one row per function replaces a row per
agency and region, so 34 provinces and 333 cities need no table of their own. Sub-national
names are stems without the region (发展改革委 for 省发展改革委, 江西省发展改革委, 南宁市发展改革委);
``{}``/``{*}`` mark where a region's short/full name sits in names that carry it (江西银保监局).

>>> f = load_functions()
>>> f.by_stem["经信局"].id, f.canonical(f["industry_it"], "municipal", None)
('industry_it', '市工业和信息化局')
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterator, Optional, Union

from kg.core.resources import mapping_path
from kg.curated.mappings import KINDS, LEVELS, Rows, _check_choice, _split_aliases

FUNCTION_COLUMNS = ("function", "label", "kind", *LEVELS, "note")
OPTIONAL_COLUMNS = ("up",)


@dataclass(frozen=True)
class Function:
    """One row: ``names[level]`` lists that level's names, canonical first; ``up`` is the
    function whose body one level up is the counterpart when this one has none there
    (城市管理 → 住房城乡建设)."""

    id: str
    label: str
    kind: str
    names: dict  # level → tuple of names (templates keep {} / {*})
    up: str = ""

    def __hash__(self) -> int:
        return hash(self.id)

    def level_names(self, level: str) -> tuple[str, ...]:
        if level == "county" and not self.names["county"]:
            return self.names["municipal"]
        return self.names[level]


def stem(name: str) -> str:
    """A name as looked up once its region is taken out ("{}银保监局" → "银保监局")."""
    return name.replace("{*}", "").replace("{}", "")


def region_prefix(level: str, region) -> str:
    """How a level-generic name starts in ``region``: 省, 自治区, 市 (a city, or a
    municipality directly under the central government), 县."""
    if level == "provincial":
        if region is not None and region.name.endswith("自治区"):
            return "自治区"
        return "市" if region is not None and region.name.endswith("市") else "省"
    return {"municipal": "市", "county": "县"}.get(level, "")


class FunctionTable:
    """agency_functions.csv indexed by id and by every stem (each stem names one function)."""

    def __init__(self, functions: list[Function]):
        self.functions = functions
        self.by_id = {f.id: f for f in functions}
        self.by_stem: dict[str, Function] = {}
        self.levels_of: dict[str, set[str]] = {}  # stem → levels listing it
        self.national: dict[str, Function] = {}
        for f in functions:
            for n in f.names["national"]:
                self.national.setdefault(n, f)
            for level in LEVELS[1:]:
                for n in f.level_names(level):
                    self.by_stem.setdefault(stem(n), f)
                    self.levels_of.setdefault(stem(n), set()).add(level)

    def __getitem__(self, fid: str) -> Function:
        return self.by_id[fid]

    def __iter__(self) -> Iterator[Function]:
        return iter(self.functions)

    def __len__(self) -> int:
        return len(self.functions)

    def canonical(self, f: Function, level: str, region) -> Optional[str]:
        """The name ``f`` goes by at ``level`` in ``region`` (None when that level has no such body
        or the name needs a region that is unknown)."""
        names = f.level_names(level)
        if not names:
            return None
        name = names[0]
        if level == "national":
            return name
        if "{" in name:
            if region is None:
                return None
            short = region.short_name or (
                region.name[:-1] if region.level == "municipal" and len(region.name) >= 3 else region.name
            )
            return name.replace("{*}", region.name).replace("{}", short)
        return region_prefix(level, region) + name

    def counterpart(self, f: Function, level: str, region, regions) -> Optional[str]:
        """The canonical name of the same function one level up (in the parent region); where
        that level has no such body, the function ``up`` names there, else the next level up
        that has one (a 直属海关 answers to 海关总署)."""
        if level not in LEVELS or level == "national":
            return None
        here = region
        for i in range(LEVELS.index(level) - 1, -1, -1):
            parent = regions.parent(here) if here is not None else None
            up_level = parent.level if parent is not None else LEVELS[i]
            up_f = f if f.level_names(up_level) else (self.by_id.get(f.up) if i == LEVELS.index(level) - 1 else None)
            if up_f is not None:
                return self.canonical(up_f, up_level, parent)
            if f.names["national"] and any(f.names[lv] for lv in LEVELS[1 : LEVELS.index(up_level)]):
                return None  # the chain has a gap here: no counterpart rather than a guess
            here = parent
        return None


def _load_functions(path: Path) -> FunctionTable:
    rows = Rows(path, FUNCTION_COLUMNS, OPTIONAL_COLUMNS)
    functions: list[Function] = []
    lines: dict[str, int] = {}
    owners: dict[str, tuple[str, int]] = {}
    for line, row in rows:
        rows.require(line, row, ("function", "label", "kind"))
        _check_choice(rows, line, "kind", row["kind"], KINDS)
        fid = row["function"]
        if fid in lines:
            raise rows.error(line, "function", f'duplicate function "{fid}" (first on line {lines[fid]})')
        names = {level: _split_aliases(rows, line, row[level], level) for level in LEVELS}
        for level in LEVELS[1:]:
            for n in names[level]:
                owner = owners.get(stem(n))
                if owner is not None and owner[0] != fid:
                    raise rows.error(line, level, f'"{stem(n)}" already names function {owner[0]} (line {owner[1]})')
                owners[stem(n)] = (fid, line)
        functions.append(Function(fid, row["label"], row["kind"], names, row.get("up", "")))
        lines[fid] = line
    for f in functions:
        if f.up and f.up not in lines:
            raise rows.error(lines[f.id], "up", f'unknown function "{f.up}"')
    return FunctionTable(functions)


@lru_cache(maxsize=8)
def _cached(path: str) -> FunctionTable:
    return _load_functions(Path(path))


def load_functions(path: Union[str, Path, None] = None) -> FunctionTable:
    """agency_functions.csv (default: the installed ``mappings/``; cached), validated."""
    return _cached(str(Path(path) if path is not None else mapping_path("agency_functions.csv")))


def generated_entries(functions: FunctionTable, taken: dict) -> list:
    """The level-generic rows the function table implies (省发展改革委 with its aliases and
    counterpart 国家发展改革委), minus names ``taken`` by agencies.csv in the region-less scope,
    so code that looks agencies up by canonical name finds them."""
    from kg.curated.mappings import AgencyEntry

    out, seen = [], {key for (scope, key) in taken if not scope}
    for f in functions:
        for level in LEVELS:
            names = [
                n if level == "national" else region_prefix(level, None) + n
                for n in f.level_names(level)
                if "{" not in n
            ]
            if not names or names[0] in seen:
                continue
            aliases = tuple(n for n in dict.fromkeys(names[1:]) if n not in seen and n != names[0])
            seen.update((names[0], *aliases))
            up = functions.counterpart(f, level, None, _NoRegions) or ""
            out.append(AgencyEntry(names[0], aliases, level, "", f.kind, up if "{" not in up else "", "", f.id, True))
    return out


class _NoRegions:
    @staticmethod
    def parent(region):
        return None
