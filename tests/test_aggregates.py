"""kg/rdf/aggregates.py: the derived counts land in the partition of the document they
describe, restate the triples they count, and break a shape when malformed."""

import pytest
from rdflib import Graph

from kg.core.errors import GraphInvalid
from kg.core.model import Link
from kg.rdf.graph import graph_lines
from kg.rdf.ntriples import to_rdflib
from kg.rdf.validate import partition_of, validate, violations
from kg.rdf.vocab import PKG, sparql_prefixes

from .conftest import JIANGXI_ID, SHANGRAO_ID

DOC = "https://w3id.org/policy-kg/id/doc/"


@pytest.fixture(scope="module")
def lines(processed, links):
    registry, results = processed
    return graph_lines(registry, results, links)


@pytest.fixture(scope="module")
def graph(lines) -> Graph:
    return to_rdflib(lines)


def _ask(g: Graph, sparql: str) -> list:
    return list(g.query(sparql_prefixes("pkg", "eli", "rdfs") + sparql))


def test_every_aggregate_lies_in_the_partition_of_what_it_describes(graph):
    rows = _ask(
        graph,
        """SELECT ?a ?about WHERE {
             ?a a ?class . ?class rdfs:subClassOf pkg:Aggregate .
             ?a pkg:summaryOf|pkg:childDocument|pkg:loadAgency ?about }""",
    )
    kinds = {
        str(c).rsplit("#", 1)[1]
        for (c,) in _ask(graph, "SELECT DISTINCT ?c WHERE { ?a a ?c . ?c rdfs:subClassOf pkg:Aggregate . ?a ?p ?o }")
    }
    assert kinds == {
        "DocumentSummary", "ParentCoverage", "MeasureUptake", "LocalInnovation", "FunctionLoad", "AgencyLoad",
        "DroppedAgency", "UnreachedMeasure",
    }  # fmt: skip
    dropped = _ask(graph, "SELECT ?a ?m WHERE { ?a a pkg:DroppedAgency ; pkg:childMeasure ?m }")
    unreached = _ask(graph, "SELECT ?a ?m WHERE { ?a a pkg:UnreachedMeasure ; pkg:parentMeasure ?m }")
    assert rows and dropped and unreached
    for a, about in rows + dropped + unreached:
        expected = partition_of(str(about)) if str(about).startswith(DOC) else ""
        assert partition_of(str(a)) == expected, a


def test_document_summary_counts_the_documents_targets(graph):
    counted = {
        str(d): (int(n), int(q), int(first) if first is not None else None)
        for d, n, q, first in _ask(
            graph,
            """SELECT ?d (COUNT(?t) AS ?n) (COUNT(?v) AS ?q) (MIN(?y) AS ?first) WHERE {
                 ?d pkg:hasText true . OPTIONAL { ?t a pkg:Target ; pkg:extractedFrom ?d
                 OPTIONAL { ?t pkg:targetValue ?v } OPTIONAL { ?t pkg:targetYear ?y } } } GROUP BY ?d""",
        )
    }
    stated = {
        str(d): (int(n), int(q), int(first) if first is not None else None)
        for d, n, q, first in _ask(
            graph,
            """SELECT ?d ?n ?q ?first WHERE { ?s pkg:summaryOf ?d ; pkg:targetCount ?n ;
                 pkg:quantitativeTargetCount ?q OPTIONAL { ?s pkg:firstTargetYear ?first } }""",
        )
    }
    assert stated == counted
    assert any(n > 0 for n, _, _ in stated.values())


def test_a_gap_is_an_uptake_of_nothing_and_an_implemented_measure_one_of_its_links(graph):
    rows = _ask(
        graph,
        f"""SELECT ?pm ?n ?implemented WHERE {{
              ?u a pkg:MeasureUptake ; pkg:childDocument <{DOC}{SHANGRAO_ID}> ;
                 pkg:parentDocument <{DOC}{JIANGXI_ID}> ; pkg:parentMeasure ?pm ; pkg:implementingLinkCount ?n .
              BIND(EXISTS {{ ?cm eli:implements ?pm ; eli:is_part_of <{DOC}{SHANGRAO_ID}> }} AS ?implemented) }}""",
    )
    parent_measures = _ask(graph, f"SELECT ?m WHERE {{ ?m a pkg:Measure ; eli:is_part_of <{DOC}{JIANGXI_ID}> }}")
    assert {pm for pm, _, _ in rows} == {m for (m,) in parent_measures}
    assert any(n.toPython() == 0 for _, n, _ in rows) and any(n.toPython() > 0 for _, n, _ in rows)
    assert all((n.toPython() > 0) == implemented.toPython() for _, n, implemented in rows)


def test_a_weak_link_is_counted_apart_from_implementing_ones(processed):
    registry, results = processed
    weak = Link(SHANGRAO_ID, "2", JIANGXI_ID, "1", 0.42, "weak")
    g = to_rdflib(graph_lines(registry, results, [weak]))
    (n, w, score), *more = _ask(
        g,
        f"""SELECT ?n ?w ?s WHERE {{ ?u a pkg:MeasureUptake ; pkg:childDocument <{DOC}{SHANGRAO_ID}> ;
              pkg:parentMeasure <{DOC}{JIANGXI_ID}/measure/1> ; pkg:implementingLinkCount ?n ;
              pkg:weakLinkCount ?w ; pkg:bestWeakScore ?s }}""",
    )
    assert not more and (n.toPython(), w.toPython(), float(score)) == (0, 1, 0.42)
    (innovation,) = _ask(
        g, f"SELECT ?w WHERE {{ ?i pkg:childMeasure <{DOC}{SHANGRAO_ID}/measure/2> ; pkg:weakLinkCount ?w }}"
    )
    assert innovation[0].toPython() == 1


