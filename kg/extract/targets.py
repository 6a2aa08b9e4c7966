"""Quantitative and dated targets ("到2025年，…达到20家") found in normalised text.

A sentence (up to 。 or a line end) is cut into clauses at ，；：. A year marker
(到2025年底, 2026年…, 2024-2026年，) opens a *year scope* that runs to the sentence end
or the next marker. In a year scope every quantity is a target unless the clause also
has a verb-governed one (then the others are qualifiers: "100万以上的城市"), and a
clause without any target is a dated goal with ``value=None``. Outside a year scope only
verb-governed quantities count, so background figures ("35蒸吨/小时以下燃煤锅炉",
"65%节能标准") are not mistaken for goals. Text inside （）“”《》 is never read: it holds
plan periods, slogans and titles. Units come from ``mappings/units.csv``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from kg.core.model import Target
from kg.curated.mappings import load_units
from kg.read.normalize import Text

OPENERS, CLOSERS = "（《“「『〔【(", "）》”」』〕】)"
SENTENCE_END = "。！？!?\n"
CLAUSE_SEP = "，；;：,"
SCOPE = re.compile(r"全(?:省|市|国|州|县|区)(?!领先|前列|平均|范围|一流|第一|首位|各)")
_Y = r"((?:19|20)\d{2})"
# year markers anywhere in a clause (not a base year: 比/较/自/从/截至 2022年)
MARKERS = [
    re.compile(rf"(?<![\d截比较自从于])(?:到|至){_Y}年(?:底|末)?(?:前|以前)?(?![\d月度])"),
    re.compile(rf"(?<![\d比较自从于到至]){_Y}年(?:底|末)(?:前|以前)?"),
    re.compile(rf"(?<![\d比较自从于到至]){_Y}年(?:前|以前)"),
]
# only at the start of a clause: "2024-2026年，" and a bare "2026年" followed by content
RANGE_START = re.compile(rf"{_Y}[-—–~～至]{_Y}年(?=[，；,：]|$)")
BARE_START = re.compile(rf"{_Y}年(?:底|末)?(?:前|以前)?(?![\d月度以起来后的，；,：]|$)")
DATE = re.compile(r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}")
BASE_YEAR = re.compile(r"(?:比|较)(\d{4})年")
NUM = r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
QTY = re.compile(rf"(?<![\d.])(?<!\d,)({NUM})(?:[-~～—–至]({NUM}))?(余|多)?")
DOUBLING = re.compile(r"翻(一|两|二|三|四)番")
DOUBLINGS = {"一": 1, "两": 2, "二": 2, "三": 3, "四": 4}
NOT_AFTER_NUMBER = "年月日号级时届期版点+-"
NOT_BEFORE_NUMBER = "+-—=×*/^_#第"
SUFFIX = re.compile(r"(?:及以上|以上|以下|以内|之内|左右)")
SUFFIX_CMP = {"及以上": ">=", "以上": ">=", "以下": "<=", "以内": "<=", "之内": "<=", "左右": "~"}
COMPARATORS = {
    "不低于": ">=",
    "不少于": ">=",
    "不小于": ">=",
    "不超过": "<=",
    "不高于": "<=",
    "不大于": "<=",
    "控制在": "<=",
    "稳定在": "=",
    "保持在": "=",
    "维持在": "=",
    "提升至": "=",
    "提高至": "=",
    "提升到": "=",
    "提高到": "=",
    "增加到": "=",
    "增加至": "=",
    "增长到": "=",
    "增长至": "=",
    "降低至": "=",
    "降低到": "=",
    "下降至": "=",
    "下降到": "=",
    "减少到": "=",
    "减少至": "=",
    "增至": "=",
    "降至": "=",
    "达到": "=",
    "超过": ">",
    "突破": ">",
    "高于": ">",
    "低于": "<",
    "少于": "<",
    "达": "=",
    "为": "=",
}
NEEDS_CONTACT = {"达", "为"}  # too common to govern a number at a distance
CHANGES = {
    "提高": "increase",
    "提升": "increase",
    "增长": "increase",
    "增加": "increase",
    "上升": "increase",
    "扩大": "increase",
    "下降": "decrease",
    "降低": "decrease",
    "减少": "decrease",
    "削减": "decrease",
    "压减": "decrease",
    "缩减": "decrease",
}
VERB = re.compile("|".join(sorted(list(COMPARATORS) + list(CHANGES), key=len, reverse=True)))
VERB_REACH = 14  # "提升至同类产品采购规模的90%以上": a comparator may govern across a short noun phrase
ACTION = (
    "建成运行|建成投运|实施|推动|建设|建成|培育|打造|创建|新建|建立|完成|形成|开展|推进|引进|"
    "新增|认定|创成|争创|布局|启动|改造|制定|发布|出台|运行|组建|设立|遴选|支持|举办|命名"
)
ACTION_END = re.compile(f"(?:{ACTION})$")
LEAD = re.compile(
    r"^(?:[、，,和及与并且]|全(?:省|市|国|州|县|区)|力争|其中|确保|争取|逐步|将|把|"
    r"重点|建成|培育|实施|推动|建设|打造|创建|完成|形成|开展|推进|制定|发布|运行|引进)+"
)
GOAL_LEAD = re.compile(r"^(?:[、，,和及与]|全(?:省|市|国|州|县|区)|力争|其中)+")
TRAIL = re.compile(r"(?:力争|分别|均|要|将|稳定|保持|持续|进一步|在|的|和|及|与|、)+$")
HEAD_SUFFIX = re.compile(
    r"(?:率|量|比重|比例|占比|面积|产值|规模|总数|数量|数|额|浓度|容量|里程|系数|"
    r"水平|能力|指数|强度|总量|收入|产能|价格|份额)$"
)


@dataclass
class _Qty:
    a: int  # sentence offsets: number start …
    b: int  # … end of unit and suffix
    value: float
    value_max: Optional[float] = None
    unit: str = ""
    kind: str = ""
    suffix: Optional[str] = None
    approx: bool = False  # 30余条
    attributive: bool = False  # "100万以上的城市"
    baseline: bool = False  # "在29微克/立方米的基础上"
    verb: Optional[str] = None
    verb_at: int = -1
    change: Optional[str] = None
    head: Optional["_Qty"] = None  # first quantity of a "98%和95%以上" group
    governed: bool = False
    acted: bool = False  # a count after an action verb: "实施10个以上…项目"
    group: list = field(default_factory=list)


_LENGTHS: dict[int, tuple[dict, list[int]]] = {}


def _unit_lengths(units: dict[str, str]) -> list[int]:
    """The units' lengths, longest first, once per table (it is asked for every clause)."""
    held = _LENGTHS.get(id(units))
    if held is None or held[0] is not units:  # the table itself is held, so its id is not reused
        held = _LENGTHS[id(units)] = (units, sorted({len(u) for u in units}, reverse=True))
    return held[1]


