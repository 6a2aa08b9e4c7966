"""``kg report``: an alignment-gap report per child/parent pair, as Markdown and HTML.

Everything in it is read from the built graph (saved queries, ``kg.analysis.gaps``, ``kg.analysis.load``),
so the report states exactly what ``kg query`` and ``kg serve`` would answer. Every row
cites measure numbers as printed （十一） so a reader can find the text. The HTML page is
self-contained (inline CSS, the chart as inline SVG); the Markdown links the same SVG.
Outputs are deterministic: no timestamps, sorted rows.
"""

from __future__ import annotations

import html
import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Optional, Union

from kg.analysis.evidence import document_status, failures
from kg.analysis.gaps import coverage, gaps
from kg.analysis.load import agency_load
from kg.core.files import write_atomic
from kg.core.parallel import run_jobs, shared
from kg.core.resources import package_path
from kg.present import report_evidence as rev
from kg.present import svg
from kg.present.front import html_body, unfit_documents, write_front
from kg.present.report_diffusion import diffusion_pages
from kg.present.report_load import load_blocks
from kg.present.view_alignment import pair_columns, pair_evidence, pair_id
from kg.store import DEFAULT
from kg.store.query import opened, restrict, run_tool_query

Block = tuple  # ("h2", text) | ("p", text) | ("table", columns, rows) | ("figure", svg, file name, caption)
#               | ("matrix", columns, rows, styles): a table with a CSS style per cell (HTML only)
#               | ("h3", text, anchor id) | ("caveat", text, document id): a warning linked to that document's
#               data-quality warnings | ("evidence", Evidence, caveat) | ("side", Side, detail, caveat)
#               (kg.present.report_evidence). Document text in any block is plain text: both writers escape it.
VERSIONS = ("policy-kg", "rapidfuzz", "rjieba", "rdflib", "pyoxigraph", "pyshacl", "networkx")
CSS = (
    """body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;
max-width:72rem;padding:0 1rem;color:#222}table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}
.matrix td{text-align:center;white-space:nowrap}.matrix td:first-child{text-align:left}
.aligned{color:#1a7f37}.weak{color:#b35900}.unaligned{color:#888}figure{margin:1rem 0}code{background:#f3f3f3}
"""
    + rev.CSS
)


@dataclass
class ReportSummary:
    out: Path
    written: list[Path] = field(default_factory=list)
    pairs: list[tuple[str, str]] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)  # document → why it has no measure: no report on it
    views: dict[str, dict] = field(default_factory=dict)  # pair id → its alignment-view columns (``views=True``)


def _query(build: Path, name: str, only: Optional[dict] = None) -> list[dict]:
    """The rows of a report query, restricted in SPARQL to the documents in ``only``."""
    path = package_path("queries", "report", f"{name}.rq")
    return run_tool_query(build, restrict(path.read_text(encoding="utf-8"), only or {})).rows


def _m(number, title) -> str:
    """A measure as a reader finds it in the text: （十一）促进绿色产品消费."""
    if number is None:
        return "—"
    return f"（{number}）{title or '（标题缺失）'}"


def _pct(share) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def _chart(loads, child_doc: str, parent_doc: str) -> Optional[str]:
    """Horizontal bars of measures led and supported per agency of the two documents, as SVG
    with text kept as text (the browser draws the Chinese names with its own fonts)."""
    rows = []
    for a in loads:
        for d in a.documents:
            if d.doc in (child_doc, parent_doc):
                rows.append((d.doc, a.agency, d.lead, d.support))
    if not rows:
        return None
    top = {}
    for doc in (parent_doc, child_doc):
        mine = sorted((r for r in rows if r[0] == doc), key=lambda r: (-(r[2] + r[3]), r[1]))[:10]
        top[doc] = mine
    return svg.side_by_side(
        [
            svg.bars(
                [r[1] for r in top[doc]],
                [("lead", svg.BLUE, [r[2] for r in top[doc]]), ("support", svg.LIGHT_BLUE, [r[3] for r in top[doc]])],
                title=doc,
                axis="measures",
                stacked=True,
                plot_width=220,
            )
            for doc in (parent_doc, child_doc)
            if top[doc]
        ]
    )


def _versions() -> list[list[str]]:
    rows = [["python", platform.python_version()]]
    for name in VERSIONS:
        try:
            rows.append([name, metadata.version(name)])
        except metadata.PackageNotFoundError:
            rows.append([name, "not installed"])
    return rows


