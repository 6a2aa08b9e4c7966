"""Document metadata read from the text: title, issuers, document number, date, citations.

Government documents announce themselves in a few fixed ways (a title line ending in
通知/意见/方案…, a number such as 赣环气候字〔2022〕6号 on its own line, a date line or
"发布日期:", a transmittal "现将《…》印发给你们"); these are conventions of the genre,
not of any one document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

from kg.core.model import Citation
from kg.core.numerals import DIGITS, cn_to_int
from kg.read.normalize import Text

DOC_TYPES = "通知|意见|方案|措施|计划|办法|规划|决定|纲要|通告|公告|条例|规定|细则|指南"
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[【（(]\s*(\d{4})\s*[〕\]】）)]\s*(\d{1,4})\s*号")
TITLE_LINE = re.compile(rf"^[^，。；：]{{4,80}}(?:{DOC_TYPES})(?:[（(][^）)]{{1,20}}[）)])?$")
META_LABEL = re.compile(r"(?:发布日期|发文日期|成文日期|索引号|发文字号|来源)[:：]")
COVER_DATE = re.compile(
    r"[〇○零一二三四五六七八九\d]{4}年[一二三四五六七八九十\d]{1,2}月(?:[一二三四五六七八九十\d]{1,3}日)?"
)
DATE_CN = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
DATE_ISO = re.compile(r"(?:发布日期|发文日期|成文日期)[:：]\s*(\d{4})-(\d{1,2})-(\d{1,2})")
PUBLICITY = re.compile(r"（此件[^）]{0,8}公开）")
TRANSMITTAL = re.compile(r"现将《([^》]{2,120})》印发")
CITATION = re.compile(r"《([^《》]{2,120})》(?:（([^（）]{2,30}?〔\d{4}〕\d{1,4}号)）)?")
ORG_SUFFIX = re.compile(r"(?:人民政府|办公厅|办公室|委员会|厅|局|委|部|院|署|办)$")
ISSUED_BY = re.compile(r"^(?:近日，)?((?:[^，。《》]{2,30}?、)*[^，。《》、]{2,30}?)(?:关于)?印发了?《")
# A number or date printed in brackets under (or after) the title: （国发〔2021〕4号）
BRACKETED = re.compile(
    r"[（(]([^（）()]{0,20}?[〔\[【（(]\s*\d{4}\s*[〕\]】）)]\s*\d{1,4}\s*号|\d{4}年\d{1,2}月\d{1,2}日)[）)]$"
)


@dataclass
class Metadata:
    title: Optional[str] = None
    embedded_title: Optional[str] = None
    issuers: list[str] = field(default_factory=list)
    doc_number: Optional[str] = None
    issued: Optional[str] = None
    citations: list[Citation] = field(default_factory=list)


def _lines(s: str, start: int, end: int):
    pos = start
    for line in s[start:end].split("\n"):
        yield pos, line
        pos += len(line) + 1


def _title(front: list[tuple[int, str]]) -> Optional[str]:
    """The title, without the number or date a PDF prints in brackets after it, once
    (PDFs repeat the title as a running head above the first page's own title)."""
    t = _title_block(front)
    if t is None:
        return None
    t = BRACKETED.sub("", t) or t
    for n in range(2, 4):
        k = len(t) // n
        if k >= 4 and len(t) == k * n and t == t[:k] * n:
            return t[:k]
    return t


def _title_block(front: list[tuple[int, str]]) -> Optional[str]:
    """First title-like block: consecutive short lines, or a line cut at a metadata label."""
    block: list[str] = []
    for _, line in front + [(0, "")]:
        head = META_LABEL.split(line, 1)[0]
        if head != line and TITLE_LINE.match(head):
            return head
        if block and COVER_DATE.match(line) and re.search(rf"(?:{DOC_TYPES})$", "".join(block)):
            return "".join(block)  # a cover page: the title, then the month of issue
        if (
            line
            and len(line) <= 40
            and not re.search(r"[，。：；]", line)
            and not DOC_NUMBER.fullmatch(line)
            and not BRACKETED.fullmatch(line)
        ):
            block.append(line)
            continue
        joined = "".join(block)
        if block and re.search(rf"(?:{DOC_TYPES})(?:[（(][^）)]*[）)])?$", joined):
            return joined
        block = []
        if TITLE_LINE.match(line):
            return line
    return None


def _issuers(front: list[tuple[int, str]], title: Optional[str]) -> list[str]:
    """Issuer block at the head (one organisation per line), else the title's or intro's."""
    block: list[str] = []
    for _, line in front:
        if line and len(line) <= 30 and ORG_SUFFIX.search(line) and not TITLE_LINE.match(line):
            block.append(line)
        else:
            break
    if block:
        return block
    if title:
        m = re.match(r"^(.{2,30}?(?:人民政府|办公厅|委员会|厅|局))(?:印发|关于)", title)
        if m:
            return [m.group(1)]
    for _, line in front[:2]:
        m = ISSUED_BY.match(line)
        if m:
            return [x for x in m.group(1).split("、") if x and x != "关于"]
    return []


def _issued(s: str, front_end: int) -> Optional[str]:
    m = DATE_ISO.search(s, 0, front_end)
    if m:
        return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    for m in DATE_CN.finditer(s):
        line_start = s.rfind("\n", 0, m.start()) + 1
        line_end = s.find("\n", m.end())
        line_end = len(s) if line_end < 0 else line_end
        standalone = s[line_start:line_end] == m.group(0)
        before_publicity = PUBLICITY.match(s, m.end())
        if (standalone and m.start() < front_end) or before_publicity:
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"
    # The date line that closes the text (a plan has no front matter to carry it), in
    # Arabic or Chinese numerals (二〇二一年七月八日).
    for m in re.finditer(
        r"^(?:\d{4}年\d{1,2}月\d{1,2}日|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}日)$",
        s,
        re.M,
    ):
        iso = cn_date(m.group(0)) if not m.group(0)[0].isdigit() else None
        if m.group(0)[0].isdigit():
            d = DATE_CN.fullmatch(m.group(0))
            iso = f"{int(d.group(1)):04d}-{int(d.group(2)):02d}-{int(d.group(3)):02d}"
        if iso:
            return iso
    return None


YEAR_DIGITS = {**DIGITS, "○": 0}  # a year is written digit by digit: 二〇二一, 二○二二


def cn_date(s: str) -> Optional[str]:
    """ISO date of a date in Chinese numerals, or None.

    >>> cn_date("二〇二一年七月八日"), cn_date("二○二二年十二月三十一日"), cn_date("二〇二一年十十月一日")
    ('2021-07-08', '2022-12-31', None)
    """
    m = re.search(r"([〇○零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日", s)
    if not m:
        return None
    try:
        month, day = cn_to_int(m.group(2)), cn_to_int(m.group(3))
    except ValueError:  # 十十月: no numeral
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return f"{''.join(str(YEAR_DIGITS[c]) for c in m.group(1))}-{month:02d}-{day:02d}"


def citations(text: Text, skip: set[str]) -> list[Citation]:
    """Documents cited in 《…》, with their numbers where printed; first occurrence each."""
    seen: dict[str, Citation] = {}
    for m in CITATION.finditer(text.text):
        title = m.group(1)
        if title in skip or title in seen:
            if title in seen and m.group(2) and not seen[title].doc_number:
                seen[title].doc_number = m.group(2)
            continue
        seen[title] = Citation(title, m.group(2), text.raw_span(m.start(), m.end()))
    return list(seen.values())


def read_metadata(text: Text, front_end: int) -> Metadata:
    """Metadata of a document whose front matter is ``text.text[:front_end]``."""
    s = text.text
    front = list(_lines(s, 0, front_end))
    meta = Metadata()
    meta.title = _title(front)
    for _, line in front:
        m = DOC_NUMBER.fullmatch(line)
        if m:
            meta.doc_number = line
            break
        b = BRACKETED.search(line)
        if b and DOC_NUMBER.fullmatch(b.group(1)):
            meta.doc_number = b.group(1)
            break
    t = TRANSMITTAL.search(s)
    if t:
        meta.embedded_title = t.group(1)
    elif meta.title is None:
        m = re.search(r"印发了?《([^》]{2,120})》", s[:front_end])
        if m:
            meta.embedded_title = m.group(1)
    if meta.title is None:
        meta.title = meta.embedded_title
    meta.issuers = _issuers(front, meta.title)
    meta.issued = _issued(s, front_end)
    skip = {x for x in (meta.title, meta.embedded_title) if x}
    meta.citations = citations(text, skip)
    return meta
