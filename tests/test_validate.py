"""Validating the graph one document partition at a time finds exactly what pySHACL finds
on the whole graph, in one process or several."""

import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kg.core.errors import GraphInvalid
from kg.core.model import Link
from kg.rdf.graph import agency_iri, doc_iri, graph_lines, load_shapes, measure_iri
from kg.rdf.ntriples import RDF_TYPE, to_rdflib
from kg.rdf.validate import check, partition_of, reads_of, validate, violations

from .conftest import JIANGXI_ID, SHANGRAO_ID

ORG = "http://www.w3.org/ns/org#Organization"
ELI = "http://data.europa.eu/eli/ontology#"


@pytest.fixture(scope="module")
def two_documents(processed):
    """上饶 and 江西 2021 with text (the rest by their registry entries), one link between them."""
    from kg.corpus import Processed

    registry, results = processed
    keep = {SHANGRAO_ID, JIANGXI_ID}
    small = [p if p.entry.id in keep else Processed(p.entry) for p in results]
    link = Link(SHANGRAO_ID, "2", JIANGXI_ID, "1", 0.9, "aligned")
    return graph_lines(registry, small, [link])


def _broken(lines):
    """Faults in three partitions, one of them seen only through a borrowed node's type."""
    lead = agency_iri("市工业和信息化局", "361100")
    drop = {
        f"<{measure_iri(SHANGRAO_ID, '3')}> <{ELI}number>",  # 上饶's partition
        f"<{lead}> <{RDF_TYPE}> <{ORG}>",  # corpus partition: the agency loses its type ...
        f"<{measure_iri(JIANGXI_ID, '1')}> <https://w3id.org/policy-kg/ontology#key>",  # 江西's partition
    }
    out = [ln for ln in lines if not any(ln.startswith(d) for d in drop)]
    assert len(lines) - len(out) == 3
    return out  # ... so 上饶's responsibilities naming it break sh:class org:Organization


def _whole_graph(lines):
    g = to_rdflib(lines)
    _, report, _ = pyshacl.validate(g, shacl_graph=load_shapes(), inference="none", advanced=False)
    return {
        (
            str(report.value(r, SH.focusNode)),
            str(report.value(r, SH.resultPath)),
            str(report.value(r, SH.resultMessage)),
        )
        for r in report.objects(None, SH.result)
    }


def test_partitions_find_exactly_what_the_whole_graph_check_finds(two_documents):
    lines = _broken(two_documents)
    expected = _whole_graph(lines)
    assert {path.rsplit("#", 1)[-1] for _, path, _ in expected} == {"number", "agency", "key"}
    found = violations(lines, batch=1, engine="pyshacl")  # every partition on its own, with borrowed types
    assert {(v.focus, v.path, v.message) for v in found} == expected
    # the default engine (the shapes as SPARQL) words the shapes without sh:message its own way
    assert {(v.focus, v.path) for v in violations(lines, batch=1)} == {(f, p) for f, p, _ in expected}


def test_several_processes_find_the_same(two_documents):
    lines = _broken(two_documents)
    assert violations(lines, workers=2, batch=1) == violations(lines, workers=1)


def test_a_conforming_graph_passes_and_a_broken_one_is_one_line(two_documents):
    validate(two_documents, workers=2)
    with pytest.raises(GraphInvalid) as e:
        validate(_broken(two_documents))
    message = str(e.value)
    assert message.startswith("graph does not conform to ontology/shapes.ttl (")
    assert "\n" not in message and "pkg:agency: a responsibility names exactly one agency" in message


def test_an_rdflib_graph_is_accepted(two_documents):
    with pytest.raises(GraphInvalid, match=r"\(11 violations\).*measure/1 pkg:key"):
        validate(to_rdflib(_broken(two_documents)))


def test_nodes_belong_to_the_document_their_iri_lies_under():
    assert partition_of(str(measure_iri(SHANGRAO_ID, "2")) + "/sentence/1") == SHANGRAO_ID
    assert partition_of(str(doc_iri(SHANGRAO_ID))) == SHANGRAO_ID
    assert partition_of(str(agency_iri("省生态环境厅", "360000"))) == ""


SHAPES = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path {path} ; sh:minCount 1 {extra} ."""


@pytest.mark.parametrize(
    "path, extra, local",
    [
        ("ex:p", "", True),
        ("[ sh:alternativePath ( ex:p ex:q ) ]", "", True),
        ("ex:p", "; sh:class ex:D", True),
        ("[ sh:inversePath ex:p ]", "", False),  # reads triples about other nodes
        ("( ex:p ex:q )", "", False),  # a sequence path reads the values' own triples
        ("ex:p", "; sh:node ex:T", False),  # validates the values against a shape
    ],
)
def test_shapes_that_read_beyond_the_focus_node_are_checked_whole(path, extra, local):
    reads = reads_of(Graph().parse(data=SHAPES.format(path=path, extra=extra), format="turtle"))
    assert (reads is not None) == local
    if reads is not None:
        assert URIRef("http://example.org/p") in {URIRef(p) for p in reads.predicates}
        assert bool(reads.classed) == ("sh:class" in extra)


def test_only_changed_partitions_are_checked_again(two_documents):
    good = check(two_documents)
    assert good.violations() == [] and {SHANGRAO_ID, JIANGXI_ID, ""} <= set(good.conforming)
    broken = _broken(two_documents)
    again = check(broken, known=good.conforming)
    assert set(good.conforming) - set(again.reused) == {SHANGRAO_ID, JIANGXI_ID, ""}  # the three with a fault
    assert again.violations() == violations(broken)
    # the agency that lost its type breaks 上饶's responsibilities, not its own partition
    assert {SHANGRAO_ID, JIANGXI_ID} & set(again.conforming) == set() and "" in again.conforming


def test_a_node_borrowed_by_several_batches_is_read_from_the_file_once(two_documents, monkeypatch):
    # One batch a partition, in this process: the nodes both documents borrow (regions,
    # agencies, 江西's measure 上饶 implements) are looked up once for the whole check.
    from collections import Counter

    from kg.rdf.sorted_nt import SortedLines

    reads, facts = Counter(), SortedLines.facts

    def counted(self, iri):
        reads[iri] += 1
        return facts(self, iri)

    monkeypatch.setattr(SortedLines, "facts", counted)
    done = check(two_documents, batch=1)
    assert done.violations() == [] and done.batches >= 3
    assert reads and max(reads.values()) == 1, reads.most_common(3)