def pair_report(
    build: Path,
    child: str,
    parent: str,
    found: list,
    unimplemented_sides: list,
    docs: dict[str, dict],
    links: list[dict],
    findings,
    cover,
    loads,
    warnings: list[dict],
) -> list[Block]:
    """The blocks of one child/parent report, from the pair's evidence (``found``: each link's,
    ``unimplemented_sides``: the parent measures nothing implements) and the corpus-wide inputs."""
    c, p = docs.get(child, {}), docs.get(parent, {})
    blocks: list[Block] = [
        ("h1", f"{c.get('title', child)} → {p.get('title', parent)}"),
        (
            "p",
            f"Alignment-gap report: how `{child}` ({c.get('level')}) implements "
            f"`{parent}` ({p.get('level')}). Measures are cited by their printed numbers.",
        ),
    ]
    missing = {side.key: side for side in unimplemented_sides}
    rebuilt = rev.rebuilt_caveats(warnings, (child, parent))
    blocks += rev.pair_caveats(rebuilt)
    mine = [r for r in links if r["child_doc"] == child and r["parent_doc"] == parent]
    statuses = {}
    for r in mine:
        if r.get("status"):
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    cov = next((x.record() for x in cover if x.child_doc == child and x.parent_doc == parent), None)
    blocks.append(("h2", "Summary"))
    if cov:
        blocks.append(
            (
                "table",
                ["figure", "value"],
                [
                    [
                        "parent measures implemented",
                        f"{cov['implemented']} / {cov['parent_measures']} ({_pct(cov['implemented_share'])})",
                    ],
                    [
                        "child measures with a parent",
                        f"{cov['with_parent']} / {cov['child_measures']} ({_pct(cov['with_parent_share'])})",
                    ],
                    [
                        "parent sentences carried over (copy rate)",
                        f"{cov['copied_sentences']} / {cov['parent_sentences']} ({_pct(cov['copy_rate'])})",
                    ],
                    [
                        "links to parent measures by status",
                        "、".join(f"{k} {v}" for k, v in sorted(statuses.items())) or "none",
                    ],
                ],
            )
        )
    blocks.append(("h2", "Parent measures and the child measures implementing them"))
    blocks.append(
        (
            "table",
            ["parent measure", "child measure", "score", "status", "method", "margin", "rank"],
            [
                [
                    _m(r["parent_number"], r["parent_title"])
                    + (" ⚠ heading lost in the source" if r.get("heading_lost") else ""),
                    _m(r.get("child_number"), r.get("child_title")) if r.get("child_key") else "—",
                    "" if r.get("score") is None else f"{r['score']:.2f}",
                    r.get("status") or "not implemented",
                    r.get("method") or "",
                    "" if r.get("margin") is None else f"{r['margin']:.2f}",
                    "" if r.get("rank") is None else str(r["rank"]),
                ]
                for r in mine
            ],
        )
    )
    blocks.append(("h2", f"Evidence: each child measure beside the parent measure it is linked to ({len(found)})"))
    blocks.append(("p", rev.LEGEND))
    blocks += [("evidence", e, rev.link_caveat(e, rebuilt)) for e in found]
    by_child = {e.child.key: e for e in found}
    mine_f = [g for g in findings if g.child_doc == child and g.parent_doc == parent]
    sections = [
        (
            "unimplemented",
            "Parent measures the child does not implement",
            ["parent measure", "parent agencies", "detail"],
            lambda g: [_m(g.parent_number, g.parent_title), "、".join(g.agencies), g.detail],
        ),
        (
            "local_innovation",
            "Local innovations: child measures with no parent",
            ["child measure", "detail"],
            lambda g: [_m(g.child_number, g.child_title), g.detail],
        ),
        (
            "weak_link",
            "Weak links to confirm or override",
            ["child measure", "parent measure", "score", "detail"],
            lambda g: [
                _m(g.child_number, g.child_title),
                _m(g.parent_number, g.parent_title),
                "" if g.score is None else f"{g.score:.2f}",
                g.detail,
            ],
        ),
        (
            "target_change",
            "Targets: child against parent",
            ["child measure", "parent measure", "indicator", "child target", "parent target", "change"],
            lambda g: [
                _m(g.child_number, g.child_title),
                _m(g.parent_number, g.parent_title),
                g.indicator or "",
                g.child_target or "—",
                g.parent_target or "—",
                g.change or "",
            ],
        ),
        (
            "agency_gap",
            "Agency gaps: a lead agency without its counterpart on the other side",
            ["child measure", "parent measure", "lead agency", "side", "detail"],
            lambda g: [
                _m(g.child_number, g.child_title),
                _m(g.parent_number, g.parent_title),
                g.agency or "",
                g.side or "",
                g.detail,
            ],
        ),
    ]
    for kind, heading, columns, row in sections:
        items = [g for g in mine_f if g.kind == kind]
        if kind == "unimplemented":  # what the parent asked for: its text and agencies, not a number alone
            sides = [(missing[g.parent_measure], g.detail) for g in items if g.parent_measure in missing]
            blocks.append(("h2", f"{heading} ({len(sides)})"))
            blocks += [("side", sd, d, rev.unimplemented_caveat(sd, rebuilt)) for sd, d in sides] or [("p", "None.")]
            continue
        once = {}  # the same target compared once is listed (and counted) once
        for g in items:
            once.setdefault(tuple(row(g)), g)
        rows = [list(r) for r in once]
        if kind == "weak_link":
            rows = [rev.weak_row(r, by_child.get(g.child_measure)) for r, g in once.items()]
        blocks.append(("h2", f"{heading} ({len(rows)})"))
        blocks.append(("table", columns, rows) if rows else ("p", "None."))
    blocks.append(("h2", "Agency load"))
    rows = []
    for a in loads:
        for d in a.documents:
            if d.doc in (child, parent):
                rows.append(
                    [
                        d.doc,
                        a.agency,
                        str(d.lead),
                        str(d.support),
                        str(a.degree),
                        f"{a.betweenness:.3f}",
                        a.counterpart or "—",
                    ]
                )
    rows.sort(key=lambda r: (r[0] != parent, -(int(r[2]) + int(r[3])), r[1]))
    svg = _chart(loads, child, parent)
    if svg:
        blocks.append(
            (
                "figure",
                svg,
                f"{child}__{parent}-agencies.svg",
                "Measures each agency leads (dark) and supports (light), ten busiest per document.",
            )
        )
    blocks.append(
        ("table", ["document", "agency", "lead", "support", "co-listed agencies", "betweenness", "counterpart"], rows)
    )
    blocks.append(("h2", "Data-quality warnings"))
    for doc in (parent, child):
        ws = [w for w in warnings if w["doc"] == doc]
        blocks.append(("h3", f"{doc} ({len(ws)})", rev.anchor(doc)))
        blocks.append(
            (
                "table",
                ["code", "message", "chars"],
                [
                    [
                        w["code"],
                        w.get("message") or "",
                        f"{w['start']}–{w['end']}" if w.get("start") is not None else "",
                    ]
                    for w in ws
                ],
            )
            if ws
            else ("p", "None.")
        )
    blocks.append(("h2", "How to reproduce"))
    blocks.append(
        (
            "p",
            "From the repository: `kg all` (or `kg build` then `kg report`). "
            f"The numbers here come from the graph in `{build.name}/` built from the corpus registry.",
        )
    )
    blocks.append(("table", ["software", "version"], _versions()))
    return blocks


