"""The evidence behind each alignment link, as a person judges it: the child measure's text
beside the parent measure's, with copied wording, changed numbers and years, and added or
dropped agencies marked, and where each sentence sits in its source (character span, page).

Everything is read from the built graph with the SPARQL of ``kg/queries/evidence/`` (the
sentences, their spans and the agencies ``kg build`` wrote), never from the text files.

Copied runs come from ``rapidfuzz.distance.Indel.opcodes`` on characters (the longest common
subsequence). ``difflib.SequenceMatcher`` finds the same runs on the seed pairs (2,333 against
2,310 characters in runs of four or more) but is pure Python and about ten times slower, and
needs ``autojunk=False``: its junk heuristic would drop the frequent characters of Chinese
text (、，的). A whole-text diff keeps order only, so the runs of every matched sentence pair
the aligner recorded are added too, and runs of at least MIN_MOVED characters found between
any child sentence and any parent sentence: a child that reorders the parent's wording still
shows it copied.

>>> c, p = marks("到2025年，全市建成绿色工厂20家。", "到2030年，全省建成绿色工厂200家以上。")
>>> [("到2025年，全市建成绿色工厂20家。"[s:e], k) for s, e, k in c]
[('2025年', 'changed'), ('建成绿色工厂', 'copied'), ('20', 'changed')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

from rapidfuzz.distance import Indel

from kg.core.resources import package_text
from kg.store.query import Build, opened, restrict, run_tool_query

MIN_RUN = 4  # characters: shorter common runs are shared words (绿色, 推进), not copying
MIN_MOVED = 8  # characters: a run copied out of order, found sentence against sentence (4 would catch 绿色发展)
SENTENCE = re.compile(r"[^。；！？]+[。；！？]?")
NUMBER = re.compile(r"20\d\d年|\d+(?:\.\d+)?[%％]?")
Sentence = tuple[str, int, int, Optional[int]]  # (text, start, end, page): raw-text span, page for PDFs
Mark = tuple[int, int, str]  # (start, end, kind): offsets into Side.text


@dataclass
class Side:
    """One measure as its document prints it."""

    doc: str
    key: str
    title: Optional[str]
    text: str  # the measure's full text (its sentences joined)
    sentences: list[Sentence]
    agencies: list[str]  # lead first
    number: Optional[str] = None  # as printed: 十一
    heading_lost: bool = False  # the collected text lost the heading (pkg:headingLost)

    @property
    def where(self) -> str:
        """Where the measure sits in its source: characters, and pages for a PDF."""
        if not self.sentences:
            return "no text in the source"
        start, end = min(s[1] for s in self.sentences), max(s[2] for s in self.sentences)
        pages = sorted({s[3] for s in self.sentences if s[3]})
        where = f"chars {start}–{end}"
        if pages:
            where = (f"p. {pages[0]}" if len(pages) == 1 else f"pp. {pages[0]}–{pages[-1]}") + ", " + where
        return where


@dataclass
class Evidence:
    """One child measure's link into the parent document, with what a reader needs to judge it."""

    child: Side
    parent: Optional[Side]  # None: a local innovation
    status: str
    score: float
    margin: Optional[float]
    method: str
    pairs: list[tuple[str, str]]  # matched (child sentence, parent sentence) texts, best first
    child_marks: list[Mark]
    parent_marks: list[Mark]
    implements: bool = False  # an aligned or curated link (plain eli:implements); weak links are not
    agencies_added: list[str] = field(default_factory=list)  # child agencies with no counterpart in the parent
    agencies_dropped: list[str] = field(default_factory=list)  # parent agencies with no counterpart in the child


def query_text(name: str) -> str:
    """The SPARQL of ``kg/queries/evidence/<name>.rq``."""
    return package_text("queries", "evidence", f"{name}.rq")


def _rows(build: Build, name: str, values: dict) -> list[dict]:
    return run_tool_query(build, restrict(query_text(name), values)).rows


def _sides(build: Build, docs: list[str]) -> dict[tuple[str, str], Side]:
    """Every measure of ``docs`` with its sentences and agencies, by (document, key), in document order."""
    sides: dict[tuple[str, str], Side] = {}
    for r in _rows(build, "measures", {"doc": docs}):
        k = (r["doc"], str(r["key"]))
        sides.setdefault(k, Side(r["doc"], k[1], r["title"], "", [], [], str(r["number"]), bool(r["heading_lost"])))
    for r in _rows(build, "sentences", {"doc": docs}):
        s = sides.get((r["doc"], str(r["key"])))
        if s is not None and (r["start"], r["end"]) not in {(x[1], x[2]) for x in s.sentences}:
            s.sentences.append((r["text"], r["start"], r["end"], r["page"]))
    for s in sides.values():
        s.text = "".join(x[0] for x in s.sentences)
    return sides


