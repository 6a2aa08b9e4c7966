"""Finding responsibility lists and who leads in them (name resolution is ``kg.extract.agencies``).

Documents assign responsibility in a handful of printed forms, all read here:

* a bracket closing a measure or one of its sub-items — （市发改委、市水利局等按职责分工负责）,
  （X牵头，Y、Z配合/参与）, （X负责）, （责任单位：…）, （牵头单位：…；配合单位：…）; any
  bracket width （〔［【, nested brackets inside (各县（市、区）人民政府, 〈含开发区〉);
* lines of their own after a measure: ``牵头单位：…`` / ``责任单位：…`` / ``责任部门：…`` /
  ``责任处室：…``, consecutive lines read as one list;
* a deadline inside the list (完成期限：6月底, 完成时限：2021年12月底前), kept as the list's
  ``deadline`` — ``kg.extract.parse`` turns it into a dated target of the measure (see README).

Roles: 牵头 (a 牵头 clause or a 牵头单位/牵头部门 label) leads; 配合/参与/协同/协助 and their
labels support; names under 责任单位/责任部门 support when the list names a lead, otherwise the
documented rule applies — the first listed leads. A tail that states the rule for the list
(``逗号前为牵头单位`` → the names before the first comma lead; ``列首位的为牵头单位`` → the first
of each ；-group leads) is obeyed; tails that scope later lists (``以下均需…落实，不再列出``,
``下同``) are not agencies and are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Optional

from kg.core.model import AgencyRef, Span, Target
from kg.curated.agency_names import resolve_name
from kg.curated.mappings import load_agencies
from kg.read.normalize import Text

MAX_LIST = 400  # longest list considered (characters)
DEADLINE = "完成时限"  # the indicator of a deadline read from a list or a task table
OPEN, CLOSE = "（〔［【〈", "）〕］】〉"
# what closes a clause of an unlabelled list: 等…, then the duty phrase
CLAUSE_END = re.compile(
    r"(?P<deng>等(?:有关|相关)?(?:部门|单位)?)?"
    r"(?P<verb>(?:按照?(?:各自)?(?:职责|职能)(?:分工)?)?"
    r"(?:牵头负责|牵头|分别负责|共同负责|负责落实|抓好落实|具体落实|负责|配合|参与|协同|协助|落实))$"
)
SUPPORT_VERBS = ("配合", "参与", "协同", "协助")
# a label opening a clause: 牵头单位： / 责任部门： / 完成期限： ...
LABEL = re.compile(
    r"(?P<label>(?P<who>牵头|责任|配合|参与|协办|协助)(?:单位|部门|处室)|完成(?:期限|时限)|时限要求)[：:]"
)
LABEL_ROLE = {
    "牵头": "lead",
    "责任": "plain",
    "配合": "support",
    "参与": "support",
    "协办": "support",
    "协助": "support",
}
LINE = re.compile(rf"^[ \t]*{LABEL.pattern}[^\n]*$", re.M)
# tails that state a rule for this or later lists; never agencies
TAIL = re.compile(r"以下|下同|不再列出|不再一一列出|为牵头单位|列首位|逗号前|排名第一")
COMMA_RULE, FIRST_OF_GROUP_RULE = re.compile("逗号前"), re.compile("列首位|排名第一")
NAME = re.compile(r"[\u3400-\u9fff\uf900-\ufaff（）、·]{2,40}")
ORG_SUFFIX = re.compile(
    r"(?:局|厅|委|办|部|院|会|社|中心|集团|公司|段|行|所|站|处|室|队|馆|联|署|司|政府|单位|部门|"
    r"机构|小组|区|县|市|省|州|盟|旗|镇|乡|街道|园|团|校|企业|协会|学会|商会|海关|机场|港)$"
)
SHORT_ORG = re.compile(r"[\u3400-\u9fff][办委局厅协联部]")  # 编办, 科协, 妇联 in a list
BRACKETED = re.compile(r"[（〈〔［【][^（）〈〉〔〕［］【】]*[）〉〕］】]")


@dataclass(frozen=True)
class _Item:
    start: int  # offsets inside the list content
    end: int
    lead: bool  # the role decided for it: 牵头 / label / rule
    group: int = field(default=0, compare=False)  # its ；-group and ，-clause, for rules carried by 下同
    clause: int = field(default=0, compare=False)
    plain: bool = field(default=False, compare=False)  # no label or verb gave it a role


@dataclass(frozen=True)
class RespList:
    """One responsibility list; offsets index the normalised text."""

    start: int  # the opening bracket (the first line of a line form)
    end: int  # after the closing bracket (the end of the last line)
    content_start: int
    content_end: int
    raw: str  # the content as printed (normalised), e.g. "市商务局、市城管局等按职责分工负责"
    items: tuple[_Item, ...]  # the agencies' places in ``raw``, in printed order
    deadline: Optional[tuple[int, int]] = None  # the deadline's place in ``raw`` (完成期限：6月底 → "6月底")
    rules: frozenset = frozenset()  # lead rules its tail states: "comma" (逗号前…), "first" (列首位…)
    carries: bool = False  # the tail says its rule holds below (下同)

    def name(self, item: _Item) -> str:
        """An item's name as printed, line breaks inside it removed."""
        return re.sub(r"\s+", "", self.raw[item.start : item.end])


