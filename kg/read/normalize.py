"""Normalise raw document text for matching while keeping a map back to raw offsets.

Every pass keeps, for each output character, the index of the raw character it came
from, so a span found in the clean text maps back to the file (``Text.raw_span``).

>>> t = normalize("到 2025 年，达到 20 家。")
>>> t.text
'到2025年，达到20家。'
>>> t.raw_span(1, 6)
Span(start=2, end=8, page=None)
"""

from __future__ import annotations

import operator
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Optional

from kg.core.model import Span
from kg.read.layout import CJK, ascii_full_stops, glued_heading_breaks, line_joins, page_furniture, unbalanced
from kg.read.source import page_of

# CJK characters and the full-width punctuation that sits between them
CJK_CTX = CJK + r"\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\u2018-\u201f\u2014\u2026\u00b7"
TERMINAL = "。！？；：”」』…"
# a line ending like this closes a paragraph even though it ends in a bracket
CLOSED_PAREN = re.compile(r"(?:负责|公开|为准)[）)]$")
# a standalone title line: ends with a document type, holds no sentence punctuation
TITLE_LINE = re.compile(r"^[^，。；]{4,60}(?:通知|意见|方案|措施|计划|办法|规划|决定|纲要|通告|公告)[）)》]?$")
HEADING = re.compile(r"^(?:[一二三四五六七八九十百]+、|（[一二三四五六七八九十百]+）)")
# Half-width punctuation that becomes full-width when it touches Chinese text.
# some PDF fonts map 《》 to guillemets
_GUILLEMETS = {"«": "《", "»": "》"}
_PUNCT_FULL = {",": "，", ":": "：", ";": "；", "(": "（", ")": "）", "!": "！", "?": "？"}
# A line this long that stops without punctuation was cut by a page or column end.
BROKEN_LINE_MIN = 18


@dataclass
class Text:
    """Normalised text plus ``offsets[i]``: raw index of normalised char ``i``."""

    text: str
    offsets: list[int]
    raw: str

    @property
    def raw_len(self) -> int:
        return len(self.raw)

    @cached_property
    def _page_starts(self) -> list[int]:
        """Raw offsets where pages start (after each "\\f"); empty for text without pages."""
        return [0] + [i + 1 for i, c in enumerate(self.raw) if c == "\f"] if "\f" in self.raw else []

    def page_at(self, raw_offset: int) -> int:
        """1-based page of a raw offset in paged text (pages split by "\\f"); 1 for plain text."""
        return self.page(raw_offset) or 1

    def page(self, raw_offset: int) -> Optional[int]:
        """1-based page of a raw offset in paged text; None for text without pages."""
        return page_of(self._page_starts, raw_offset) if self._page_starts else None

    def raw_span(self, start: int, end: int) -> Span:
        """Raw span covering normalised chars ``[start, end)``.

        Markup deleted at either edge (the ``}`` of ``PM_{2.5}``) belongs to the span;
        deleted layout whitespace does not.
        """
        if end <= start:
            pos = self.offsets[start] if start < len(self.offsets) else self.raw_len
            return Span(pos, pos, self.page(pos))
        a, b = self.offsets[start], self.offsets[end - 1] + 1
        lo = self.offsets[start - 1] + 1 if start > 0 else 0
        hi = self.offsets[end] if end < len(self.offsets) else self.raw_len
        while a > lo and self.raw[a - 1] in "_^{":
            a -= 1
        while b < hi and self.raw[b] == "}":
            b += 1
        return Span(a, b, self.page(a))


