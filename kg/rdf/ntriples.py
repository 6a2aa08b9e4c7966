"""RDF terms written straight as canonical N-Triples text, the form the graph is built in.

Making an rdflib ``Literal`` and adding it to an in-memory ``Graph`` costs about 12 µs a
triple; formatting the line costs well under one. A corpus of 10^3 documents has about
3·10^6 triples, so the graph is built as sorted N-Triples lines (``graph.nt`` as written)
and only small graphs are turned into rdflib objects (``to_rdflib``). Every term is
written in one canonical form (the one rdflib and Oxigraph write), so equal terms give
equal lines and ``sorted(set(lines))`` is a deterministic serialisation.

>>> line("https://example.org/m/1", "https://example.org/p", lit(3))
'<https://example.org/m/1> <https://example.org/p> "3"^^<http://www.w3.org/2001/XMLSchema#integer> .\\n'
>>> zh('推进"绿色"\\n转型')
'"推进\\\\"绿色\\\\"\\\\n转型"@zh'
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Optional

XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})


class Lit(str):
    """A literal already written as N-Triples (``"…"@zh``, ``"3"^^<…#integer>``); a plain
    ``str`` object of a triple is an IRI."""

    __slots__ = ()


def _quoted(text: str) -> str:
    # most texts hold none of the four, and looking for them costs far less than translating
    # (which looks every character up): 0.68 -> 0.10 CPU-s of the 4.2 that making 300
    # synthetic documents' lines took
    if "\\" in text or '"' in text or "\n" in text or "\r" in text:
        text = text.translate(_ESCAPE)
    return '"' + text + '"'


def zh(text: str) -> Lit:
    """Chinese text with its language tag."""
    return Lit(_quoted(text) + "@zh")


def lang(text: str, tag: str) -> Lit:
    return Lit(_quoted(text) + "@" + tag)


def typed(lexical: str, datatype: str) -> Lit:
    """A literal of ``datatype`` (a full IRI) with the lexical form as given."""
    return Lit(_quoted(lexical) if datatype == XSD + "string" else f"{_quoted(lexical)}^^<{datatype}>")


def lit(value) -> Lit:
    """A Python value as the literal rdflib would make of it: str → plain, bool → xsd:boolean,
    int → xsd:integer, Decimal → xsd:decimal (fixed-point lexical form).

    >>> lit(True), lit(Decimal("1E+2"))
    ('"true"^^<http://www.w3.org/2001/XMLSchema#boolean>', '"100"^^<http://www.w3.org/2001/XMLSchema#decimal>')
    """
    if isinstance(value, str):
        return Lit(_quoted(value))
    if isinstance(value, bool):  # before int: bool is an int
        return Lit(f'"{"true" if value else "false"}"^^<{XSD}boolean>')
    if isinstance(value, int):
        return Lit(f'"{value}"^^<{XSD}integer>')
    if isinstance(value, Decimal):
        return Lit(f'"{value:f}"^^<{XSD}decimal>')
    raise TypeError(f"no literal for {type(value).__name__}")


def line(s: str, p: str, o: str) -> str:
    """One N-Triples line: ``s`` and ``p`` are IRIs, ``o`` an IRI or a ``Lit``."""
    return f"<{s}> <{p}> {o if isinstance(o, Lit) else f'<{o}>'} .\n"


def split_run(text: str) -> list[str]:
    """A run of lines (``kg.rdf.graph.graph_runs``), each with its newline. Split on "\\n"
    only: N-Triples escapes it, not the other line breaks a text holds (which
    ``str.splitlines`` would cut at)."""
    return [ln + "\n" for ln in text.split("\n")[:-1]]


def sorted_distinct(lines: list[str]) -> list[str]:
    """``lines`` sorted (in place) with repeats dropped: sorting runs that arrive sorted is
    mostly merging them, and the few lines several runs share are then adjacent."""
    lines.sort()
    return [ln for ln, prev in zip(lines, [None] + lines) if ln != prev]


def subject(ln: str) -> str:
    """The subject IRI of a line."""
    return ln[1 : ln.index(">")]


def predicate(ln: str) -> str:
    """The predicate IRI of a line (IRIs hold no spaces or '>', so the second term is plain)."""
    start = ln.index("> <") + 3
    return ln[start : ln.index(">", start)]


def iri_object(ln: str) -> Optional[str]:
    """The object of a line when it is an IRI, else None."""
    start = ln.index(">", ln.index("> <") + 3) + 2
    return ln[start + 1 : -4] if ln[start] == "<" else None


def from_rdflib(triples: Iterable) -> list[str]:
    """Lines of rdflib triples (IRIs and literals only: the graph has no blank nodes)."""
    from rdflib import Literal, URIRef

    def term(x) -> str:
        if isinstance(x, URIRef):
            return str(x)
        if isinstance(x, Literal):
            if x.language:
                return lang(str(x), x.language)
            return typed(str(x), str(x.datatype) if x.datatype is not None else XSD + "string")
        raise TypeError(f"not an IRI or literal (the graph has no blank nodes): {x!r}")

    return [line(term(s), term(p), term(o)) for s, p, o in triples]


def to_rdflib(lines: Iterable[str], graph=None):
    """The lines as an rdflib Graph (parsed by Oxigraph, terms converted once each)."""
    import pyoxigraph
    from rdflib import Graph, Literal, URIRef

    g = Graph() if graph is None else graph
    iris: dict[str, URIRef] = {}
    literals: dict = {}

    def convert(t):
        if isinstance(t, pyoxigraph.NamedNode):
            v = t.value
            u = iris.get(v)
            if u is None:
                u = iris[v] = URIRef(v)
            return u
        key = (t.value, t.language, t.datatype.value)
        x = literals.get(key)
        if x is None:
            if t.language:
                x = Literal(t.value, lang=t.language)
            elif key[2] == XSD + "string":
                x = Literal(t.value)  # a plain literal, as rdflib's own parsers make it
            else:
                x = Literal(t.value, datatype=convert(t.datatype))
            literals[key] = x
        return x

    add = g.store.add  # Graph.add only checks the terms are rdflib nodes, which they are
    data = "".join(lines).encode("utf-8")
    for t in pyoxigraph.parse(data, format=pyoxigraph.RdfFormat.N_TRIPLES):
        add((convert(t.subject), convert(t.predicate), convert(t.object)), g, False)
    return g
