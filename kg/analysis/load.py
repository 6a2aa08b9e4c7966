"""Agency load: who leads and supports how many measures, who works with whom, read from the graph.

Analysis reads the built graph (SPARQL over the store, ``kg.store.query.run_query``), never the
text. Three views of the same responsibilities:

* **load** — per agency, the measures it leads and supports, in total and per document
  (with the document's level). Counts are responsibilities, as in ``kg agencies``.
* **co-responsibility network** — an undirected ``networkx.Graph``: two agencies listed on
  the same measure are linked, edge ``weight`` = number of measures they share. Degree is
  the number of distinct co-listed agencies; betweenness is
  ``networkx.betweenness_centrality`` with edge length ``1 / weight`` (agencies that share
  many measures are close), normalised.
* **counterparts** — a provincial agency next to its city counterparts (the agencies whose
  ``pkg:counterpart`` it is: 市工业和信息化局 of 上饶市 → 省工业和信息化厅 of 江西省); any other
  agency next to its own ``pkg:counterpart`` one level up.

Generic entries (``pkg:generic true``: 各有关单位, 设区市) are not agencies: they are left
out of the network and the ranking.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Optional

import networkx as nx

from kg.rdf.vocab import sparql_prefixes
from kg.store import DEFAULT
from kg.store.query import opened, run_tool_query

PREFIXES = sparql_prefixes("eli", "pkg", "dcterms", "skos", "schema", "org")

# Every responsibility: its parts are read whole and joined by hash (each `{ SELECT * … }`
# on its own), since Oxigraph would otherwise look each triple up per responsibility.
RESPONSIBILITIES = (
    PREFIXES
    + """
SELECT ?measure ?doc ?level ?agency ?role WHERE {
  { SELECT * WHERE { ?measure pkg:hasResponsibility ?r } }
  { SELECT * WHERE { ?r pkg:agency ?agency } }
  { SELECT * WHERE { ?r pkg:role ?role } }
  { SELECT * WHERE { ?measure eli:is_part_of ?d } }
  { SELECT ?d ?doc ?level WHERE { ?d dcterms:identifier ?doc ; pkg:level/skos:notation ?level } }
}"""
)

AGENCIES = (
    PREFIXES
    + """
SELECT ?agency ?name ?level ?region ?generic ?counterpart WHERE {
  ?agency a org:Organization ; skos:prefLabel ?name .
  OPTIONAL { ?agency pkg:generic ?generic }
  OPTIONAL { ?agency pkg:level/skos:notation ?level }
  OPTIONAL { ?agency dcterms:spatial/schema:name ?region }
  OPTIONAL { ?agency pkg:counterpart ?counterpart }
}"""
)

ROLES = {"https://w3id.org/policy-kg/ontology#lead": "lead", "https://w3id.org/policy-kg/ontology#support": "support"}
DOWN = {"national": "provincial", "provincial": "municipal", "municipal": "county"}


@dataclass(frozen=True, order=True)
class Responsibility:
    """One agency named on one measure: ``role`` is lead or support, ``level`` the document's."""

    measure: str
    doc: str
    level: str
    agency: str
    role: str


@dataclass(frozen=True)
class Agency:
    """An agency node of the graph (its IRI, name, level, region, counterpart IRI one level up)."""

    iri: str
    name: str
    level: Optional[str] = None
    region: Optional[str] = None
    generic: bool = False
    counterpart: Optional[str] = None


@dataclass
class DocumentLoad:
    doc: str
    level: str
    lead: int = 0
    support: int = 0


@dataclass
class AgencyLoad:
    """One row of the ranking: load, network position and the counterpart's load."""

    agency: str
    level: Optional[str]
    region: Optional[str]
    lead: int
    support: int
    total: int
    degree: int
    strength: int
    betweenness: float
    counterpart: Optional[str]
    counterpart_region: Optional[str]
    counterpart_lead: Optional[int]
    counterpart_support: Optional[int]
    iri: str
    documents: list[DocumentLoad] = field(default_factory=list)