_BRACKET = re.compile("[" + re.escape(OPENERS + CLOSERS) + "]")
_SENTENCE_END = re.compile("[" + re.escape(SENTENCE_END) + "]")
_CLAUSE_END = re.compile("[" + re.escape(CLAUSE_SEP + SENTENCE_END) + "]")


def _mask(s: str) -> list[bool]:
    """True for characters inside brackets, quotes or book-title marks."""
    out, depth, last = [False] * len(s), 0, 0
    for m in _BRACKET.finditer(s):
        i = m.start()
        if depth:
            out[last:i] = [True] * (i - last)
        if s[i] in OPENERS:
            depth += 1
            out[i] = True
        elif depth:
            depth -= 1
            out[i] = True
        last = i + 1
    if depth:
        out[last:] = [True] * (len(s) - last)
    return out


def _sentences(s: str, start: int, end: int):
    a = start
    for m in _SENTENCE_END.finditer(s, start, end):
        i = m.start()
        if i + 1 > a:
            yield a, i + 1
        a = i + 1
    if end > a:
        yield a, end


def _clauses(t: str, mask: list[bool]) -> list[tuple[int, int]]:
    """Clause boundaries at ，；：, at bracket depth 0 ("1,2-二氯乙烷" keeps its comma)."""
    out, a = [], 0
    for m in _CLAUSE_END.finditer(t):
        i, c = m.start(), m[0]
        digits = c == "," and 0 < i < len(t) - 1 and t[i - 1].isdigit() and t[i + 1].isdigit()
        if (c in CLAUSE_SEP and not mask[i] and not digits) or c in SENTENCE_END:
            out.append((a, i))
            a = i + 1
    out.append((a, len(t)))
    return [(x, y) for x, y in out if y > x]


