"""Responsibility lists: who leads and who supports each measure.

A measure usually closes with a parenthesised list such as （省发展改革委、省能源局等按职责
分工负责）. The printed order carries meaning — the first body leads, the rest support —
unless the list says so itself (（X牵头，Y、Z配合）). Names are resolved through
``mappings/agencies.csv`` so that 市发改委 and 市发展和改革委员会 count as one agency; a name
missing from the table is kept and flagged unmapped, never dropped, so the table's gaps
show up in the output instead of silently thinning the graph.

>>> from kg.normalize import normalize
>>> t = normalize("推进农业节水。（市发改委、市农业农村局等按职责分工负责）")
>>> [lst.raw for lst in find_responsibility_lists(t, 0, len(t.text))]
['市发改委、市农业农村局等按职责分工负责']
>>> [(a.name, a.role) for a in parse_agencies(t, find_responsibility_lists(t)[0], "municipal", "上饶市")]
[('市发展改革委', 'lead'), ('市农业农村局', 'support')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Optional

from .mappings import LEVEL_PREFIX, AgencyTable, Region, load_agencies
from .model import AgencyRef
from .normalize import Text
from .responsibility import RespList, find_responsibility_lists  # noqa: F401  (list finding lives there)

LEVEL_BY_PREFIX = (("国家", "national"), ("省", "provincial"), ("市", "municipal"), ("县", "county"), ("区", "county"))


@dataclass(frozen=True)
class Resolved:
    """What the curated table says about one printed agency name."""

    raw: str
    name: str  # canonical name, or ``raw`` when unmapped
    mapped: bool
    generic: bool
    level: Optional[str]
    region: Optional[str]
    kind: Optional[str]
    counterpart: Optional[str]


def parse_agencies(text: Text, lst: RespList, doc_level: Optional[str] = None,
                   doc_region: Optional[str] = None) -> list[AgencyRef]:
    """The list's agencies in printed order, with the roles ``kg.responsibility`` decided."""
    out = []
    for it in lst.items:
        raw = lst.name(it)
        r = resolve_name(raw, doc_level, doc_region)
        out.append(AgencyRef(
            raw=raw, name=r.name, role="lead" if it.lead else "support",
            span=text.raw_span(lst.content_start + it.start, lst.content_start + it.end),
            generic=r.generic, mapped=r.mapped, level=r.level, region=r.region, kind=r.kind,
            counterpart=r.counterpart,
        ))
    return out


def resolve_name(raw: str, doc_level: Optional[str] = None, doc_region: Optional[str] = None,
                 table: Optional[AgencyTable] = None) -> Resolved:
    """Resolve one printed name ("市发改委", "江西省发展和改革委员会") in a document's context.

    ``doc_level``/``doc_region`` fill in what the name leaves open: 市生态环境局 in a 上饶市
    document is 上饶市's; 省生态环境厅 there is 江西省's.
    """
    return _resolve(raw, doc_level, doc_region, table or load_agencies())


@lru_cache(maxsize=4096)
def _resolve(raw: str, doc_level: Optional[str], doc_region: Optional[str], table: AgencyTable) -> Resolved:
    regions = table.regions
    key = re.sub(r"\s+", "", raw).replace("(", "（").replace(")", "）")
    doc = regions.get(doc_region) if doc_region else None
    context = tuple(r.name for r in regions.ancestors(doc)) if doc else ()
    entry = table.lookup(key, context)
    prefix = _region_prefix(key, regions) if entry is None else None
    if prefix is not None:
        region, stripped = prefix
        entry = table.lookup(stripped, tuple(r.name for r in regions.ancestors(region)))
    level = (entry.level if entry else None) or (prefix[0].level if prefix else None)
    level = level or _level_from_prefix(key) or doc_level
    if entry is not None and entry.region:
        region_name = entry.region
    elif prefix is not None:
        region_name = prefix[0].name
    else:
        region_name = _region_for_level(level, doc, regions)
    generic = key.startswith("各") or (entry is not None and entry.kind == "generic")
    return Resolved(
        raw=raw, name=entry.name if entry else raw, mapped=entry is not None, generic=generic,
        level=level, region=region_name, kind=entry.kind if entry else None,
        counterpart=(entry.counterpart or None) if entry else None,
    )


def _region_prefix(key: str, regions) -> Optional[tuple[Region, str]]:
    """The first full region name in ``key`` and the level-generic name without it:
    "江西省发展和改革委员会" → (江西省, "省发展和改革委员会"); "中共江西省委办公厅" → "中共省委办公厅"."""
    hits = [(p, -len(r.name), r) for r in regions if (p := key.find(r.name)) >= 0]
    if not hits:
        return None
    p, _, region = min(hits, key=lambda h: (h[0], h[1]))
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
