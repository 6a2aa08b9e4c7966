"""Triples written straight as N-Triples read back as the terms rdflib would have made."""

from decimal import Decimal

import pyoxigraph
from hypothesis import given
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from rdflib.compare import to_isomorphic

from kg.rdf.ntriples import from_rdflib, iri_object, lang, line, lit, predicate, subject, to_rdflib, typed, zh

S, P = "https://w3id.org/policy-kg/id/doc/x/measure/1", "https://w3id.org/policy-kg/ontology#text"


def _rdflib_line(o) -> str:
    return from_rdflib([(URIRef(S), URIRef(P), o)])[0]


@given(st.text())
def test_any_text_is_escaped_as_rdflib_writes_it_and_reads_back(text):
    written = line(S, P, zh(text))
    assert written == _rdflib_line(Literal(text, lang="zh"))
    (t,) = pyoxigraph.parse(written.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert t.object.value == text and t.object.language == "zh"


@given(
    st.one_of(
        st.integers(),
        st.booleans(),
        st.text(),
        st.decimals(allow_nan=False, allow_infinity=False, places=4, min_value=-(10**6), max_value=10**6),
    )
)
def test_python_values_become_the_literals_rdflib_makes(value):
    assert line(S, P, lit(value)) == _rdflib_line(Literal(value))


def test_iris_and_typed_literals_keep_their_form():
    assert line(S, P, "https://schema.org/x") == f"<{S}> <{P}> <https://schema.org/x> .\n"
    assert line(S, P, typed("2021", "http://www.w3.org/2001/XMLSchema#gYear")).endswith(
        '"2021"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n'
    )
    assert line(S, P, lang("curated", "en")).endswith('"curated"@en .\n')
    assert lit(Decimal("0.5000")) == '"0.5000"^^<http://www.w3.org/2001/XMLSchema#decimal>'


def test_a_line_splits_into_its_terms():
    ln = line(S, P, "https://schema.org/x")
    assert (subject(ln), predicate(ln), iri_object(ln)) == (S, P, "https://schema.org/x")
    assert iri_object(line(S, P, zh("推进 <绿色> 转型"))) is None


def test_lines_and_rdflib_graphs_convert_both_ways():
    lines = sorted(
        {
            line(S, P, zh("一")),
            line(S, "http://example.org/n", lit(3)),
            line(S, "http://example.org/b", lit(True)),
            line(S, "http://example.org/s", lit("二")),
            line("http://example.org/o", P, S),
        }
    )
    g = to_rdflib(lines)
    assert (URIRef(S), URIRef("http://example.org/s"), Literal("二")) in g  # plain, as rdflib's parsers make it
    assert sorted(from_rdflib(g)) == lines
    assert to_isomorphic(to_rdflib(from_rdflib(g))) == to_isomorphic(g)
