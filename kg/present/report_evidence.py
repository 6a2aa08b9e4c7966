"""The evidence sections of a pair report: every link's child measure beside its parent
measure (copied wording highlighted, changed numbers, years and agencies marked, where each
side sits in its source), the parent measures nothing implements with their text and
agencies, and the caveats of findings that rest on a rebuilt source.

Blocks (see ``kg.present.report``): ``("evidence", Evidence, caveat)`` and ``("side", Side,
detail, caveat)``, where a caveat is None or ``(text, document id)`` naming the document whose
data-quality warnings explain it. Markdown escapes every piece of document text through
``md_text`` (written once here): a title holding ``<script>``, ``|`` or ``*`` comes out inert.
"""

from __future__ import annotations

import html
import re
from typing import Optional

from kg.analysis.evidence import Evidence, Side

# warnings that say the text a finding rests on was rebuilt from a scrambled source
REBUILT = ("rebuilt", "lost_heading", "replaced_sentence")
CSS = """details.ev{color:#222;border:1px solid #ddd;border-radius:4px;margin:.4rem 0;padding:.2rem .6rem}
details.ev summary{cursor:pointer}details.aligned>summary{color:#1a7f37}details.weak>summary{color:#b35900}
details.unaligned>summary{color:#666}.cols{display:flex;gap:1rem;margin:.5rem 0}.side{flex:1 1 0;min-width:0}
.side h4{margin:.2rem 0;font-size:.95rem}.where{color:#666;font-size:.8rem;margin:0}.text{line-height:1.6}
mark.copied{background:#fff3a3}mark.changed{background:#ffd1d1;outline:1px solid #d33}
mark.added,mark.dropped{background:#d7e8ff;outline:1px solid #36c}.ag-added,.ag-dropped{color:#1a4fa0;font-weight:600}
.caveat{background:#fff4e5;border-left:4px solid #e08a00;padding:.3rem .6rem}.legend mark{padding:0 .3rem}
.s{border-bottom:1px dotted #bbb}"""
LEGEND = (
    "highlighted: copied wording (the same run of at least four characters on both sides); "
    "red: a number or year printed on one side only; blue: an agency the other side does not name "
    "(nor its counterpart)"
)
_MD_ACTIVE = re.compile(r"([\\`*_\[\]<>#|~&])")


def md_text(text) -> str:
    """Document text made inert in Markdown: every character Markdown or HTML acts on is
    backslash-escaped (CommonMark renders ``\\<`` as ``<``), line breaks become spaces."""
    return _MD_ACTIVE.sub(r"\\\1", str(text)).replace("\r", " ").replace("\n", " ")


def anchor(doc: str) -> str:
    """The id of a document's data-quality warnings heading in the pair report."""
    return "warnings-" + re.sub(r"[^A-Za-z0-9_-]", "-", doc)


def rebuilt_caveats(warnings: list[dict], docs: tuple[str, ...]) -> dict[str, list[dict]]:
    """The rebuilt-source warnings of each of ``docs`` that has any."""
    out: dict[str, list[dict]] = {}
    for w in warnings:
        if w["doc"] in docs and w["code"] in REBUILT:
            out.setdefault(w["doc"], []).append(w)
    return out


def pair_caveats(rebuilt: dict[str, list[dict]]) -> list[tuple]:
    """A caveat block under the title for each document of the pair rebuilt from scrambled text."""
    out = []
    for doc, ws in rebuilt.items():
        counts: dict[str, int] = {}
        for w in ws:
            counts[w["code"]] = counts.get(w["code"], 0) + 1
        figures = ", ".join(f"{c} {n}" for c, n in sorted(counts.items()))
        text = (
            f"⚠ Findings here rest on a source rebuilt from scrambled text: {doc} ({figures} warnings). "
            "Read each link's evidence before relying on it."
        )
        out.append(("caveat", text, doc))
    return out


def side_caveat(side: Optional[Side], rebuilt: dict[str, list[dict]]) -> Optional[str]:
    """Why a measure's text is uncertain: a lost heading, or sentences a rebuild replaced."""
    if side is None or side.doc not in rebuilt:
        return None
    why = []
    if side.heading_lost:
        why.append("its heading was lost, its number inferred")
    spans = [(w["start"], w["end"]) for w in rebuilt[side.doc] if w.get("start") is not None]
    if any(s < e2 and s2 < e for _, s, e, _ in side.sentences for s2, e2 in spans):
        why.append("sentences were moved or replaced in the rebuild")
    if not why:
        why.append("its document was rebuilt from a scrambled source")
    return f"（{side.number}） of {side.doc}: " + "; ".join(why)


