"""The shapes compiled to SPARQL (kg.rdf.shacl_sparql) and run in Oxigraph find what pySHACL,
the reference, finds: on the seeds' graph, on that graph with one fault injected per
constraint kind, and on tiny graphs for SHACL features ontology/shapes.ttl does not use yet."""

import re

import pyoxigraph
import pyshacl
import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import SH

from kg.rdf.graph import graph_lines, load_shapes
from kg.rdf.ntriples import to_rdflib
from kg.rdf.shacl_sparql import compile_shapes
from kg.rdf.validate import engine, violations

PKG = "https://w3id.org/policy-kg/ontology#"
ELI = "http://data.europa.eu/eli/ontology#"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.fixture(scope="module")
def seeds(processed, links):
    """The graph of the seed corpus with its hand-written alignment links, as N-Triples lines."""
    registry, results = processed
    return graph_lines(registry, results, links)


def _pyshacl(lines, shapes=None) -> set:
    _, report, _ = pyshacl.validate(
        to_rdflib(lines), shacl_graph=shapes or load_shapes(), inference="none", advanced=False
    )
    return {
        (
            str(report.value(r, SH.focusNode)),
            str(p) if isinstance(p := report.value(r, SH.resultPath), URIRef) else None,
        )
        for r in report.objects(None, SH.result)
    }


def _found(lines, **kw) -> set:
    return {(v.focus, v.path) for v in violations(lines, **kw)}


def _edit(lines, pattern: str, old: str, new: str, add: bool = False) -> list[str]:
    """The first line matching ``pattern`` with the regex ``old`` replaced by ``new`` (once),
    or with ``add``, that line kept and the edited copy added."""
    i = next(i for i, ln in enumerate(lines) if re.search(pattern, ln))
    edited, n = re.subn(old, new, lines[i], count=1)
    assert n == 1, lines[i]
    return lines + [edited] if add else lines[:i] + [edited] + lines[i + 1 :]


def _drop(lines, pattern: str) -> list[str]:
    i = next(i for i, ln in enumerate(lines) if re.search(pattern, ln))
    return lines[:i] + lines[i + 1 :]


MEASURE = r"/measure/\d+> "
RESP = r"/responsibility/\d+> "
ALIGN = r"/alignment/[^>/]+> "
LITERAL = r'"[^"]*"(\^\^<[^>]+>)?'  # the object literal of a line
IRI_OBJECT = r"<([^>]+)> \.$"

# One fault per constraint kind the shapes use: (name, edit of the lines, shape it breaks).
FAULTS = [
    ("minCount", lambda ls: _drop(ls, MEASURE + f"<{ELI}number>"), "number"),
    (
        "maxCount",
        lambda ls: _edit(ls, "<http://purl.org/dc/terms/identifier>", LITERAL, '"another-id"', add=True),
        "identifier",
    ),
    ("datatype", lambda ls: _edit(ls, MEASURE + f"<{PKG}index>", LITERAL, '"3"'), "index"),
    ("datatype-ill-formed", lambda ls: _edit(ls, RESP + f"<{PKG}rank>", LITERAL, f'"1.5"^^<{XSD}integer>'), "rank"),
    ("class", lambda ls: _edit(ls, RESP + f"<{PKG}agency>", "/agency/", "/region/"), "agency"),
    ("class-literal", lambda ls: _edit(ls, MEASURE + f"<{ELI}is_part_of>", IRI_OBJECT, r'"\1" .'), "is_part_of"),
    ("in", lambda ls: _edit(ls, RESP + f"<{PKG}role>", "#lead>", "#chief>"), "role"),
    (
        "in-boolean",
        lambda ls: _edit(
            ls,
            MEASURE + f"<{PKG}index>",
            f"<{PKG}index> {LITERAL}",
            f'<{PKG}headingLost> "false"^^<{XSD}boolean>',
            add=True,
        ),
        "headingLost",
    ),
    (
        "pattern",
        lambda ls: _edit(ls, r"/region/\d+> <https://schema.org/identifier>", LITERAL, '"36110"'),
        "identifier",
    ),
    ("minLength", lambda ls: _edit(ls, MEASURE + f"<{ELI}number>", LITERAL, '""'), "number"),
    ("minInclusive", lambda ls: _edit(ls, RESP + f"<{PKG}rank>", LITERAL, f'"0"^^<{XSD}integer>'), "rank"),
    ("maxInclusive", lambda ls: _edit(ls, ALIGN + f"<{PKG}score>", LITERAL, f'"1.5"^^<{XSD}decimal>'), "score"),
    (
        "lessThan",
        lambda ls: _edit(ls, r"/sentence/1> " + f"<{PKG}charStart>", LITERAL, f'"9999999"^^<{XSD}integer>'),
        "charStart",
    ),
    (
        "alternativePath",
        lambda ls: _drop(_drop(ls, r"/measure/2> " + f"<{PKG}text>"), r"/measure/2> " + f"<{ELI}title>"),
        None,
    ),
    ("targetSubjectsOf", lambda ls: _drop(ls, r"/sentence/1> " + f"<{PKG}charStart>"), "charStart"),
    ("or-hasValue", lambda ls: _drop(ls, ALIGN + f"<{PKG}targetMeasure>"), None),
]


def test_the_shapes_translate_and_the_compiled_validator_is_the_default():
    assert compile_shapes(load_shapes()) is not None and engine() == "shacl"


def test_the_seeds_conform_for_all_three(seeds):
    assert _pyshacl(seeds) == set()
    assert violations(seeds) == [] and violations(seeds, engine="sparql") == []


