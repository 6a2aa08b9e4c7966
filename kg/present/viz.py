"""``kg viz``: interactive HTML views of the built graph, drawn with pyvis (vis-network).

Two views, both read from the store with SPARQL (``kg.store.query.run_query``), never from text:

- ``alignment``: documents and their measures, one row per administrative level
  (national on top, then provincial, then municipal), with every alignment link that has a
  parent measure drawn child → parent, coloured by status and as wide as its score;
  measures whose heading the collected text lost are grey diamonds with a dashed border.
- ``agencies``: the co-responsibility network: two agencies are linked when a measure
  lists both, the link as wide as the number of such measures; an agency is as large as
  its load (measures it leads plus measures it supports) and coloured by its level.

The page is one self-contained file: vis-network's script and style (from the pyvis
package) are inlined, so it opens with no network at all. All text from the documents is
HTML-escaped before it enters a tooltip. Nodes and edges are sorted and the layout is
seeded, so the same build always gives byte-identical HTML.
"""

from __future__ import annotations

import html
import json
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from itertools import combinations
from pathlib import Path
from string import Template

from kg.core.files import write_atomic
from kg.curated.mappings import LEVELS
from kg.rdf.vocab import sparql_prefixes
from kg.store import build_dir
from kg.store.query import opened, run_query

VIEWS = ("alignment", "agencies")
LEVEL_ZH = {"national": "国家", "provincial": "省级", "municipal": "市级", "county": "县级"}
LEVEL_COLOUR = {
    "national": "#c62828",
    "provincial": "#1565c0",
    "municipal": "#2e7d32",
    "county": "#6a1b9a",
    None: "#757575",
}
STATUS_COLOUR = {"aligned": "#2e7d32", "weak": "#ef6c00"}
EXCERPT = 160
SEED = 7

PREFIXES = sparql_prefixes("eli", "pkg", "skos", "dcterms", "rdfs")
DOCS = (
    PREFIXES
    + """SELECT ?doc ?id ?level ?title ?number ?has_text WHERE {
  ?doc a eli:LegalResource ; dcterms:identifier ?id ; pkg:level/skos:notation ?level .
  OPTIONAL { ?doc eli:title ?title } OPTIONAL { ?doc eli:id_local ?number } OPTIONAL { ?doc pkg:hasText ?has_text }
} ORDER BY ?id"""
)
DOC_LINKS = (
    PREFIXES
    + """SELECT ?child ?parent WHERE {
  ?c a eli:LegalResource ; eli:implements ?p ; dcterms:identifier ?child .
  ?p a eli:LegalResource ; dcterms:identifier ?parent .
} ORDER BY ?child ?parent"""
)
MEASURES = (
    PREFIXES
    + """SELECT ?m ?doc ?key ?number ?index ?title ?text ?lost WHERE {
  ?m a pkg:Measure ; eli:is_part_of ?d ; pkg:key ?key ; eli:number ?number ; pkg:index ?index .
  ?d a eli:LegalResource ; dcterms:identifier ?doc .
  OPTIONAL { ?m eli:title ?title } OPTIONAL { ?m pkg:text ?text } OPTIONAL { ?m pkg:headingLost ?lost }
} ORDER BY ?doc ?index ?key"""
)
RESPONSIBILITIES = (
    PREFIXES
    + """SELECT ?m ?doc ?key ?number ?title ?agency ?name ?role ?rank ?level ?region ?generic
WHERE {
  ?m a pkg:Measure ; eli:is_part_of ?d ; pkg:key ?key ; eli:number ?number ; pkg:hasResponsibility ?r .
  ?d a eli:LegalResource ; dcterms:identifier ?doc .
  ?r pkg:agency ?agency ; pkg:role/skos:notation ?role ; pkg:rank ?rank .
  ?agency skos:prefLabel ?name ; pkg:generic ?generic .
  OPTIONAL { ?agency pkg:level/skos:notation ?level } OPTIONAL { ?agency dcterms:spatial/<https://schema.org/name> ?region }
  OPTIONAL { ?m eli:title ?title }
} ORDER BY ?doc ?m ?rank"""
)
LINKS = (
    PREFIXES
    + """SELECT ?a ?source ?target ?score ?status ?method ?relation ?comment WHERE {
  ?a a pkg:Alignment ; pkg:sourceMeasure ?source ; pkg:targetMeasure ?target ; pkg:score ?score ;
     pkg:status/skos:notation ?status ; pkg:method/skos:notation ?method .
  OPTIONAL { ?a pkg:relation/skos:notation ?relation } OPTIONAL { ?a rdfs:comment ?comment }
} ORDER BY ?source ?target ?a"""
)


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