class _Buf:
    """Characters with their raw offsets; passes delete or map characters."""

    def __init__(self, chars: list[str], offs: list[int]):
        self.chars, self.offs = chars, offs

    @property
    def chars(self) -> list[str]:
        return self._chars

    @chars.setter
    def chars(self, chars: list[str]) -> None:
        self._chars, self._s = chars, None

    def changed(self) -> None:
        """Called after changing ``chars`` in place, so ``s`` is joined again."""
        self._s = None

    @property
    def s(self) -> str:
        """The characters as one string, joined once per change (passes read it in turn)."""
        if self._s is None:
            self._s = "".join(self._chars)
        return self._s

    def delete(self, positions: set[int]) -> None:
        """Drop the characters at ``positions`` (others ignored), copying the runs kept
        between them whole: a pass deletes a few hundred of a document's 10^4–10^5."""
        n = len(self.chars)
        dead = sorted(i for i in positions if 0 <= i < n)
        if not dead:
            return
        chars, offs, start = [], [], 0
        for i in dead:
            chars += self.chars[start:i]
            offs += self.offs[start:i]
            start = i + 1
        self.chars = chars + self.chars[start:]
        self.offs = offs + self.offs[start:]

    def replace(self, positions: list[int], char: str) -> None:
        for i in positions:
            self.chars[i] = char
        self.changed()

    def insert_breaks(self, positions: list[int]) -> None:
        """A line break before each position, mapped to the raw offset of the character it precedes."""
        for i in sorted(positions, reverse=True):
            self.chars.insert(i, "\n")
            self.offs.insert(i, self.offs[i])
        self.changed()

    def delete_matches(self, pattern: re.Pattern, group: int = 0) -> None:
        dead: set[int] = set()
        for m in pattern.finditer(self.s):
            if m.start(group) >= 0:
                dead.update(range(m.start(group), m.end(group)))
        if dead:
            self.delete(dead)


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # loaded on first traditional-script document only

    return opencc.OpenCC("t2s")


_HAN_RUN = re.compile("[\u4e00-\u9fff]+")
SAMPLE = 5000  # CJK characters a document's script is judged by
TRADITIONAL = 0.02  # the share of those characters conversion changes above which a text is converted


def traditional_share(text: str) -> float:
    """Share of the first ``SAMPLE`` CJK characters that the traditional→simplified
    conversion changes. The text is read in runs of CJK characters only as far as the
    sample: a document is judged by its opening, not split into characters whole."""
    runs, n = [], 0
    for m in _HAN_RUN.finditer(text):
        runs.append(m.group())
        n += len(runs[-1])
        if n >= SAMPLE:
            break
    if not runs:
        return 0.0
    sample = "".join(runs)[:SAMPLE]
    conv = _t2s().convert(sample)
    changed = 0 if conv == sample else sum(map(operator.ne, sample, conv))
    return changed / len(sample)


def _fold_char(c: str) -> str:
    o = ord(c)
    if 0xFF10 <= o <= 0xFF19 or 0xFF21 <= o <= 0xFF3A or 0xFF41 <= o <= 0xFF5A:
        return chr(o - 0xFEE0)  # full-width digits and Latin letters
    if c in "％＋－．／＝＜＞～":
        return unicodedata.normalize("NFKC", c)
    if c in "\u00a0\u2002\u2003\u2009\u200b\ufeff\t\r\v":
        return " "
    return _GUILLEMETS.get(c, c)


# ``_fold_char`` of every character it changes, for ``str.translate`` (each is one character)
_FOLD = {
    ord(c): _fold_char(c)
    for c in (
        *map(chr, range(0xFF10, 0xFF1A)),
        *map(chr, range(0xFF21, 0xFF3B)),
        *map(chr, range(0xFF41, 0xFF5B)),
        *"％＋－．／＝＜＞～\u00a0\u2002\u2003\u2009\u200b\ufeff\t\r\v",
        *_GUILLEMETS,
    )
}


def _to_simplified(buf: _Buf) -> None:
    s = buf.s
    conv = _t2s().convert(s)
    if len(conv) == len(s):
        buf.chars = list(conv)
        return
    # phrase conversion changed lengths: convert character by character instead
    cc = _t2s()
    buf.chars = [cc.convert(c) if len(cc.convert(c)) == 1 else c for c in buf.chars]


_HALF_PUNCT = re.compile("[" + re.escape("".join(_PUNCT_FULL)) + "]")


