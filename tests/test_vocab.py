"""kg/rdf/vocab.py and ontology/*.ttl define the same terms, each labelled and explained."""

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from kg.rdf.graph import load_ontology, load_shapes
from kg.rdf.vocab import PKG

NS = str(PKG._NS)


def _pkg_terms(g: Graph) -> set[str]:
    return {
        str(t)[len(NS) :]
        for t in set(g.subjects()) | set(g.objects()) | set(g.predicates())
        if isinstance(t, URIRef) and str(t).startswith(NS)
    }


def test_vocab_and_ontology_define_the_same_terms():
    defined = {str(s)[len(NS) :] for s in load_ontology().subjects() if str(s).startswith(NS)}
    assert defined == set(PKG.__annotations__)


def test_shapes_use_only_defined_terms():
    assert _pkg_terms(load_shapes()) <= set(PKG.__annotations__)


def test_closed_namespace_rejects_a_typo():
    with pytest.raises(AttributeError):
        PKG.Mesure


@pytest.mark.parametrize("term", sorted(PKG.__annotations__))
def test_term_has_chinese_and_english_label_and_a_comment(term):
    g = load_ontology()
    labels = {lit.language for lit in g.objects(PKG[term], RDFS.label) if isinstance(lit, Literal)}
    assert {"zh", "en"} <= labels
    assert any(True for _ in g.objects(PKG[term], RDFS.comment))
