"""``kg viz``: the interactive HTML views of the built graph.

- ``alignment`` (``kg.present.view_alignment``): a document-level overview, then one
  document pair at a time as two ordered columns of measures, plain SVG with the evidence
  of a clicked link beside it.
- ``agencies`` (drawn here with pyvis / vis-network): the co-responsibility network and the
  load of ``kg.analysis.load`` — the graph and counts ``kg agencies --network`` and the
  report use — plus counterpart edges across levels (a city agency → its provincial
  counterpart), every agency labelled with its region, lead and support told apart.

Each page is one self-contained file (scripts and styles inlined, a Content-Security-Policy
that forbids any request), so it opens with no network at all. Text from the documents
enters the pages escaped, or through ``textContent``. Rows are sorted and layouts seeded,
so the same build always gives byte-identical HTML.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from string import Template

from kg.analysis.load import Agency, co_responsibility_graph, rank, read_agencies, read_responsibilities
from kg.core.files import write_atomic
from kg.core.resources import package_text
from kg.curated.mappings import LEVELS
from kg.store import build_dir
from kg.store.query import opened

VIEWS = ("alignment", "agencies")
LEVEL_ZH = {"national": "国家", "provincial": "省级", "municipal": "市级", "county": "县级"}
LEVEL_COLOUR = {
    "national": "#c62828",
    "provincial": "#1565c0",
    "municipal": "#2e7d32",
    "county": "#6a1b9a",
    None: "#757575",
}
EDGE_COLOUR = {"lead": "#37474f", "support": "#b0bec5", "counterpart": "#8e24aa"}
SEED = 7
COLUMN, ROW = 520, 34  # agencies view: pixels between level columns and between rows


@dataclass
class View:
    """One view ready to render: vis-network nodes, edges and options, and the filter choices."""

    name: str
    title: str
    nodes: list[dict]
    edges: list[dict]
    options: dict
    documents: list[tuple[str, str]] = field(default_factory=list)  # (id, title) for the document filter
    levels: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    legend: list[tuple[str, str]] = field(default_factory=list)  # (colour, label)


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _tip(heading: str, lines: list[tuple[str, object]]) -> str:
    """Tooltip HTML: every value escaped here, so the page may set it as innerHTML."""
    body = "".join(f"<div><b>{_e(k)}</b> {_e(v)}</div>" for k, v in lines if v not in (None, "", []))
    return f'<div class="kg-tip"><div class="kg-tip-h">{_e(heading)}</div>{body}</div>'


def _network(directed: bool):
    from pyvis.network import Network

    return Network(height="100%", width="100%", directed=directed, cdn_resources="in_line")


def regional_name(name: str, region: str | None, level: str | None = None) -> str:
    """An agency's name as a reader tells it apart from its namesakes in other regions:
    the region takes the place of the leading 省/市/县/区 that stands for it (市发展改革委 of
    上饶市 → 上饶市发展改革委); a name that already holds its region, or a national one, stays.

    >>> regional_name("市发展改革委", "上饶市"), regional_name("省生态环境厅", "江西省")
    ('上饶市发展改革委', '江西省生态环境厅')
    >>> regional_name("上饶市生态环境局", "上饶市"), regional_name("国家发展改革委", "中华人民共和国", "national")
    ('上饶市生态环境局', '国家发展改革委')
    >>> regional_name("中国人民银行上饶市中心支行", "上饶市"), regional_name("江西证监局", "江西省")
    ('中国人民银行上饶市中心支行', '江西证监局')
    """
    if not region or level == "national" or name.startswith(region):
        return name
    if name[:1] in "省市县区州" and name[:1] == region[-1:]:
        return region + name[1:]
    return name


def _lead_shared(responsibilities) -> dict[tuple[str, str], int]:
    """Per pair of agencies listed on the same measure: on how many of them one of the two leads."""
    on: dict[str, dict[str, str]] = {}
    for r in responsibilities:
        roles = on.setdefault(r.measure, {})
        roles[r.agency] = "lead" if "lead" in (r.role, roles.get(r.agency)) else r.role
    out: dict[tuple[str, str], int] = {}
    for roles in on.values():
        names = sorted(roles)
        for i, a in enumerate(names):
            for b in names[i + 1 :]:
                if "lead" in (roles[a], roles[b]):
                    out[(a, b)] = out.get((a, b), 0) + 1
    return out


def _columns(shown: dict[str, Agency], loads: dict) -> dict[str, tuple[int, int]]:
    """(column, row) of every agency: one column per level, national on the left; provincial
    agencies by region and load, then each lower agency beside its counterpart and each
    national one beside the provincial agencies whose counterpart it is, so that counterpart
    edges run across, not along, the columns."""
    rank = {level: i for i, level in enumerate(LEVELS)}
    total = {i: (loads[i].total if i in loads else 0) for i in shown}
    col = {i: rank.get(a.level, len(LEVELS)) for i, a in shown.items()}
    row: dict[str, float] = {}
    pivot = rank["provincial"]

    def place(members: list[str], key) -> None:
        for n, i in enumerate(sorted(members, key=key)):
            row[i] = n

    by_col: dict[int, list[str]] = {}
    for i in shown:
        by_col.setdefault(col[i], []).append(i)
    place(by_col.get(pivot, []), lambda i: (shown[i].region or "", -total[i], shown[i].name, i))
    for c in sorted(k for k in by_col if k > pivot):  # below: beside the counterpart, grouped by region
        up = lambda i: row.get(shown[i].counterpart, 1e9) if shown[i].counterpart in shown else 1e9  # noqa: E731
        place(by_col[c], lambda i: (shown[i].region or "", up(i), -total[i], shown[i].name, i))
    for c in sorted((k for k in by_col if k < pivot), reverse=True):  # above: beside those pointing at it
        down: dict[str, float] = {}
        for i in shown:
            if col[i] == c + 1 and shown[i].counterpart in shown:
                down[shown[i].counterpart] = min(down.get(shown[i].counterpart, 1e9), row[i])
        place(by_col[c], lambda i: (down.get(i, 1e9), -total[i], shown[i].name, i))
    columns = sorted(by_col)
    return {i: (columns.index(col[i]), int(row[i])) for i in shown}


def agencies_view(out: str | Path) -> View:
    """Agencies sized by load and coloured by level, linked by shared measures (solid when one
    of the two leads them, dashed when both only support) and to their counterpart one level up."""
    with opened(out) as b:
        responsibilities, agencies = read_responsibilities(b), read_agencies(b)
    g = co_responsibility_graph(responsibilities, agencies)
    loads = {row.iri: row for row in rank(responsibilities, agencies)}
    leads = _lead_shared(responsibilities)
    shown: dict[str, Agency] = {iri: agencies[iri] for iri in g.nodes}
    for iri in sorted(g.nodes):  # a counterpart with no responsibility here still closes the edge
        up = agencies[iri].counterpart
        if up in agencies and not agencies[up].generic:
            shown.setdefault(up, agencies[up])
    label = {iri: regional_name(a.name, a.region, a.level) for iri, a in shown.items()}
    where = _columns(shown, loads)
    net = _network(directed=True)
    for iri in sorted(shown, key=lambda i: (where[i], i)):
        a, row = shown[iri], loads.get(iri)
        lead, support = (row.lead, row.support) if row else (0, 0)
        docs = sorted({d.doc for d in row.documents}) if row else []
        partners = sorted(g[iri], key=lambda x: (-g.edges[iri, x]["weight"], label[x]))[:5] if iri in g else []
        colour = LEVEL_COLOUR.get(a.level, LEVEL_COLOUR[None])
        net.add_node(
            iri,
            label=f"{label[iri]}  牵头 {lead} · 配合 {support}" if row else f"{label[iri]}（无责任）",
            shape="box",
            x=where[iri][0] * COLUMN,
            y=where[iri][1] * ROW,
            physics=False,
            borderWidth=1 + min(lead + support, 30) / 5,
            color={"background": "#ffffff" if not row else "#f5f5f5", "border": colour},
            font={"color": "#212121" if row else "#757575", "size": 13},
            title=_tip(
                label[iri],
                [
                    ("级别", LEVEL_ZH.get(a.level, a.level)),
                    ("地区", a.region),
                    ("牵头", lead),
                    ("配合", support),
                    ("对口上级", label.get(a.counterpart) if a.counterpart else None),
                    ("文件", "、".join(docs) or "本语料中没有责任"),
                    ("常见合作", "、".join(f"{label[x]}×{g.edges[iri, x]['weight']}" for x in partners)),
                ],
            ),
            kg_level=a.level,
            kg_region=a.region or "",
            kg_docs=docs,
            kg_search=f"{label[iri]} {a.name}",
        )
    for x, y in sorted(g.edges):
        weight, led = g.edges[x, y]["weight"], leads.get((min(x, y), max(x, y)), 0)
        net.add_edge(
            x,
            y,
            value=weight,
            arrows="",
            dashes=not led,
            color={"color": EDGE_COLOUR["lead" if led else "support"], "highlight": "#000000", "opacity": 0.35},
            smooth={"type": "curvedCW", "roundness": 0.4},
            kg_kind="lead" if led else "support",
            title=_tip(
                f"{label[x]} — {label[y]} · 共同负责 {weight} 项",
                [("其中一方牵头", led), ("共同配合", weight - led)],
            ),
        )
    for iri in sorted(shown):
        up = shown[iri].counterpart
        if up in shown:
            net.add_edge(
                iri,
                up,
                width=2.5,
                dashes=[8, 4],
                arrows="to",
                color={"color": EDGE_COLOUR["counterpart"], "highlight": "#4a148c"},
                kg_kind="counterpart",
                title=_tip("对口单位 counterpart", [("下级", label[iri]), ("上级", label[up])]),
            )
    options = {
        "physics": {"enabled": False},
        "layout": {"randomSeed": SEED},
        "edges": {"scaling": {"min": 0.5, "max": 6}, "smooth": False},
        "interaction": {"hover": True, "tooltipDelay": 150},
    }
    present = {a.level for a in shown.values()}
    all_docs = sorted({d for n in net.nodes for d in n["kg_docs"]})
    return View(
        "agencies",
        "责任单位协同网络 · agencies",
        net.nodes,
        net.edges,
        options,
        documents=[(i, i) for i in all_docs],
        levels=[lv for lv in LEVELS if lv in present],
        statuses=["counterpart", "lead", "support"],
        legend=[(LEVEL_COLOUR[lv], LEVEL_ZH[lv]) for lv in LEVELS if lv in present]
        + [
            (EDGE_COLOUR["counterpart"], "- - → 对口上级单位 counterpart"),
            (EDGE_COLOUR["lead"], "—— 一方牵头、一方配合 lead + support"),
            (EDGE_COLOUR["support"], "- - 共同配合 support only"),
            ("#ffffff", "○ 本语料中无责任的对口单位"),
        ],
    )


def _static(name: str) -> str:
    return package_text("static", name)


def _vis_asset(name: str) -> str:
    import pyvis

    return (Path(pyvis.__file__).parent / "lib" / "vis-9.1.2" / name).read_text(encoding="utf-8")


def _script_json(value) -> str:
    """JSON safe inside <script>: no "</" can close the element early."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def render_html(view: View) -> str:
    """The view as one self-contained HTML page (vis-network inlined, no external resources)."""

    def options_for(choices, labels=None):
        return "".join(f'<option value="{_e(v)}">{_e(labels[v] if labels else v)}</option>' for v in choices)

    checks = lambda name, values: "".join(  # noqa: E731
        f'<label><input type="checkbox" name="{name}" value="{_e(v)}" checked> {_e(v)}</label>' for v in values
    )
    legend = "".join(f'<span class="kg-key"><i style="background:{c}"></i>{_e(t)}</span>' for c, t in view.legend)
    return Template(_static("viz.html")).substitute(
        title=_e(view.title),
        view=_e(view.name),
        vis_css=_vis_asset("vis-network.css"),
        vis_js=_vis_asset("vis-network.min.js"),
        app_js=_static("viz.js"),
        levels=checks("level", view.levels),
        statuses=f'<fieldset id="kg-statuses"><legend>连线</legend>{checks("status", view.statuses)}</fieldset>'
        if view.statuses
        else "",
        documents=options_for([d for d, _ in view.documents], dict(view.documents)),
        legend=legend,
        data=_script_json({"nodes": view.nodes, "edges": view.edges, "options": view.options}),
        counts=f"{len(view.nodes)} nodes · {len(view.edges)} edges",
    )


