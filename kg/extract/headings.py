"""Headings and sentences: the numbered units of a document and which of them are measures.

Official documents number their units in a fixed hierarchy (GB/T 9704 and the conventions
of plans and regulations): 第X编 → 第X章 → 第X节 → 第X条 → 一、 → （一） → 1. → （1）.
A heading counts only at a line start or right after 。/）/； — so 十九届二中、三中全会 or
中韩（长春） in running text are never headings. A scrape that runs a section title
straight into its first measure ("一、…体系（一）推进…") is handled too.

A measure is the lowest numbered unit that carries tasks. Which levels are structure
and which are only lists inside a measure's text is decided per document (``outline``):
articles, when the document has them, are its measures; otherwise a level counts when it
occurs under several units of the level above (a 1. list inside one or two （一） is part of
their text). Every structural unit with no structural children is a measure, except
childless units of the top level when there are deeper levels (一、总体要求 with a
paragraph but no （一） stays a section, as in every seed document).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from kg.core.numerals import NUMERAL_CHARS, heading_number

N = f"[{NUMERAL_CHARS}]+"
_AFTER = r"(?:(?<=^)|(?<=\n)|(?<=[。）；]))"
_LINE = r"(?:(?<=^)|(?<=\n))[ \u3000]*"
SECTION_HEAD = re.compile(rf"{_AFTER}({N})、(?![{NUMERAL_CHARS}]+、)")
MEASURE_HEAD = re.compile(rf"{_AFTER}（({N})）")
RUN_ON_MEASURE = re.compile(rf"（({N})）")  # straight after a section title, in a scrape
SENTENCE_END = re.compile(r"[^。！？\n]*[。！？]|[^。！？\n]+")

# (numbering level, pattern), not administrative levels; the order is the depth. Text is normalised: brackets are full width.
HEADING_LEVELS = [
    ("part", re.compile(rf"{_LINE}第({N})编[ \u3000]*")),
    ("chapter", re.compile(rf"{_LINE}第({N})章[ \u3000]*")),
    ("division", re.compile(rf"{_LINE}第({N})节[ \u3000]*")),
    ("article", re.compile(rf"{_AFTER}[ \u3000]*第({N})条[ \u3000]*")),
    ("section", SECTION_HEAD),
    ("item", MEASURE_HEAD),
    ("point", re.compile(rf"{_AFTER}[ \u3000]*(\d{{1,2}})[.．、](?![\d.．％%])")),
    ("subpoint", re.compile(rf"{_AFTER}[ \u3000]*[（(](\d{{1,2}})[）)]")),
]
DEPTH = {name: i for i, (name, _) in enumerate(HEADING_LEVELS)}
OUTLINE_ONLY = {"part", "chapter", "division"}  # measures only when nothing deeper is numbered
SUBLIST_MAX = 3  # "a few items": a list this short inside one unit is part of its text
SPREAD = 0.2  # share of the units above that must hold a level for it to be structure
ARTICLE_TITLE = re.compile(r"[（【\[]([^）】\]\n。]{1,20})[）】\]][ \u3000]*")
DOT_LEADER = re.compile(r"(?:[…⋯]{2,}|[.．·]{4,})[ \u3000]*\d{1,3}(?!\d)")  # may run into the next entry
APPENDIX = re.compile(r"(?:^|\n)[ \u3000]*附[ \u3000]*件[ \u3000]*\d{0,2}[ \u3000]*[：:]?[ \u3000]*(?=\n|$)")


@dataclass
class Heading:
    kind: str  # "section" | "measure"
    number: str  # as printed: "十三", "3"
    start: int  # heading start (normalised offset)
    body: int  # where the body starts (after the title)
    title: str
    section: Optional[str] = None  # number of the enclosing unit
    level: str = ""  # "chapter", "article", "section", "item", "point", ...
    value: int = 0
    key: str = ""  # readable and unique: "13", "2.3", "art-12", "3.2.1"
    parent: Optional["Heading"] = field(default=None, repr=False)


@dataclass
class Outline:
    """The headings of a document and what was skipped or doubtful while finding them."""

    heads: list[Heading]
    toc: Optional[tuple[int, int]] = None  # table of contents skipped
    bad: list[Heading] = field(default_factory=list)  # numerals outside what documents use
    restarts: set[str] = field(default_factory=set)  # levels numbered anew in each parent


def title_after(s: str, pos: int, stop: int) -> tuple[str, int]:
    """Title and body start for a heading ending at ``pos``: own line, or run in up to 。."""
    line_end = s.find("\n", pos, stop)
    line_end = stop if line_end < 0 else line_end
    first_stop = s.find("。", pos, line_end)
    nxt = RUN_ON_MEASURE.search(s, pos, line_end)
    if first_stop < 0 and nxt is None:
        return s[pos:line_end].strip(), line_end
    if nxt is not None and (first_stop < 0 or nxt.start() < first_stop):
        return s[pos : nxt.start()].strip(), nxt.start()  # 一、标题（一）… in a scrape
    if first_stop - pos <= 60:
        return s[pos:first_stop].strip(), first_stop + 1
    return "", pos


def value_of(number: str) -> Optional[int]:
    """The heading's number, or None when it is no numeral a document would print."""
    if number.isdigit():
        return int(number)
    return heading_number(number)