def _split(s: str, seps: str, base: int = 0, a: int = 0, b: Optional[int] = None) -> list[tuple[int, int]]:
    """(start, end) pieces of ``s[a:b]`` between separators outside nested brackets."""
    b = len(s) if b is None else b
    out, depth, x = [], 0, a
    for i in range(a, b):
        c = s[i]
        if c in OPEN:
            depth += 1
        elif c in CLOSE and depth:
            depth -= 1
        elif c in seps and depth == 0:
            out.append((base + x, base + i))
            x = i + 1
    out.append((base + x, base + b))
    return out


def _clauses(s: str, a: int, b: int) -> list[tuple[int, int]]:
    """The ，-clauses of ``s[a:b]``, also cut before a label run into the text
    (牵头单位：市林业局、住建局责任单位：… from a rejoined line)."""
    out = []
    for x, y in _split(s, "，", 0, a, b):
        cuts = [m.start() for m in LABEL.finditer(s, x, y) if m.start() > x]
        for p, q in zip([x] + cuts, cuts + [y]):
            out.append((p, q))
    return out


def _names(s: str, a: int, b: int) -> list[tuple[int, int]]:
    """The 、-separated names of ``s[a:b]``; a lone 市/区/县/州 shares the next name
    (市、区机管局; 各市、州、县人民政府), empty ones (科技厅、）) are skipped."""
    out: list[tuple[int, int]] = []
    join = False
    for x, y in _split(s, "、", 0, a, b):
        if join:
            out[-1] = (out[-1][0], y)
        else:
            out.append((x, y))
        join = re.fullmatch(r"各?[省市区县州盟旗]", s[x:y].strip()) is not None
    return out


def _trim(s: str, a: int, b: int) -> tuple[int, int]:
    """Drop a leading 由, a trailing 等 and a trailing annotation 〈含开发区，以下…〉 from an item."""
    while a < b and s[a] in " \n由":
        a += 1
    while b > a and s[b - 1] in " \n等":
        b -= 1
    if b > a and s[b - 1] in "〉）":
        m = BRACKETED.search(s, a, b)
        last = None
        while m is not None:
            last, m = m, BRACKETED.search(s, m.end(), b)
        if last is not None and last.end() == b and (s[b - 1] == "〉" or TAIL.search(last.group())):
            b = last.start()
    return a, b


