"""Responsibility lists: who leads and who supports each measure.

A measure usually closes with a parenthesised list such as （省发展改革委、省能源局等按职责
分工负责）. The printed order carries meaning — the first body leads, the rest support —
unless the list says so itself (（X牵头，Y、Z配合）). Names are resolved by ``kg.agency_names``
(a function held by a region at a level) so that 市发改委 and 市发展和改革委员会 count as one agency; a name
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

from .agency_names import Resolved, resolve_name  # noqa: F401  (re-exported: resolution lives there)
from .mappings import AgencyTable, load_agencies
from .model import AgencyRef
from .normalize import Text

MAX_LIST = 400  # longest parenthetical considered (characters)
# what closes a clause of a list: 等…, then the duty phrase
CLAUSE_END = re.compile(
    r"(?P<deng>等(?:有关|相关)?(?:部门|单位)?)?"
    r"(?P<verb>(?:按照?(?:各自)?(?:职责|职能)(?:分工)?)?"
    r"(?:牵头负责|牵头|分别负责|共同负责|负责落实|抓好落实|负责|配合|参与|协同|协助|落实))$"
)
LEAD_VERB = "牵头"
NAME = re.compile(r"[\u3400-\u9fff\uf900-\ufaff（）、·]{2,40}")  # 、 only survives inside brackets
ORG_SUFFIX = re.compile(
    r"(?:局|厅|委|办|部|院|会|社|中心|集团|公司|段|行|所|站|处|室|队|馆|联|署|司|政府|单位|部门|"
    r"机构|小组|区|县|市|省|州|盟|旗|镇|乡|街道|园|团|校)$"
)


@dataclass(frozen=True)
class _Item:
    start: int  # offsets inside the list content
    end: int
    lead: bool  # named in a 牵头 clause


@dataclass(frozen=True)
class RespList:
    """One responsibility parenthetical; offsets index the normalised text."""

    start: int  # the opening bracket
    end: int  # after the closing bracket
    content_start: int
    content_end: int
    raw: str  # the content as printed (normalised), e.g. "市商务局、市城管局等按职责分工负责"
    items: tuple[_Item, ...]  # the agencies' places in ``raw``, in printed order


def _split(s: str, seps: str, base: int = 0) -> list[tuple[int, int]]:
    """(start, end) pieces of ``s`` between separators outside nested brackets."""
    out, depth, a = [], 0, 0
    for i, c in enumerate(s):
        if c == "（":
            depth += 1
        elif c == "）" and depth:
            depth -= 1
        elif c in seps and depth == 0:
            out.append((base + a, base + i))
            a = i + 1
    out.append((base + a, base + len(s)))
    return out


def _trim(s: str, a: int, b: int) -> tuple[int, int]:
    """Drop a leading 由 and a trailing 等 from an item."""
    while a < b and s[a] in " 由":
        a += 1
    while b > a and s[b - 1] in " 等":
        b -= 1
    return a, b


def _items(content: str) -> Optional[list[_Item]]:
    """The agencies of a list's content, or None when it is not a responsibility list."""
    items: list[_Item] = []
    pending: list[tuple[int, int]] = []
    for a, b in _split(content, "，；"):
        m = CLAUSE_END.search(content, a, b)
        if m is None:
            pending += _split(content[a:b], "、", a)
            continue
        names = pending + (_split(content[a : m.start()], "、", a) if m.start() > a else [])
        pending = []
        lead = LEAD_VERB in m.group("verb")
        for x, y in names:
            x, y = _trim(content, x, y)
            items.append(_Item(x, y, lead))
    if pending or not items:
        return None
    return items


def _looks_like_org(name: str, table: AgencyTable) -> bool:
    if not NAME.fullmatch(name):
        return False
    if name.startswith("各") or resolve_name(name, table=table).mapped:
        return True
    return len(name) >= 3 and ORG_SUFFIX.search(name) is not None


def find_responsibility_lists(text: Text, start: int = 0, end: Optional[int] = None) -> list[RespList]:
    """Every responsibility list in ``text.text[start:end]``, in order.

    A parenthetical counts only when each clause ends in a duty phrase (负责, 牵头, 配合…)
    and every item looks like an organisation, so （此件主动公开）, （国发〔2021〕4号） and
    （含光伏玻璃） are left alone.
    """
    s = text.text
    end = len(s) if end is None else min(end, len(s))
    table = load_agencies()
    out: list[RespList] = []
    i = s.find("（", start, end)
    while 0 <= i < end:
        close = _matching_close(s, i, end)
        if close is not None:
            content = s[i + 1 : close]
            items = _items(content)
            if items and all(_looks_like_org(content[it.start : it.end], table) for it in items):
                out.append(RespList(i, close + 1, i + 1, close, content, tuple(items)))
                i = s.find("（", close + 1, end)
                continue
        i = s.find("（", i + 1, end)
    return out


def _matching_close(s: str, i: int, end: int) -> Optional[int]:
    depth = 0
    for j in range(i, min(end, i + MAX_LIST)):
        c = s[j]
        if c == "\n":
            return None
        if c == "（":
            depth += 1
        elif c == "）":
            depth -= 1
            if depth == 0:
                return j
    return None


def parse_agencies(text: Text, lst: RespList, doc_level: Optional[str] = None,
                   doc_region: Optional[str] = None) -> list[AgencyRef]:
    """The list's agencies in printed order: 牵头 ones (else the first) lead, the rest support."""
    items = lst.items
    has_lead_clause = any(it.lead for it in items)
    out = []
    for n, it in enumerate(items):
        raw = lst.raw[it.start : it.end]
        r = resolve_name(raw, doc_level, doc_region)
        lead = it.lead if has_lead_clause else n == 0
        out.append(AgencyRef(
            raw=raw, name=r.name, role="lead" if lead else "support",
            span=text.raw_span(lst.content_start + it.start, lst.content_start + it.end),
            generic=r.generic, mapped=r.mapped, level=r.level, region=r.region, kind=r.kind,
            counterpart=r.counterpart, function=r.function,
        ))
    return out
