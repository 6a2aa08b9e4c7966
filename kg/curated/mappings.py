"""The curated tables in ``mappings/``, loaded once and validated on load.

Researchers edit ``agencies.csv`` and ``regions.csv`` by hand, so every mistake is
reported as one ``MappingError`` line naming the file, line and column, instead of
surfacing later as a silently unmapped agency.

>>> region_by_name("赣").name
'江西省'
>>> find_region_in("上饶市人民政府印发关于…《江西省人民政府…》的通知").name
'上饶市'
>>> parent_region("上饶市").name
'江西省'
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Iterator, Optional, Union

from kg.core.errors import MappingError
from kg.core.resources import mapping_path

LEVELS = ("national", "provincial", "municipal", "county")
KINDS = (
    "government",
    "government_department",
    "vertical_branch",
    "court",
    "procuratorate",
    "party_organ",
    "state_enterprise",
    "public_institution",
    "mass_organization",
    "cooperative",
    "generic",
    "internal_division",
    "zone_committee",
    "enterprise",
)
AGENCY_COLUMNS = ("name", "aliases", "level", "region", "kind", "counterpart", "note")
AGENCY_OPTIONAL = ("function",)  # an exception's function id (agency_functions.csv), when it has one
REGION_COLUMNS = ("code", "name", "short_name", "level", "parent_code", "aliases")
UNIT_COLUMNS = ("unit", "kind")
UNIT_KINDS = ("count", "measure", "percent", "ratio", "money", "scale")
# the character a level-generic name starts with ("江西省发展改革委" → "省发展改革委")
LEVEL_PREFIX = {"national": "", "provincial": "省", "municipal": "市", "county": "县"}


@dataclass(frozen=True)
class AgencyEntry:
    """One row of agencies.csv. ``region`` is "" for a level-generic row (市X in any city)."""

    name: str
    aliases: tuple[str, ...]
    level: str  # "" only for generic rows whose level comes from the document
    region: str
    kind: str
    counterpart: str
    note: str
    function: str = ""  # id in agency_functions.csv
    generated: bool = False  # made from agency_functions.csv, not a row of agencies.csv


@dataclass(frozen=True)
class Region:
    """One row of regions.csv (GB/T 2260 code). ``short_name`` may be blank when it
    would be ambiguous (吉林市 vs 吉林省)."""

    code: str
    name: str
    short_name: str
    level: str
    parent_code: str
    aliases: tuple[str, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.name, self.short_name, *self.aliases) if n)


class Rows:
    """CSV rows as dicts with their line numbers; header and field counts checked."""

    def __init__(self, path: Path, columns: tuple[str, ...], optional: tuple[str, ...] = ()):
        self.path, self.columns, self.optional = Path(path), columns, optional
        self.label = _display(self.path)

    def error(self, line: int, column: Optional[str], problem: str) -> MappingError:
        where = f'line {line}, column "{column}"' if column else f"line {line}"
        return MappingError(f"{self.label} {where}: {problem}")

    def require(self, line: int, row: dict[str, str], columns: tuple[str, ...]) -> None:
        """Raise the one-line error for the first of ``columns`` left empty in ``row``."""
        for col in columns:
            if not row[col]:
                raise self.error(line, col, "empty")

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        try:
            text = self.path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise MappingError(f"{self.label}: file not found") from None
        except UnicodeDecodeError as e:
            raise MappingError(f"{self.label}: not UTF-8 text (byte {e.start})") from None
        reader = csv.reader(text.splitlines(keepends=True))
        header = [h.strip() for h in next(reader, [])]
        for col in self.columns:
            if col not in header:
                raise self.error(1, col, f"missing column (expected {','.join(self.columns)})")
        for col in header:
            if col not in self.columns + self.optional:
                raise self.error(1, col, f"unknown column (expected {','.join(self.columns)})")
        if len(set(header)) != len(header):
            dup = next(h for h in header if header.count(h) > 1)
            raise self.error(1, dup, "column appears twice")
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                continue
            if len(cells) != len(header):
                raise self.error(line, None, f"{len(cells)} fields, the header has {len(header)}")
            yield line, {**dict.fromkeys(self.optional, ""), **{h: c.strip() for h, c in zip(header, cells)}}


def _display(path: Path) -> str:
    """The path as a user would type it: relative to the working directory when inside it."""
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _split_aliases(rows: Rows, line: int, value: str, column: str = "aliases") -> tuple[str, ...]:
    if not value:
        return ()
    parts = tuple(p.strip() for p in value.split("|"))
    if not all(parts):
        what = ("alias", "aliases") if column == "aliases" else ("name", "names")
        raise rows.error(line, column, f'empty {what[0]} in "{value}" (separate {what[1]} with |)')
    return parts


def _check_choice(rows: Rows, line: int, column: str, value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise rows.error(line, column, f'unknown {column} "{value}" (expected one of {", ".join(allowed)})')


class RegionTable:
    """regions.csv indexed by code and by every name a region goes by."""

    def __init__(self, regions: list[Region]):
        self.regions = regions
        self.by_code = {r.code: r for r in regions}
        self.by_any = {n: r for r in regions for n in r.names}

    def __len__(self) -> int:
        return len(self.regions)

    def __iter__(self) -> Iterator[Region]:
        return iter(self.regions)

    def get(self, name: str) -> Optional[Region]:
        return self.by_any.get(name)

    def parent(self, region: Region) -> Optional[Region]:
        return self.by_code.get(region.parent_code)

    def ancestors(self, region: Region) -> list[Region]:
        """``region`` and every region above it, nearest first."""
        out = [region]
        while (up := self.parent(out[-1])) is not None and up not in out:
            out.append(up)
        return out

    def national(self) -> Optional[Region]:
        return next((r for r in self.regions if r.level == "national"), None)

    def find_in(self, text: str) -> Optional[Region]:
        """Region a string is about: its first full region name, or a region nested
        straight after it ("江西省上饶市…" → 上饶市); short names only when no full name
        occurs, then the most specific one wins ("中国人民银行南昌中心支行" → 南昌市)."""
        full = self._hits(text, short=False)
        if full:
            pos, first = full[0]
            end = pos + len(first.name)
            for p, r in full[1:]:
                if p == end and first in self.ancestors(r)[1:]:
                    return r
            return first
        short = self._hits(text, short=True)
        if not short:
            return None
        return max(short, key=lambda h: (LEVELS.index(h[1].level), -h[0]))[1]

    def _hits(self, text: str, short: bool) -> list[tuple[int, Region]]:
        """(where its first name occurs, region) for every region ``text`` names by its full
        name (or by a short name or alias of two characters or more), by position, the longer
        full name first, then in table order."""
        index, lengths = self._name_index[short]
        first: dict[int, int] = {}  # rank in the table → first position
        for i, c in enumerate(text):
            for n in lengths.get(c, ()):
                for rank in index.get(text[i : i + n], ()):
                    first.setdefault(rank, i)
        hits = sorted(first.items(), key=lambda h: (h[1], -len(self.regions[h[0]].name), h[0]))
        return [(p, self.regions[rank]) for rank, p in hits]

    @cached_property
    def _name_index(self) -> tuple[tuple[dict[str, list[int]], dict[str, list[int]]], ...]:
        """Per kind of name (full; short and aliases): name → ranks of the regions it names,
        and per first character the lengths of the names it starts, longest first. Made once
        per table: titles and issuers of every document are looked up in it."""
        out = []
        for short in (False, True):
            index: dict[str, list[int]] = {}
            for rank, r in enumerate(self.regions):
                for n in (n for n in r.names[1:] if len(n) >= 2) if short else (r.name,):
                    index.setdefault(n, []).append(rank)
            lengths: dict[str, set[int]] = {}
            for n in index:
                lengths.setdefault(n[0], set()).add(len(n))
            out.append((index, {c: sorted(ls, reverse=True) for c, ls in lengths.items()}))
        return tuple(out)


class AgencyTable:
    """agencies.csv indexed by canonical name and alias, per region scope."""

    def __init__(self, entries: list[AgencyEntry], regions: RegionTable):
        self.entries, self.regions = entries, regions
        self.by_name = {e.name: e for e in entries}
        self.index: dict[str, list[AgencyEntry]] = {}
        for e in entries:
            for key in (e.name, *e.aliases):
                self.index.setdefault(key, []).append(e)

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[AgencyEntry]:
        return iter(self.entries)

    def lookup(self, key: str, regions: tuple[str, ...] = (), curated: bool = False) -> Optional[AgencyEntry]:
        """The row named ``key``: one scoped to the first of ``regions`` that has it,
        else the level-generic row, else the only (or first) region-specific one.
        ``curated``: rows of agencies.csv itself only, not those made from the function table."""
        found = [e for e in self.index.get(key, ()) if not (curated and e.generated)]
        if not found:
            return None
        for region in regions:
            for e in found:
                if e.region == region:
                    return e
        return next((e for e in found if not e.region), found[0])


def _load_regions(path: Path) -> RegionTable:
    rows = Rows(path, REGION_COLUMNS)
    regions: list[Region] = []
    lines: dict[str, int] = {}
    names: dict[str, str] = {}
    for line, row in rows:
        code = row["code"]
        if not re.fullmatch(r"\d{6}", code):
            raise rows.error(line, "code", f'bad region code "{code}" (six digits, GB/T 2260)')
        if code in lines:
            raise rows.error(line, "code", f'duplicate code "{code}" (first on line {lines[code]})')
        if not row["name"]:
            raise rows.error(line, "name", "empty name")
        _check_choice(rows, line, "level", row["level"], LEVELS)
        if row["parent_code"] and not re.fullmatch(r"\d{6}", row["parent_code"]):
            raise rows.error(line, "parent_code", f'bad region code "{row["parent_code"]}"')
        region = Region(
            code,
            row["name"],
            row["short_name"],
            row["level"],
            row["parent_code"],
            _split_aliases(rows, line, row["aliases"]),
        )
        for col, value in [("name", region.name), ("short_name", region.short_name)] + [
            ("aliases", a) for a in region.aliases
        ]:
            if value and value in names and names[value] != code:
                raise rows.error(line, col, f'"{value}" already names region {names[value]}')
            if value:
                names[value] = code
        regions.append(region)
        lines[code] = line
    by_code = {r.code: r for r in regions}
    for r in regions:
        parent = by_code.get(r.parent_code)
        if r.parent_code and parent is None:
            raise rows.error(lines[r.code], "parent_code", f'unknown parent code "{r.parent_code}"')
        if parent is not None and LEVELS.index(parent.level) >= LEVELS.index(r.level):
            raise rows.error(
                lines[r.code], "parent_code", f"parent {parent.name} ({parent.level}) is not above {r.level}"
            )
    return RegionTable(regions)


def _load_agencies(path: Path, regions: RegionTable) -> AgencyTable:
    from kg.curated.agency_functions import generated_entries, load_functions

    rows = Rows(path, AGENCY_COLUMNS, AGENCY_OPTIONAL)
    sibling = path.with_name("agency_functions.csv")
    functions = load_functions(sibling if sibling.is_file() else None)
    entries: list[AgencyEntry] = []
    lines: dict[str, int] = {}
    keys: dict[tuple[str, str], tuple[str, int]] = {}  # (region scope, name or alias) → owner
    for line, row in rows:
        if not row["name"]:
            raise rows.error(line, "name", "empty name")
        _check_choice(rows, line, "kind", row["kind"], KINDS)
        if row["level"] or row["kind"] != "generic":
            _check_choice(rows, line, "level", row["level"], LEVELS)
        if row["region"] and regions.get(row["region"]) is None:
            raise rows.error(line, "region", f'unknown region "{row["region"]}" (not in regions.csv)')
        region = regions.get(row["region"]).name if row["region"] else ""
        if row["function"] and row["function"] not in functions.by_id:
            raise rows.error(line, "function", f'unknown function "{row["function"]}" (not in agency_functions.csv)')
        e = AgencyEntry(
            row["name"],
            _split_aliases(rows, line, row["aliases"]),
            row["level"],
            region,
            row["kind"],
            row["counterpart"],
            row["note"],
            row["function"],
        )
        if e.name in lines:
            raise rows.error(line, "name", f'duplicate name "{e.name}" (first on line {lines[e.name]})')
        for col, key in [("name", e.name)] + [("aliases", a) for a in e.aliases]:
            owner = keys.get((region, key))
            if owner is not None:
                scope = f" in region {region}" if region else ""
                raise rows.error(line, col, f'"{key}" already names {owner[0]} (line {owner[1]}){scope}')
            keys[(region, key)] = (e.name, line)
        entries.append(e)
        lines[e.name] = line
    generated = generated_entries(functions, keys)
    names = set(lines) | {e.name for e in generated}
    for e in entries:
        if e.counterpart and e.counterpart not in names:
            raise rows.error(
                lines[e.name], "counterpart", f'counterpart "{e.counterpart}" is not a canonical name in the table'
            )
        if e.counterpart == e.name:
            raise rows.error(lines[e.name], "counterpart", "an agency cannot be its own counterpart")
    return AgencyTable(entries + generated, regions)


def _load_units(path: Path) -> dict[str, str]:
    rows = Rows(path, UNIT_COLUMNS)
    units: dict[str, str] = {}
    lines: dict[str, int] = {}
    for line, row in rows:
        unit = row["unit"]
        if not unit:
            raise rows.error(line, "unit", "empty unit")
        _check_choice(rows, line, "kind", row["kind"], UNIT_KINDS)
        if unit in units:
            raise rows.error(line, "unit", f'duplicate unit "{unit}" (first on line {lines[unit]})')
        units[unit], lines[unit] = row["kind"], line
    return units


@lru_cache(maxsize=8)
def load_units(path: Union[str, Path, None] = None) -> dict[str, str]:
    """units.csv as ``unit → kind`` (cached), validated like the other tables."""
    return _load_units(Path(path) if path is not None else mapping_path("units.csv"))


@lru_cache(maxsize=8)
def _cached_regions(path: str) -> RegionTable:
    return _load_regions(Path(path))


@lru_cache(maxsize=8)
def _cached_agencies(path: str, regions_path: str) -> AgencyTable:
    return _load_agencies(Path(path), _cached_regions(regions_path))


def load_regions(path: Union[str, Path, None] = None) -> RegionTable:
    """regions.csv (default: the installed ``mappings/``; cached), validated."""
    if path is None:
        return _cached_regions(str(mapping_path("regions.csv")))
    return _load_regions(Path(path))


def load_agencies(path: Union[str, Path, None] = None) -> AgencyTable:
    """agencies.csv (the exceptions) and the level-generic rows agency_functions.csv implies
    (省发展改革委, 市发展改革委 …), validated against the regions.csv beside it (else the default one)."""
    if path is None:
        return _cached_agencies(str(mapping_path("agencies.csv")), str(mapping_path("regions.csv")))
    path = Path(path)
    sibling = path.with_name("regions.csv")
    regions = _load_regions(sibling) if sibling.is_file() else load_regions()
    return _load_agencies(path, regions)


def region_by_name(name: str) -> Optional[Region]:
    """Region by its name, short name or an alias ("上饶" / "上饶市", "赣" / "江西省")."""
    return load_regions().get(name.strip()) if name else None


def find_region_in(text: str) -> Optional[Region]:
    """Region a title or issuer names ("吉林省人民政府关于…" → 吉林省), or None."""
    return load_regions().find_in(text or "")


def parent_region(region: Union[Region, str, None]) -> Optional[Region]:
    """The region one level up (上饶市 → 江西省), or None at the top or when unknown."""
    table = load_regions()
    if isinstance(region, str):
        region = table.get(region)
    return table.parent(region) if region is not None else None


PREFIX_COLUMNS = ("prefix", "region", "note")


def _load_prefixes(path: Path, regions: RegionTable) -> dict[str, Region]:
    rows = Rows(path, PREFIX_COLUMNS)
    out: dict[str, Region] = {}
    lines: dict[str, int] = {}
    for line, row in rows:
        rows.require(line, row, ("prefix", "region"))
        region = regions.get(row["region"])
        if region is None:
            raise rows.error(line, "region", f'unknown region "{row["region"]}" (not in regions.csv)')
        if row["prefix"] in out:
            raise rows.error(
                line, "prefix", f'duplicate prefix "{row["prefix"]}" (first on line {lines[row["prefix"]]})'
            )
        out[row["prefix"]], lines[row["prefix"]] = region, line
    return out


@lru_cache(maxsize=8)
def load_doc_number_prefixes(path: Union[str, Path, None] = None) -> dict[str, Region]:
    """doc_number_prefixes.csv as ``prefix → Region`` (cached), validated against regions.csv."""
    return _load_prefixes(Path(path) if path is not None else mapping_path("doc_number_prefixes.csv"), load_regions())


def region_of_doc_number(number: Optional[str]) -> Optional[Region]:
    """Region a document number names by its prefix ("赣府发〔2021〕12号" → 江西省), or None.

    >>> region_of_doc_number("桂政办发〔2022〕3号").name
    '广西壮族自治区'
    """
    if not number:
        return None
    prefixes = load_doc_number_prefixes()
    for n in range(min(len(number), 4), 0, -1):
        if number[:n] in prefixes:
            return prefixes[number[:n]]
    return None