def _agencies(build: Build, docs: list[str], sides: dict) -> dict[str, set[str]]:
    """Fill each side's agencies (lead first); return, by name, the names of the agencies of
    ``docs`` each corresponds to (generic agencies left out)."""
    rows = _rows(build, "agencies", {"doc": docs})
    names = {r["agency"]: r["name"] for r in rows}
    counterparts: dict[str, set[str]] = {}
    for r in rows:
        s = sides.get((r["doc"], str(r["key"])))
        if s is not None and r["name"] not in s.agencies:
            s.agencies.append(r["name"])
        found = counterparts.setdefault(r["name"], set())
        found.update(names[x] for x in (r["up"], r["down"]) if x in names)
    for r in rows:
        if r["generic"]:
            counterparts.pop(r["name"], None)
    return counterparts


def _unmatched(mine: list[str], theirs: list[str], counterparts: dict[str, set[str]]) -> list[str]:
    """Agencies of ``mine`` with neither themselves nor a counterpart in ``theirs``; generic ones
    never, and none when ``theirs`` names no agency (a lost heading took its agencies with it)."""
    other = {a for a in theirs if a in counterparts}
    if not other:
        return []
    return [a for a in mine if a in counterparts and a not in other and not counterparts[a] & other]


def evidence(build: "Build | str | Path", child_doc: str, parent_doc: str) -> list[Evidence]:
    """One Evidence per link of a child measure into ``parent_doc``, in the child's order."""
    with opened(build) as b:
        pair = {"child_doc": [child_doc], "parent_doc": [parent_doc]}
        sides = _sides(b, [child_doc, parent_doc])
        counterparts = _agencies(b, [child_doc, parent_doc], sides)
        links = _rows(b, "links", pair)
        matched: dict[str, list[tuple[str, str]]] = {}
        for r in _rows(b, "pairs", pair):
            found = matched.setdefault(r["link"], [])
            if (r["child_text"], r["parent_text"]) not in found:
                found.append((r["child_text"], r["parent_text"]))
    out = []
    for r in links:
        child = sides.get((child_doc, str(r["child_key"])))
        if child is None:
            continue
        parent = sides.get((parent_doc, str(r["parent_key"]))) if r["parent_key"] is not None else None
        pairs = matched.get(r["link"], [])
        added = _unmatched(child.agencies, parent.agencies, counterparts) if parent else []
        dropped = _unmatched(parent.agencies, child.agencies, counterparts) if parent else []
        cm, pm = marks(child.text, parent.text, pairs, added, dropped) if parent else ([], [])
        out.append(
            Evidence(
                child,
                parent,
                r["status"],
                float(r["score"]),
                None if r["margin"] is None else float(r["margin"]),
                r["method"],
                pairs,
                cm,
                pm,
                bool(r["implements"]),
                added,
                dropped,
            )
        )
    index = {k: i for i, k in enumerate(sides)}  # the measures query lists them in document order
    return sorted(out, key=lambda e: index.get((child_doc, e.child.key), 0))


def unimplemented(build: "Build | str | Path", child_doc: str, parent_doc: str) -> list[Side]:
    """Parent measures no measure of ``child_doc`` implements (aligned or curated), with their
    text and agencies; a weak link does not implement."""
    with opened(build) as b:
        sides = _sides(b, [parent_doc])
        _agencies(b, [parent_doc], sides)
        done = {
            str(r["parent_key"])
            for r in _rows(b, "links", {"child_doc": [child_doc], "parent_doc": [parent_doc]})
            if r["implements"]
        }
    return [s for s in sides.values() if s.key not in done]


# ------------------------------------------------------------------ marks (pure)


def _numbers(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in NUMBER.finditer(text)]


