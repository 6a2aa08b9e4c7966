"""The alignment view's data: a document-level overview and, per document pair, the two
ordered columns of measures with the links between them and the evidence behind each link.

The page (``kg/static/view_alignment.*``) draws it as plain SVG: a reader first sees the
documents level by level (national → provincial → municipal) joined by their implements
links with the coverage of each pair, then one pair at a time — parent measures left,
child measures right, both in document order — and, for a clicked link or measure, the two
texts side by side with copied runs and changed numbers or agencies marked.

Everything is read from the built graph: documents, measures and coverage by SPARQL (the
saved ``coverage`` query, the same figures ``kg query coverage`` prints), the texts, marks
and positions from ``kg.analysis.evidence`` — the same evidence the pair report shows.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Optional

from kg.analysis.evidence import Side, evidence, query_text, unimplemented
from kg.curated.mappings import LEVELS
from kg.rdf.vocab import sparql_prefixes
from kg.store.query import opened, resolve, restrict, run_tool_query

PREFIXES = sparql_prefixes("eli", "pkg", "skos", "dcterms", "schema")
DOCUMENTS = (
    PREFIXES
    + """SELECT ?id ?level ?region ?title ?number ?issued ?has_text (COUNT(DISTINCT ?m) AS ?measures) WHERE {
  ?doc a eli:LegalResource ; dcterms:identifier ?id ; pkg:level/skos:notation ?level .
  OPTIONAL { ?doc eli:title ?title } OPTIONAL { ?doc eli:id_local ?number }
  OPTIONAL { ?doc eli:date_document ?issued } OPTIONAL { ?doc pkg:hasText ?has_text }
  OPTIONAL { ?doc dcterms:spatial/schema:name ?region }
  OPTIONAL { ?m eli:is_part_of ?doc ; a pkg:Measure }
} GROUP BY ?id ?level ?region ?title ?number ?issued ?has_text ORDER BY ?id"""
)
# a pair is a declared implements link between documents, or one the aligner found
# (an alignment from a child measure into a measure of another document). Each pattern is
# read whole and joined by hash: looked up per alignment, the query ran for over 7 minutes
# at 1,000 documents.
PAIRS = (
    PREFIXES
    + """SELECT DISTINCT ?child ?parent ?declared WHERE {
  {
    { SELECT ?c ?p WHERE { ?c eli:implements ?p } }
    { SELECT ?c WHERE { ?c a eli:LegalResource } }
    { SELECT ?p WHERE { ?p a eli:LegalResource } }
    BIND(true AS ?declared)
  } UNION {
    {
      SELECT DISTINCT ?c ?p WHERE {
        { SELECT ?a WHERE { ?a a pkg:Alignment } }
        { SELECT ?a ?cm WHERE { ?a pkg:sourceMeasure ?cm } }
        { SELECT ?a ?pm WHERE { ?a pkg:targetMeasure ?pm } }
        { SELECT ?cm ?c WHERE { ?cm eli:is_part_of ?c } }
        { SELECT ?pm ?p WHERE { ?pm eli:is_part_of ?p } }
      }
    }
    MINUS { { SELECT ?c ?p WHERE { ?c eli:implements ?p } } }
    BIND(false AS ?declared)
  }
  { SELECT ?c ?child WHERE { ?c dcterms:identifier ?child } }
  { SELECT ?p ?parent WHERE { ?p dcterms:identifier ?parent } }
} ORDER BY ?child ?parent"""
)


def pair_id(child: str, parent: str) -> str:
    return f"{child}__{parent}"


def documents(build) -> list[dict]:
    """Every document with its level, region, title, number, year and measure count,
    national first, then by region and id."""
    rank = {level: i for i, level in enumerate(LEVELS)}
    rows = run_tool_query(build, DOCUMENTS).rows
    out = [
        {
            "id": r["id"],
            "level": r["level"],
            "rank": rank.get(r["level"], len(LEVELS)),
            "region": r["region"] or "",
            "title": r["title"] or r["id"],
            "number": r["number"] or "",
            "year": str(r["issued"] or "")[:4],
            "has_text": bool(r["has_text"]),
            "measures": int(r["measures"] or 0),
        }
        for r in rows
    ]
    return sorted(out, key=lambda d: (d["rank"], d["region"], d["year"], d["id"]))


def pairs(build, docs: dict[str, dict]) -> list[dict]:
    """Every (child, parent) document pair with the coverage of the saved ``coverage`` query;
    a pair whose parent has no measures (no collected text) has ``openable`` false."""
    coverage = {(r["child_doc"], r["parent_doc"]): r for r in run_tool_query(build, resolve("coverage")).rows}
    out = []
    for r in run_tool_query(build, PAIRS).rows:
        child, parent = r["child"], r["parent"]
        if child not in docs or parent not in docs:
            continue
        c = coverage.get((child, parent), {})
        out.append(
            {
                "id": pair_id(child, parent),
                "child": child,
                "parent": parent,
                "declared": bool(r["declared"]),
                "openable": docs[parent]["measures"] > 0 and docs[child]["measures"] > 0,
                "implemented": int(c.get("implemented") or 0),
                "parent_measures": int(c.get("parent_measures") or docs[parent]["measures"]),
                "child_measures": int(c.get("child_measures") or docs[child]["measures"]),
                "additions": int(c["additions"]) if c.get("additions") is not None else None,
                "copy_rate": round(float(c["mean_copy_rate"]), 3) if c.get("mean_copy_rate") is not None else None,
            }
        )
    seen: dict[str, dict] = {}
    for p in out:  # a declared pair the aligner also found is listed once
        seen.setdefault(p["id"], p)
    return sorted(
        seen.values(), key=lambda p: (docs[p["child"]]["rank"], p["child"], docs[p["parent"]]["rank"], p["parent"])
    )


def _side(side: Side) -> dict:
    d = asdict(side)
    d["sentences"] = [list(x) for x in d["sentences"]]
    d["lost"] = d.pop("heading_lost")
    return d


def _blank(doc: str, row: dict) -> dict:
    """A measure the evidence does not cover (no link into this pair): number and title only."""
    return {"doc": doc, "key": row["key"], "title": row["title"], "text": "", "sentences": [], "agencies": []}


def pair_evidence(b, child: str, parent: str) -> tuple[list[dict], list, list[Side]]:
    """What a pair's columns are drawn from: both documents' measures (the evidence's own
    list, in document order), the evidence of each link, and the parent measures nothing
    implements. The pair report reads the same, so ``kg all`` computes it once per pair."""
    measures = run_tool_query(b, restrict(query_text("measures"), {"doc": [child, parent]})).rows
    return measures, evidence(b, child, parent), unimplemented(b, child, parent)


def pair_view(build, child: str, parent: str) -> dict:
    """One pair drawn as two columns (``pair_columns``), read from the build."""
    with opened(build) as b:
        return pair_columns(child, parent, *pair_evidence(b, child, parent))


def pair_columns(child: str, parent: str, measures: list[dict], found: list, missing: list[Side]) -> dict:
    """One pair drawn as two columns: every parent measure (in document order, those whose
    heading the source lost included), every child measure, the links between them (aligned,
    weak, curated) with score, margin, matched sentences and the marks of copied and changed text.
    A parent measure is implemented, and a child measure has a parent, only through an aligned
    or curated link (``Evidence.implements``), as in the report and ``kg query coverage``."""
    sides = {s.key: _side(s) for s in missing}
    links, children = [], {}
    for e in found:
        children.setdefault(e.child.key, _side(e.child))
        if e.parent is None or e.status == "unaligned":
            continue
        sides.setdefault(e.parent.key, _side(e.parent))
        links.append(
            {
                "child": e.child.key,
                "parent": e.parent.key,
                "status": e.status,
                "method": e.method,
                "implements": e.implements,
                "score": round(e.score, 4),
                "margin": round(e.margin, 4) if e.margin is not None else None,
                "pairs": [list(p) for p in e.pairs],
                "child_marks": [list(m) for m in e.child_marks],
                "parent_marks": [list(m) for m in e.parent_marks],
                "added": e.agencies_added,
                "dropped": e.agencies_dropped,
            }
        )
    implemented = {x["parent"] for x in links if x["implements"]}
    with_parent = {x["child"] for x in links if x["implements"]}
    column = {parent: [], child: []}
    for r in measures:
        found_side = (sides if r["doc"] == parent else children).get(r["key"]) or _blank(r["doc"], r)
        column[r["doc"]].append({**found_side, "number": r["number"], "lost": bool(r["heading_lost"])})
    return {
        "id": pair_id(child, parent),
        "child": child,
        "parent": parent,
        "parents": [{**m, "implemented": m["key"] in implemented} for m in column[parent]],
        "children": [{**m, "innovation": m["key"] not in with_parent} for m in column[child]],
        "links": links,
    }


def alignment_data(build: str | Path, drawn: Optional[dict[str, dict]] = None) -> dict:
    """Everything the page draws: documents, pairs (with coverage) and each openable pair's
    columns; ``drawn``: columns already made from the same build (the pair reports'), by pair id."""
    drawn = drawn or {}
    with opened(build) as b:
        docs = documents(b)
        by_id = {d["id"]: d for d in docs}
        listed = pairs(b, by_id)
        drawn = {p["id"]: drawn.get(p["id"]) or pair_view(b, p["child"], p["parent"]) for p in listed if p["openable"]}
    return {"documents": docs, "pairs": listed, "pair": drawn, "levels": list(LEVELS)}


def pair_label(p: dict, docs: dict[str, dict]) -> str:
    """The selector's line for a pair: child → parent with the coverage, e.g.
    ``上饶市 2022 → 江西省 2021 · 落实 15/21 (71%)``."""

    def name(d: dict) -> str:
        return f"{d['region'] or d['id']} {d['year']}".strip()

    share = f" ({round(100 * p['implemented'] / p['parent_measures'])}%)" if p["parent_measures"] else ""
    return (
        f"{name(docs[p['child']])} → {name(docs[p['parent']])} · 落实 {p['implemented']}/{p['parent_measures']}{share}"
        f" · {docs[p['child']]['title']}"
    )