def _rows(out, sparql: str) -> list[dict]:
    return run_query(out, sparql).rows


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _excerpt(text) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= EXCERPT else text[:EXCERPT] + "…"


def _tip(heading: str, lines: list[tuple[str, object]]) -> str:
    """Tooltip HTML: every value escaped here, so the page may set it as innerHTML."""
    body = "".join(f"<div><b>{_e(k)}</b> {_e(v)}</div>" for k, v in lines if v not in (None, "", []))
    return f'<div class="kg-tip"><div class="kg-tip-h">{_e(heading)}</div>{body}</div>'


def _network(directed: bool):
    from pyvis.network import Network

    return Network(height="100%", width="100%", directed=directed, cdn_resources="in_line")


def _agency_lists(rows: list[dict]) -> dict[str, list[str]]:
    """Measure IRI → printed agency list, lead first ("市发改委（牵头）、市工信局")."""
    out: dict[str, list[str]] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["m"], r["rank"])):
        out[r["m"]].append(r["name"] + ("（牵头）" if r["role"] == "lead" else ""))
    return out


def alignment_view(out: str | Path) -> View:
    """Documents and measures level by level, with alignment links child → parent."""
    docs = {r["id"]: r for r in _rows(out, DOCS)}
    measures = _rows(out, MEASURES)
    links = _rows(out, LINKS)
    agencies = _agency_lists(_rows(out, RESPONSIBILITIES))
    doc_links = [(r["child"], r["parent"]) for r in _rows(out, DOC_LINKS) if r["child"] in docs and r["parent"] in docs]
    measure_doc = {m["m"]: m["doc"] for m in measures}
    related: dict[str, set[str]] = defaultdict(set)  # node → documents the document filter shows it for
    for m in measures:
        related[m["m"]].add(m["doc"])
    for child, parent in doc_links:
        related["doc:" + child] |= {child, parent}
        related["doc:" + parent] |= {child, parent}
    for link in links:
        if link["source"] in measure_doc and link["target"] in measure_doc:
            related[link["source"]].add(measure_doc[link["target"]])
            related[link["target"]].add(measure_doc[link["source"]])
    net = _network(directed=True)
    rank = {level: i for i, level in enumerate(LEVELS)}
    for d in sorted(docs.values(), key=lambda d: (rank.get(d["level"], 9), d["id"])):
        level = d["level"]
        net.add_node(
            "doc:" + d["id"],
            label=d["id"],
            shape="box",
            level=2 * rank.get(level, 4),
            color=LEVEL_COLOUR.get(level, LEVEL_COLOUR[None]),
            font={"color": "#ffffff"},
            title=_tip(
                d["title"] or d["id"],
                [
                    ("编号", d["number"]),
                    ("级别", LEVEL_ZH.get(level, level)),
                    ("文本", "有" if d["has_text"] else "未收录"),
                ],
            ),
            kg_level=level,
            kg_docs=sorted(related["doc:" + d["id"]] | {d["id"]}),
            kg_search=d["title"] or "",
        )
    for m in measures:
        level = docs[m["doc"]]["level"]
        lost = bool(m["lost"])
        label = f"（{m['number']}）" + ("标题缺失" if lost else _excerpt(m["title"])[:12])
        options = (
            dict(
                shape="diamond",
                color={"background": "#e0e0e0", "border": "#616161"},
                shapeProperties={"borderDashes": [4, 3]},
                borderWidth=2,
            )
            if lost
            else dict(shape="dot", color=LEVEL_COLOUR.get(level, LEVEL_COLOUR[None]))
        )
        net.add_node(
            m["m"],
            label=label,
            level=2 * rank.get(level, 4) + 1,
            size=10,
            title=_tip(
                f"（{m['number']}）{m['title'] or ''}",
                [
                    ("文件", m["doc"]),
                    ("编号", m["key"]),
                    ("标题", "原文缺失（标题丢失，仅由对齐推断）" if lost else None),
                    ("责任单位", "、".join(agencies.get(m["m"], []))),
                    ("摘要", _excerpt(m["text"])),
                ],
            ),
            kg_level=level,
            kg_docs=sorted(related[m["m"]]),
            kg_search=f"{m['title'] or ''} {m['text'] or ''}",
            **options,
        )
        net.add_edge(
            "doc:" + m["doc"], m["m"], color="#cfd8dc", width=0.5, arrows="", kg_status="structure", physics=False
        )
    for child, parent in doc_links:
        net.add_edge(
            "doc:" + child,
            "doc:" + parent,
            color="#9e9e9e",
            dashes=True,
            width=1.5,
            kg_status="structure",
            title=_tip("文件实施关系", [("下级", child), ("上级", parent)]),
        )
    statuses = set()
    for link in links:
        if (
            link["source"] not in measure_doc
            or link["target"] not in measure_doc
            or link["status"] not in STATUS_COLOUR
        ):
            continue
        statuses.add(link["status"])
        score = float(link["score"])
        net.add_edge(
            link["source"],
            link["target"],
            color=STATUS_COLOUR[link["status"]],
            width=round(1 + 6 * score, 2),
            dashes=[2, 4] if link["method"] == "curated" else False,
            kg_status=link["status"],
            title=_tip(
                f"{link['status']} · {score:.3f}",
                [("方法", link["method"]), ("关系", link["relation"]), ("说明", link["comment"])],
            ),
        )
    options = {
        "layout": {
            "randomSeed": SEED,
            "hierarchical": {
                "enabled": True,
                "direction": "UD",
                "levelSeparation": 110,
                "nodeSpacing": 28,
                "sortMethod": "directed",
            },
        },
        "physics": {
            "enabled": True,
            "solver": "hierarchicalRepulsion",
            "hierarchicalRepulsion": {"nodeDistance": 40, "avoidOverlap": 0.3},
            "stabilization": {"enabled": True, "iterations": 300, "fit": True},
        },
        "edges": {
            "smooth": {"type": "cubicBezier", "forceDirection": "vertical"},
            "arrows": {"to": {"scaleFactor": 0.5}},
        },
        "interaction": {"hover": True, "tooltipDelay": 150, "navigationButtons": False},
    }
    present = {d["level"] for d in docs.values()}
    return View(
        "alignment",
        "对齐视图 · alignment",
        net.nodes,
        net.edges,
        options,
        documents=[(i, docs[i]["title"] or i) for i in sorted(docs)],
        levels=[lv for lv in LEVELS if lv in present],
        statuses=[s for s in STATUS_COLOUR if s in statuses],
        legend=[(LEVEL_COLOUR[lv], LEVEL_ZH[lv]) for lv in LEVELS if lv in present]
        + [
            (STATUS_COLOUR["aligned"], "aligned 对齐"),
            (STATUS_COLOUR["weak"], "weak 弱对齐"),
            ("#e0e0e0", "◆ 标题缺失 heading lost"),
            ("#9e9e9e", "··· curated 人工确认"),
        ],
    )