def link_caveat(e: Evidence, rebuilt: dict[str, list[dict]]) -> Optional[tuple[str, str]]:
    parts = [(c, s.doc) for s in (e.child, e.parent) if (c := side_caveat(s, rebuilt))]
    if not parts:
        return None
    return "⚠ rests on a rebuilt source: " + " · ".join(p[0] for p in parts), parts[0][1]


def unimplemented_caveat(side: Side, rebuilt: dict[str, list[dict]]) -> Optional[tuple[str, str]]:
    c = side_caveat(side, rebuilt)
    return ("⚠ rests on a rebuilt source: " + c, side.doc) if c else None


def offered(e: Evidence) -> bool:
    """A weak link a person can judge: one with matched sentences to read (score 0 and no
    evidence is nothing to confirm)."""
    return e.status == "weak" and bool(e.pairs) and e.score > 0


def _m(side: Optional[Side]) -> str:
    if side is None:
        return "—"
    title = side.title or ("heading lost: " + (side.text[:24] + "…" if len(side.text) > 24 else side.text))
    return f"（{side.number}）{title}"


def summary_line(e: Evidence) -> str:
    """One line per link: child → parent, status, what the status rests on."""
    figures = [e.status, f"score {e.score:.2f}"]
    if e.margin is not None:
        figures.append(f"margin {e.margin:.2f}")
    figures += [e.method, f"{len(e.pairs)} matched sentence pairs"]
    if e.status == "weak":
        figures.append(
            "confirm or reject in mappings/alignment_overrides.csv" if offered(e) else "no evidence: nothing to confirm"
        )
    return f"{_m(e.child)} → {_m(e.parent) if e.parent else 'no parent measure (local innovation)'} · " + " · ".join(
        figures
    )


def weak_row(row: tuple, e) -> list:
    """A weak link's row: what it rests on, and whether there is anything to confirm."""
    row = list(row)
    if e is not None:
        pairs = f"{len(e.pairs)} matched sentence pairs" + (f", margin {e.margin:.2f}" if e.margin is not None else "")
        row[-1] = (
            f"{pairs}; confirm or reject in mappings/alignment_overrides.csv (evidence above)"
            if offered(e)
            else f"{pairs}: no evidence, nothing to confirm"
        )
    return row


def md_code(text: str) -> str:
    """A paragraph: `code` spans kept as code, everything else escaped."""
    parts = str(text).split("`")
    return "".join(f"`{p}`" if i % 2 else md_text(p) for i, p in enumerate(parts))


# ------------------------------------------------------------------ HTML


def _marked_html(side: Side, marks: list) -> str:
    """The side's text, sentence by sentence (each with its span as a tooltip), marks inside."""
    cuts, at = [], 0
    for text, start, end, page in side.sentences:
        cuts.append((at, at + len(text), f"chars {start}–{end}" + (f", p. {page}" if page else "")))
        at += len(text)
    out = []
    for s_from, s_to, where in cuts:
        pieces, pos = [], s_from
        for m_from, m_to, kind in marks:
            m_from, m_to = max(m_from, s_from), min(m_to, s_to)
            if m_from >= m_to:
                continue
            pieces.append(html.escape(side.text[pos:m_from]))
            pieces.append(f'<mark class="{kind}">{html.escape(side.text[m_from:m_to])}</mark>')
            pos = m_to
        pieces.append(html.escape(side.text[pos:s_to]))
        out.append(f'<span class="s" title="{html.escape(where)}">{"".join(pieces)}</span>')
    return "".join(out) or "<em>no text in the source</em>"


def _agencies_html(names: list[str], changed: list[str], kind: str) -> str:
    if not names:
        return "agencies: none named"
    return "agencies: " + "、".join(
        f'<span class="ag-{kind}" title="{kind}">{html.escape(a)}</span>' if a in changed else html.escape(a)
        for a in names
    )


def _side_html(label: str, side: Side, marks: list, changed: list[str], kind: str) -> str:
    return (
        f'<section class="side {label}"><h4>{label}: {html.escape(side.doc)} {html.escape(_m(side))}</h4>'
        f'<p class="where">{html.escape(side.where)}</p><p class="text">{_marked_html(side, marks)}</p>'
        f'<p class="where">{_agencies_html(side.agencies, changed, kind)}</p></section>'
    )


