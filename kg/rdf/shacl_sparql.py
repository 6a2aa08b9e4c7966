"""SHACL Core shapes compiled to SPARQL, so the store's own engine (Oxigraph) checks them.

pySHACL walks an rdflib graph in Python: on 1,000 synthetic documents (2.45·10^6 triples)
turning the lines into rdflib graphs and validating them took about 90 CPU-seconds, two
thirds of the build. The same constraints as SPARQL queries over an in-memory Oxigraph
store take a fraction of that (figures in docs/scaling.md).

The queries are generated from the shapes graph, never written by hand, so they cannot
drift from ``ontology/shapes.ttl``; ``compile_shapes`` returns None for a shapes graph
using anything it does not translate (``sh:closed``, ``sh:xone``, qualified value shapes,
SPARQL constraints, …), and the caller then falls back to pySHACL, which stays the
reference: ``tests/test_validate_sparql.py`` requires both to find the same focus nodes on
valid graphs and on graphs with one injected fault per constraint kind.

Each query selects ``?this`` (the focus node) of one constraint of one shape, a
violation per row. Semantics follow SHACL 1.0 §4 as pySHACL implements it: targets
``sh:targetClass`` (instances through ``rdfs:subClassOf*``), ``sh:targetSubjectsOf``,
``sh:targetObjectsOf``, ``sh:targetNode``; paths as SPARQL property paths; ``sh:in`` and
``sh:hasValue`` by term identity; a comparison that cannot be made (a string against a
number) is a violation; ``sh:or``/``sh:and``/``sh:not``/``sh:node`` by nesting the member
shapes' violation patterns in ``EXISTS``.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import count
from typing import Optional

SH = "http://www.w3.org/ns/shacl#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDF_FIRST = "http://www.w3.org/1999/02/22-rdf-syntax-ns#first"
SUBCLASS = "http://www.w3.org/2000/01/rdf-schema#subClassOf"
XSD = "http://www.w3.org/2001/XMLSchema#"
_NUMERIC = {
    XSD + t
    for t in (
        "integer decimal float double int long short byte nonNegativeInteger positiveInteger "
        "nonPositiveInteger negativeInteger unsignedInt unsignedLong unsignedShort unsignedByte"
    ).split()
}

# Parameters this module reads; any other sh: predicate on a shape makes the shapes untranslatable.
_TARGETS = ("targetClass", "targetSubjectsOf", "targetObjectsOf", "targetNode")
_VALUE = (
    "datatype",
    "class",
    "in",
    "pattern",
    "flags",
    "minLength",
    "maxLength",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "nodeKind",
    "languageIn",
    "node",
    "or",
    "and",
    "not",
)
_FOCUS = ("minCount", "maxCount", "hasValue", "lessThan", "lessThanOrEquals", "equals", "disjoint", "uniqueLang")
_IGNORED = ("message", "name", "description", "order", "group", "defaultValue", "severity", "path", "deactivated")
_NESTED = ("property",)
_KNOWN = {SH + p for p in _TARGETS + _VALUE + _FOCUS + _IGNORED + _NESTED}
_NODE_KINDS = {
    "IRI": "isIRI({v})",
    "BlankNode": "isBlank({v})",
    "Literal": "isLiteral({v})",
    "BlankNodeOrIRI": "(isBlank({v}) || isIRI({v}))",
    "BlankNodeOrLiteral": "(isBlank({v}) || isLiteral({v}))",
    "IRIOrLiteral": "(isIRI({v}) || isLiteral({v}))",
}


class Untranslatable(Exception):
    """The shapes use something this module does not compile."""


@dataclass(frozen=True)
class Query:
    """One constraint of one shape as a SPARQL SELECT of the violating focus nodes ``?this``."""

    shape: str
    component: str  # the constraint parameter's local name: minCount, class, or …
    path: Optional[str]  # the path's IRI when it is one predicate (as pySHACL reports it), else None
    message: str
    sparql: str


def _term(node) -> str:
    from rdflib import BNode, Literal, URIRef

    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, Literal):
        return node.n3()
    if isinstance(node, BNode):
        raise Untranslatable("a blank node as a value")
    raise Untranslatable(repr(node))


class _Compiler:
    def __init__(self, g):
        from rdflib import URIRef

        self.g, self.U = g, URIRef
        self._vars = count()

    def var(self) -> str:
        return f"?v{next(self._vars)}"

    def sh(self, node, name):
        return list(self.g.objects(node, self.U(SH + name)))

    def one(self, node, name):
        values = self.sh(node, name)
        if len(values) > 1:
            raise Untranslatable(f"sh:{name} given {len(values)} times")
        return values[0] if values else None

    def items(self, node) -> list:
        from rdflib.collection import Collection

        return list(Collection(self.g, node))

    def path(self, node) -> str:
        """A SHACL path as a SPARQL property path."""
        from rdflib import BNode, URIRef

        if isinstance(node, URIRef):
            return f"<{node}>"
        if not isinstance(node, BNode):
            raise Untranslatable(f"path {node!r}")
        if (node, self.U(RDF_FIRST), None) in self.g:
            return "(" + "/".join(self.path(x) for x in self.items(node)) + ")"
        for name, fmt in (
            ("alternativePath", None),
            ("inversePath", "^{}"),
            ("zeroOrMorePath", "{}*"),
            ("oneOrMorePath", "{}+"),
            ("zeroOrOnePath", "{}?"),
        ):
            value = self.one(node, name)
            if value is not None:
                if fmt is None:
                    return "(" + "|".join(self.path(x) for x in self.items(value)) + ")"
                return "(" + fmt.format(self.path(value)) + ")"
        raise Untranslatable(f"path {node!r}")

    def targets(self, shape) -> list[str]:
        """Patterns binding ``?this`` to the shape's focus nodes, one per target."""
        out = [f"?this <{RDF_TYPE}>/<{SUBCLASS}>* {_term(c)} ." for c in self.sh(shape, "targetClass")]
        out += [f"?this {_term(p)} [] ." for p in self.sh(shape, "targetSubjectsOf")]
        out += [f"[] {_term(p)} ?this ." for p in self.sh(shape, "targetObjectsOf")]
        out += [f"VALUES ?this {{ {_term(n)} }}" for n in self.sh(shape, "targetNode")]
        return out

    def check_known(self, shape) -> None:
        for p in self.g.predicates(shape, None):
            if str(p).startswith(SH) and str(p) not in _KNOWN:
                raise Untranslatable(f"{p}")
        if self.sh(shape, "deactivated"):
            raise Untranslatable("sh:deactivated")
        if any(str(s) != SH + "Violation" for s in self.sh(shape, "severity")):
            raise Untranslatable("a severity other than sh:Violation")

    def violations(self, shape, this: str, depth: int = 0) -> list[tuple[str, str, object, object]]:
        """(component, group pattern, path) for each constraint of ``shape`` and of its
        ``sh:property`` shapes: the pattern matches when the node bound to ``this`` breaks
        that constraint."""
        if depth > 8:
            raise Untranslatable("shapes nested too deep (recursive?)")
        self.check_known(shape)
        path = self.one(shape, "path")
        out: list[tuple[str, str, object, object]] = []
        for name in _VALUE:
            if name == "flags":
                continue
            for arg in self.sh(shape, name):
                # a value the test cannot be evaluated on (lang() of an IRI …) breaks the constraint
                if path is None:  # a node shape: its value node is the focus node
                    bad = self.value_test(shape, name, arg, this, depth)
                    out.append((name, f"FILTER(COALESCE({bad}, true))", None, arg))
                else:
                    v = self.var()
                    bad = self.value_test(shape, name, arg, v, depth)
                    out.append((name, f"{this} {self.path(path)} {v} . FILTER(COALESCE({bad}, true))", path, arg))
        for name in _FOCUS:
            for arg in self.sh(shape, name):
                if path is None:
                    raise Untranslatable(f"sh:{name} on a node shape")
                p = self.path(path)
                out.append((name, self.focus_test(name, arg, this, lambda v: f"{this} {p} {v} ."), path, arg))
        for prop in self.sh(shape, "property"):
            out += self.violations(prop, this, depth + 1)
        return out

    def value_test(self, shape, name: str, arg, v: str, depth: int) -> str:
        """A SPARQL expression true when value ``v`` breaks constraint ``name`` = ``arg``."""
        if name == "datatype":
            ok = f"(isLiteral({v}) && datatype({v}) = {_term(arg)})"
            if str(arg) in _NUMERIC:
                ok = f"({ok} && isNumeric({v}))"
            elif str(arg) == XSD + "boolean":
                ok = f"({ok} && COALESCE({v} = true || {v} = false, false))"
            return f"!{ok}"
        if name == "class":
            return f"NOT EXISTS {{ {v} <{RDF_TYPE}>/<{SUBCLASS}>* {_term(arg)} }}"
        if name == "in":
            members = self.items(arg)
            return "!(" + (" || ".join(f"sameTerm({v}, {_term(m)})" for m in members) or "false") + ")"
        if name == "pattern":
            flags = self.one(shape, "flags")
            extra = f", {_term(flags)}" if flags is not None else ""
            return f"(isBlank({v}) || !REGEX(STR({v}), {_term(arg)}{extra}))"
        if name in ("minLength", "maxLength"):
            op = ">=" if name == "minLength" else "<="
            return f"(isBlank({v}) || !(STRLEN(STR({v})) {op} {_term(arg)}))"
        if name in ("minInclusive", "maxInclusive", "minExclusive", "maxExclusive"):
            op = {"minInclusive": ">=", "maxInclusive": "<=", "minExclusive": ">", "maxExclusive": "<"}[name]
            return f"!COALESCE({v} {op} {_term(arg)}, false)"
        if name == "nodeKind":
            kind = str(arg)[len(SH) :]
            if kind not in _NODE_KINDS:
                raise Untranslatable(f"sh:nodeKind {arg}")
            return "!" + _NODE_KINDS[kind].format(v=v)
        if name == "languageIn":
            tags = [str(t) for t in self.items(arg)]
            return "!(" + (" || ".join(f'langMatches(lang({v}), "{t}")' for t in tags) or "false") + ")"
        if name == "node":
            return self.breaks(arg, v, depth)
        if name == "not":
            return f"!({self.breaks(arg, v, depth)})"
        if name == "and":
            return " || ".join(f"({self.breaks(m, v, depth)})" for m in self.items(arg)) or "false"
        if name == "or":
            return " && ".join(f"({self.breaks(m, v, depth)})" for m in self.items(arg)) or "true"
        raise Untranslatable(f"sh:{name}")

    def breaks(self, shape, node: str, depth: int) -> str:
        """An expression true when ``node`` does not conform to ``shape``."""
        patterns = [pattern for _, pattern, _, _ in self.violations(shape, node, depth + 1)]
        return " || ".join(f"EXISTS {{ {p} }}" for p in patterns) or "false"

    def focus_test(self, name: str, arg, this: str, values) -> str:
        """A group pattern matching when the focus node ``this`` breaks ``name`` = ``arg``."""
        if name in ("minCount", "maxCount"):
            n = int(arg) if name == "minCount" else int(arg) + 1  # breaks maxCount: has n + 1 values
            if n <= 0:
                return "FILTER(false)" if name == "minCount" else "FILTER(true)"
            if n > 4:
                raise Untranslatable(f"sh:{name} {arg}")
            vs = [self.var() for _ in range(n)]
            distinct = " && ".join(f"!sameTerm({x}, {y})" for i, x in enumerate(vs) for y in vs[i + 1 :])
            has = " ".join(values(x) for x in vs) + (f" FILTER({distinct})" if distinct else "")
            return f"FILTER {'NOT ' if name == 'minCount' else ''}EXISTS {{ {has} }}"
        if name == "hasValue":
            v = self.var()
            return f"FILTER NOT EXISTS {{ {values(v)} FILTER(sameTerm({v}, {_term(arg)})) }}"
        if name == "uniqueLang":
            if str(arg).lower() != "true":
                return "FILTER(false)"
            a, b = self.var(), self.var()
            return (
                f"FILTER EXISTS {{ {values(a)} {values(b)} "
                f'FILTER(!sameTerm({a}, {b}) && lang({a}) != "" && lcase(lang({a})) = lcase(lang({b}))) }}'
            )
        v, w = self.var(), self.var()
        other = f"{this} {_term(arg)} {w} ."
        if name == "lessThan":
            return f"FILTER EXISTS {{ {values(v)} {other} FILTER(!COALESCE({v} < {w}, false)) }}"
        if name == "lessThanOrEquals":
            return f"FILTER EXISTS {{ {values(v)} {other} FILTER(!COALESCE({v} <= {w}, false)) }}"
        if name == "disjoint":
            return f"FILTER EXISTS {{ {values(v)} {this} {_term(arg)} {w} . FILTER(sameTerm({v}, {w})) }}"
        if name == "equals":
            return (
                f"FILTER (EXISTS {{ {values(v)} FILTER NOT EXISTS {{ {this} {_term(arg)} {w} . FILTER(sameTerm({v}, {w})) }} }}"
                f" || EXISTS {{ {this} {_term(arg)} {w} . FILTER NOT EXISTS {{ {values(v)} FILTER(sameTerm({v}, {w})) }} }})"
            )
        raise Untranslatable(f"sh:{name}")