def _runs(a: str, b: str, a_at: int = 0, b_at: int = 0, least: int = MIN_RUN) -> Iterable[tuple[int, int, int, int]]:
    """Common runs of at least ``least`` characters: (a start, a end, b start, b end)."""
    for op in Indel.opcodes(a, b):
        if op.tag == "equal" and op.src_end - op.src_start >= least:
            yield a_at + op.src_start, a_at + op.src_end, b_at + op.dest_start, b_at + op.dest_end


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _minus(spans: list[tuple[int, int]], holes: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` with the ``holes`` cut out."""
    out = []
    for s, e in spans:
        for hs, he in holes:
            if he <= s or hs >= e:
                continue
            if hs > s:
                out.append((s, hs))
            s = max(s, he)
            if s >= e:
                break
        if s < e:
            out.append((s, e))
    return out


def marks(
    child_text: str,
    parent_text: str,
    pairs: Iterable[tuple[str, str]] = (),
    added: Iterable[str] = (),
    dropped: Iterable[str] = (),
) -> tuple[list[Mark], list[Mark]]:
    """Marks on both texts, sorted and not overlapping: ``copied`` runs (the same wording, at
    least MIN_RUN characters), ``changed`` numbers and years (printed on one side only), and
    ``added`` agencies printed in the child's text and ``dropped`` ones printed in the
    parent's (the names of agencies the other side does not name, nor a counterpart of). ``pairs`` are matched (child sentence, parent sentence) texts whose
    runs count wherever the two sentences sit."""
    copied_c, copied_p = [], []
    for cs, ce, ps, pe in _runs(child_text, parent_text):
        copied_c.append((cs, ce))
        copied_p.append((ps, pe))
    for c_sentence, p_sentence in pairs:
        ci, pi = child_text.find(c_sentence), parent_text.find(p_sentence)
        if ci < 0 or pi < 0:
            continue
        for cs, ce, ps, pe in _runs(c_sentence, p_sentence, ci, pi):
            copied_c.append((cs, ce))
            copied_p.append((ps, pe))
    for c in SENTENCE.finditer(child_text):
        for p in SENTENCE.finditer(parent_text):
            for cs, ce, ps, pe in _runs(c.group(), p.group(), c.start(), p.start(), MIN_MOVED):
                copied_c.append((cs, ce))
                copied_p.append((ps, pe))
    c_numbers, p_numbers = _numbers(child_text), _numbers(parent_text)
    c_values, p_values = {n[2] for n in c_numbers}, {n[2] for n in p_numbers}
    c_changed = [(s, e) for s, e, v in c_numbers if v not in p_values]
    p_changed = [(s, e) for s, e, v in p_numbers if v not in c_values]
    c_agency, p_agency = _names(child_text, set(added)), _names(parent_text, set(dropped))

    def side(copied, changed, agency, agency_kind):
        special = _merge(changed + agency)
        out = [(s, e, "copied") for s, e in _minus(_merge(copied), special)]
        out += [(s, e, "changed") for s, e in changed]
        out += [(s, e, agency_kind) for s, e in agency if not any(cs <= s < ce for cs, ce in changed)]
        return sorted(out)

    return side(copied_c, c_changed, c_agency, "added"), side(copied_p, p_changed, p_agency, "dropped")


def _names(text: str, names: set[str]) -> list[tuple[int, int]]:
    """Where ``names`` are printed in ``text`` (longest first, not overlapping)."""
    taken: list[tuple[int, int]] = []
    for name in sorted(names, key=len, reverse=True):
        for m in re.finditer(re.escape(name), text):
            if not any(s < m.end() and m.start() < e for s, e in taken):
                taken.append((m.start(), m.end()))
    return sorted(taken)


def document_status(build: "Build | str | Path") -> list[dict]:
    """Every registered document: title, level, whether it has text, its file, how many
    measures it has and, when it failed, why (``status.rq``). Read once, for ``failures``
    here and for the front page's documents with no findings."""
    with opened(build) as b:
        return run_tool_query(b, query_text("status")).rows


def failures(rows: list[dict]) -> dict[str, str]:
    """Of ``document_status`` rows: the documents with a source file but no measure
    (unreadable, unparsable, or no measure in the text), each with the reason, one line."""
    out = {}
    for r in rows:
        if not r.get("file") or r.get("measures"):
            continue
        if r.get("error"):
            out[r["doc"]] = r["error"]
        elif r.get("has_text") is False:
            out[r["doc"]] = f"{r['file']}: no text could be read"
        else:
            out[r["doc"]] = f"{r['file']}: no measure found in the text"
    return out


def failed(build: "Build | str | Path") -> dict[str, str]:
    """Documents no finding may rest on (``failures``), read from the build."""
    return failures(document_status(build))
