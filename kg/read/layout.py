"""Find what page layout adds to text extracted from a PDF, so normalisation can undo it.

Input is text with pages separated by form feeds (what ``pdftotext`` and ``kg.read``
give). Each function only *finds* positions (to delete, to turn into a line break, to
replace); ``kg.read.normalize`` applies them and keeps every kept character's raw offset.

>>> s = "推进工业绿色\\n— 2 —\\n\\f升级。"
>>> sorted(page_furniture(s)) == list(range(7, 12))
True
"""

from __future__ import annotations

import re
from collections import Counter
from statistics import quantiles

from kg.core.numerals import heading_number

CJK = r"\u3400-\u9fff\uf900-\ufaff"
NUM = "一二三四五六七八九十百"
# sentence ends, and closers that end a sentence when they end a line
LINE_END = "。！？；：”」』…"
DOC_TYPES = "通知|意见|方案|措施|计划|办法|规划|决定|纲要|通告|公告|细则|规定|条例|要点|指南|清单|目录|报告"

_DASH = r"[-—―–‐~～一]"
# a whole line that is a page number; a bare number needs its neighbours' agreement
PAGE_NUMBER = re.compile(
    rf"^(?:{_DASH}{{1,3}} *\d{{1,4}} *{_DASH}{{1,3}}|[-—―–‐] *\d{{1,4}}|第 *\d{{1,4}} *页(?: *[，,/]? *共 *\d{{1,4}} *页)?"
    r"|共 *\d{1,4} *页 *第 *\d{1,4} *页|[Pp]age *\d{1,4}(?: *of *\d{1,4})?)$"
)
PAGE_OF = re.compile(r"^(\d{1,4}) */ *(\d{1,4})$")
# a page number pdftotext ran into a line of text: em dashes round a lone number
INLINE_PAGE_NUMBER = re.compile(r"(?<![\d—―])[—―] ?(\d{1,3}) ?[—―](?![\d—―])")
BARE_NUMBER = re.compile(r"^\d{1,4}$")
LONE_DASH = re.compile(rf"^{_DASH}$")
DASH_AFTER = re.compile(rf"^\d{{1,4}} *{_DASH}{{1,3}}$")
# share of pages a running header or footer is printed on (a table column's repeated cell
# at the top of 4 of 9 pages is not one)
RUNNING_SHARE = 0.5
# a line that starts a numbered unit in any scheme official documents use
HEADING_START = re.compile(
    rf"^(?:[{NUM}]+[、.．]|[（(][{NUM}]+[）)]|第[{NUM}零〇]+[章节条部篇]|\d{{1,2}}[.．、](?!\d)|[（(]\d{{1,2}}[）)]"
    rf"|[①-⑳]|[{NUM}]+是|——|附件)"
)
# a heading run into the text before it: （三） 三、 第三章/节/条
GLUED_HEADING = re.compile(rf"(?<=[{CJK}》”）])(?:[（(]([{NUM}]+)[）)]|([{NUM}]+)、|第([{NUM}]+)([章节条]))(?=[{CJK}])")
# a heading number printed alone on its line, its title on the next
BARE_MARKER = re.compile(rf"^(?:[（(][{NUM}]+[）)]|[{NUM}]+、|\d{{1,2}}[.．]|[（(]\d{{1,2}}[）)])$")
LEADING_PUNCT = "、，。；：！？）》”"
_HEADING_KIND = re.compile(rf"(?:[（(]([{NUM}]+)[）)]|([{NUM}]+)、|第([{NUM}]+)([章节条]))")
# what a title line never holds: sentence punctuation, a date, a whole parenthesis, a 文号
NOT_TITLE = re.compile(r"[，。；：,;:]|^\d{4}年\d{1,2}月|^（[^（）]*）$|〔|\d号$")
TITLE_END = re.compile(rf"(?:{DOC_TYPES})(?:[（(][^（）()]{{1,20}}[）)])?[》」]?$")
# a line break kept after a sentence end; a line cut mid-bracket always continues
OPENERS = "（《“「『〔【"
CLOSERS = "）》”」』〕】"
ASCII_STOP = re.compile(rf"(?<=[{CJK}”）》]) *\.(?= *(?:[{CJK}“《（]|\n|$))")


