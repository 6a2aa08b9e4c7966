"""Word's automatic list numbers ("一、", "（一）", "1.", "第一条"), which are not in the text.

Official documents written in Word often number their headings with the list feature: the
number is drawn from numbering.xml when the page is shown, so a reader of the text alone
would see unnumbered paragraphs and find no measures. This module renders the number each
numbered paragraph shows, as Word does: counters per list, deeper levels restarting under
a new higher item, a list's start override honoured where the list begins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from kg.core.numerals import int_to_cn

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_LEGAL = str.maketrans("一二三四五六七八九十百千", "壹贰叁肆伍陆柒捌玖拾佰仟")
_ROMAN = [
    (1000, "M"),
    (900, "CM"),
    (500, "D"),
    (400, "CD"),
    (100, "C"),
    (90, "XC"),
    (50, "L"),
    (40, "XL"),
    (10, "X"),
    (9, "IX"),
    (5, "V"),
    (4, "IV"),
    (1, "I"),
]


def _roman(n: int) -> str:
    out = ""
    for value, letters in _ROMAN:
        while n >= value:
            out, n = out + letters, n - value
    return out


def _letters(n: int) -> str:
    return chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """One counter in a Word number format (ST_NumberFormat).

    >>> [format_number(12, f) for f in ("decimal", "chineseCounting", "chineseLegalSimplified", "decimalEnclosedCircle")]
    ['12', '十二', '拾贰', '⑫']
    """
    if n <= 0:
        return "〇" if fmt.startswith(("chinese", "ideograph", "taiwanese")) else str(n)
    if fmt.startswith(("chineseCounting", "taiwaneseCounting", "japaneseCounting", "koreanCounting")):
        return int_to_cn(n)
    if fmt == "chineseLegalSimplified":
        return int_to_cn(n).translate(_LEGAL)
    if fmt in ("ideographDigital", "taiwaneseDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt in ("ideographTraditional", "ideographZodiac"):
        cycle = _TIANGAN if fmt == "ideographTraditional" else _DIZHI
        return cycle[(n - 1) % len(cycle)]
    if fmt.startswith("decimalEnclosedCircle") and n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt in ("decimalFullWidth", "decimalFullWidth2"):
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt in ("lowerLetter", "upperLetter"):
        return _letters(n) if fmt == "lowerLetter" else _letters(n).upper()
    if fmt in ("lowerRoman", "upperRoman"):
        return _roman(n).lower() if fmt == "lowerRoman" else _roman(n)
    return str(n)


@dataclass(frozen=True)
class Level:
    start: int
    fmt: str
    text: str
    suffix: str  # "tab" | "space" | "nothing"
    legal: bool  # isLgl: every counter shown as a decimal


def _val(el, name: str) -> Optional[str]:
    found = el.find(f"{W}{name}") if el is not None else None
    return found.get(f"{W}val") if found is not None else None


def _levels(abstract) -> dict[int, Level]:
    out = {}
    for lvl in abstract.iterfind(f"{W}lvl"):
        start = _val(lvl, "start")
        out[int(lvl.get(f"{W}ilvl", "0"))] = Level(
            int(start) if start and start.lstrip("-").isdigit() else 1,
            _val(lvl, "numFmt") or "decimal",
            _val(lvl, "lvlText") or "",
            _val(lvl, "suff") or "tab",
            lvl.find(f"{W}isLgl") is not None,
        )
    return out


class Numbering:
    """The list numbers of one document; ``label`` is called on its paragraphs in order."""

    def __init__(self, numbering=None, styles=None):
        self.abstract: dict[str, dict[int, Level]] = {}
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}
        self.styles: dict[str, tuple[Optional[str], Optional[str], Optional[str]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        if numbering is not None:
            for a in numbering.iterfind(f"{W}abstractNum"):
                self.abstract[a.get(f"{W}abstractNumId")] = _levels(a)
            for num in numbering.iterfind(f"{W}num"):
                overrides = {}
                for o in num.iterfind(f"{W}lvlOverride"):
                    start = _val(o, "startOverride")
                    if start and start.isdigit():
                        overrides[int(o.get(f"{W}ilvl", "0"))] = int(start)
                self.nums[num.get(f"{W}numId")] = (_val(num, "abstractNumId"), overrides)
        if styles is not None:
            for s in styles.iterfind(f"{W}style"):
                ppr = s.find(f"{W}pPr")
                numpr = ppr.find(f"{W}numPr") if ppr is not None else None
                self.styles[s.get(f"{W}styleId")] = (_val(numpr, "numId"), _val(numpr, "ilvl"), _val(s, "basedOn"))

    def _style_numbering(self, style: Optional[str]) -> tuple[Optional[str], Optional[str]]:
        seen = set()
        while style and style in self.styles and style not in seen:
            seen.add(style)
            num_id, ilvl, style = self.styles[style][0], self.styles[style][1], self.styles[style][2]
            if num_id is not None:
                return num_id, ilvl
        return None, None

    def label(self, p) -> str:
        """The number paragraph ``p`` shows ("（一）"), with what follows it; "" if none."""
        ppr = p.find(f"{W}pPr")
        numpr = ppr.find(f"{W}numPr") if ppr is not None else None
        style_num, style_lvl = self._style_numbering(_val(ppr, "pStyle"))
        num_id = _val(numpr, "numId") or style_num
        ilvl = int(_val(numpr, "ilvl") or style_lvl or 0)
        if not num_id or num_id not in self.nums:
            return ""
        abstract_id, overrides = self.nums[num_id]
        levels = self.abstract.get(abstract_id, {})
        if ilvl not in levels:
            return ""
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for k, start in overrides.items():
                counters[k] = start - 1
        counters[ilvl] = counters.get(ilvl, levels[ilvl].start - 1) + 1
        for k in [k for k in counters if k > ilvl]:
            del counters[k]
        level = levels[ilvl]
        if level.fmt == "bullet":
            return ""
        text = level.text
        for k in range(8, -1, -1):
            if f"%{k + 1}" in text:
                shown = levels.get(k, level)
                value = counters.get(k, shown.start)
                text = text.replace(f"%{k + 1}", format_number(value, "decimal" if level.legal else shown.fmt))
        if not text:
            return ""
        gap = " " if level.suffix == "space" or (level.suffix == "tab" and text[-1].isalnum()) else ""
        return text + gap