def test_a_failing_engine_falls_back_to_the_sparql_form(seeds, monkeypatch):
    import kg.rdf.validate as v

    def broken(lines):
        raise RuntimeError("panicked")  # what a Rust panic in the compiled package arrives as

    lines = FAULTS[0][1](seeds)
    monkeypatch.setitem(v.ENGINES, "shacl", broken)
    assert _found(lines, engine="shacl") == _pyshacl(lines) != set()


@pytest.mark.parametrize("name, edit, path", FAULTS, ids=[f[0] for f in FAULTS])
def test_an_injected_fault_is_found_at_the_same_focus_nodes(seeds, name, edit, path):
    lines = edit(seeds)
    expected = _pyshacl(lines)
    assert expected, f"{name}: pySHACL finds nothing: the fault was not injected"
    if path is not None:
        assert any(p and p.endswith(path) for _, p in expected), expected
    assert _found(lines, batch=1, engine="sparql") == expected  # one partition at a time
    assert _found(lines, engine="pyshacl") == expected  # the partitioned pySHACL run agrees too
    assert _found(lines, engine="shacl") == expected  # the compiled validator, the default


TINY = """@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
{shapes}"""

DATA = """@prefix ex: <http://example.org/> . @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Sub rdfs:subClassOf ex:C .
ex:a a ex:C ; ex:p ex:b , "x"@en , "y"@en ; ex:q ex:b ; ex:n 3 ; ex:m 3 .
ex:b a ex:D ; ex:p ex:c ; ex:n 5 ; ex:m 4 .
ex:c a ex:Sub ; ex:p "lit" ; ex:q ex:a ; ex:n "z" .
ex:d a ex:Sub ; ex:r ex:a .
"""

# SHACL features beyond ontology/shapes.ttl: each gives some violations and some conforming nodes.
GENERIC = [
    "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path [ sh:inversePath ex:p ] ; sh:minCount 1 .",
    "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ( ex:p ex:p ) ; sh:minCount 1 .",
    "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path [ sh:oneOrMorePath ex:p ] ; sh:maxCount 2 .",
    "ex:S a sh:PropertyShape ; sh:targetObjectsOf ex:p ; sh:path ex:p ; sh:nodeKind sh:IRI .",
    'ex:S a sh:PropertyShape ; sh:targetNode ex:a , ex:c ; sh:path ex:p ; sh:languageIn ( "en" ) .',
    "ex:S a sh:PropertyShape ; sh:targetNode ex:a ; sh:path ex:p ; sh:uniqueLang true .",
    "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:equals ex:q .",
    "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:disjoint ex:q .",
    "ex:S a sh:PropertyShape ; sh:targetSubjectsOf ex:n ; sh:path ex:n ; sh:lessThanOrEquals ex:m .",
    "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:n ; sh:maxExclusive 4 .",
    "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:minCount 2 .",
    "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:maxLength 3 .",
    'ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:pattern "^HTTP" ; sh:flags "i" .',
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:n ; sh:datatype xsd:integer ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:not [ sh:path ex:q ; sh:minCount 1 ] .",
    "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:and ( [ sh:path ex:p ; sh:minCount 1 ] [ sh:class ex:Sub ] ) .",
    "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:node ex:T .\n"
    "ex:T a sh:NodeShape ; sh:property [ sh:path ex:n ; sh:minCount 1 ] .",
    "ex:S a sh:NodeShape ; sh:targetSubjectsOf ex:r ; sh:class ex:D .",
]


def _oxigraph(lines: list[str], shapes: Graph) -> set:
    store = pyoxigraph.Store()
    store.bulk_load(("\n".join(lines) + "\n").encode(), format=pyoxigraph.RdfFormat.N_TRIPLES)
    return {(row[0].value, q.path) for q in compile_shapes(shapes) for row in store.query(q.sparql)}


@pytest.mark.parametrize("shapes", GENERIC)
def test_a_shacl_feature_finds_what_pyshacl_finds(shapes):
    from kg.rdf.ntriples import from_rdflib

    g = Graph().parse(data=TINY.format(shapes=shapes), format="turtle")
    lines = from_rdflib(Graph().parse(data=DATA, format="turtle"))
    expected = _pyshacl(lines, g)
    focus = {f for f, _ in expected}
    assert expected and focus != {f"http://example.org/{x}" for x in "abcd"}, "the case should split the nodes"
    got = _oxigraph(lines, g)
    # pySHACL gives a nested property shape's path; compare focus nodes, and paths where both name one
    assert {f for f, _ in got} == focus
    assert {(f, p) for f, p in got if p} <= expected


@pytest.mark.parametrize(
    "shapes",
    [
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ; sh:property [ sh:path ex:p ] .",
        "ex:S a sh:NodeShape ; sh:targetClass ex:C ; sh:xone ( [ sh:class ex:C ] [ sh:class ex:D ] ) .",
        "ex:S a sh:PropertyShape ; sh:targetClass ex:C ; sh:path ex:p ; sh:qualifiedValueShape [ sh:class ex:D ] ; sh:qualifiedMinCount 1 .",
    ],
)
def test_what_is_not_translated_is_left_to_pyshacl(shapes):
    assert compile_shapes(Graph().parse(data=TINY.format(shapes=shapes), format="turtle")) is None


def test_a_child_of_a_process_that_ran_the_compiled_validator_uses_the_sparql_form(seeds, monkeypatch):
    """rayon's pool does not survive a fork: a child of a process that validated with it would
    wait for ever (seen with the 147 PDFs), so such a child falls back, with the same verdicts."""
    import os

    from kg.rdf import validate

    lines = FAULTS[0][1](seeds)  # one violation to find
    expected = sorted(validate._run("sparql", lines))
    monkeypatch.setattr(validate, "_RAYON_PID", os.getpid() + 1)  # as if the parent had used it
    with pytest.raises(validate.ForkedAfterRayon):
        validate._shacl(lines)
    assert sorted(validate._run("shacl", lines)) == expected