def _lines(s: str, start: int = 0, end: int | None = None):
    """(start, end) of each line of ``s[start:end]``."""
    end = len(s) if end is None else end
    a = start
    while a <= end:
        b = s.find("\n", a, end)
        b = end if b < 0 else b
        yield a, b
        a = b + 1


def _strip_span(s: str, a: int, b: int) -> tuple[int, int]:
    while a < b and s[a] in " \t\r\u3000":
        a += 1
    while b > a and s[b - 1] in " \t\r\u3000":
        b -= 1
    return a, b


def _pages(s: str) -> list[list[tuple[int, int]]]:
    """Non-blank lines of each page as (start, end) without their edge spaces."""
    pages, a = [], 0
    for chunk in s.split("\f"):
        lines = [_strip_span(s, x, y) for x, y in _lines(s, a, a + len(chunk))]
        pages.append([(x, y) for x, y in lines if y > x])
        a += len(chunk) + 1
    return pages


def _page_number_lines(s: str, pages: list[list[tuple[int, int]]]) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()
    bare: list[tuple[int, tuple[int, int], int]] = []
    for i, lines in enumerate(pages):
        for k, (a, b) in enumerate(lines):
            line = s[a:b]
            edge = k in (0, len(lines) - 1)
            if PAGE_NUMBER.match(line):
                found.add((a, b))
            elif edge and (m := PAGE_OF.match(line)) and 0 < int(m.group(1)) <= int(m.group(2)):
                found.add((a, b))
            elif edge and BARE_NUMBER.match(line):
                bare.append((int(line) - i, (a, b), i))
            elif LONE_DASH.match(line) and k + 1 < len(lines) and DASH_AFTER.match(s[slice(*lines[k + 1])]):
                found.update({(a, b), lines[k + 1]})  # "-" and "10 -" split over two lines
            else:
                for m in INLINE_PAGE_NUMBER.finditer(s, a, b):
                    if abs(int(m.group(1)) - (i + 1)) <= 3:
                        found.add(m.span())
    # bare numbers are page numbers when several pages agree on number minus page index
    agree = Counter(d for d, _, _ in bare)
    found.update(span for d, span, _ in bare if agree[d] >= 2)
    return found