def _items(content: str, lines: bool = False) -> Optional[tuple[list[_Item], Optional[tuple[int, int]]]]:
    """The agencies of a list's content and its deadline, or None when it is not a list."""
    found: list[tuple[int, int, str, int, int]] = []  # start, end, role, group, clause
    pending: list[tuple[int, int]] = []
    deadline, label, labelled, rules, carries = None, None, False, set(), False
    for g, (ga, gb) in enumerate(_split(content, "；。" + ("\n" if lines else ""))):
        for c, (a, b) in enumerate(_clauses(content, ga, gb)):
            clause = content[a:b].strip()
            if not clause:
                continue
            if TAIL.search(re.sub(BRACKETED, "", clause)):
                rules |= {r for r, pat in (("comma", COMMA_RULE), ("first", FIRST_OF_GROUP_RULE)) if pat.search(clause)}
                carries = carries or "下同" in clause
                continue
            m = LABEL.search(content, a, b)
            if m is not None and not content[a : m.start()].strip():
                if m.group("who") is None:  # 完成期限：…
                    deadline, label = _trim(content, m.end(), b), None
                    continue
                label, labelled, a = LABEL_ROLE[m.group("who")], True, m.end()
            if label is not None:
                found += [(x, y, label, g, c) for x, y in _names(content, a, b)]
                continue
            v = CLAUSE_END.search(content, a, b)
            if v is None:
                pending += _names(content, a, b)
                continue
            verb = v.group("verb")
            role = "lead" if "牵头" in verb else "support" if any(s in verb for s in SUPPORT_VERBS) else "plain"
            names = pending + (_names(content, a, v.start()) if v.start() > a else [])
            pending = []
            found += [(x, y, role, g, c) for x, y in names]
    if pending or not found:
        return None
    found = [f for f in found if _trim(content, f[0], f[1])[1] > _trim(content, f[0], f[1])[0]]
    if not found:
        return None
    spans = [_trim(content, x, y) for x, y, *_ in found]
    items = [
        _Item(x, y, r == "lead", f[3], f[4], r == "plain") for (x, y), r, f in zip(spans, [f[2] for f in found], found)
    ]
    items = _apply_rules(items, frozenset(rules), labelled)
    return items, deadline, frozenset(rules), carries and bool(rules)


def _apply_rules(items: list[_Item], rules: frozenset, labelled: bool = True) -> list[_Item]:
    """Decide who leads: a stated rule, else 牵头, else the first listed (see module doc)."""
    if rules and all(it.plain for it in items):
        if "comma" in rules:
            first = (items[0].group, items[0].clause)
            return [replace(it, lead=(it.group, it.clause) == first) for it in items]
        seen: set[int] = set()
        return [replace(it, lead=it.group not in seen and not seen.add(it.group)) for it in items]
    if not any(it.lead for it in items) and (any(it.plain for it in items) or not labelled):
        # the documented rule: the first listed leads (（X配合） alone too; 配合单位：X alone does not)
        n = next((i for i, it in enumerate(items) if it.plain), 0)
        items = [replace(it, lead=True) if i == n else it for i, it in enumerate(items)]
    return items


def _looks_like_org(name: str, table) -> bool:
    bare = BRACKETED.sub("", name)
    if not (NAME.fullmatch(name) or NAME.fullmatch(bare)):
        return False

    if name.startswith("各") or resolve_name(name, table=table).mapped:
        return True
    return len(bare) >= 3 and ORG_SUFFIX.search(bare) is not None or SHORT_ORG.fullmatch(bare) is not None


def _accept(content: str, start: int, end: int, content_start: int, lines: bool, table) -> Optional[RespList]:
    got = _items(content, lines)
    if got is None:
        return None
    items, deadline, rules, carries = got
    lst = RespList(
        start, end, content_start, content_start + len(content), content, tuple(items), deadline, rules, carries
    )
    if all(_looks_like_org(lst.name(it), table) for it in items):
        return lst
    return None