def caveat_html(caveat: Optional[tuple[str, str]]) -> str:
    if not caveat:
        return ""
    text, doc = caveat
    return (
        f'<p class="caveat">{html.escape(text)} — <a href="#{anchor(doc)}">'
        f"{html.escape(doc)}: data-quality warnings</a></p>"
    )


def evidence_html(e: Evidence, caveat: Optional[tuple[str, str]]) -> str:
    out = [f'<details class="ev {e.status}"><summary>{html.escape(summary_line(e))}</summary>', caveat_html(caveat)]
    if e.parent is None:
        out.append(_side_html("child", e.child, [], [], "added"))
    else:
        out.append('<div class="cols">')
        out.append(_side_html("child", e.child, e.child_marks, e.agencies_added, "added"))
        out.append(_side_html("parent", e.parent, e.parent_marks, e.agencies_dropped, "dropped"))
        out.append("</div>")
    if e.pairs:
        rows = "".join(f"<tr><td>{html.escape(c)}</td><td>{html.escape(p)}</td></tr>" for c, p in e.pairs)
        out.append(
            "<table><thead><tr><th>matched child sentence</th><th>matched parent sentence</th></tr></thead>"
            f"<tbody>{rows}</tbody></table>"
        )
    out.append("</details>")
    return "".join(out)


def side_html(side: Side, detail: str, caveat: Optional[tuple[str, str]]) -> str:
    return (
        f'<details class="ev unimplemented" open><summary>{html.escape(_m(side))} · {html.escape(detail)}</summary>'
        + caveat_html(caveat)
        + f'<p class="where">{html.escape(side.where)}</p><p class="text">{_marked_html(side, [])}</p>'
        + f'<p class="where">{_agencies_html(side.agencies, [], "")}</p></details>'
    )


# ------------------------------------------------------------------ Markdown


def _copied_share(text: str, marks: list) -> str:
    n = sum(e - s for s, e, k in marks if k == "copied")
    return f"{n / len(text) * 100:.0f}% copied" if text else "no text"


def _changed(text: str, marks: list) -> str:
    found = list(dict.fromkeys(text[s:e] for s, e, k in marks if k == "changed"))
    return ("changed: " + "、".join(found)) if found else "no changed number"


def _caveat_md(caveat: Optional[tuple[str, str]]) -> list[str]:
    if not caveat:
        return []
    return [f"> {md_text(caveat[0])} (see Data-quality warnings › {md_text(caveat[1])})"]


def _agencies_md(names: list[str], changed: list[str], kind: str) -> str:
    listed = "、".join(names) or "none named"
    return md_text(listed + (f" ({kind}: {'、'.join(changed)})" if changed else ""))


def evidence_md(e: Evidence, caveat: Optional[tuple[str, str]]) -> str:
    """Compact: the summary line, each side's position, text, copy share, changes and agencies."""
    lines = [f"- {md_text(summary_line(e))}"]
    lines += ["  " + c for c in _caveat_md(caveat)]
    for label, side, marks, changed, kind in (
        ("child", e.child, e.child_marks, e.agencies_added, "added"),
        ("parent", e.parent, e.parent_marks, e.agencies_dropped, "dropped"),
    ):
        if side is None:
            continue
        figures = f"{_copied_share(side.text, marks)}, {_changed(side.text, marks)}" if e.parent else ""
        lines.append(f"  - {label}, {md_text(side.where)}: {md_text(side.text) or 'no text in the source'}")
        lines.append(
            f"    {md_text(figures)}{'; ' if figures else ''}agencies: {_agencies_md(side.agencies, changed, kind)}"
        )
    for c, p in e.pairs:
        lines.append(f"  - matched: {md_text(c)} ↔ {md_text(p)}")
    return "\n".join(lines)


def side_md(side: Side, detail: str, caveat: Optional[tuple[str, str]]) -> str:
    lines = [f"- {md_text(_m(side))} · {md_text(detail)} · {md_text(side.where)}"]
    lines += ["  " + c for c in _caveat_md(caveat)]
    lines.append(f"  - text: {md_text(side.text) or 'no text in the source'}")
    lines.append(f"  - agencies: {_agencies_md(side.agencies, [], '')}")
    return "\n".join(lines)