def default_message(component: str) -> str:
    """The message of a result whose shape has no sh:message, the same from every engine
    (``component``: the constraint's local name, e.g. ``minCount``), so a report does not
    depend on which engine checked a partition."""
    return f"breaks sh:{component}"


def compile_shapes(g) -> Optional[list[Query]]:
    """The constraints of the shapes graph ``g`` (rdflib) as SPARQL queries, or None when it
    uses something this module does not translate (validate with pySHACL then)."""
    from rdflib import URIRef

    try:
        for name in ("closed", "xone", "qualifiedValueShape", "qualifiedMinCount", "sparql", "target"):
            if (None, URIRef(SH + name), None) in g:
                raise Untranslatable(f"sh:{name}")
        shape_types = {URIRef(SH + "NodeShape"), URIRef(SH + "PropertyShape")}
        for kind in ("http://www.w3.org/2000/01/rdf-schema#Class", "http://www.w3.org/2002/07/owl#Class"):
            for s in g.subjects(URIRef(RDF_TYPE), URIRef(kind)):
                if any((s, URIRef(RDF_TYPE), t) in g for t in shape_types):
                    raise Untranslatable("a shape that is a class targets its instances implicitly")
        c = _Compiler(g)
        out = []
        for shape in sorted({s for t in _TARGETS for s in g.subjects(URIRef(SH + t), None)}, key=str):
            message = c.one(shape, "message")
            where = " UNION ".join(f"{{ {t} }}" for t in c.targets(shape))
            for component, pattern, path, _arg in c.violations(shape, "?this"):
                text = str(message) if message is not None else default_message(component)
                # the focus nodes read whole (a subquery: Oxigraph joins it by hash), once each
                sparql = f"SELECT DISTINCT ?this WHERE {{ {{ SELECT DISTINCT ?this WHERE {{ {where} }} }} {pattern} }}"
                single = str(path) if isinstance(path, URIRef) else None
                out.append(Query(str(shape), component, single, text, sparql))
        return out
    except Untranslatable:
        return None