def _markers(t: str, ca: int, cb: int, mask: list[bool]) -> list[tuple[int, int, int, Optional[int]]]:
    """Year markers in a clause as (start, end, year, year_start)."""
    found = []
    if t.find("年", ca, cb) < 0:  # every marker ends in 年
        return found
    lead = len(t[ca:cb]) - len(t[ca:cb].lstrip())
    for rx in (RANGE_START, BARE_START):
        m = rx.match(t, ca + lead, cb)
        if m and not mask[m.start()]:
            two = m.lastindex == 2
            years = (int(m.group(2)), int(m.group(1))) if two else (int(m.group(1)), None)
            found.append((m.start(), m.end(), *years))
            break
    for rx in MARKERS:
        for m in rx.finditer(t, ca, cb):
            if not mask[m.start()] and not any(f[0] <= m.start() < f[1] for f in found):
                found.append((m.start(), m.end(), int(m.group(1)), None))
    return sorted(found)


def _quantities(t: str, ca: int, cb: int, mask: list[bool], dates: list, units: dict[str, str]) -> list[_Qty]:
    """Numbers with unit and suffix, minus dates, codes, grades and names ("PM2.5", "1,2-")."""
    lens = _unit_lengths(units)
    out: list[_Qty] = []
    for m in QTY.finditer(t, ca, cb):
        a, p = m.start(), m.end()
        before = t[a - 1] if a > ca else ""
        after = t[p] if p < cb else ""
        if mask[a] or any(x <= a < y for x, y in dates):
            continue
        if before.isascii() and before.isalpha() or before and before in NOT_BEFORE_NUMBER:
            continue
        if after.isascii() and after.isalpha() or after and after in NOT_AFTER_NUMBER:
            continue
        if after == "," and p + 1 < cb and t[p + 1].isdigit():
            continue  # 1,2-二氯乙烷
        unit = next((t[p : p + n] for n in lens if t[p : p + n] in units and p + n <= cb), "")
        p += len(unit)
        if unit and p < cb and t[p] == "级":
            continue  # 10万吨级: a grade, not an amount
        q = _Qty(a, p, float(m.group(1).replace(",", "")), unit=unit, kind=units.get(unit, ""))
        if m.group(2):
            q.value_max = float(m.group(2).replace(",", ""))
        q.approx = bool(m.group(3))
        s = SUFFIX.match(t, p, cb)
        if s:
            q.suffix, p = s.group(), s.end()
        q.b = p
        q.baseline = t.startswith("的基础上", p)
        q.attributive = t.startswith("的", p) and not q.baseline
        out.append(q)
    for m in DOUBLING.finditer(t, ca, cb):
        if not mask[m.start()]:
            q = _Qty(m.start(), m.end(), float(2 ** DOUBLINGS[m.group(1)]), unit="倍", kind="ratio")
            q.change, q.governed = "increase", True
            out.append(q)
    return sorted(out, key=lambda q: q.a)