def render_alignment(data: dict) -> str:
    """The alignment view as one self-contained page: plain SVG drawn by its own script."""
    from kg.present.view_alignment import pair_label

    docs = {d["id"]: d for d in data["documents"]}
    options = "".join(
        f'<option value="{_e(p["id"])}">{_e(pair_label(p, docs))}</option>' for p in data["pairs"] if p["openable"]
    )
    legend = "".join(
        f'<span class="kg-key"><i style="background:{c}"></i>{_e(t)}</span>'
        for c, t in [
            ("#2e7d32", "对齐 aligned"),
            ("#ef6c00", "弱对齐 weak（不计为落实）"),
            ("#1565c0", "人工确认 curated"),
            ("#c62828", "○ 未落实的上级措施 unimplemented"),
            ("#ef6c00", "■ 地方创新 local innovation"),
            ("#9e9e9e", "◆ 标题缺失 heading lost"),
        ]
    )
    return Template(_static("view_alignment.html")).substitute(
        pairs=options, legend=legend, data=_script_json(data), app_js=_static("view_alignment.js")
    )


def write_view(build: str | Path, view: str, out: str | Path | None = None, drawn: dict | None = None) -> Path:
    """Render ``view`` ("alignment" or "agencies") of the build in ``build`` to ``out``
    (default ``<view>.html`` beside the build, where ``kg all`` writes it), written atomically; returns the path written.
    ``drawn``: the alignment view's pair columns already made from this build (``write_report(views=True)``)."""
    with opened(build) as b:
        if view == "alignment":
            from kg.present.view_alignment import alignment_data

            page = render_alignment(alignment_data(b, drawn))
        else:
            page = render_html(agencies_view(b))
    return write_atomic(Path(out) if out else build_dir(build).parent / f"{view}.html", page)