def read_responsibilities(out: str | Path) -> list[Responsibility]:
    """Every responsibility in the graph built in ``out`` (StoreError if there is none)."""
    rows = run_tool_query(out, RESPONSIBILITIES).rows
    return sorted(Responsibility(r["measure"], r["doc"], r["level"], r["agency"], ROLES[r["role"]]) for r in rows)


def read_agencies(out: str | Path) -> dict[str, Agency]:
    """Every agency node of the graph built in ``out``, by IRI."""
    return {
        r["agency"]: Agency(r["agency"], r["name"], r["level"], r["region"], bool(r["generic"]), r["counterpart"])
        for r in run_tool_query(out, AGENCIES).rows
    }


def co_responsibility_graph(responsibilities: Iterable[Responsibility], agencies: dict[str, Agency]) -> nx.Graph:
    """The co-responsibility network: agencies listed together on a measure are linked.

    Parameters: ``responsibilities`` (from ``read_responsibilities``), ``agencies`` (by IRI;
    generic ones are left out). Returns an undirected graph whose nodes are agency IRIs
    (every non-generic agency with a responsibility, isolated ones included) and whose edge
    ``weight`` is the number of distinct measures the two agencies share.

    >>> a = {x: Agency(x, x) for x in "ABC"}
    >>> rs = [Responsibility(m, "d", "provincial", x, "lead") for m, x in [(1, "A"), (1, "B"), (2, "A"), (2, "B"), (2, "C")]]
    >>> sorted(co_responsibility_graph(rs, a).edges(data="weight"))
    [('A', 'B', 2), ('A', 'C', 1), ('B', 'C', 1)]
    """
    by_measure: dict[str, set[str]] = defaultdict(set)
    g = nx.Graph()
    for r in responsibilities:
        a = agencies.get(r.agency)
        if a is None or a.generic:
            continue
        g.add_node(r.agency)
        by_measure[r.measure].add(r.agency)
    weights: Counter = Counter()
    for members in by_measure.values():
        ordered = sorted(members)
        for i, x in enumerate(ordered):
            for y in ordered[i + 1 :]:
                weights[(x, y)] += 1
    for (x, y), w in sorted(weights.items()):
        g.add_edge(x, y, weight=w)
    return g


def betweenness(g: nx.Graph) -> dict[str, float]:
    """Normalised betweenness centrality, edge length ``1 / weight``, rounded to 4 places.

    Agencies sharing many measures are close, so a broker between two groups that work
    together often scores higher than one on a path of rare co-listings. Computed by
    networkit's Brandes (C++, parallel): networkx's (pure Python) took 217 CPU-s for the
    5,927 agencies of 1,000 documents, networkit 5.7, with the same figures
    (``reference_betweenness``, compared in tests and in docs/agencies.md).

    >>> g = nx.Graph([("A", "B", {"weight": 1}), ("B", "C", {"weight": 1})])
    >>> betweenness(g)
    {'A': 0.0, 'B': 1.0, 'C': 0.0}
    """
    nodes = sorted(g)
    if len(nodes) < 3:  # no node lies between two others (networkx: nothing to normalise)
        return {n: 0.0 for n in nodes}
    import networkit as nk  # loaded only when a ranking is asked for

    index = {n: i for i, n in enumerate(nodes)}
    h = nk.Graph(len(nodes), weighted=True)
    for x, y, w in g.edges(data="weight"):
        h.addEdge(index[x], index[y], 1 / w)
    run = nk.centrality.Betweenness(h, normalized=True)
    run.run()
    return {n: round(run.score(index[n]), 4) + 0.0 for n in nodes}


def reference_betweenness(g: nx.Graph) -> dict[str, float]:
    """The same figures by networkx, the reference ``betweenness`` is checked against."""
    h = nx.Graph()
    h.add_nodes_from(g)
    h.add_edges_from((x, y, {"distance": 1 / w}) for x, y, w in g.edges(data="weight"))
    raw = nx.betweenness_centrality(h, weight="distance", normalized=True)
    return {n: round(raw[n], 4) for n in sorted(raw)}