def find_responsibility_lists(
    text: Text, start: int = 0, end: Optional[int] = None, carried: frozenset = frozenset()
) -> list[RespList]:
    """Every responsibility list in ``text.text[start:end]``, in order; ``carried``: a lead
    rule an earlier list stated for those below it (``carried_rules``).

    A bracket counts only when each clause ends in a duty phrase (负责, 牵头, 配合…) or
    follows a label (责任单位：…), and every item looks like an organisation, so
    （此件主动公开）, （国发〔2021〕4号） and （含光伏玻璃） are left alone.
    """
    s = text.text
    end = len(s) if end is None else min(end, len(s))
    table = load_agencies()
    out: list[RespList] = []
    taken = start
    for m in LINE.finditer(s, start, end):  # label lines; consecutive ones are one list
        if m.start() < taken:
            continue
        a = b = m.end()
        while (n := LINE.match(s, b + 1, end)) is not None and b < end:
            b = n.end()
        line_start = m.start() + len(m.group()) - len(m.group().lstrip())
        lst = _accept(s[line_start:b], line_start, b, line_start, True, table)
        if lst is not None:
            out.append(lst)
        taken = max(a, b)
    i = _next_open(s, start, end)
    while 0 <= i < end:
        close = _matching_close(s, i, end)
        if close is not None:
            lst = _accept(s[i + 1 : close], i, close + 1, i + 1, False, table)
            if lst is not None and not any(o.start <= i < o.end for o in out):
                out.append(lst)
                i = _next_open(s, close + 1, end)
                continue
        i = _next_open(s, i + 1, end)
    out.sort(key=lambda x: x.start)
    for n, lst in enumerate(out):
        if lst.rules:
            carried = lst.rules if lst.carries else carried
        elif carried:
            out[n] = replace(lst, items=tuple(_apply_rules(list(lst.items), carried)))
    return out


def carried_rules(lists: list[RespList], carried: frozenset = frozenset()) -> frozenset:
    """The lead rule in force after ``lists`` (列首位的为牵头单位，下同 holds for the lists below)."""
    for lst in lists:
        if lst.rules and lst.carries:
            carried = lst.rules
    return carried


_OPENING = re.compile("[" + re.escape(OPEN[:4]) + "]")  # brackets a list may open with
_BRACKET_OR_BREAK = re.compile("[" + re.escape(OPEN + CLOSE) + "\n]")


def _next_open(s: str, a: int, end: int) -> int:
    m = _OPENING.search(s, a, end)
    return m.start() if m else -1


def _matching_close(s: str, i: int, end: int) -> Optional[int]:
    """The bracket closing ``s[i]`` (any width: （…〕 too), or None when it is not closed
    within ``MAX_LIST`` characters or before a blank line."""
    depth = 0
    for m in _BRACKET_OR_BREAK.finditer(s, i, min(end, i + MAX_LIST)):
        j, c = m.start(), m[0]
        if c == "\n" and s.startswith("\n\n", j):
            return None
        if c in OPEN:
            depth += 1
        elif c in CLOSE:
            depth -= 1
            if depth == 0:
                return j
    return None


def measure_agencies(
    text: Text,
    lists: list[RespList],
    doc_level: Optional[str] = None,
    doc_region: Optional[str] = None,
    doc_issuer: Optional[str] = None,
) -> list[AgencyRef]:
    """A measure's agencies from all its lists (one per sub-item or paragraph): each agency
    once, in order of first mention, with that mention's span; it leads when it leads in any
    of the lists (a sub-item's lead leads part of the measure)."""
    from kg.extract.agencies import parse_agencies

    out: dict[tuple, AgencyRef] = {}
    for lst in lists:
        for a in parse_agencies(text, lst, doc_level, doc_region, doc_issuer):
            seen = out.setdefault((a.name, a.region, a.level), a)  # 重庆市能源局 ≠ 四川省能源局
            if a.role == "lead":
                seen.role = "lead"
    return list(out.values())


YEAR = re.compile(r"(?:19|20)\d{2}")


def deadline_targets(text: Text, lists: list[RespList], issued: Optional[str] = None) -> list[Target]:
    """The lists' deadlines as dated targets of the measure (see ``deadline_target``)."""
    out = []
    for lst in lists:
        if lst.deadline is not None:
            a, b = lst.deadline
            span = text.raw_span(lst.content_start + a, lst.content_start + b)
            out.append(deadline_target(lst.raw[a:b], span, issued))
    return out


def deadline_target(printed: str, span: Span, issued: Optional[str] = None) -> Target:
    """A deadline (2022年底前, 6月底, 持续推进) as a dated target: ``value`` None, indicator
    完成时限, the year printed, else — for 6月底, 三季度 — the year the document was issued."""
    year = YEAR.search(printed)
    if year is not None:
        y: Optional[int] = int(year.group())
    else:
        month = re.search(r"月|季度|年底|年末", printed)
        y = int(issued[:4]) if issued and month and YEAR.match(issued) else None
    return Target(text=re.sub(r"\s+", "", printed), span=span, year=y, indicator=DEADLINE)