def _unify_punct(buf: _Buf) -> None:
    s = buf.s
    n = len(s)
    cjk = re.compile(f"[{CJK_CTX}]")
    for m in _HALF_PUNCT.finditer(s):
        i, c = m.start(), m[0]
        prev = s[i - 1] if i else ""
        nxt = s[i + 1] if i + 1 < n else ""
        if c == "," and prev.isdigit() and nxt.isdigit():
            continue  # 1,2-二氯乙烷; 1,000
        if c in "()":
            buf.chars[i] = _PUNCT_FULL[c]  # brackets are unified everywhere
        elif cjk.match(prev or " ") or cjk.match(nxt or " ") or c == ":" and nxt == " ":
            buf.chars[i] = _PUNCT_FULL[c]
    buf.changed()


_TEX = re.compile(r"[_^]\{([^{}]{1,12})\}")


def _strip_tex(buf: _Buf) -> int:
    """``PM_{2.5}`` → ``PM2.5``: drop the markup, keep its content. Returns count."""
    dead: set[int] = set()
    count = 0
    for m in _TEX.finditer(buf.s):
        count += 1
        dead.update((m.start(), m.start() + 1, m.end() - 1))
    buf.delete(dead)
    return count


def _squeeze_spaces(buf: _Buf) -> None:
    """Remove layout spaces: at line ends and wherever one side is Chinese text."""
    buf.delete_matches(re.compile(r"^ +| +$", re.M))
    buf.delete_matches(re.compile(f"(?<=[{CJK_CTX}]) +|  *(?=[{CJK_CTX}])"))
    buf.delete_matches(re.compile(r"(?<=\d) +(?=[%％])"))
    buf.delete_matches(re.compile(r"(?<= ) +"))  # runs of spaces between Latin words


def _is_heading(line: str) -> bool:
    return bool(HEADING.match(line)) and "。" not in line


def _join_broken_lines(buf: _Buf) -> None:
    """Rejoin lines cut at page or column ends ("市\\n\\n市场监管局" → "市市场监管局").

    A line is continued by the next when it stops mid-bracket, or when it is long and
    ends without punctuation and neither it nor the next line is a heading.
    """
    s = buf.s
    dead: set[int] = set()
    for m in re.finditer(r"\n+", s):
        a = s.rfind("\n", 0, m.start()) + 1
        prev = s[a : m.start()]
        nxt_end = s.find("\n", m.end())
        nxt = s[m.end() : nxt_end if nxt_end >= 0 else len(s)]
        if not prev or not nxt or prev[-1] in TERMINAL or _is_heading(prev):
            continue
        if CLOSED_PAREN.search(prev) or TITLE_LINE.match(prev) and not unbalanced(prev):
            continue
        if HEADING.match(nxt) or nxt[0] in "（(" and re.match(r"[（(][一二三四五六七八九十]", nxt):
            continue
        if unbalanced(prev) or len(prev) >= BROKEN_LINE_MIN:
            dead.update(range(m.start(), m.end()))
    buf.delete(dead)


def normalize(raw: str, simplify: bool | None = None) -> Text:
    """Clean ``raw`` for matching. ``simplify``: convert traditional script (None = detect).

    Paged text (pages separated by "\\f", as read from a PDF) also loses its page numbers
    and running headers, and its lines are rejoined by their printed width (``kg.read.layout``).
    """
    buf = _Buf(list(raw.translate(_FOLD)), list(range(len(raw))))
    paged = "\f" in raw
    if paged:
        buf.delete(page_furniture(buf.s))
        buf.replace([i for i, c in enumerate(buf.chars) if c == "\f"], "\n")
    if simplify is None:
        simplify = traditional_share(raw) > TRADITIONAL
    if simplify:
        _to_simplified(buf)
    _unify_punct(buf)
    buf.replace(ascii_full_stops(buf.s), "。")
    _strip_tex(buf)
    buf.delete_matches(re.compile(r"\u3000+"))
    _squeeze_spaces(buf)
    buf.delete_matches(re.compile(r"^\n+"))
    buf.delete_matches(re.compile(r"\n+$"))
    if paged:
        buf.delete(line_joins(buf.s, raw, buf.offs))
        buf.insert_breaks(glued_heading_breaks(buf.s))
    else:
        _join_broken_lines(buf)
    buf.delete_matches(re.compile(r"(?<=\n)\n+"))  # blank lines → one break
    return Text(buf.s, buf.offs, raw)


def tex_residue(raw: str) -> list[re.Match]:
    return list(_TEX.finditer(raw))