_HEAD_AFTER = re.compile(r"[\n。）；]")  # what every heading pattern's look-behind (_AFTER, _LINE) allows


def _heading_matches(pattern: re.Pattern, s: str, end: int, starts: list[int]):
    """``pattern.finditer(s, 0, end)`` for a pattern that can only start where ``starts``
    are (after a line break or 。）；, or at 0): tried there alone, instead of at every character."""
    last = 0
    for p in starts:
        if p >= last and (m := pattern.match(s, p, end)) is not None:
            last = m.end()
            yield m


def candidates(s: str, end: int) -> tuple[list[Heading], list[Heading]]:
    """Every heading of every level in ``s[:end]``, and those with an unusable numeral."""
    heads, bad = [], []
    starts = [0, *(m.end() for m in _HEAD_AFTER.finditer(s, 0, end))]
    for level, pattern in HEADING_LEVELS:
        for m in _heading_matches(pattern, s, end, starts):
            if level == "article":  # 第一条 starts its text: no title, unless bracketed
                t = ARTICLE_TITLE.match(s, m.end(), end)
                title, body = (t.group(1), t.end()) if t else ("", m.end())
            else:
                title, body = title_after(s, m.end(), end)
            if not title and level in OUTLINE_ONLY and s[body : body + 1] == "\n":  # 第一章\n总则
                nl = s.find("\n", body + 1, end)
                nl = end if nl < 0 else nl
                if 0 < nl - body - 1 <= 40:
                    title, body = s[body + 1 : nl].strip(), nl
            if level == "section" and not 2 <= len(title) <= 60:
                continue
            if level in ("point", "subpoint") and not title and body == m.end() and s[m.end() : m.end() + 1] in "\n":
                continue  # a bare number on its own line: a page number or a table cell
            h = Heading("", m.group(1), m.start(), body, title, level=level)
            v = value_of(h.number)
            if v is None:
                bad.append(h)
                continue
            h.value = v
            heads.append(h)
            if level == "section":  # 一、标题（一）… run together by a scrape
                run_on = RUN_ON_MEASURE.match(s, body)
                if run_on and s[body - 1] not in "。）；\n" and value_of(run_on.group(1)) is not None:
                    t, b = title_after(s, run_on.end(), end)
                    heads.append(
                        Heading(
                            "", run_on.group(1), run_on.start(), b, t, level="item", value=value_of(run_on.group(1))
                        )
                    )
    heads.sort(key=lambda h: (h.start, DEPTH[h.level]))
    out: list[Heading] = []
    for h in heads:  # the same place matched twice (item run on after a section)
        if not out or out[-1].start != h.start:
            out.append(h)
    return out, bad


def table_of_contents(s: str, heads: list[Heading]) -> Optional[tuple[int, int]]:
    """The span of a table of contents: lines with dot leaders (……12), or a block of
    headings with no text between them that all repeat later with the same titles."""
    leaders = list(DOT_LEADER.finditer(s))
    if len(leaders) >= 3:
        a = s.rfind("\n", 0, leaders[0].start()) + 1
        b = leaders[-1].end()
        before = [h for h in heads if a - 60 <= h.start < b]
        return (min([a] + [h.start for h in before]), b)
    block: list[Heading] = []
    for h in heads:
        if block and s[block[-1].body : h.start].strip(" \u3000\n"):
            break
        block.append(h)
    if len(block) >= 3:
        later = {(h.level, h.number, h.title) for h in heads[len(block) :]}
        if all((h.level, h.number, h.title) in later for h in block):
            return block[0].start, block[-1].body
    return None


def structural_levels(heads: list[Heading]) -> list[str]:
    """The levels that structure this document, shallow to deep (see the module doc)."""
    present = sorted({h.level for h in heads}, key=DEPTH.get)
    if sum(h.level == "article" for h in heads) >= 2:
        return [lv for lv in present if DEPTH[lv] <= DEPTH["article"]]
    chosen: list[str] = []
    at = {id(h): i for i, h in enumerate(heads)}  # headings start at distinct places: one each
    for lv in present:
        units = [h for h in heads if h.level == lv]
        if not chosen:
            chosen.append(lv)  # the shallowest level present, even a single 一、 holding measures
            continue
        above = [h for h in heads if h.level == chosen[-1]]
        holders = {g.start for h in units if (g := _holder(heads, at[id(h)], chosen)) is not None}
        spread = len(holders) >= min(2, len(above)) and len(holders) >= SPREAD * len(above)
        under_top = len(chosen) == 1 and len(units) > SUBLIST_MAX  # 三、重点任务 holding every task
        if len(chosen) == 1 and len(units) <= SUBLIST_MAX * len(holders) and len(holders) < 0.3 * len(above):
            spread = under_top = False  # short lists in a few of many 一、: the 一、 are the measures
        if len(units) >= min(2, len(above)) and (spread or under_top):
            chosen.append(lv)
    return chosen