def co_responsibility(rows: list[dict]):
    """The co-responsibility graph (networkx): agencies linked by the measures they share.

    Node attributes: name, level, region, lead and support (measures), docs; edge
    attribute ``weight`` (shared measures) and ``measures``. Generic entries (各有关单位)
    are left out: they are not agencies.

    >>> g = co_responsibility([
    ...     {"m": "m1", "doc": "d", "key": "1", "number": "一", "title": "t", "agency": "a", "name": "A", "role": "lead",
    ...      "rank": 1, "level": "municipal", "region": None, "generic": False},
    ...     {"m": "m1", "doc": "d", "key": "1", "number": "一", "title": "t", "agency": "b", "name": "B",
    ...      "role": "support", "rank": 2, "level": "municipal", "region": None, "generic": False}])
    >>> g.edges["a", "b"]["weight"], g.nodes["a"]["lead"], g.nodes["b"]["support"]
    (1, 1, 1)
    """
    import networkx as nx

    g = nx.Graph()
    on_measure: dict[str, set[str]] = defaultdict(set)
    label: dict[str, str] = {}
    for r in rows:
        if r["generic"]:
            continue
        a = r["agency"]
        if a not in g:
            g.add_node(a, name=r["name"], level=r["level"], region=r["region"], lead=set(), support=set(), docs=set())
        g.nodes[a]["lead" if r["role"] == "lead" else "support"].add(r["m"])
        g.nodes[a]["docs"].add(r["doc"])
        on_measure[r["m"]].add(a)
        label[r["m"]] = f"{r['doc']}（{r['number']}）{r['title'] or ''}"
    for m in sorted(on_measure):
        for a, b in combinations(sorted(on_measure[m]), 2):
            if not g.has_edge(a, b):
                g.add_edge(a, b, weight=0, measures=[])
            g.edges[a, b]["weight"] += 1
            g.edges[a, b]["measures"].append(label[m])
    for _, data in g.nodes(data=True):
        data["lead"], data["support"] = len(data["lead"]), len(data["support"])
    return g


