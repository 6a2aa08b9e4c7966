"""The RDF graph of a processed corpus: the one place where triples are made.

``graph_runs(registry, results, links)`` turns the plain dataclasses of the earlier
stages into RDF with the terms of ``ontology/``, as sorted runs of N-Triples lines
(``kg.rdf.ntriples``), one per document, which ``kg.rdf.serialize.write_ntriples`` merges on
disk and ``graph_lines`` in memory; ``make_graph`` gives the same as an rdflib Graph. Documents, measures,
agencies and regions are written here, alignment links in ``kg.rdf.graph_links``, IRIs come
from ``kg.rdf.iris``. No blank nodes: every node has an IRI, which keeps serialisations
deterministic and every fact addressable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator, Optional
from urllib.parse import quote

from rdflib import Graph, URIRef

from kg.core.model import AgencyRef, Document, Link, Measure, Sentence, Span, Target
from kg.core.parallel import fan_out, shared
from kg.core.resources import resource_dir
from kg.corpus import Entry, Processed, Registry
from kg.curated.agency_functions import load_functions
from kg.curated.mappings import RegionTable, load_agencies, load_regions
from kg.extract.agencies import resolve_name
from kg.rdf.aggregates import agency_aggregates, document_aggregates, lost_measures
from kg.rdf.citations import CitationIndex
from kg.rdf.graph_links import AlignmentTriples
from kg.rdf.iris import (  # noqa: F401
    DCTERMS,
    ELI,
    ORG,
    PKG,
    RDF,
    SDO,
    SKOS,
    XSD,
    _doc,
    _measure,
    agency_iri,
    doc_iri,
    measure_iri,
    region_iri,
)
from kg.rdf.ntriples import Lit, from_rdflib, line, lit, sorted_distinct, split_run, to_rdflib, typed, zh
from kg.rdf.vocab import ID, PREFIXES

GOVERNMENT_NAME = {"national": "国务院", "provincial": "省人民政府", "municipal": "市人民政府", "county": "县人民政府"}
LEVEL = {"national": PKG.national, "provincial": PKG.provincial, "municipal": PKG.municipal, "county": PKG.county}
ROLE = {"lead": PKG.lead, "support": PKG.support}


def function_iri(fid: str) -> str:
    """A function of government as a concept (发展改革 → …/id/function/development_reform)."""
    return f"{ID}function/{quote(fid, safe='')}"


def load_ontology() -> Graph:
    """The vocabulary (ontology/policy-kg.ttl), shipped with the package."""
    return Graph().parse(resource_dir("ontology") / "policy-kg.ttl", format="turtle")


def load_shapes() -> Graph:
    """The SHACL shapes (ontology/shapes.ttl) every build is validated against."""
    return Graph().parse(resource_dir("ontology") / "shapes.ttl", format="turtle")


@lru_cache(maxsize=1)
def ontology_lines() -> tuple[str, ...]:
    """The vocabulary as N-Triples lines (every graph starts with it)."""
    return tuple(from_rdflib(load_ontology()))


def _date(issued: str) -> Lit:
    return typed(issued, XSD.date if len(issued) == 10 else XSD.gYear)


@dataclass
class _Agency:
    name: str
    region: Optional[str]  # region name
    level: Optional[str]
    kind: Optional[str] = None
    mapped: bool = False
    generic: bool = False
    counterpart: Optional[URIRef] = None
    aliases: set[str] = field(default_factory=set)
    function: Optional[str] = None  # id in mappings/agency_functions.csv
    part_of: Optional[str] = None  # the body an internal division (气候处) belongs to, by name


class _Builder(AlignmentTriples):
    """Accumulates triples (N-Triples lines) for one corpus; agencies and regions are
    emitted once at the end."""

    def __init__(self, registry: Registry, with_ontology: bool = True, cited: Optional[CitationIndex] = None):
        self.lines: list[str] = list(ontology_lines()) if with_ontology else []
        self.registry = registry
        self._cited = cited  # made when first needed, unless shared by the corpus's builders
        self.regions: RegionTable = load_regions()
        self.table = load_agencies()
        self.agencies: dict[str, _Agency] = {}
        self.used_regions: set[str] = set()
        self.used_functions: set[str] = set()
        self.docs: dict[str, Document] = {}
        self.discovered: dict[str, set[str]] = {}  # child → parents found by parent discovery (from its links)
        self._sentence_numbers: dict[str, dict[str, dict[Span, int]]] = {}

    def add(self, s: str, p: str, o) -> None:
        """One triple; ``o`` is an IRI, a ``Lit``, or None for a fact that is absent."""
        if o is not None:
            self.lines.append(line(s, p, o))

    def span(self, node: str, doc_id: str, span: Optional[Span]) -> None:
        """Provenance: the document a fact comes from and where in its raw text."""
        self.add(node, PKG.extractedFrom, _doc(doc_id))
        if span is not None:
            self.add(node, PKG.charStart, lit(span.start))
            self.add(node, PKG.charEnd, lit(span.end))
            self.add(node, PKG.page, lit(span.page) if span.page else None)

    # --------------------------------------------------------- regions and agencies

    def region(self, name: Optional[str]) -> Optional[str]:
        r = self.regions.get(name) if name else None
        if r is None:
            return None
        for up in self.regions.ancestors(r):
            self.used_regions.add(up.code)
        return region_iri(r.code)

    def _code(self, region_name: Optional[str]) -> Optional[str]:
        r = self.regions.get(region_name) if region_name else None
        return r.code if r else None

    def agency(
        self,
        name: str,
        region: Optional[str],
        level: Optional[str],
        kind=None,
        mapped=False,
        generic=False,
        counterpart: Optional[str] = None,
        raw: Optional[str] = None,
        function: Optional[str] = None,
    ) -> str:
        node = agency_iri(name, self._code(region))
        a = self.agencies.get(node)
        if a is None:
            a = self.agencies[node] = _Agency(name, region, level, kind, mapped, generic, function=function)
            entry = self.table.lookup(name, (region,) if region else ()) if mapped else None
            if entry is not None:
                a.aliases.update(entry.aliases)
            if counterpart:
                a.counterpart = self._counterpart(counterpart, region)
        if raw and raw != name:
            a.aliases.add(raw)
        return node

    def _counterpart(self, name: str, region: Optional[str]) -> str:
        here = self.regions.get(region) if region else None
        up = self.regions.parent(here) if here else None
        r = resolve_name(name, up.level if up else "national", up.name if up else None, self.table)
        return self.agency(r.name, r.region, r.level, r.kind, r.mapped, r.generic, r.counterpart, function=r.function)

    def agency_ref(self, a: AgencyRef) -> str:
        node = self.agency(a.name, a.region, a.level, a.kind, a.mapped, a.generic, a.counterpart, a.raw, a.function)
        self.agencies[node].part_of = self.agencies[node].part_of or a.part_of
        return node

    def issuer(self, name: str, entry: Entry) -> str:
        r = resolve_name(name, entry.level, entry.region, self.table)
        return self.agency(r.name, r.region, r.level, r.kind, r.mapped, r.generic, r.counterpart, name, r.function)

    def emit_agencies(self) -> None:
        parents: dict[str, str] = {}
        for node, a in list(self.agencies.items()):
            if a.part_of:  # 气候处 → 省生态环境厅 of 江苏省
                up = resolve_name(a.part_of, a.level, a.region, self.table)
                parents[node] = self.agency(
                    up.name, up.region, up.level, up.kind, up.mapped, up.generic, up.counterpart, function=up.function
                )
            elif a.kind == "government_department" and a.level:  # 省生态环境厅 → 省人民政府 of 江西省
                gov = resolve_name(GOVERNMENT_NAME[a.level], a.level, a.region, self.table)
                if gov.mapped:
                    parents[node] = self.agency(
                        gov.name, gov.region, gov.level, gov.kind, True, False, gov.counterpart, function=gov.function
                    )
        for node, a in self.agencies.items():
            self.add(node, RDF.type, ORG.Organization)
            self.add(node, SKOS.prefLabel, zh(a.name))
            for alias in sorted(a.aliases):
                self.add(node, SKOS.altLabel, zh(alias))
            self.add(node, PKG.level, LEVEL.get(a.level or ""))
            self.add(node, DCTERMS.spatial, self.region(a.region))
            self.add(node, PKG.agencyKind, lit(a.kind) if a.kind else None)
            self.add(node, PKG.mapped, lit(a.mapped))
            self.add(node, PKG.generic, lit(a.generic))
            self.add(node, PKG.counterpart, a.counterpart)
            self.add(node, ORG.subOrganizationOf, parents.get(node))
            if a.function:
                self.add(node, PKG.function, function_iri(a.function))
                self.used_functions.add(a.function)

    def emit_functions(self) -> None:
        """The functions agencies hold, as concepts of pkg:AgencyFunctions (from agency_functions.csv)."""
        functions = load_functions()
        for fid in sorted(self.used_functions):
            f, node = functions[fid], function_iri(fid)
            self.add(node, RDF.type, SKOS.Concept)
            self.add(node, SKOS.inScheme, PKG.AgencyFunctions)
            self.add(node, SKOS.notation, lit(fid))
            self.add(node, SKOS.prefLabel, zh(f.label))

    def emit_regions(self) -> None:
        for code in sorted(self.used_regions):
            r = self.regions.by_code[code]
            node = region_iri(code)
            self.add(node, RDF.type, SDO.AdministrativeArea)
            self.add(node, SDO.name, zh(r.name))
            self.add(node, SDO.identifier, lit(code))
            for alt in (r.short_name, *r.aliases):
                if alt:
                    self.add(node, SDO.alternateName, zh(alt))
            self.add(node, PKG.level, LEVEL[r.level])
            if r.parent_code:
                self.add(node, SDO.containedInPlace, region_iri(r.parent_code))

    # --------------------------------------------------------- documents

    def document(self, p: Processed) -> None:
        e, d = p.entry, p.doc
        node = _doc(e.id)
        self.add(node, RDF.type, ELI.LegalResource)
        self.add(node, DCTERMS.identifier, lit(e.id))
        self.add(node, ELI.title, zh(e.title or Path(e.file or e.id).stem))
        self.add(node, PKG.level, LEVEL[e.level])
        self.add(node, DCTERMS.spatial, self.region(e.region))
        self.add(node, ELI.date_document, _date(e.issued) if e.issued else None)
        self.add(node, ELI.id_local, lit(e.doc_number) if e.doc_number else None)
        for issuer in e.issuers:
            self.add(node, ELI.passed_by, self.issuer(issuer, e))
        for parent in e.implements:
            self.add(node, ELI.implements, _doc(parent))
        for parent in self.discovered.get(e.id, ()):
            self.add(node, ELI.implements, _doc(parent))
            self.add(node, PKG.parentDiscovered, _doc(parent))
        self.add(node, PKG.hasText, lit(d is not None))
        if e.file:
            self.add(node, PKG.sourceFile, lit(e.file))
        if p.error:
            self.warning(node, e.id, 1, "error", p.error, None)
        if d is None:
            return
        self.docs[e.id] = d
        self.add(node, PKG.encoding, lit(d.encoding))
        for i, c in enumerate(d.citations, 1):
            cn = f"{node}/citation/{i}"
            self.add(node, PKG.hasCitation, cn)
            self.add(cn, RDF.type, PKG.Citation)
            self.add(cn, DCTERMS.title, zh(c.title))
            self.add(cn, ELI.id_local, lit(c.doc_number) if c.doc_number else None)
            self.span(cn, e.id, c.span)
            for other in sorted(self.cited().named(c.title, c.doc_number) - {e.id}):
                self.add(cn, PKG.citedDocument, _doc(other))
                self.add(node, ELI.cites, _doc(other))
        for i, w in enumerate(d.warnings, 1):
            self.warning(node, e.id, i, w.code, w.message, w.span)
        self.targets(node, e.id, d.targets)
        sections = {}
        for s in d.sections:  # keyed by path: numbers repeat across chapters and levels
            sn = sections[s.key or str(s.index)] = f"{node}/section/{quote(s.key or str(s.index), safe='')}"
            self.add(sn, RDF.type, PKG.Section)
            self.add(sn, RDF.type, ELI.LegalResourceSubdivision)
            self.add(sn, ELI.is_part_of, node)
            self.add(sn, ELI.number, lit(s.number))
            self.add(sn, PKG.index, lit(s.index))
            self.add(sn, ELI.title, zh(s.title) if s.title else None)
            self.add(sn, PKG.text, zh(s.text) if s.text else None)
            self.span(sn, e.id, s.span)
            self.targets(sn, e.id, s.targets)
        for m in d.measures:
            self.measure(e.id, m, sections.get(m.parent or ""))

    def cited(self) -> CitationIndex:
        """The registry's documents a citation may name, indexed (``kg.rdf.citations``)."""
        if self._cited is None:
            self._cited = CitationIndex(self.registry.entries)
        return self._cited

    def warning(self, doc: str, doc_id: str, i: int, code: str, message: str, span: Optional[Span]) -> None:
        """A data-quality warning of a document (or the reason it failed to parse)."""
        node = f"{doc}/warning/{i}"
        self.add(doc, PKG.hasWarning, node)
        self.add(node, RDF.type, PKG.DataQualityWarning)
        self.add(node, PKG.warningCode, lit(code))
        self.add(node, PKG.message, lit(message))
        self.span(node, doc_id, span)

    def measure(self, doc_id: str, m: Measure, section: Optional[str]) -> None:
        node = _measure(doc_id, m.key)
        self.add(node, RDF.type, PKG.Measure)
        self.add(node, RDF.type, ELI.LegalResourceSubdivision)
        self.add(node, ELI.is_part_of, _doc(doc_id))
        self.add(node, PKG.inSection, section)
        self.add(node, ELI.number, lit(m.number))
        self.add(node, PKG.index, lit(m.index))
        self.add(node, PKG.key, lit(m.key))
        self.add(node, ELI.title, zh(m.title) if m.title else None)
        self.add(node, PKG.text, zh(m.text) if m.text else None)
        self.add(node, PKG.responsibilityText, zh(m.responsibility) if m.responsibility else None)
        self.add(node, PKG.headingLost, lit(True) if m.recovered else None)  # number inferred by kg.corpus.rebuild
        self.span(node, doc_id, m.span if m.span.end > m.span.start else None)  # a lost measure left empty has none
        for i, s in enumerate(m.sentences, 1):
            self.sentence(f"{node}/sentence/{i}", node, doc_id, s, i)
        for i, a in enumerate(m.agencies, 1):
            rn = f"{node}/responsibility/{i}"
            agency = self.agency_ref(a)
            self.add(node, PKG.hasResponsibility, rn)
            self.add(node, PKG.leadAgency if a.role == "lead" else PKG.supportAgency, agency)
            self.add(node, ELI.responsibility_of, agency)
            self.add(rn, RDF.type, PKG.Responsibility)
            self.add(rn, PKG.agency, agency)
            self.add(rn, PKG.role, ROLE[a.role])
            self.add(rn, PKG.rank, lit(i))
            self.add(rn, PKG.printedName, zh(a.raw))
            self.span(rn, doc_id, a.span)
        self.targets(node, doc_id, m.targets)

    def sentence(self, node: str, measure: str, doc_id: str, s: Sentence, index: Optional[int]) -> None:
        self.add(measure, PKG.hasSentence, node)
        self.add(node, RDF.type, PKG.Sentence)
        self.add(node, PKG.index, lit(index) if index else None)
        self.add(node, PKG.text, zh(s.text))
        self.span(node, doc_id, s.span)

    def targets(self, owner: str, doc_id: str, targets: Iterable[Target]) -> None:
        for i, t in enumerate(targets, 1):
            tn = f"{owner}/target/{i}"
            self.add(owner, PKG.hasTarget, tn)
            self.add(tn, RDF.type, PKG.Target)
            self.add(tn, PKG.text, zh(t.text))
            self.add(tn, PKG.indicator, zh(t.indicator) if t.indicator else None)
            self.add(tn, PKG.targetYear, lit(t.year) if t.year else None)
            self.add(tn, PKG.startYear, lit(t.year_start) if t.year_start else None)
            self.add(tn, PKG.baselineYear, lit(t.baseline_year) if t.baseline_year else None)
            self.add(tn, PKG.comparator, lit(t.comparator) if t.comparator else None)
            self.add(tn, PKG.aspirational, lit(t.aspirational))
            self.add(tn, PKG.change, lit(t.change) if t.change else None)
            self.add(tn, PKG.scope, zh(t.scope) if t.scope else None)
            self.span(tn, doc_id, t.span)
            if t.value is not None:
                vn = f"{tn}/value"
                self.add(tn, PKG.targetValue, vn)
                self.add(vn, RDF.type, SDO.QuantitativeValue)
                if t.value_max is not None:
                    self.add(vn, SDO.minValue, lit(Decimal(str(t.value))))
                    self.add(vn, SDO.maxValue, lit(Decimal(str(t.value_max))))
                else:
                    self.add(vn, SDO.value, lit(Decimal(str(t.value))))
                self.add(vn, SDO.unitText, zh(t.unit) if t.unit else None)

    # --------------------------------------------------------- alignment


