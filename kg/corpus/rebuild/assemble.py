"""The rebuilt measures: every unit under the number the sequence model gave it.

Each sentence keeps its raw span; the first occurrence of a repeated sentence is kept.
A measure whose heading was lost gets its number with an empty title and
``recovered=True``. Lists (agencies, deadlines) and targets move with the units they come
from. Re-placed sentences and lost headings are reported as data-quality warnings.
"""

from __future__ import annotations

from kg.core.model import Document, Issue, Measure, Sentence, Span
from kg.core.numerals import int_to_cn
from kg.corpus.rebuild.units import MIN_KEY, Body
from kg.curated.agency_names import issuing_department
from kg.extract.headings import label
from kg.extract.responsibility import deadline_targets, measure_agencies
from kg.extract.targets import extract_targets


def _excerpt(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def rebuild_measures(doc: Document, body: Body, states: list[int]) -> None:
    """Replace ``doc.measures`` by the placement ``states`` (one number per unit)."""
    t, level = body.t, doc.measures[0].level
    # the parser's findings about the measures it made, which the rebuild replaces
    doc.warnings = [w for w in doc.warnings if w.code not in ("conflicting_responsibility", "no_responsibility")]
    digits = doc.measures[0].number.isdigit()
    numeral = str if digits else int_to_cn
    old = {m.index: m for m in doc.measures}
    was = {s.span.start: m.index for m in doc.measures for s in m.sentences}
    heads = {}
    for u, v in zip(body.units, states):
        if u.kind == "heading":
            heads.setdefault(v, u.heading)
    section_of = {h.value: h.section for h in body.heads}
    issuer = issuing_department(doc.issuers, doc.title or doc.embedded_title or "", doc.level, doc.region)
    seen: set[str] = set()
    measures: dict[int, Measure] = {}
    lists: dict[int, list] = {}
    moves: list[tuple[int, int, int, int]] = []  # (a, b, from, to) in normalised offsets
    for u, v in zip(body.units, states):
        m = measures.get(v)
        if m is None:
            h = heads.get(v)
            prior = old.get(v)
            section = h.section if h else _section_before(section_of, v)
            m = Measure(
                h.number if h else numeral(v), v, str(v), section, h.title if h else "", "", t.raw_span(u.a, u.b)
            )
            m.level = level
            m.parent = prior.parent if prior else _parent_before(old, v)
            m.recovered = h is None
            measures[v] = m
            lists[v] = []
        m.segments.append(t.raw_span(u.a, u.b))
        if u.kind == "list":
            if not any(x.raw == u.lst.raw for x in lists[v]):
                lists[v].append(u.lst)
            continue
        if u.kind != "sentence":
            continue
        k = u.key
        if len(k) >= MIN_KEY:
            if k in seen:
                continue
            seen.add(k)
        span = t.raw_span(u.a, u.b)
        m.sentences.append(Sentence(u.text, span))
        m.targets += extract_targets(t, u.a, u.b)
        before = was.get(span.start)
        if before is not None and before != v:
            moves.append((u.a, u.b, before, v))
    for v, m in measures.items():
        m.text = "".join(s.text for s in m.sentences)
        m.segments = _merged(m.segments)
        m.span = m.segments[0]
        if lists[v]:
            first = lists[v][:1]  # one list closes one measure; another is reported
            m.responsibility = first[0].raw
            m.agencies = measure_agencies(t, first, doc.level, doc.region, issuer)
            m.targets += deadline_targets(t, first, doc.issued)
            for other in lists[v][1:]:
                doc.warnings.append(
                    Issue(
                        "conflicting_responsibility",
                        f"rebuilt measure {label(level, m.number)} has a second responsibility list "
                        f"“{_excerpt(other.raw)}”; kept “{_excerpt(m.responsibility)}”",
                        t.raw_span(other.start, other.end),
                    )
                )
        if m.recovered:
            doc.warnings.append(
                Issue(
                    "lost_heading",
                    f"measure {label(level, m.number)} has no heading in the text; its number is "
                    f"inferred from the sequence, {len(m.sentences)} sentences placed under it",
                    m.span,
                )
            )
    for v in range(1, body.numbers + 1):
        if v not in measures:  # a number of the sequence nothing was placed under: kept, empty
            at = max((m.span.end for k, m in measures.items() if k < v), default=0)
            m = measures[v] = Measure(numeral(v), v, str(v), _section_before(section_of, v), "", "", Span(at, at))
            m.level, m.parent, m.recovered = level, _parent_before(old, v), True
            doc.warnings.append(
                Issue(
                    "lost_heading",
                    f"measure {label(level, m.number)} has no heading in the text "
                    "and no sentence was placed under it: kept with its number, empty",
                )
            )
    _report_moves(doc, body, moves, level, numeral)
    doc.measures = [measures[v] for v in sorted(measures)]


def _section_before(section_of: dict, v: int):
    below = [k for k in section_of if k < v]
    return section_of[max(below)] if below else None


def _parent_before(old: dict, v: int):
    below = [k for k in old if k < v]
    return old[max(below)].parent if below else None


def _merged(spans):
    spans = sorted(spans, key=lambda s: s.start)
    out = [spans[0]]
    for s in spans[1:]:
        if s.start <= out[-1].end + 2:
            out[-1] = type(s)(out[-1].start, max(out[-1].end, s.end), out[-1].page)
        else:
            out.append(s)
    return out


def _report_moves(doc: Document, body: Body, moves, level: str, numeral) -> None:
    """One ``replaced_sentence`` warning per run of sentences moved alike."""
    groups: list[list] = []
    for mv in moves:
        if groups and groups[-1][-1][2:] == mv[2:] and not body.t.text[groups[-1][-1][1] : mv[0]].strip("。 \n"):
            groups[-1].append(mv)
        else:
            groups.append([mv])
    for g in groups:
        a, b, was, now = g[0][0], g[-1][1], g[0][2], g[0][3]
        doc.warnings.append(
            Issue(
                "replaced_sentence",
                f"“{_excerpt(body.t.text[a:b])}” ({len(g)} sentence{'s' if len(g) > 1 else ''}) moved from "
                f"{label(level, numeral(was))} to {label(level, numeral(now))} by the rebuild",
                body.t.raw_span(a, b),
            )
        )
