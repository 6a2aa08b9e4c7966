"""Document structure: front matter, sections (一、), measures (（一）), sentences.

Survives what collected documents look like: headings run into the text or on their
own line, passages duplicated and shuffled by web scrapes, numbers missing or repeated,
front matter (date, publicity note, preamble) scattered into the body.

Policy for a repeated measure number (documented in the README): when the repeated
heading carries the same title, it is the same measure duplicated by the scrape — its
text is merged into the first occurrence, sentences already seen anywhere earlier in the
document are dropped, and every dropped passage is reported. When the title differs,
it is a numbering error in the source: both measures are kept, the later one with key
"<n>-2", and the repeat is reported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from . import agencies as agencies_mod
from .errors import InputError
from .headings import Heading, find_headings, sentence_ranges, subtract
from .metadata import PUBLICITY, read_metadata
from .model import Document, Issue, Measure, Section, Sentence, Span
from .normalize import Text, normalize, tex_residue, traditional_share
from .numerals import cn_to_int, int_to_cn
from .read import read_source
from .targets import extract_targets

CLOSING = re.compile(r"(?:^|\n)抄送[：:]")
PREAMBLE = re.compile(
    r"为(?:深入|全面|认真)?贯彻[^。]{5,400}?(?:制定如下|制定本|现提出如下|提出如下|特制定)[^。]{0,12}。"
)
STRAY_LATIN = re.compile(rf"(?<=[\u4e00-\u9fff])[a-z]{{2,}}(?=[\u4e00-\u9fff])")
MIN_DEDUP = 8  # shorter sentences ("推动民航绿色发展。") may legitimately repeat
MIN_DEDUP_LINE = 20  # a bare line (signature, issuer name) repeats by design unless long


@dataclass
class _Seg:
    """A heading and where its text ends (the next heading or the closing matter)."""

    head: Heading
    end: int


def _key(sentence: str) -> str:
    return re.sub(r"[\W_]", "", sentence)


class _Parser:
    def __init__(self, raw: str, path: str, encoding: str, level: Optional[str] = None, region: Optional[str] = None):
        self.raw, self.path = raw, path
        self.given = (level, region)
        share = traditional_share(raw)
        self.t: Text = normalize(raw, simplify=share > 0.02)
        self.s = self.t.text
        self.doc = Document(path=path, raw=raw, encoding=encoding)
        if share > 0.02:
            self.warn("traditional_script", f"converted from traditional script ({share:.0%} of characters)")
        self.seen: dict[str, tuple[int, int]] = {}

    def warn(self, code: str, message: str, a: Optional[int] = None, b: Optional[int] = None) -> None:
        span = self.t.raw_span(a, b) if a is not None and b is not None else None
        self.doc.warnings.append(Issue(code, message, span))

    def span(self, a: int, b: int) -> Span:
        return self.t.raw_span(a, b)

    # -- sentences, with duplicates dropped and reported as passages ---------------
    def keep_sentences(self, ranges: list[tuple[int, int]], where: str) -> list[tuple[int, int]]:
        kept, dropped = [], []
        for a, b in ranges:
            for x, y in sentence_ranges(self.s, a, b):
                k = _key(self.s[x:y])
                minimum = MIN_DEDUP if self.s[y - 1] in "。！？" else MIN_DEDUP_LINE
                if len(k) >= minimum and k in self.seen:
                    dropped.append((x, y, self.seen[k]))
                    continue
                if len(k) >= minimum:
                    self.seen[k] = (x, y)
                kept.append((x, y))
        self.report_duplicates(dropped, where)
        return kept

    def report_duplicates(self, dropped, where: str) -> None:
        groups: list[list] = []
        for d in dropped:
            if groups and self.s[groups[-1][-1][1] : d[0]].strip(" \n") == "":
                groups[-1].append(d)
            else:
                groups.append([d])
        for g in groups:
            a, b = g[0][0], g[-1][1]
            first = g[0][2]
            excerpt = self.s[a:b]
            excerpt = excerpt if len(excerpt) <= 40 else excerpt[:38] + "…"
            fs = self.span(*first)
            self.warn(
                "duplicate_passage",
                f"{where}: passage “{excerpt}” ({len(g)} sentence{'s' if len(g) > 1 else ''}) "
                f"repeats text first seen at chars {fs.start}-{fs.end}; removed",
                a,
                b,
            )

    def boilerplate(self, a: int, b: int) -> list[tuple[int, int]]:
        """Front matter that a scrape dropped into the body: publicity note, date, preamble."""
        holes = []
        for m in PUBLICITY.finditer(self.s, a, b):
            x = m.start()
            d = re.search(r"\d{4}年\d{1,2}月\d{1,2}日$", self.s[max(a, x - 12) : x])
            holes.append((x - len(d.group(0)) if d else x, m.end()))
        for m in PREAMBLE.finditer(self.s, a, b):
            x = m.start()
            t = self.doc.embedded_title
            if t and self.s[max(a, x - len(t)) : x] == t:
                x -= len(t)
            holes.append((x, m.end()))
        return holes

    # -- the document ---------------------------------------------------------------
    def parse(self) -> Document:
        s = self.s
        c = CLOSING.search(s)
        end = c.start() if c else len(s)
        heads = find_headings(s, end)
        measures = [h for h in heads if h.kind == "measure"]
        if not measures:
            raise InputError(self.path, "no measures found (no numbered headings like （一） or (一))")
        front_end = heads[0].start
        meta = read_metadata(self.t, front_end)
        d = self.doc
        d.title, d.embedded_title, d.issuers = meta.title, meta.embedded_title, meta.issuers
        d.doc_number, d.issued, d.citations = meta.doc_number, meta.issued, meta.citations
        self.infer_region()
        front = self.keep_sentences([(0, front_end)], "front matter")
        d.preamble = [Sentence(s[x:y], self.span(x, y)) for x, y in front]
        for x, y in front:
            d.targets += extract_targets(self.t, x, y)
        segs = [_Seg(h, (heads[i + 1].start if i + 1 < len(heads) else end)) for i, h in enumerate(heads)]
        closing = self.split_closing(segs)
        self.build(segs)
        if closing:
            x, y = closing
            d.closing = [Sentence(s[a:b], self.span(a, b)) for a, b in sentence_ranges(s, x, y)]
            self.warn("closing_paragraph", "unnumbered paragraph after the last measure kept as closing text", x, y)
        if c:
            d.closing += [Sentence(s[a:b], self.span(a, b)) for a, b in sentence_ranges(s, c.start(), len(s))]
        self.check_numbering(heads)
        for m in tex_residue(self.raw):
            d.warnings.append(Issue("tex_residue", f"TeX markup “{m.group(0)}” read as “{m.group(1)}”", Span(m.start(), m.end())))
        for m in STRAY_LATIN.finditer(s):
            self.warn("stray_latin", f"stray Latin word “{m.group(0)}” inside Chinese text", m.start(), m.end())
        return d

    def infer_region(self) -> None:
        from .mappings import find_region_in

        level, name = self.given
        for source in [self.doc.title or ""] + self.doc.issuers:
            region = find_region_in(source)
            if region:
                if name and region.name != name:
                    self.warn("registry_mismatch", f"text names region {region.name}, registry says {name}")
                self.doc.region, self.doc.level = region.name, region.level
                break
        if name:
            self.doc.region, self.doc.level = name, level

    def split_closing(self, segs: list[_Seg]) -> Optional[tuple[int, int]]:
        """A last paragraph after single-paragraph measures is the document's closing text."""
        ms = [g for g in segs if g.head.kind == "measure"]
        paras = [self.s[g.head.body : g.end].strip("\n").count("\n") + 1 for g in ms]
        if len(ms) < 3 or paras[-1] < 2 or sum(p == 1 for p in paras[:-1]) < 0.8 * (len(ms) - 1):
            return None
        last = ms[-1]
        if segs[-1] is not last:
            return None
        cut = self.s.find("\n", last.head.body)
        old_end, last.end = last.end, cut
        return cut + 1, old_end

    def build(self, segs: list[_Seg]) -> None:
        d, s = self.doc, self.s
        per_section = self.per_section_numbering(segs)
        by_key: dict[str, Measure] = {}
        lists_seen: dict[str, list] = {}
        section_obj: Optional[Section] = None
        for g in segs:
            h = g.head
            holes = self.boilerplate(h.body, g.end)
            for x, y in holes:
                self.warn("front_matter_in_body", f"front matter inside {self.label(h)} moved to the preamble", x, y)
                d.preamble += [Sentence(s[a:b], self.span(a, b)) for a, b in sentence_ranges(s, x, y)]
            if h.kind == "section":
                section_obj = self.section(h, g, holes)
                continue
            lists = agencies_mod.find_responsibility_lists(self.t, h.body, g.end)
            holes += [(lst.start, lst.end) for lst in lists]
            key = self.measure_key(h, per_section)
            m = by_key.get(key)
            if m is not None and m.title and h.title and _key(m.title) != _key(h.title):
                key = f"{key}-2"
                while key in by_key:
                    key = key[:-1] + str(int(key[-1]) + 1)
                m = None
                self.warn("repeated_number", f"number （{h.number}） used for two different measures: “{by_key[self.measure_key(h, per_section)].title}” and “{h.title}”", h.start, h.body)
            if m is None:
                m = Measure(h.number, cn_to_int(h.number), key, h.section, h.title, "", self.span(h.start, g.end))
                by_key[key] = m
                lists_seen[key] = []
            m.segments.append(self.span(h.start, g.end))
            kept = self.keep_sentences(subtract([(h.body, g.end)], holes), self.label(h))
            m.sentences += [Sentence(s[x:y], self.span(x, y)) for x, y in kept]
            for x, y in kept:
                m.targets += extract_targets(self.t, x, y)
            lists_seen[key] += lists
        d.measures = list(by_key.values())
        if not per_section:  # a scrape may shuffle them; the numbers give the order
            d.measures.sort(key=lambda m: (m.index, m.key))
        for m in d.measures:
            m.text = "".join(x.text for x in m.sentences)
            self.assign_agencies(m, lists_seen[m.key])

    def section(self, h: Heading, g: _Seg, holes) -> Section:
        sec = Section(h.number, cn_to_int(h.number), h.title, self.span(h.start, g.end))
        existing = next((x for x in self.doc.sections if x.number == h.number and _key(x.title) == _key(h.title)), None)
        if existing is not None:
            sec = existing
        else:
            self.doc.sections.append(sec)
        kept = self.keep_sentences(subtract([(h.body, g.end)], holes), f"section {h.number}、")
        sec.sentences += [Sentence(self.s[x:y], self.span(x, y)) for x, y in kept]
        sec.text = "".join(x.text for x in sec.sentences)
        for x, y in kept:
            sec.targets += extract_targets(self.t, x, y)
        return sec

    def assign_agencies(self, m: Measure, lists) -> None:
        if not lists:
            return
        first = lists[0]
        m.responsibility = first.raw
        m.agencies = agencies_mod.parse_agencies(self.t, first, self.doc.level, self.doc.region)
        for other in lists[1:]:
            if _key(other.raw) != _key(first.raw):
                self.warn(
                    "conflicting_responsibility",
                    f"measure （{m.number}） has another responsibility list under a repeated heading, "
                    f"“{other.raw[:30]}…”; kept the first, “{first.raw[:30]}…”",
                    other.start,
                    other.end,
                )

    def per_section_numbering(self, segs: list[_Seg]) -> bool:
        """True when numbering restarts at （一） in every section (keys become "2.3")."""
        firsts: dict[str, int] = {}
        for g in segs:
            h = g.head
            if h.kind == "measure" and h.section is not None and h.section not in firsts:
                firsts[h.section] = cn_to_int(h.number)
        sections = [g.head.number for g in segs if g.head.kind == "section"]
        return len(firsts) >= 2 and all(v == 1 for v in firsts.values()) and len(set(sections)) == len(sections)

    def measure_key(self, h: Heading, per_section: bool) -> str:
        n = str(cn_to_int(h.number))
        return f"{cn_to_int(h.section)}.{n}" if per_section and h.section else n

    def label(self, h: Heading) -> str:
        return f"measure （{h.number}）" if h.kind == "measure" else f"section {h.number}、"

    def check_numbering(self, heads: list[Heading]) -> None:
        d = self.doc
        per_section = bool(d.measures) and "." in d.measures[0].key
        measures = [h for h in heads if h.kind == "measure"]
        sections = Counter(f"{h.number}、{h.title}" for h in heads if h.kind == "section")
        numbers = Counter(f"{h.section}、（{h.number}）" if per_section else f"（{h.number}）" for h in measures)
        if any(v > 1 for v in sections.values()):
            self.warn("repeated_section", "section headings repeated: " + "；".join(f"{k}×{v}" for k, v in sections.items() if v > 1))
        if any(v > 1 for v in numbers.values()):
            self.warn("repeated_number", "measure numbers repeated: " + "、".join(f"{k}×{v}" for k, v in numbers.items() if v > 1))
        if d.measures and not per_section:
            present = {m.index for m in d.measures}
            missing = [int_to_cn(i) for i in range(1, max(present) + 1) if i not in present]
            if missing:
                self.warn("missing_numbers", "measure numbers missing: " + "、".join(f"（{x}）" for x in missing))
            firsts = list(dict.fromkeys(cn_to_int(h.number) for h in measures))
            if firsts != sorted(firsts):
                self.warn("out_of_order", "measure numbers out of order: " + "".join(f"（{int_to_cn(i)}）" for i in firsts))
        if sum(1 for m in d.measures if m.agencies) >= len(d.measures) / 2:
            for m in d.measures:
                if not m.agencies:
                    self.warn("no_responsibility", f"measure （{m.number}）{m.title} names no responsible agency")


def parse_text(
    raw: str, path: str = "<text>", encoding: str = "utf-8", level: Optional[str] = None, region: Optional[str] = None
) -> Document:
    """Parse decoded text into a Document (raises InputError when it holds no measures).

    ``level``/``region`` come from the registry when known; otherwise they are inferred
    from the title and issuers.
    """
    return _Parser(raw, path, encoding, level, region).parse()


def parse_file(path: str | Path, level: Optional[str] = None, region: Optional[str] = None) -> Document:
    """Read, decode, normalise and parse one file."""
    src = read_source(path)
    doc = parse_text(src.text, str(path), src.encoding, level, region)
    doc.format, doc.pages = src.format, src.pages
    if src.empty_pages:
        doc.warnings.append(Issue("empty_pages", "pages that are images without text (not read): " + ", ".join(map(str, src.empty_pages))))
    return doc