def _holder(heads: list[Heading], i: int, levels: list[str]) -> Optional[Heading]:
    """The nearest preceding heading at the deepest of ``levels`` shallower than ``heads[i]``."""
    h = heads[i]
    for g in reversed(heads[:i]):
        if g.level in levels and DEPTH[g.level] < DEPTH[h.level]:
            return g if g.level == levels[-1] else None
    return None


def outline(s: str, end: int) -> Outline:
    """The document's structural headings in ``s[:end]``, each marked section or measure,
    with readable keys; the table of contents is skipped."""
    heads, bad = candidates(s, end)
    toc = table_of_contents(s, heads)
    if toc:
        heads = [h for h in heads if not toc[0] <= h.start < toc[1]]
    levels = structural_levels(heads)
    heads = [h for h in heads if h.level in levels]
    stack: list[Heading] = []
    children: dict[int, int] = {}
    for h in heads:
        while stack and DEPTH[stack[-1].level] >= DEPTH[h.level]:
            stack.pop()
        h.parent = stack[-1] if stack else None
        h.section = h.parent.number if h.parent else None
        if h.parent is not None:
            children[id(h.parent)] = children.get(id(h.parent), 0) + 1
        stack.append(h)
    top = levels[0] if levels else None
    for h in heads:
        leaf = id(h) not in children
        h.kind = "measure" if leaf and (h.level != top or len(levels) == 1) else "section"
    restarts = _restarting_levels(heads)
    if len({h.level for h in heads if h.kind == "measure"}) > 1:  # keys of mixed levels must not collide
        restarts |= {lv for lv in levels if lv != top}
    for h in heads:
        h.key = _key(h, restarts)
    return Outline(heads, toc, bad, restarts)


def _restarting_levels(heads: list[Heading]) -> set[str]:
    """Levels whose numbering starts at 1 in every unit above them (keys become "2.3")."""
    out = set()
    for lv in {h.level for h in heads}:
        firsts: dict[int, int] = {}
        parents = {}
        for h in heads:
            if h.level == lv and h.parent is not None and id(h.parent) not in firsts:
                firsts[id(h.parent)] = h.value
                parents[id(h.parent)] = h.parent
        numbers = [(p.level, p.number, p.title) for p in parents.values()]
        if len(firsts) >= 2 and all(v == 1 for v in firsts.values()) and len(set(numbers)) == len(numbers):
            out.add(lv)
    return out


def _key(h: Heading, restarts: set[str]) -> str:
    own = f"art-{h.value}" if h.level == "article" else str(h.value)
    if h.level in restarts and h.parent is not None:
        return f"{_key(h.parent, restarts)}.{own}"
    return own


def find_headings(s: str, end: int) -> list[Heading]:
    r"""Section and measure headings in ``s[:end]``, in text order, each with its section.

    >>> [(h.kind, h.number, h.title) for h in find_headings("一、总体\n（一）推进转型。甲。", 99)]
    [('section', '一', '总体'), ('measure', '一', '推进转型')]
    """
    return outline(s, end).heads


def label(level: str, number: str) -> str:
    """A heading's number as printed in its level's form, for messages: （三）, 第五条, 2."""
    return {
        "part": f"第{number}编",
        "chapter": f"第{number}章",
        "division": f"第{number}节",
        "article": f"第{number}条",
        "section": f"{number}、",
        "item": f"（{number}）",
        "point": f"{number}.",
        "subpoint": f"（{number}）",
    }.get(level, number)


def appendix_start(s: str, after: int, end: int) -> Optional[int]:
    """Where the appendices (附件1 / 附件： on a line of their own) begin after ``after``."""
    m = APPENDIX.search(s, after, end)
    return (m.start() + (1 if s[m.start()] == "\n" else 0)) if m else None


def sentence_ranges(s: str, a: int, b: int) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``s[a:b]``: up to 。！？ or a line end, trimmed."""
    out = []
    for m in SENTENCE_END.finditer(s, a, b):
        x, y = m.start(), m.end()
        while x < y and s[x] in " \n":
            x += 1
        while y > x and s[y - 1] in " \n":
            y -= 1
        if y - x > 1 or (y > x and s[x] not in "。，；"):
            out.append((x, y))
    return out


def subtract(ranges: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``ranges`` minus ``holes``."""
    for hx, hy in holes:
        nxt = []
        for a, b in ranges:
            if hy <= a or hx >= b:
                nxt.append((a, b))
                continue
            if a < hx:
                nxt.append((a, hx))
            if hy < b:
                nxt.append((hy, b))
        ranges = nxt
    return ranges