def _govern(t: str, ca: int, qs: list[_Qty]) -> None:
    """Attach the comparator verb, group and action-verb facts that make a quantity a goal."""
    lo = ca
    for i, q in enumerate(qs):
        prev = qs[i - 1] if i else None
        if prev and re.fullmatch(r"[、和及与至,，]?", t[prev.b : q.a]):
            q.head = prev.head or prev
            q.head.group.append(q)
        window = t[max(lo, q.a - VERB_REACH) : q.a]
        verbs = list(VERB.finditer(window))
        if verbs and q.change is None:
            v = verbs[-1]
            gap = len(window) - v.end()
            word = v.group()
            if word in CHANGES and gap == 0:
                q.change, q.verb, q.verb_at = CHANGES[word], word, q.a - len(window) + v.start()
            elif word in COMPARATORS and (
                gap == 0
                or word not in NEEDS_CONTACT
                and "的" in window[v.end() :]
                or word not in NEEDS_CONTACT
                and gap <= 2
            ):
                q.verb, q.verb_at = word, q.a - len(window) + v.start()
        if q.head and not q.verb:
            q.verb, q.verb_at, q.change = q.head.verb, q.head.verb_at, q.head.change
        q.acted = q.kind == "count" and re.search(ACTION, t[ca : q.a]) is not None
        q.governed = q.governed or bool(q.verb) or q.acted or q.baseline
        q.governed = q.governed or (bool(q.suffix or q.approx) and not q.attributive)
        lo = q.b
    for q in qs:
        if q.group:
            members = [q] + q.group
            last = members[-1]
            for x in members:
                x.suffix = x.suffix or last.suffix
                x.unit, x.kind = x.unit or last.unit, x.kind or last.kind
                x.governed, x.acted = x.governed or q.governed, x.acted or q.acted


def _clean(s: str) -> str:
    for _ in range(4):
        s = TRAIL.sub("", LEAD.sub("", s.strip())).strip()
    return s


def _split_fenbie(subject: str, n: int) -> Optional[list[str]]:
    """ "高速公路、普通国省干线公路废旧沥青路面材料循环利用率" → one indicator per item."""
    items = [x for x in subject.split("、") if x]
    if len(items) == n - 1 and items:
        tail = re.split(r"[和及与]", items[-1], maxsplit=1)
        items = items[:-1] + tail
    if len(items) != n:
        return None
    last = items[-1]
    if all(HEAD_SUFFIX.search(x) for x in items[:-1]):
        return items
    key = items[0][-2:]
    at = last.rfind(key)
    if 0 < at and at + 2 < len(last):
        head = last[at + 2 :]
    else:
        lat = re.match(r"[A-Za-z0-9.]+", last)
        if not lat or lat.end() == len(last):
            return [subject] * n
        head = last[lat.end() :]
    return [x + head for x in items[:-1]] + [last]


def _strip_spans(t: str, a: int, b: int, spans: list[tuple[int, int]]) -> str:
    """``t[a:b]`` without year markers and base years ("比2022年")."""
    keep = [c for i, c in enumerate(t[a:b], start=a) if not any(x <= i < y for x, y in spans)]
    return "".join(keep)


def _scope_at(scopes: list[tuple[int, str]], pos: int) -> Optional[str]:
    """The last 全省/全市 … before ``pos`` in the sentence."""
    return next((w for p, w in reversed(scopes) if p < pos), None)