def _running_lines(s: str, pages: list[list[tuple[int, int]]], skip: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Lines repeated (digits aside) at the top, or at the bottom, of ≥ 3 pages and half of them."""
    edges: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for lines in pages:
        body = [x for x in lines if x not in skip]
        seen: set[tuple[str, str]] = set()
        for k, (a, b) in enumerate(body[:2] + body[-2:]):
            line = re.sub(r"[\d\s]+", "", s[a:b])
            key = ("top" if k < 2 else "bottom", line)
            if len(line) >= 2 and line[-1] not in "。；" and not HEADING_START.match(line) and key not in seen:
                seen.add(key)
                edges.setdefault(key, []).append((a, b))
    n = len(pages)
    found: set[tuple[int, int]] = set()
    for spans in edges.values():
        variants = len({s[a:b] for a, b in spans})
        # the same line on every page, or one whose number changes on every page; not a
        # table column whose cells differ on some pages only
        if len(spans) >= 3 and len(spans) >= RUNNING_SHARE * n and variants in (1, len(spans)):
            found.update(spans)
    return found


def page_furniture(s: str) -> set[int]:
    """Positions of page numbers and running headers/footers in paged text ("\\f" between pages)."""
    if "\f" not in s:
        return set()
    pages = _pages(s)
    numbers = _page_number_lines(s, pages)
    dead = numbers | _running_lines(s, pages, numbers)
    return {i for a, b in dead for i in range(a, b)}


def ascii_full_stops(s: str) -> list[int]:
    """Positions of ``.`` used as ``。`` after Chinese text (not ``1.``, ``3.5``, nor ``一.`` headings)."""
    stops = []
    for m in ASCII_STOP.finditer(s):
        head = s[s.rfind("\n", 0, m.start()) + 1 : m.start()]
        if head.strip(NUM + " "):
            stops.append(m.end() - 1)
    return stops


def _width(raw: str) -> int:
    return sum(2 if ord(c) >= 0x2E80 else 1 for c in raw)


def unbalanced(line: str) -> bool:
    depth = 0
    for c in line:
        if c in OPENERS:
            depth += 1
        elif c in CLOSERS and depth:
            depth -= 1
    return depth > 0


def _title_joins(s: str, spans: list[tuple[int, int]], continued: list[bool]) -> set[int]:
    """Breaks inside a title printed over 2–4 lines (``江西省人民政府关于…\\n…的通知``)."""
    joins: set[int] = set()
    texts = [s[a:b] for a, b in spans]
    plain = [not NOT_TITLE.search(t) and not HEADING_START.match(t) for t in texts]
    for i in range(len(spans)):
        if not plain[i] or TITLE_END.search(texts[i]) or i and continued[i - 1]:
            continue
        for j in range(i + 1, min(i + 4, len(spans))):
            if not plain[j]:
                break
            if TITLE_END.search(texts[j]):
                if len("".join(texts[i : j + 1])) <= 80:
                    joins.update(p for k in range(i, j) for p in range(spans[k][1], spans[k + 1][0]))
                break
    return joins


def line_joins(s: str, raw: str, offsets: list[int]) -> set[int]:
    """Line breaks to delete in paged text: a line continued on the next line or page.

    A line continues when it stops mid-bracket, or when it ends without a sentence end,
    is (in the raw text) about as wide as the document's body lines or holds a comma,
    and the next line does not start a numbered unit. Short unpunctuated lines (titles, signatures, dates)
    keep their break, except the lines of one title, which become one line. A heading
    number alone on its line takes its title; a line starting with ``、`` or ``。``
    belongs to the line before; fragments of 1–3 characters join the next line.
    """
    spans = [(a, b) for a, b in _lines(s) if b > a]
    if not spans:
        return set()
    widths = [_width(raw[offsets[a] : offsets[b - 1] + 1]) for a, b in spans]
    body = [w for (a, b), w in zip(spans, widths) if b - a >= 6]
    full = 0.8 * (quantiles(body, n=4)[2] if len(body) >= 4 else max(body or [0]))
    joins: set[int] = set()
    for k in range(len(spans) - 1):
        (a, b), (c, d) = spans[k], spans[k + 1]
        prev, nxt = s[a:b], s[c:d]
        if nxt[0] in LEADING_PUNCT or BARE_MARKER.match(prev):
            joins.update(range(b, c))
        elif prev[-1] in LINE_END or HEADING_START.match(nxt) or _is_title(prev):
            continue
        elif unbalanced(prev) or prev[-1] not in CLOSERS and (widths[k] >= full or _in_sentence(prev)):
            joins.update(range(b, c))
        elif len(prev) <= 3 and not HEADING_START.match(prev):
            joins.update(range(b, c))  # a line's last characters printed as a run of their own
    continued = [b in joins for a, b in spans]
    return joins | _title_joins(s, spans, continued)


def _is_title(line: str) -> bool:
    return bool(TITLE_END.search(line)) and not NOT_TITLE.search(line) and not unbalanced(line)


def _in_sentence(line: str) -> bool:
    """A body line with a comma or enumeration mark (titles and signatures have none)."""
    return not HEADING_START.match(line) and bool(re.search("[，、]", line))


def _heading_kind(m: re.Match) -> tuple[str, int]:
    """The heading's kind and number; 0 (never next in a sequence) for a numeral no document prints."""
    paren, dun, chapter, unit = m.groups()
    kind, numeral = ("paren", paren) if paren else ("dun", dun) if dun else (unit, chapter)
    return kind, heading_number(numeral) or 0


def glued_heading_breaks(s: str) -> list[int]:
    """Positions before a heading run into the previous text with no punctuation.

    ``…绿色低碳体系二、主要任务`` is split only when the number follows the last heading
    of its kind (二、 after 一、; （一） again after a new 一、 section), so an in-text
    ``一、二、三产业`` or a cross-reference is left alone.
    """
    last: dict[str, int] = {}
    breaks: list[int] = []
    for a, b in _lines(s):
        m = _HEADING_KIND.match(s, a, b)
        if m:
            kind, n = _heading_kind(m)
            last[kind] = n
            if kind == "dun":
                last.pop("paren", None)
        for g in GLUED_HEADING.finditer(s, a + 1, b):
            if s[g.start() - 1] in NUM + "第" or g.start() - a < 6:
                continue  # 第一、二产业; a label such as 专题二、
            kind, n = _heading_kind(g)
            if n == last.get(kind, 0) + 1:
                breaks.append(g.start())
                last[kind] = n
                if kind == "dun":
                    last.pop("paren", None)
    return breaks