def agencies_view(out: str | Path) -> View:
    """Agencies sized by load and coloured by level, linked by shared measures."""
    g = co_responsibility(_rows(out, RESPONSIBILITIES))
    docs = {r["id"]: r for r in _rows(out, DOCS)}
    net = _network(directed=False)
    for a in sorted(g.nodes):
        d = g.nodes[a]
        load = d["lead"] + d["support"]
        partners = sorted(g[a], key=lambda b: (-g.edges[a, b]["weight"], g.nodes[b]["name"]))[:5]
        net.add_node(
            a,
            label=d["name"],
            shape="dot",
            value=load,
            color=LEVEL_COLOUR.get(d["level"], LEVEL_COLOUR[None]),
            title=_tip(
                d["name"],
                [
                    ("级别", LEVEL_ZH.get(d["level"], d["level"])),
                    ("地区", d["region"]),
                    ("牵头", d["lead"]),
                    ("配合", d["support"]),
                    ("文件", "、".join(sorted(d["docs"]))),
                    ("常见合作", "、".join(f"{g.nodes[b]['name']}×{g.edges[a, b]['weight']}" for b in partners)),
                ],
            ),
            kg_level=d["level"],
            kg_docs=sorted(d["docs"]),
            kg_search=d["name"],
        )
    for a, b in sorted(g.edges):
        e = g.edges[a, b]
        shown = e["measures"][:8] + ([f"… +{len(e['measures']) - 8}"] if len(e["measures"]) > 8 else [])
        net.add_edge(
            a,
            b,
            value=e["weight"],
            color={"color": "#90a4ae", "highlight": "#37474f"},
            title=_tip(
                f"{g.nodes[a]['name']} — {g.nodes[b]['name']} · 共同负责 {e['weight']} 项", [("", m) for m in shown]
            ),
        )
    options = {
        "layout": {"randomSeed": SEED, "improvedLayout": True},
        "physics": {
            "enabled": True,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -60, "springLength": 120, "avoidOverlap": 0.3},
            "stabilization": {"enabled": True, "iterations": 400, "fit": True},
        },
        "nodes": {"scaling": {"min": 6, "max": 40, "label": {"enabled": True, "min": 10, "max": 22}}},
        "edges": {"scaling": {"min": 0.5, "max": 8}, "smooth": False},
        "interaction": {"hover": True, "tooltipDelay": 150},
    }
    present = {g.nodes[a]["level"] for a in g.nodes}
    shown_docs = sorted({doc for a in g.nodes for doc in g.nodes[a]["docs"]})
    return View(
        "agencies",
        "责任单位协同网络 · agencies",
        net.nodes,
        net.edges,
        options,
        documents=[(i, docs[i]["title"] if i in docs and docs[i]["title"] else i) for i in shown_docs],
        levels=[lv for lv in LEVELS if lv in present],
        legend=[(LEVEL_COLOUR[lv], LEVEL_ZH[lv]) for lv in LEVELS if lv in present],
    )


def _static(name: str) -> str:
    return (resources.files("kg") / "static" / name).read_text(encoding="utf-8")


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
        statuses=f'<fieldset id="kg-statuses"><legend>状态</legend>{checks("status", view.statuses)}</fieldset>'
        if view.statuses
        else "",
        documents=options_for([d for d, _ in view.documents], dict(view.documents)),
        legend=legend,
        data=_script_json({"nodes": view.nodes, "edges": view.edges, "options": view.options}),
        counts=f"{len(view.nodes)} nodes · {len(view.edges)} edges",
    )


def write_view(build: str | Path, view: str, out: str | Path | None = None) -> Path:
    """Render ``view`` ("alignment" or "agencies") of the build in ``build`` to ``out``
    (default ``<view>.html`` beside the build, where ``kg all`` writes it), written atomically; returns the path written."""
    with opened(build) as b:
        view_data = alignment_view(b) if view == "alignment" else agencies_view(b)
    return write_atomic(Path(out) if out else build_dir(build).parent / f"{view}.html", render_html(view_data))
