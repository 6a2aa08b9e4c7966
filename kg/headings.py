"""Headings and sentences: where sections (一、) and measures (（一）) start and end.

A heading counts only at a line start or right after 。/）/； — so 十九届二中、三中全会 or
中韩（长春） in running text are never headings. A scrape that runs a section title
straight into its first measure ("一、…体系（一）推进…") is handled too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from .numerals import NUMERAL_CHARS, heading_number

N = f"[{NUMERAL_CHARS}]+"
_AFTER = r"(?:(?<=^)|(?<=\n)|(?<=[。）；]))"
SECTION_HEAD = re.compile(rf"{_AFTER}({N})、(?![{NUMERAL_CHARS}]+、)")
MEASURE_HEAD = re.compile(rf"{_AFTER}（({N})）")
RUN_ON_MEASURE = re.compile(rf"（({N})）")  # straight after a section title, in a scrape
SENTENCE_END = re.compile(r"[^。！？\n]*[。！？]|[^。！？\n]+")


@dataclass
class Heading:
    kind: str  # "section" | "measure"
    number: str
    start: int  # heading start (normalised offset)
    body: int  # where the body starts (after the title)
    title: str
    section: Optional[str] = None


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


def find_headings(s: str, end: int, rejected: Optional[list[re.Match]] = None) -> list[Heading]:
    r"""Section and measure headings in ``s[:end]``, in text order, each with its section.

    A heading whose numeral is malformed or implausibly large (（九百九十九百）) is not a
    heading; it goes to ``rejected`` for the caller to report.

    >>> [(h.kind, h.number, h.title) for h in find_headings("一、总体\n（一）推进转型。甲。", 99)]
    [('section', '一', '总体'), ('measure', '一', '推进转型')]
    """
    heads = []
    rejected = [] if rejected is None else rejected

    def plausible(matches):
        for m in matches:
            if heading_number(m.group(1)) is None:
                rejected.append(m)
            else:
                yield m

    starts = list(plausible(MEASURE_HEAD.finditer(s, 0, end)))
    for m in plausible(SECTION_HEAD.finditer(s, 0, end)):
        title, body = title_after(s, m.end(), end)
        if 2 <= len(title) <= 60:
            heads.append(Heading("section", m.group(1), m.start(), body, title))
            run_on = RUN_ON_MEASURE.match(s, body)
            if run_on and s[body - 1] not in "。）；\n" and heading_number(run_on.group(1)) is not None:
                starts.append(run_on)
    for m in starts:
        title, body = title_after(s, m.end(), end)
        heads.append(Heading("measure", m.group(1), m.start(), body, title))
    heads.sort(key=lambda h: h.start)
    section = None
    for h in heads:
        if h.kind == "section":
            section = h.number
        else:
            h.section = section
    return heads


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