def _document_lines(doc_id: str) -> tuple[str, dict[str, _Agency], set[str]]:
    """One document's triples and its links' (in a worker): the distinct lines sorted and
    joined (one string crosses between processes far faster than a list of them), the
    agencies named, the regions used."""
    job = shared()
    b = _Builder(job["registry"], with_ontology=False, cited=job["cited"])
    b.docs, b.discovered = job["docs"], job["discovered"]
    b.document(job["results"][doc_id])
    seen: set[str] = set()
    for link in job["links"].get(doc_id, ()):
        b.link(link, seen)
    b.lines += document_aggregates(b, doc_id, job)  # derived counts the saved queries read
    return "".join(sorted(set(b.lines))), b.agencies, b.used_regions


def graph_runs(
    registry: Registry, results: list[Processed], links: Iterable[Link] = (), workers: int = 1
) -> Iterator[str]:
    """The corpus's triples as sorted runs: one string of sorted, distinct N-Triples lines
    per document (its measures, its links), as the documents are done, then one of the
    corpus-level lines (vocabulary, agencies, functions, regions, provenance). A line may
    be in several runs (a lost parent heading several children name); merged and made
    distinct they are ``graph.nt`` (``graph_lines`` in memory,
    ``kg.rdf.serialize.write_ntriples`` on disk). ``workers`` > 1 makes the documents'
    triples in that many processes (the lines are the same)."""
    links = list(links)
    by_source: dict[str, list[Link]] = {}
    discovered: dict[str, set[str]] = {}
    for link in links:
        by_source.setdefault(link.source_doc, []).append(link)
        if link.discovered and link.relation == "implements":
            discovered.setdefault(link.source_doc, set()).add(link.target_doc)
    b = _Builder(registry)
    # A document nothing could place (no level or region: unread, or inferred from nothing)
    # stays out of the graph; `kg docs` and warnings.jsonl list it with the reason.
    placed = [p for p in results if p.entry.level and p.entry.region]
    job = {
        "registry": registry,
        "results": {p.entry.id: p for p in placed},
        "links": by_source,
        "docs": {p.entry.id: p.doc for p in results if p.doc is not None},
        "discovered": discovered,
        "lost": lost_measures(links),
        "cited": CitationIndex(registry.entries),
    }
    # Documents in registry order, so the first mention of an agency (which decides its
    # kind) is the same as when made in one process. A few documents ahead of the caller
    # at most: it merges the runs more slowly than the workers make them, and the runs it
    # has not taken yet would otherwise pile up here (1.5 GiB at 3,000 documents).
    jobs = list(job["results"])
    for text, agencies, regions in fan_out(_document_lines, jobs, workers, shared=job, min_jobs=8, ahead=16 * workers):
        for node, a in agencies.items():
            if node in b.agencies:
                b.agencies[node].aliases |= a.aliases
                b.agencies[node].part_of = b.agencies[node].part_of or a.part_of
            else:
                b.agencies[node] = a
        b.used_regions |= regions
        yield text
    if links:
        b.provenance()
    b.lines += agency_aggregates(b, job["results"].values())
    b.emit_agencies()
    b.emit_functions()
    b.emit_regions()
    yield "".join(sorted(set(b.lines)))


def graph_lines(
    registry: Registry, results: list[Processed], links: Iterable[Link] = (), workers: int = 1
) -> list[str]:
    """The corpus as sorted, distinct N-Triples lines: vocabulary, documents, measures,
    agencies, regions, links (``graph.nt`` exactly), held in memory: for tests and small
    corpora (``kg build`` streams the runs to disk instead)."""
    lines: list[str] = []
    for text in graph_runs(registry, results, links, workers):
        lines += split_run(text)
    return sorted_distinct(lines)


def make_graph(registry: Registry, results: list[Processed], links: Iterable[Link] = ()) -> Graph:
    """The corpus as one rdflib Graph (for small corpora and tests; ``kg build`` keeps the lines)."""
    g = to_rdflib(graph_lines(registry, results, links))
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    return g
