"""The corpus front page ``report/index.html`` (and ``index.md``): where a reader starts.

It links every pair report and the views, compares every child/parent pair in one table
that sorts by any column (a few lines of inline JS, no library), shows the diffusion heat
maps and the load across provinces, and lists the documents that yield no findings —
failed to parse, no measures found, or registered without text — as such, never as a
city that "implemented nothing". Self-contained: inline CSS, JS and SVG, no request to
any network. The page states the graph it was made from: ``graph version`` is the first
12 hex digits of the SHA-256 of the build's ``graph.nt`` (the same facts give the same
version); ``generated`` is the day the build was written (``build.json``'s modification time, or
``SOURCE_DATE_EPOCH`` when set), so the same build gives the same page byte for byte.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

from kg.store import MANIFEST

Block = tuple  # as in kg.present.report
VIEWS = (("alignment.html", "Alignment view"), ("agencies.html", "Agencies view"))
COLUMNS = (  # (key, heading, numeric)
    ("child", "child document", False),
    ("parent", "parent document", False),
    ("level", "levels", False),
    ("coverage", "coverage (parent measures implemented)", True),
    ("copy_rate", "copy rate", True),
    ("innovations", "innovations", True),
    ("kept", "targets kept", True),
    ("raised", "targets raised", True),
    ("lowered", "targets lowered", True),
    ("weak", "weak links to review", True),
)
CSS = """body{font-family:system-ui,"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif;margin:2rem auto;
max-width:76rem;padding:0 1rem;color:#222}table{border-collapse:collapse;margin:.5rem 0 1.5rem;font-size:.9rem}
th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f3f3f3}
table.sortable th{cursor:pointer;user-select:none}table.sortable th[aria-sort=ascending]::after{content:" ▲"}
table.sortable th[aria-sort=descending]::after{content:" ▼"}td.num{text-align:right;white-space:nowrap}
.failed{color:#b3261e}.meta{color:#555;font-size:.9rem}figure{margin:1rem 0;overflow-x:auto}code{background:#f3f3f3}
.matrix td{text-align:center;white-space:nowrap}.matrix td:first-child{text-align:left}"""
SORT_JS = """document.querySelectorAll('table.sortable').forEach(function(t){
 t.querySelectorAll('th').forEach(function(th,i){th.addEventListener('click',function(){
  var asc=th.getAttribute('aria-sort')!=='ascending',b=t.tBodies[0],rows=Array.from(b.rows);
  t.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort')});
  th.setAttribute('aria-sort',asc?'ascending':'descending');
  rows.sort(function(x,y){var a=x.cells[i].dataset.sort,c=y.cells[i].dataset.sort;
   var n=th.dataset.type==='num',p=n?parseFloat(a):a,q=n?parseFloat(c):c;
   if(n&&isNaN(p))return 1;if(n&&isNaN(q))return -1;
   return (p<q?-1:p>q?1:0)*(asc?1:-1)});
  rows.forEach(function(r){b.appendChild(r)})})})});"""


@dataclass(frozen=True)
class Unfit:
    """A registered document with no findings, and why."""

    doc: str
    title: str
    level: str
    status: str  # failed | no measures | no text
    reason: str


def unfit_documents(rows: list[dict]) -> list[Unfit]:
    """Of ``kg.analysis.evidence.document_status`` rows: the documents that failed to parse,
    have no measures, or were registered without text: no pair report is written for them
    and their pairs yield no findings."""
    out = []
    for r in rows:
        if r.get("error"):
            status, reason = "failed", r["error"]
        elif r.get("has_text") and not r.get("measures"):
            status, reason = "no measures", f"{r.get('file') or r['doc']}: read, but no numbered measure was found"
        elif not r.get("has_text"):
            status = "no text"
            reason = f"{r['file']}: no text read" if r.get("file") else "registered without a file"
        else:
            continue
        out.append(Unfit(r["doc"], r["title"], r["level"], status, reason))
    return out


def graph_version(build: Path) -> str:
    """First 12 hex digits of the SHA-256 of ``graph.nt``: the same facts, the same version."""
    digest = hashlib.sha256()
    with open(Path(build) / "graph.nt", "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()[:12]


def generated(build: Path) -> str:
    """The day (UTC) the build was written, or that of ``SOURCE_DATE_EPOCH`` when set."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    seconds = int(epoch) if epoch and epoch.isdigit() else int((Path(build) / MANIFEST).stat().st_mtime)
    return time.strftime("%Y-%m-%d", time.gmtime(seconds))


def generator(build: Path) -> str:
    try:
        return json.loads((Path(build) / MANIFEST).read_text(encoding="utf-8")).get("generator") or ""
    except (OSError, ValueError):
        return ""


def pair_rows(pairs, docs: dict[str, dict], cover, findings) -> list[dict]:
    """One row per child/parent pair: the figures of its report, for the comparison table."""
    out = []
    for c, p in pairs:
        cov = next((x.record() for x in cover if x.child_doc == c and x.parent_doc == p), {})
        mine = [g for g in findings if g.child_doc == c and g.parent_doc == p]
        kinds = [(g.kind, g.change) for g in mine]
        out.append(
            {
                "child_doc": c,
                "parent_doc": p,
                "child": docs.get(c, {}).get("title", c),
                "parent": docs.get(p, {}).get("title", p),
                "level": f"{docs.get(c, {}).get('level', '?')} → {docs.get(p, {}).get('level', '?')}",
                "implemented": cov.get("implemented"),
                "parent_measures": cov.get("parent_measures"),
                "coverage": cov.get("implemented_share"),
                "copy_rate": cov.get("copy_rate"),
                "innovations": sum(k == "local_innovation" for k, _ in kinds),
                "kept": kinds.count(("target_change", "kept")),
                "raised": kinds.count(("target_change", "raised")),
                "lowered": kinds.count(("target_change", "lowered")),
                "weak": sum(k == "weak_link" for k, _ in kinds),
                "report": f"{c}__{p}.html",
            }
        )
    return out


def _pct(x) -> str:
    return "—" if x is None else f"{x * 100:.0f}%"


def _shown(row: dict, key: str) -> str:
    if key == "coverage":
        if row["parent_measures"] is None:
            return "—"
        return f"{row['implemented']} / {row['parent_measures']} ({_pct(row['coverage'])})"
    if key == "copy_rate":
        return _pct(row["copy_rate"])
    return str(row[key])


def _views(out: Path, build: Path, coming: bool) -> list[tuple[str, str]]:
    """(label, relative link) of the views written beside the build (or, ``coming``, about to be)."""
    return [
        (label, Path(os.path.relpath(build.parent / name, out)).as_posix())
        for name, label in VIEWS
        if coming or (build.parent / name).is_file()
    ]


def front_blocks(rows: list[dict], unfit: list[Unfit], version: str, when: str) -> list[Block]:
    """The front page as report blocks, for ``index.md``."""
    blocks: list[Block] = [
        ("h1", "policy-kg alignment-gap reports"),
        ("p", f"Generated {when} from graph version `{version}` (SHA-256 of `graph.nt`)."),
        ("h2", f"Child/parent pairs ({len(rows)})"),
        (
            "table",
            [h for _, h, _ in COLUMNS] + ["report"],
            [[_shown(r, k) for k, _, _ in COLUMNS] + [r["report"]] for r in rows],
        ),
    ]
    blocks.append(("h2", f"Documents with no findings ({len(unfit)})"))
    blocks.append(
        (
            "table",
            ["document", "title", "level", "status", "reason"],
            [[u.doc, u.title, u.level, u.status, u.reason] for u in unfit],
        )
        if unfit
        else ("p", "None: every document was read and has measures.")
    )
    return blocks


def _e(s) -> str:
    return html.escape(str(s))


def front_html(
    rows: list[dict],
    unfit: list[Unfit],
    version: str,
    when: str,
    views: list[tuple[str, str]],
    sections: str = "",
    tool: str = "",
) -> str:
    """The front page; ``sections`` is more HTML (heat maps, load across provinces) put after the pairs."""
    head = "".join(
        f'<th data-type="{"num" if num else "text"}" title="click to sort">{_e(h)}</th>' for _, h, num in COLUMNS
    )
    body = []
    for r in rows:
        cells = []
        for k, _, num in COLUMNS:
            value = r.get(k)
            if k in ("child", "parent"):
                doc = r[f"{k}_doc"]
                text = f'<a href="{_e(r["report"])}">{_e(value)}</a>' if k == "child" else _e(value)
                cells.append(f'<td data-sort="{_e(value)}">{text}<br><code>{_e(doc)}</code></td>')
            elif num:
                sort = "" if value is None else value
                cells.append(f'<td class="num" data-sort="{_e(sort)}">{_e(_shown(r, k))}</td>')
            else:
                cells.append(f'<td data-sort="{_e(value)}">{_e(value)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    links = [f'<li><a href="{_e(r["report"])}">{_e(r["child"])} → {_e(r["parent"])}</a></li>' for r in rows]
    links += [f'<li><a href="{_e(href)}">{_e(label)}</a></li>' for label, href in views]
    unfit_html = (
        '<table id="unfit"><thead><tr><th>document</th><th>title</th><th>level</th><th>status</th><th>reason</th>'
        "</tr></thead><tbody>"
        + "".join(
            f'<tr class="{"failed" if u.status == "failed" else ""}"><td><code>{_e(u.doc)}</code></td><td>{_e(u.title)}'
            f"</td><td>{_e(u.level)}</td><td>{_e(u.status)}</td><td>{_e(u.reason)}</td></tr>"
            for u in unfit
        )
        + "</tbody></table>"
        if unfit
        else "<p>None: every document was read and has measures.</p>"
    )
    return "\n".join(
        [
            '<!DOCTYPE html><html lang="zh"><head><meta charset="utf-8">'
            f"<title>policy-kg alignment-gap reports</title><style>{CSS}</style></head><body>",
            "<h1>policy-kg alignment-gap reports</h1>",
            f'<p class="meta">Generated {_e(when)} from graph version <code>{_e(version)}</code> '
            f"(SHA-256 of the build's <code>graph.nt</code>){_e(', ' + tool) if tool else ''}.</p>",
            f'<h2>Reports and views</h2><ul id="links">{"".join(links)}</ul>',
            f"<h2>Child/parent pairs ({len(rows)})</h2>",
            "<p>Click a heading to sort. Coverage: parent measures implemented by aligned or curated links "
            "(weak links do not count); copy rate: parent sentences carried over; innovations: child measures "
            "with no parent measure; targets: the child's against the parent's for the same indicator.</p>",
            f'<table id="pairs" class="sortable"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>',
            f"<h2>Documents with no findings ({len(unfit)})</h2>",
            "<p>These documents yield no findings and get no pair report: the tool could not read them, or "
            "found no measure in them. Their pairs are not reported as implementing nothing.</p>",
            unfit_html,
            sections,
            f"<script>{SORT_JS}</script>",
            "</body></html>\n",
        ]
    )


def html_body(page: str) -> str:
    """What is between ``<body>`` and ``</body>`` of a page written by ``kg.present.report.to_html``."""
    return page.split("<body>", 1)[-1].rsplit("</body>", 1)[0]


def write_front(
    out: Path,
    build: Path,
    pairs,
    docs: dict[str, dict],
    cover,
    findings,
    unfit: list[Unfit],
    render_md,
    sections: list[Block],
    sections_html: str,
    pages: list[tuple[str, str]] = (),
    views_coming: bool = False,
) -> list[Path]:
    """Write ``index.md`` (rendered by ``render_md`` with ``sections`` after the front
    blocks) and ``index.html`` (``sections_html`` after the front page's own parts);
    ``pages``: (label, file) of more pages to link (the diffusion pages); ``views_coming``:
    the views are written beside the build after the reports (``kg all``), link them."""
    from kg.core.files import write_atomic

    rows = pair_rows(pairs, docs, cover, findings)
    version, when = graph_version(build), generated(build)
    write_atomic(out / "index.md", render_md(front_blocks(rows, unfit, version, when) + sections))
    page = front_html(
        rows, unfit, version, when, _views(out, build, views_coming) + list(pages), sections_html, generator(build)
    )
    write_atomic(out / "index.html", page)
    return [out / "index.md", out / "index.html"]
