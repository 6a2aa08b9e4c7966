"""Chinese numerals as printed in headings (一 … 九十九, 百)."""

from __future__ import annotations

import re
from typing import Optional

DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
NUMERAL_CHARS = "〇零一二三四五六七八九十百"
# The shape of a numeral below 1000: hundreds, an optional 零, tens, units — each at most once.
_WELL_FORMED = re.compile(r"(?:[一二两三四五六七八九]?百)?[零〇]?(?:[一二两三四五六七八九]?十)?[一二两三四五六七八九]?")
# Official documents number their parts well below this; a larger heading number is a defect of the source.
HEADING_MAX = 300


def cn_to_int(s: str) -> int:
    """Value of a heading numeral; ValueError for anything that is not one (九百九十九百).

    >>> [cn_to_int(x) for x in ["一", "十", "十三", "二十", "二十一", "一百零二"]]
    [1, 10, 13, 20, 21, 102]
    """
    if not s or not _WELL_FORMED.fullmatch(s):
        raise ValueError(f"not a Chinese numeral: {s!r}")
    total, current = 0, 0
    for c in s:
        if c == "百":
            total += (current or 1) * 100
            current = 0
        elif c == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = DIGITS[c]
    return total + current


def heading_number(s: str) -> Optional[int]:
    """Value of a numeral that can number a heading, None for a malformed, oddly written
    (一十, 二十〇) or implausibly large one.

    >>> heading_number("二十一"), heading_number("九百九十九百"), heading_number("九百"), heading_number("一十")
    (21, None, None, None)
    """
    try:
        n = cn_to_int(s)
    except ValueError:
        return None
    return n if 0 < n <= HEADING_MAX and int_to_cn(n) == s.replace("两", "二") else None


def int_to_cn(n: int) -> str:
    """Inverse of cn_to_int for 0–999; larger numbers (never a heading) in Arabic digits.

    >>> [int_to_cn(x) for x in [1, 10, 13, 20, 21, 102, 1890]]
    ['一', '十', '十三', '二十', '二十一', '一百零二', '1890']
    """
    names = "零一二三四五六七八九"
    if n < 0 or n >= 1000:
        return str(n)
    if n < 10:
        return names[n]
    if n < 20:
        return "十" + (names[n % 10] if n % 10 else "")
    if n < 100:
        return names[n // 10] + "十" + (names[n % 10] if n % 10 else "")
    rest = n % 100
    tail = (
        ""
        if rest == 0
        else ("零" + int_to_cn(rest) if rest < 10 else (int_to_cn(rest) if rest >= 20 else "一" + int_to_cn(rest)))
    )
    return names[n // 100] + "百" + tail
