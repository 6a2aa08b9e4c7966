"""Document structure: front matter, sections, measures, sentences.

Which numbered units are sections and which are measures is decided per document by
``kg.extract.headings.outline`` (一、/（一） in most plans, 第X条 in regulations, 1. items where a
plan numbers its tasks so). Appendices (附件1 / 附件： on their own line after the first
heading) are kept out of the measures: their text is closing matter, reported as
``appendix``. A document with no numbered units is one measure (``unnumbered_document``).

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

from kg.core.errors import InputError
from kg.core.model import Document, Issue, Measure, Section, Sentence, Span
from kg.core.numerals import int_to_cn
from kg.curated.agency_names import issuing_department
from kg.extract import responsibility, task_tables
from kg.extract.headings import Heading, Outline, appendix_start, label, outline, sentence_ranges, subtract
from kg.extract.metadata import PUBLICITY, read_metadata
from kg.extract.targets import extract_targets
from kg.read import read_source
from kg.read.normalize import TRADITIONAL, Text, normalize, tex_residue, traditional_share

CLOSING = re.compile(r"(?:^|\n)抄送[：:]")
PREAMBLE = re.compile(
    r"为(?:深入|全面|认真)?贯彻[^。]{5,400}?(?:制定如下|制定本|现提出如下|提出如下|特制定)[^。]{0,12}。"
)
STRAY_LATIN = re.compile(r"(?<=[\u4e00-\u9fff])[a-z]{2,}(?=[\u4e00-\u9fff])")
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
        self.t: Text = normalize(raw, simplify=share > TRADITIONAL)
        self.s = self.t.text
        self.doc = Document(path=path, raw=raw, encoding=encoding)
        if share > TRADITIONAL:
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
        o = outline(s, end)
        appendix = appendix_start(s, o.heads[0].start + 1, end) if o.heads else None
        if appendix is not None:
            o = outline(s, appendix)
        heads = o.heads
        body_end = appendix if appendix is not None else end
        if not any(h.kind == "measure" for h in heads):
            heads = self.unnumbered(body_end)
        front_end = heads[0].start
        meta = read_metadata(self.t, front_end)
        d = self.doc
        d.title, d.embedded_title, d.issuers = meta.title, meta.embedded_title, meta.issuers
        d.doc_number, d.issued, d.citations = meta.doc_number, meta.issued, meta.citations
        if heads[0].level == "document":
            heads[0].title = d.title or heads[0].title
        self.infer_region()
        front = self.keep_sentences(subtract([(0, front_end)], [o.toc] if o.toc else []), "front matter")
        d.preamble = [Sentence(s[x:y], self.span(x, y)) for x, y in front]
        for x, y in front:
            d.targets += extract_targets(self.t, x, y)
        segs = [_Seg(h, (heads[i + 1].start if i + 1 < len(heads) else body_end)) for i, h in enumerate(heads)]
        closing = self.split_closing(segs)
        self.build(segs, o)
        self.task_tables(front_end, len(s))  # annexed (附件) or inline: rows are told by their header
        if closing:
            x, y = closing
            d.closing = [Sentence(s[a:b], self.span(a, b)) for a, b in sentence_ranges(s, x, y)]
            self.warn("closing_paragraph", "unnumbered paragraph after the last measure kept as closing text", x, y)
        if appendix is not None:
            d.closing += [Sentence(s[a:b], self.span(a, b)) for a, b in sentence_ranges(s, appendix, end)]
            self.warn("appendix", "appendix after the body kept out of the measures, as closing text", appendix, end)
        if c:
            d.closing += [Sentence(s[a:b], self.span(a, b)) for a, b in sentence_ranges(s, c.start(), len(s))]
        if o.toc:
            self.warn("table_of_contents", "table of contents skipped", *o.toc)
        for h in o.bad:
            self.warn(
                "bad_numeral",
                f"heading number “{label(h.level, h.number)}” is no numeral a document would print; not read as a heading",
                h.start,
                h.body,
            )
        self.check_numbering(heads, o)
        for m in tex_residue(self.raw):
            d.warnings.append(
                Issue("tex_residue", f"TeX markup “{m.group(0)}” read as “{m.group(1)}”", Span(m.start(), m.end()))
            )
        for m in STRAY_LATIN.finditer(s):
            self.warn("stray_latin", f"stray Latin word “{m.group(0)}” inside Chinese text", m.start(), m.end())
        return d

    def unnumbered(self, end: int) -> list[Heading]:
        """A document with no numbered units (a short notice) is one measure after its title."""
        s = self.s
        first = next((i for i, ch in enumerate(s[:end]) if not ch.isspace()), None)
        if first is None:
            raise InputError(self.path, "no text to parse (empty document)")
        line_end = s.find("\n", first, end)
        line_end = end if line_end < 0 else line_end
        body = line_end if s[line_end:end].strip() else first
        self.warn("unnumbered_document", "no numbered headings: the whole text is read as one measure", first, end)
        h = Heading("measure", "1", body, body, s[first:line_end].strip()[:60], level="document", value=1, key="1")
        return [h]

    def infer_region(self) -> None:
        from kg.extract.place import infer_place

        level, name = self.given
        place = infer_place(self.doc.title, self.doc.issuers, self.doc.doc_number, self.s, Path(self.path).stem)
        if place.region:
            if name and place.region != name:
                self.warn("registry_mismatch", f"text names region {place.region}, registry says {name}")
            self.doc.region, self.doc.level = place.region, place.level
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
        lists = responsibility.find_responsibility_lists(self.t, cut, last.end)
        if lists:
            return None  # a closing text names no responsible agency: it is the last measure's
        old_end, last.end = last.end, cut
        return cut + 1, old_end

    def build(self, segs: list[_Seg], o: Outline) -> None:
        d, s = self.doc, self.s
        by_key: dict[str, Measure] = {}
        lists_seen: dict[str, list] = {}
        carried: frozenset = frozenset()  # a lead rule stated once for the lists below (下同)
        for g in segs:
            h = g.head
            holes = self.boilerplate(h.body, g.end)
            if holes and not any(s[a:b].strip() for a, b in subtract([(h.body, g.end)], holes)):
                holes = []  # the unit is nothing but that text: a regulation's 第一条 states its purpose so
            for x, y in holes:
                self.warn("front_matter_in_body", f"front matter inside {self.label(h)} moved to the preamble", x, y)
                d.preamble += [Sentence(s[a:b], self.span(a, b)) for a, b in sentence_ranges(s, x, y)]
            if h.kind == "section":
                self.section(h, g, holes)
                continue
            lists = responsibility.find_responsibility_lists(self.t, h.body, g.end, carried)
            carried = responsibility.carried_rules(lists, carried)
            holes += [(lst.start, lst.end) for lst in lists]
            key = h.key
            m = by_key.get(key)
            if m is not None and m.title and h.title and _key(m.title) != _key(h.title):
                key = f"{key}-2"
                while key in by_key:
                    key = key[:-1] + str(int(key[-1]) + 1)
                m = None
                self.warn(
                    "repeated_number",
                    f"number {self.label(h, False)} used for two different measures: “{by_key[h.key].title}” and “{h.title}”",
                    h.start,
                    h.body,
                )
            if m is None:
                m = Measure(h.number, h.value, key, h.section, h.title, "", self.span(h.start, g.end))
                m.level, m.parent = h.level, (h.parent.key if h.parent else None)
                by_key[key] = m
                lists_seen[key] = []
            m.segments.append(self.span(h.start, g.end))
            kept = self.keep_sentences(subtract([(h.body, g.end)], holes), self.label(h))
            m.sentences += [Sentence(s[x:y], self.span(x, y)) for x, y in kept]
            for x, y in kept:
                m.targets += extract_targets(self.t, x, y)
            lists_seen[key].append(lists)
        d.measures = list(by_key.values())
        levels = {m.level for m in d.measures}
        if len(levels) == 1 and not levels & o.restarts:  # a scrape may shuffle them; the numbers give the order
            d.measures.sort(key=lambda m: (m.index, m.key))
        for m in d.measures:
            m.text = "".join(x.text for x in m.sentences)
            self.assign_agencies(m, lists_seen[m.key])

    def section(self, h: Heading, g: _Seg, holes) -> Section:
        sec = Section(h.number, h.value, h.title, self.span(h.start, g.end))
        sec.key, sec.level, sec.parent = h.key, h.level, (h.parent.key if h.parent else None)
        same = (h.level, h.number, _key(h.title))
        existing = next((x for x in self.doc.sections if (x.level, x.number, _key(x.title)) == same), None)
        if existing is not None:
            sec = existing
        else:
            keys = {x.key for x in self.doc.sections}
            if sec.key in keys:  # the same number for two different sections: a numbering error of the source
                n = 2
                while f"{h.key}-{n}" in keys:
                    n += 1
                sec.key = h.key = f"{h.key}-{n}"  # its measures name their parent by it
                self.warn(
                    "repeated_number", f"number {self.label(h, False)} used for two different sections", h.start, h.body
                )
            self.doc.sections.append(sec)
        kept = self.keep_sentences(subtract([(h.body, g.end)], holes), self.label(h))
        sec.sentences += [Sentence(self.s[x:y], self.span(x, y)) for x, y in kept]
        sec.text = "".join(x.text for x in sec.sentences)
        for x, y in kept:
            sec.targets += extract_targets(self.t, x, y)
        return sec

    def assign_agencies(self, m: Measure, groups: list[list]) -> None:
        """The measure's agencies: the union of its segment's lists (one per sub-item or
        paragraph), a repeated heading's other lists only compared (``kg.extract.responsibility``)."""
        groups = [g for g in groups if g]
        if not groups:
            return
        first = groups[0]
        m.responsibility = "；".join(lst.raw for lst in first)
        d = self.doc
        issuer = issuing_department(d.issuers, d.title or d.embedded_title or "", d.level, d.region)
        m.agencies = responsibility.measure_agencies(self.t, first, d.level, d.region, issuer)
        m.targets += responsibility.deadline_targets(self.t, first, self.doc.issued)
        for other in groups[1:]:
            raw = "；".join(lst.raw for lst in other)
            if _key(raw) != _key(m.responsibility):
                self.warn(
                    "conflicting_responsibility",
                    f"measure （{m.number}） has another responsibility list under a repeated heading, "
                    f"“{raw[:30]}…”; kept the first, “{m.responsibility[:30]}…”",
                    other[0].start,
                    other[-1].end,
                )

    def task_tables(self, a: int, b: int) -> None:
        """Rows of an annexed task-division table join the measures they restate."""
        raw_a = self.t.offsets[a] if a < len(self.t.offsets) else len(self.raw)
        raw_b = self.t.offsets[b - 1] + 1 if 0 < b <= len(self.t.offsets) else len(self.raw)
        d = self.doc
        rows = task_tables.find_task_rows(self.t, raw_a, raw_b, d.level, d.region, d.issued)
        for row, m, score in task_tables.match_rows(rows, d.measures):
            if m is None:
                d.warnings.append(
                    Issue(
                        "unmatched_task_row",
                        f"task-table row “{row.task[:30]}” restates no measure (best similarity {score:.0f})",
                        row.span,
                    )
                )
                continue
            task_tables.merge_row(m, row)
            if m.responsibility is None:
                m.responsibility = "、".join(x.raw for x in row.agencies)

    def label(self, h: Heading, kind: bool = True) -> str:
        what = ("measure " if h.kind == "measure" else "section ") if kind else ""
        return what + label(h.level, h.number)

    def check_numbering(self, heads: list[Heading], o: Outline) -> None:
        """Repeated, missing and out-of-order numbers, per level (within each parent
        where the level's numbering restarts)."""
        d = self.doc
        for level in dict.fromkeys(h.level for h in heads):
            units = [h for h in heads if h.level == level]
            restart = level in o.restarts
            kind = "measure" if any(h.kind == "measure" for h in units) else "section"
            if kind == "section":
                repeated = Counter(
                    f"{h.number}、{h.title}" if level == "section" else f"{label(level, h.number)}{h.title}"
                    for h in units
                )
                if any(v > 1 for v in repeated.values()):
                    self.warn(
                        "repeated_section",
                        "section headings repeated: " + "；".join(f"{k}×{v}" for k, v in repeated.items() if v > 1),
                    )
                continue
            name = (
                (lambda h: f"{h.section}、{label(level, h.number)}") if restart else (lambda h: label(level, h.number))
            )
            numbers = Counter(name(h) for h in units)
            if any(v > 1 for v in numbers.values()):
                self.warn(
                    "repeated_number",
                    "measure numbers repeated: " + "、".join(f"{k}×{v}" for k, v in numbers.items() if v > 1),
                )
            if restart or level == "document":
                continue
            shown = (
                (lambda i: label(level, int_to_cn(i)))
                if not units[0].number.isdigit()
                else (lambda i: label(level, str(i)))
            )
            present = {h.value for h in units}
            missing = [shown(i) for i in range(1, max(present) + 1) if i not in present]
            if missing:
                self.warn("missing_numbers", "measure numbers missing: " + "、".join(missing))
            firsts = list(dict.fromkeys(h.value for h in units))
            if firsts != sorted(firsts):
                self.warn("out_of_order", "measure numbers out of order: " + "".join(shown(i) for i in firsts))
        if sum(1 for m in d.measures if m.agencies) >= len(d.measures) / 2:
            for m in d.measures:
                if not m.agencies:
                    self.warn(
                        "no_responsibility", f"measure {label(m.level, m.number)}{m.title} names no responsible agency"
                    )


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
    doc.warnings += src.warnings  # bytes replaced while decoding (bad_bytes)
    if src.empty_pages:
        doc.warnings.append(
            Issue(
                "empty_pages", "pages that are images without text (not read): " + ", ".join(map(str, src.empty_pages))
            )
        )
    return doc