def load_counts(responsibilities: Iterable[Responsibility]) -> dict[str, dict[tuple[str, str], DocumentLoad]]:
    """Lead and support counts per agency IRI and (document, level).

    >>> c = load_counts([Responsibility("m1", "d", "municipal", "A", "lead"), Responsibility("m2", "d", "municipal", "A", "support")])
    >>> c["A"][("d", "municipal")]
    DocumentLoad(doc='d', level='municipal', lead=1, support=1)
    """
    out: dict[str, dict[tuple[str, str], DocumentLoad]] = defaultdict(dict)
    for r in responsibilities:
        row = out[r.agency].setdefault((r.doc, r.level), DocumentLoad(r.doc, r.level))
        if r.role == "lead":
            row.lead += 1
        else:
            row.support += 1
    return dict(out)


def counterparts_of(agency: Agency, agencies: dict[str, Agency]) -> list[Agency]:
    """A provincial agency's city counterparts (agencies whose ``pkg:counterpart`` it is);
    for any other agency, its own counterpart one level up. Sorted by region, then name.

    >>> a = {"P": Agency("P", "省工业和信息化厅", "provincial"), "C": Agency("C", "市工业和信息化局", "municipal", counterpart="P")}
    >>> [x.name for x in counterparts_of(a["P"], a)], [x.name for x in counterparts_of(a["C"], a)]
    (['市工业和信息化局'], ['省工业和信息化厅'])
    """
    if agency.level == "provincial":
        found = [a for a in agencies.values() if a.counterpart == agency.iri and a.level == DOWN["provincial"]]
    else:
        found = [agencies[agency.counterpart]] if agency.counterpart in agencies else []
    return sorted(found, key=lambda a: (a.region or "", a.name, a.iri))


def rank(responsibilities: list[Responsibility], agencies: dict[str, Agency]) -> list[AgencyLoad]:
    """The ranking from graph rows: one AgencyLoad per non-generic agency with a responsibility,
    sorted by total load, then lead count (both descending), then name, region and IRI."""
    g = co_responsibility_graph(responsibilities, agencies)
    between = betweenness(g)
    counts = load_counts(responsibilities)

    def totals(iri: str) -> tuple[int, int]:
        docs = counts.get(iri, {}).values()
        return sum(d.lead for d in docs), sum(d.support for d in docs)

    out = []
    for iri in g.nodes:
        a = agencies[iri]
        lead, support = totals(iri)
        cps = counterparts_of(a, agencies)
        cp_loads = [totals(c.iri) for c in cps]
        out.append(
            AgencyLoad(
                agency=a.name,
                level=a.level,
                region=a.region,
                lead=lead,
                support=support,
                total=lead + support,
                degree=g.degree(iri),
                strength=g.degree(iri, weight="weight"),
                betweenness=between[iri],
                counterpart="、".join(c.name for c in cps) or None,
                counterpart_region="、".join(dict.fromkeys(c.region or "" for c in cps)) or None,
                counterpart_lead=sum(x for x, _ in cp_loads) if cps else None,
                counterpart_support=sum(y for _, y in cp_loads) if cps else None,
                iri=iri,
                documents=sorted(counts[iri].values(), key=lambda d: (d.doc, d.level)),
            )
        )
    out.sort(key=lambda r: (-r.total, -r.lead, r.agency, r.region or "", r.iri))
    return out


def agency_load(out: str | Path = DEFAULT, level: Optional[str] = None) -> list[AgencyLoad]:
    """The agency ranking of the graph built in ``out`` (``kg agencies --network``).

    ``level`` keeps only agencies of that level; the network and centralities are always
    computed over all agencies. Raises StoreError (run ``kg build``) when there is no store.
    """
    with opened(out) as build:
        ranking = rank(read_responsibilities(build), read_agencies(build))
    return [r for r in ranking if level is None or r.level == level]


def load_records(ranking: Iterable[AgencyLoad]) -> list[dict]:
    """Plain dicts for the shared output formats; ``documents`` as a list of objects."""
    from dataclasses import asdict

    return [asdict(r) for r in ranking]