def to_markdown(blocks: list[Block]) -> str:
    out = []
    for b in blocks:
        if b[0] in ("h1", "h2", "h3"):
            out.append("#" * int(b[0][1]) + " " + rev.md_text(b[1]))
        elif b[0] == "p":
            out.append(rev.md_code(b[1]))
        elif b[0] in ("table", "matrix"):
            out.append("| " + " | ".join(rev.md_text(c) for c in b[1]) + " |\n|" + "---|" * len(b[1]))
            out[-1] += "".join("\n| " + " | ".join(rev.md_text(c) for c in row) + " |" for row in b[2])
        elif b[0] == "figure":
            out.append(f"![{rev.md_text(b[3])}]({b[2]})")
        elif b[0] == "caveat":
            out.append(f"> {rev.md_text(b[1])} (see Data-quality warnings › {rev.md_text(b[2])})")
        elif b[0] == "evidence":
            out.append(rev.evidence_md(b[1], b[2]))
        elif b[0] == "side":
            out.append(rev.side_md(b[1], b[2], b[3]))
    return "\n\n".join(out) + "\n"


def _inline_code(text: str) -> str:
    parts = html.escape(text).split("`")
    return "".join(f"<code>{p}</code>" if i % 2 else p for i, p in enumerate(parts))


def to_html(blocks: list[Block]) -> str:
    title = next((b[1] for b in blocks if b[0] == "h1"), "policy-kg report")
    out = [
        f'<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{CSS}</style></head><body>"
    ]
    for b in blocks:
        if b[0] in ("h1", "h2", "h3"):
            at = f' id="{html.escape(b[2])}"' if len(b) > 2 else ""
            out.append(f"<{b[0]}{at}>{html.escape(b[1])}</{b[0]}>")
        elif b[0] == "caveat":
            out.append(rev.caveat_html((b[1], b[2])))
        elif b[0] == "evidence":
            out.append(rev.evidence_html(b[1], b[2]))
        elif b[0] == "side":
            out.append(rev.side_html(b[1], b[2], b[3]))
        elif b[0] == "p":
            out.append(f"<p>{_inline_code(b[1])}</p>")
        elif b[0] == "table":
            head = "".join(f"<th>{html.escape(c)}</th>" for c in b[1])
            body = "".join(
                "<tr>"
                + "".join(
                    f'<td class="{html.escape(str(c))}">{html.escape(str(c))}</td>'
                    if str(c) in ("aligned", "weak", "unaligned")
                    else f"<td>{html.escape(str(c))}</td>"
                    for c in row
                )
                + "</tr>"
                for row in b[2]
            )
            out.append(f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")
        elif b[0] == "matrix":
            head = "".join(f"<th>{html.escape(c)}</th>" for c in b[1])
            body = "".join(
                "<tr>"
                + "".join(
                    f'<td style="{html.escape(st)}">{html.escape(str(c))}</td>'
                    if st
                    else f"<td>{html.escape(str(c))}</td>"
                    for c, st in zip(row, styles)
                )
                + "</tr>"
                for row, styles in zip(b[2], b[3])
            )
            out.append(f'<table class="matrix"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>')
        elif b[0] == "figure":
            out.append(f"<figure>{b[1]}<figcaption>{html.escape(b[3])}</figcaption></figure>")
    out.append("</body></html>\n")
    return "\n".join(out)


_write = write_atomic


def _write_pair(c: str, p: str) -> tuple[list[Path], Optional[dict]]:
    """One pair's report files (in a worker process when there are many pairs), and the pair's
    columns for the alignment view when asked for, made from the same evidence."""
    s = shared()
    out = s["out"]
    with opened(s["build"]) as b:
        measures, found, missing = pair_evidence(b, c, p)
    blocks = pair_report(s["build"], c, p, found, missing, *s["inputs"])
    written = []
    for b in blocks:
        if b[0] == "figure":
            _write(out / b[2], b[1])
            written.append(out / b[2])
    stem = f"{c}__{p}"
    _write(out / f"{stem}.md", to_markdown(blocks))
    _write(out / f"{stem}.html", to_html(blocks))
    view = pair_columns(c, p, measures, found, missing) if s["views"] else None
    return written + [out / f"{stem}.md", out / f"{stem}.html"], view


def write_report(
    build: Union[str, Path] = DEFAULT,
    out: Union[str, Path] = "out/report",
    child: Optional[str] = None,
    parent: Optional[str] = None,
    workers: int = 1,
    views: bool = False,
) -> ReportSummary:
    """Write ``<child>__<parent>.md`` / ``.html`` (+ the chart's SVG) per document pair, and
    ``index.md`` / ``index.html`` linking them, from the graph built in ``build``;
    ``workers`` > 1 writes pairs in that many processes (drawing the charts dominates).
    ``views``: also keep each pair's alignment-view columns (``ReportSummary.views``), so the
    view is drawn without reading every pair's evidence again; the caller then writes the views
    beside the build, and the front page links them."""
    out = Path(out)
    only = {var: [doc] for var, doc in (("child_doc", child), ("parent_doc", parent)) if doc is not None}
    with opened(build) as b:
        docs = {r["doc"]: r for r in _query(b, "documents")}
        links = _query(b, "parent-links", only)
        findings = gaps(b, child, parent)
        cover = coverage(b, child, parent)
        loads = agency_load(b)
        status = document_status(b)
        unfit = unfit_documents(status)
        # no findings (a failed document would be reported as implementing nothing): no pair
        # report, listed on the front page instead
        skip = {u.doc for u in unfit}
        pairs = sorted(pr for pr in {(r["child_doc"], r["parent_doc"]) for r in links} if not set(pr) & skip)
        warnings = _query(b, "warnings", {"doc": sorted({d for pair in pairs for d in pair})} if only else None)
        across = load_blocks(b, docs, skip=skip)
        spread, pages = diffusion_pages(b, docs)
        build = b.path  # the workers writing the pairs open it again: a worker process is not shared
    out.mkdir(parents=True, exist_ok=True)
    summary = ReportSummary(out, pairs=pairs, failed=failures(status))
    state = {"build": build, "out": out, "views": views, "inputs": (docs, links, findings, cover, loads, warnings)}
    for (c, p), (written, view) in zip(pairs, run_jobs(_write_pair, pairs, workers, shared=state)):
        summary.written += written
        if view is not None:
            summary.views[pair_id(c, p)] = view
    for stem, blocks in pages:
        _write(out / f"{stem}.md", to_markdown(blocks))
        _write(out / f"{stem}.html", to_html(blocks))
        summary.written += [out / f"{stem}.md", out / f"{stem}.html"]
    for b in across + spread:
        if b[0] == "figure":
            _write(out / b[2], b[1])
            summary.written.append(out / b[2])
    sections = spread + across
    summary.written += write_front(
        out,
        build,
        pairs,
        docs,
        cover,
        findings,
        unfit,
        to_markdown,
        sections,
        html_body(to_html(sections)),
        [(blocks[0][1], f"{stem}.html") for stem, blocks in pages],
        views_coming=views,
    )
    return summary