def test_the_graph_with_its_aggregates_conforms(lines):
    validate(lines)


@pytest.mark.parametrize(
    "predicate, literal, path",
    [
        (PKG.targetCount, '"-1"^^<http://www.w3.org/2001/XMLSchema#integer>', "targetCount"),
        (PKG.implementingLinkCount, '"two"', "implementingLinkCount"),
        (PKG.documentLevel, '"city"', "documentLevel"),
        (PKG.droppedRole, '"chair"', "droppedRole"),
        (PKG.parentMeasureIndex, '"first"', "parentMeasureIndex"),
    ],
)
def test_an_injected_malformed_count_breaks_its_shape(lines, predicate, literal, path):
    target = next(ln for ln in lines if f"> <{predicate}> " in ln)
    focus = target[1 : target.index(">")]
    broken = [ln if ln != target else f"<{focus}> <{predicate}> {literal} .\n" for ln in lines]
    found = violations(broken)
    assert found and {(v.focus, v.path) for v in found} == {(focus, str(predicate))}
    with pytest.raises(GraphInvalid, match=path):
        validate(broken)


def test_an_aggregate_that_names_no_document_breaks_its_shape(lines):
    broken = [ln for ln in lines if f"> <{PKG.summaryOf}> " not in ln or "/summary>" not in ln]
    assert len(lines) - len(broken) > 0
    found = {(v.focus.rsplit("/", 1)[1], v.path) for v in violations(broken)}
    assert found == {("summary", str(PKG.summaryOf))}


# derived value → the path from the aggregate to the value it restates
RESTATED = {
    "documentId": "(pkg:summaryOf|pkg:childDocument)/dcterms:identifier",
    "documentTitle": "pkg:summaryOf/eli:title",
    "documentLevel": "(pkg:summaryOf|pkg:childDocument)/pkg:level/skos:notation",
    "documentRegion": "(pkg:summaryOf|pkg:childDocument)/dcterms:spatial/schema:name",
    "parentDocumentId": "(pkg:parentDocument|pkg:parentMeasure/eli:is_part_of)/dcterms:identifier",
    "parentDocumentLevel": "(pkg:parentDocument|pkg:parentMeasure/eli:is_part_of)/pkg:level/skos:notation",
    "parentMeasureKey": "pkg:parentMeasure/pkg:key",
    "parentMeasureIndex": "pkg:parentMeasure/pkg:index",
    "parentMeasureNumber": "pkg:parentMeasure/eli:number",
    "parentMeasureTitle": "pkg:parentMeasure/eli:title",
    "childMeasureKey": "pkg:childMeasure/pkg:key",
    "childMeasureIndex": "pkg:childMeasure/pkg:index",
    "childMeasureNumber": "pkg:childMeasure/eli:number",
    "childMeasureTitle": "pkg:childMeasure/eli:title",
    "agencyName": "(pkg:loadAgency|pkg:droppedAgency)/skos:prefLabel",
    "agencyLevel": "pkg:loadAgency/pkg:level/skos:notation",
    "agencyRegion": "pkg:loadAgency/dcterms:spatial/schema:name",
    "agencyGeneric": "pkg:loadAgency/pkg:generic",
    "droppedRole": "pkg:droppedResponsibility/pkg:role/skos:notation",
    "droppedRank": "pkg:droppedResponsibility/pkg:rank",
}


@pytest.mark.parametrize("name", sorted(RESTATED))
def test_a_derived_value_restates_the_graph(graph, name):
    """On every aggregate that carries it, the value is exactly what the graph says one path
    away (the dropped agencies' documents through their measures)."""
    path = RESTATED[name]
    derived = set(_ask(graph, f"SELECT ?a ?v WHERE {{ ?a pkg:{name} ?v }}"))
    stated = set(
        _ask(
            graph,
            "PREFIX dcterms: <http://purl.org/dc/terms/> PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
            "PREFIX schema: <https://schema.org/> "
            f"SELECT ?a ?v WHERE {{ ?a pkg:{name} [] . ?a {path} ?v }}",
        )
    )
    if name.startswith("document") and name != "documentTitle":  # a dropped agency's child document
        stated |= set(
            _ask(
                graph,
                "PREFIX dcterms: <http://purl.org/dc/terms/> "
                f"SELECT ?a ?v WHERE {{ ?a pkg:{name} [] ; pkg:childMeasure/eli:is_part_of/dcterms:identifier ?v }}",
            )
        )
    assert derived, f"no aggregate carries pkg:{name} on the seeds"
    assert derived == stated


def test_the_identifier_pieces_order_as_the_identifier():
    """Two pieces of 15 characters and the rest: compared piece by piece they order as the
    whole, for ASCII, Chinese and mixed identifiers of any length (a cut by bytes would not:
    a wide character and a narrow one at the cut end their pieces at different places)."""
    import random

    from kg.rdf.aggregate_values import id_parts

    rng = random.Random(7)
    alphabet = "ab-0z江西省市"
    texts = {"", "a", "prov-130000-2022-pollution-carbon"} | {
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 50))) for _ in range(3000)
    }
    for t in texts:
        parts = id_parts(t)
        assert "".join(parts) == t
        assert all(len(p) <= 15 for p in parts[:2])
    assert sorted(texts, key=id_parts) == sorted(texts)


def test_the_shapes_still_validate_one_document_at_a_time():
    """A restatement is checked by the tests above, not by a shape with a sequence path: such
    a shape reads across documents and would make the build validate the graph whole."""
    from kg.rdf.validate import shapes_read

    assert shapes_read() is not None