def _sentence_targets(text: Text, off: int, t: str, units: dict[str, str]) -> list[Target]:
    mask = _mask(t)
    scopes = [(m.start(), m.group()) for m in SCOPE.finditer(t) if not mask[m.start()]]
    dates = [m.span() for m in DATE.finditer(t)]
    out: list[Target] = []
    year: Optional[int] = None
    year_start: Optional[int] = None
    aspiring = False
    last_indicator = ""
    for ca, cb in _clauses(t, mask):
        while ca < cb and t[ca].isspace():
            ca += 1
        while cb > ca and t[cb - 1].isspace():
            cb -= 1
        if cb <= ca:
            continue
        marks = _markers(t, ca, cb, mask)
        for ma, _mb, y, ys in marks:
            year, year_start = y, ys
            aspiring = "力争" in t[ca:ma]
        skip = [(ma, mb) for ma, mb, _, _ in marks] + [m.span() for m in BASE_YEAR.finditer(t, ca, cb)]
        qs = _quantities(t, ca, cb, mask, dates, units)
        _govern(t, ca, qs)
        if year is not None:
            chosen = [q for q in qs if q.governed] or qs
        else:
            chosen = [q for q in qs if q.verb in COMPARATORS or q.acted]
        clause = t[ca:cb]
        span = None  # made for the first target of the clause: most clauses have none

        lo = ca
        given: dict[int, str] = {}  # indicators handed out by 分别 to a group's members
        for q in chosen:
            end = q.verb_at if q.verb_at >= lo else q.a
            raw_pre = _strip_spans(t, lo, end, skip)
            fen = raw_pre.rfind("分别")
            pre = _clean(raw_pre[:fen] if fen >= 0 else raw_pre)
            if id(q) in given:
                indicator = given[id(q)]
            elif q.group and fen >= 0:
                names = _split_fenbie(pre, len(q.group) + 1) or [pre] * (len(q.group) + 1)
                for x, name in zip([q] + q.group, names):
                    given[id(x)] = name
                indicator = given[id(q)]
            elif pre and not ACTION_END.search(pre) and not pre.endswith("等"):
                indicator = pre
            else:
                nxt = next((x.a for x in qs if x.a > q.a), cb)
                post = _clean(re.sub(r"^的", "", t[q.b : nxt]))
                indicator = post or last_indicator
            indicator = indicator or last_indicator
            if t.startswith("其中", ca) and last_indicator and indicator != last_indicator:
                indicator = f"{last_indicator}（{indicator}）"  # 其中设区城市达到95% narrows the last one
            last_indicator = indicator
            comparator = (
                "range"
                if q.value_max is not None
                else "baseline"
                if q.baseline
                else SUFFIX_CMP.get(q.suffix or "")
                or (">=" if q.approx else None)
                or COMPARATORS.get(q.verb or "", "=")
            )
            by = BASE_YEAR.search(t, ca, q.a)
            span = span or text.raw_span(off + ca, off + cb)
            out.append(
                Target(
                    text=clause,
                    span=span,
                    year=year,
                    year_start=year_start,
                    indicator=indicator,
                    value=q.value,
                    value_max=q.value_max,
                    unit=q.unit,
                    comparator=comparator,
                    aspirational=aspiring or "力争" in t[lo : q.a],
                    change=q.change,
                    scope=_scope_at(scopes, q.a),
                    baseline_year=int(by.group(1)) if by else None,
                )
            )
            if not q.group and (q.head is None or q is q.head.group[-1]):
                lo = q.b
        if not chosen and year is not None:
            goal = GOAL_LEAD.sub("", _strip_spans(t, ca, cb, skip).strip("，。；、 "))
            if re.search(r"[\u4e00-\u9fff].*[\u4e00-\u9fff]", goal):
                out.append(
                    Target(
                        text=clause,
                        span=span or text.raw_span(off + ca, off + cb),
                        year=year,
                        year_start=year_start,
                        indicator=goal,
                        aspirational=aspiring or "力争" in clause,
                        scope=_scope_at(scopes, cb),
                    )
                )
    return out


def extract_targets(text: Text, start: int, end: int) -> list[Target]:
    """Targets in normalised ``text.text[start:end]``, in text order.

    >>> from kg.read.normalize import normalize
    >>> t = normalize("到2025年底，全省建成省级绿色园区50家以上、绿色工厂200家以上。")
    >>> found = extract_targets(t, 0, len(t.text))
    >>> [(x.year, x.scope, x.indicator, x.value, x.unit, x.comparator) for x in found]
    [(2025, '全省', '省级绿色园区', 50.0, '家', '>='), (2025, '全省', '绿色工厂', 200.0, '家', '>=')]
    """
    s = text.text
    start, end = max(0, start), min(len(s), end)
    units = load_units()
    out: list[Target] = []
    for a, b in _sentences(s, start, end):
        if _NUMBER.search(s, a, b):  # a year and a quantity both need a digit (or 翻一番)
            out += _sentence_targets(text, a, s[a:b], units)
    return out


_NUMBER = re.compile(r"[\d翻]")
