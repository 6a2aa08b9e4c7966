"""The RDF graph of a processed corpus: the one place where triples are made.

``make_graph(registry, results, links)`` turns the plain dataclasses of the earlier stages
into RDF with the terms of ``ontology/``. Instance IRIs are derived from registry ids,
measure keys, GB/T 2260 codes and canonical agency names, never from counters over the
whole corpus or hashes of texts, so a rebuild mints the same IRIs (ontology/README.md
lists the patterns). No blank nodes: every node has an IRI, which keeps serialisations
deterministic and every fact addressable.

>>> measure_iri("shangrao-2022-green-economy", "2")
rdflib.term.URIRef('https://w3id.org/policy-kg/id/doc/shangrao-2022-green-economy/measure/2')
>>> str(agency_iri("省生态环境厅", "360000"))
'https://w3id.org/policy-kg/id/agency/360000/%E7%9C%81%E7%94%9F%E6%80%81%E7%8E%AF%E5%A2%83%E5%8E%85'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Iterable, Optional
from urllib.parse import quote

from rdflib import Graph, Literal, URIRef

from . import __version__
from .agencies import resolve_name
from .corpus import Entry, Processed, Registry, _same_title
from .mappings import RegionTable, load_agencies, load_regions
from .numerals import int_to_cn
from .model import AgencyRef, Document, Link, Measure, Sentence, Span, Target
from .resources import resource_dir
from .vocab import DCTERMS, ELI, ID, ORG, PKG, PREFIXES, PROV, RDF, RDFS, SDO, SKOS, XSD

LEVEL = {"national": PKG.national, "provincial": PKG.provincial, "municipal": PKG.municipal, "county": PKG.county}
ROLE = {"lead": PKG.lead, "support": PKG.support}
STATUS = {"aligned": PKG.aligned, "weak": PKG.weak, "unaligned": PKG.unaligned}
METHOD = {"auto": PKG.auto, "curated": PKG.curated}
RELATION = {"implements": PKG.implementation, "peer": PKG.peer}
SOFTWARE = ID["agent/policy-kg"]
CURATOR = ID["agent/curator"]
ACTIVITY = {"auto": ID["activity/automatic-alignment"], "curated": ID["activity/curated-alignment"]}


def doc_iri(doc_id: str) -> URIRef:
    return ID[f"doc/{quote(doc_id, safe='')}"]


def measure_iri(doc_id: str, key: str) -> URIRef:
    return URIRef(f"{doc_iri(doc_id)}/measure/{quote(key, safe='')}")


def region_iri(code: str) -> URIRef:
    return ID[f"region/{code}"]


def agency_iri(name: str, region_code: Optional[str]) -> URIRef:
    """An agency is its canonical name within the region it serves (省生态环境厅 of 江西省)."""
    return ID[f"agency/{region_code}/{quote(name, safe='')}" if region_code else f"agency/{quote(name, safe='')}"]


def alignment_iri(link: Link) -> URIRef:
    part = "alignment" if link.relation == "implements" else "peer"
    return URIRef(f"{measure_iri(link.source_doc, link.source_key)}/{part}/{quote(link.target_doc, safe='')}")


def load_ontology() -> Graph:
    """The vocabulary (ontology/policy-kg.ttl), shipped with the package."""
    return Graph().parse(resource_dir("ontology") / "policy-kg.ttl", format="turtle")


def load_shapes() -> Graph:
    """The SHACL shapes (ontology/shapes.ttl) every build is validated against."""
    return Graph().parse(resource_dir("ontology") / "shapes.ttl", format="turtle")


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def _decimal(x: float) -> Literal:
    """Scores as xsd:decimal rounded to 4 places, so reruns print the same digits."""
    return Literal(Decimal(str(round(float(x), 4))), datatype=XSD.decimal)


def _date(issued: str) -> Literal:
    return Literal(issued, datatype=XSD.date if len(issued) == 10 else XSD.gYear)


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


class _Builder:
    """Accumulates triples for one corpus; agencies and regions are emitted once at the end."""

    def __init__(self, registry: Registry):
        self.g = Graph()
        for prefix, ns in PREFIXES.items():
            self.g.bind(prefix, ns)
        self.registry = registry
        self.regions: RegionTable = load_regions()
        self.table = load_agencies()
        self.agencies: dict[URIRef, _Agency] = {}
        self.used_regions: set[str] = set()
        self.docs: dict[str, Document] = {}

    def add(self, s, p, o) -> None:
        if o is not None:
            self.g.add((s, p, o))

    def span(self, node: URIRef, doc_id: str, span: Optional[Span]) -> None:
        """Provenance: the document a fact comes from and where in its raw text."""
        self.add(node, PKG.extractedFrom, doc_iri(doc_id))
        if span is not None:
            self.add(node, PKG.charStart, Literal(span.start))
            self.add(node, PKG.charEnd, Literal(span.end))

    # --------------------------------------------------------- regions and agencies

    def region(self, name: Optional[str]) -> Optional[URIRef]:
        r = self.regions.get(name) if name else None
        if r is None:
            return None
        for up in self.regions.ancestors(r):
            self.used_regions.add(up.code)
        return region_iri(r.code)

    def _code(self, region_name: Optional[str]) -> Optional[str]:
        r = self.regions.get(region_name) if region_name else None
        return r.code if r else None

    def agency(self, name: str, region: Optional[str], level: Optional[str], kind=None, mapped=False,
               generic=False, counterpart: Optional[str] = None, raw: Optional[str] = None) -> URIRef:
        node = agency_iri(name, self._code(region))
        a = self.agencies.get(node)
        if a is None:
            a = self.agencies[node] = _Agency(name, region, level, kind, mapped, generic)
            entry = self.table.lookup(name, (region,) if region else ()) if mapped else None
            if entry is not None:
                a.aliases.update(entry.aliases)
            if counterpart:
                a.counterpart = self._counterpart(counterpart, region)
        if raw and raw != name:
            a.aliases.add(raw)
        return node

    def _counterpart(self, name: str, region: Optional[str]) -> URIRef:
        here = self.regions.get(region) if region else None
        up = self.regions.parent(here) if here else None
        r = resolve_name(name, up.level if up else "national", up.name if up else None, self.table)
        return self.agency(r.name, r.region, r.level, r.kind, r.mapped, r.generic, r.counterpart)

    def agency_ref(self, a: AgencyRef) -> URIRef:
        return self.agency(a.name, a.region, a.level, a.kind, a.mapped, a.generic, a.counterpart, a.raw)

    def issuer(self, name: str, entry: Entry) -> URIRef:
        r = resolve_name(name, entry.level, entry.region, self.table)
        return self.agency(r.name, r.region, r.level, r.kind, r.mapped, r.generic, r.counterpart, name)

    def emit_agencies(self) -> None:
        governments = {e.level: e for e in self.table if e.kind == "government" and not e.region}
        parents: dict[URIRef, URIRef] = {}
        for node, a in list(self.agencies.items()):
            gov = governments.get(a.level) if a.kind == "government_department" else None
            if gov is not None:  # a department of a region's government (省生态环境厅 → 省人民政府 of 江西省)
                parents[node] = self.agency(gov.name, a.region, gov.level, gov.kind, True, False, gov.counterpart or None)
        for node, a in self.agencies.items():
            self.add(node, RDF.type, ORG.Organization)
            self.add(node, SKOS.prefLabel, _zh(a.name))
            for alias in sorted(a.aliases):
                self.add(node, SKOS.altLabel, _zh(alias))
            self.add(node, PKG.level, LEVEL.get(a.level or ""))
            self.add(node, DCTERMS.spatial, self.region(a.region))
            self.add(node, PKG.agencyKind, Literal(a.kind) if a.kind else None)
            self.add(node, PKG.mapped, Literal(a.mapped))
            self.add(node, PKG.generic, Literal(a.generic))
            self.add(node, PKG.counterpart, a.counterpart)
            self.add(node, ORG.subOrganizationOf, parents.get(node))

    def emit_regions(self) -> None:
        for code in sorted(self.used_regions):
            r = self.regions.by_code[code]
            node = region_iri(code)
            self.add(node, RDF.type, SDO.AdministrativeArea)
            self.add(node, SDO.name, _zh(r.name))
            self.add(node, SDO.identifier, Literal(code))
            for alt in (r.short_name, *r.aliases):
                if alt:
                    self.add(node, SDO.alternateName, _zh(alt))
            self.add(node, PKG.level, LEVEL[r.level])
            if r.parent_code:
                self.add(node, SDO.containedInPlace, region_iri(r.parent_code))

    # --------------------------------------------------------- documents

    def document(self, p: Processed) -> None:
        e, d = p.entry, p.doc
        node = doc_iri(e.id)
        self.add(node, RDF.type, ELI.LegalResource)
        self.add(node, DCTERMS.identifier, Literal(e.id))
        self.add(node, ELI.title, _zh(e.title))
        self.add(node, PKG.level, LEVEL[e.level])
        self.add(node, DCTERMS.spatial, self.region(e.region))
        self.add(node, ELI.date_document, _date(e.issued) if e.issued else None)
        self.add(node, ELI.id_local, Literal(e.doc_number) if e.doc_number else None)
        for issuer in e.issuers:
            self.add(node, ELI.passed_by, self.issuer(issuer, e))
        for parent in e.implements:
            self.add(node, ELI.implements, doc_iri(parent))
        self.add(node, PKG.hasText, Literal(d is not None))
        if e.file:
            self.add(node, PKG.sourceFile, Literal(e.file))
        if p.error:
            self.warning(node, e.id, 1, "error", p.error, None)
        if d is None:
            return
        self.docs[e.id] = d
        self.add(node, PKG.encoding, Literal(d.encoding))
        for i, c in enumerate(d.citations, 1):
            cn = URIRef(f"{node}/citation/{i}")
            self.add(node, PKG.hasCitation, cn)
            self.add(cn, RDF.type, PKG.Citation)
            self.add(cn, DCTERMS.title, _zh(c.title))
            self.add(cn, ELI.id_local, Literal(c.doc_number) if c.doc_number else None)
            self.span(cn, e.id, c.span)
            for other in self.registry.entries:
                same_number = c.doc_number and other.doc_number and c.doc_number == other.doc_number
                if other.id != e.id and (same_number or _same_title(c.title, other.title)):
                    self.add(cn, PKG.citedDocument, doc_iri(other.id))
                    self.add(node, ELI.cites, doc_iri(other.id))
        for i, w in enumerate(d.warnings, 1):
            self.warning(node, e.id, i, w.code, w.message, w.span)
        self.targets(node, e.id, d.targets)
        sections = {}
        for s in d.sections:
            sn = sections[s.number] = URIRef(f"{node}/section/{s.index}")
            self.add(sn, RDF.type, PKG.Section)
            self.add(sn, RDF.type, ELI.LegalResourceSubdivision)
            self.add(sn, ELI.is_part_of, node)
            self.add(sn, ELI.number, Literal(s.number))
            self.add(sn, PKG.index, Literal(s.index))
            self.add(sn, ELI.title, _zh(s.title) if s.title else None)
            self.add(sn, PKG.text, _zh(s.text) if s.text else None)
            self.span(sn, e.id, s.span)
            self.targets(sn, e.id, s.targets)
        for m in d.measures:
            self.measure(e.id, m, sections.get(m.section or ""))

    def warning(self, doc: URIRef, doc_id: str, i: int, code: str, message: str, span: Optional[Span]) -> None:
        """A data-quality warning of a document (or the reason it failed to parse)."""
        node = URIRef(f"{doc}/warning/{i}")
        self.add(doc, PKG.hasWarning, node)
        self.add(node, RDF.type, PKG.DataQualityWarning)
        self.add(node, PKG.warningCode, Literal(code))
        self.add(node, PKG.message, Literal(message))
        self.span(node, doc_id, span)

    def measure(self, doc_id: str, m: Measure, section: Optional[URIRef]) -> None:
        node = measure_iri(doc_id, m.key)
        self.add(node, RDF.type, PKG.Measure)
        self.add(node, RDF.type, ELI.LegalResourceSubdivision)
        self.add(node, ELI.is_part_of, doc_iri(doc_id))
        self.add(node, PKG.inSection, section)
        self.add(node, ELI.number, Literal(m.number))
        self.add(node, PKG.index, Literal(m.index))
        self.add(node, PKG.key, Literal(m.key))
        self.add(node, ELI.title, _zh(m.title) if m.title else None)
        self.add(node, PKG.text, _zh(m.text) if m.text else None)
        self.add(node, PKG.responsibilityText, _zh(m.responsibility) if m.responsibility else None)
        self.span(node, doc_id, m.span)
        for i, s in enumerate(m.sentences, 1):
            self.sentence(URIRef(f"{node}/sentence/{i}"), node, doc_id, s, i)
        for i, a in enumerate(m.agencies, 1):
            rn = URIRef(f"{node}/responsibility/{i}")
            agency = self.agency_ref(a)
            self.add(node, PKG.hasResponsibility, rn)
            self.add(node, PKG.leadAgency if a.role == "lead" else PKG.supportAgency, agency)
            self.add(node, ELI.responsibility_of, agency)
            self.add(rn, RDF.type, PKG.Responsibility)
            self.add(rn, PKG.agency, agency)
            self.add(rn, PKG.role, ROLE[a.role])
            self.add(rn, PKG.rank, Literal(i))
            self.add(rn, PKG.printedName, _zh(a.raw))
            self.span(rn, doc_id, a.span)
        self.targets(node, doc_id, m.targets)

    def sentence(self, node: URIRef, measure: URIRef, doc_id: str, s: Sentence, index: Optional[int]) -> None:
        self.add(measure, PKG.hasSentence, node)
        self.add(node, RDF.type, PKG.Sentence)
        self.add(node, PKG.index, Literal(index) if index else None)
        self.add(node, PKG.text, _zh(s.text))
        self.span(node, doc_id, s.span)

    def targets(self, owner: URIRef, doc_id: str, targets: Iterable[Target]) -> None:
        for i, t in enumerate(targets, 1):
            tn = URIRef(f"{owner}/target/{i}")
            self.add(owner, PKG.hasTarget, tn)
            self.add(tn, RDF.type, PKG.Target)
            self.add(tn, PKG.text, _zh(t.text))
            self.add(tn, PKG.indicator, _zh(t.indicator) if t.indicator else None)
            self.add(tn, PKG.targetYear, Literal(t.year) if t.year else None)
            self.add(tn, PKG.startYear, Literal(t.year_start) if t.year_start else None)
            self.add(tn, PKG.baselineYear, Literal(t.baseline_year) if t.baseline_year else None)
            self.add(tn, PKG.comparator, Literal(t.comparator) if t.comparator else None)
            self.add(tn, PKG.aspirational, Literal(t.aspirational))
            self.add(tn, PKG.change, Literal(t.change) if t.change else None)
            self.add(tn, PKG.scope, _zh(t.scope) if t.scope else None)
            self.span(tn, doc_id, t.span)
            if t.value is not None:
                vn = URIRef(f"{tn}/value")
                self.add(tn, PKG.targetValue, vn)
                self.add(vn, RDF.type, SDO.QuantitativeValue)
                if t.value_max is not None:
                    self.add(vn, SDO.minValue, Literal(Decimal(str(t.value))))
                    self.add(vn, SDO.maxValue, Literal(Decimal(str(t.value_max))))
                else:
                    self.add(vn, SDO.value, Literal(Decimal(str(t.value))))
                self.add(vn, SDO.unitText, _zh(t.unit) if t.unit else None)

    # --------------------------------------------------------- alignment

    def provenance(self) -> None:
        self.add(SOFTWARE, RDF.type, PROV.SoftwareAgent)
        self.add(SOFTWARE, RDFS.label, Literal(f"policy-kg {__version__}"))
        self.add(CURATOR, RDF.type, PROV.Agent)
        self.add(CURATOR, RDFS.label, Literal("researcher editing mappings/alignment_overrides.csv", lang="en"))
        for method, node in ACTIVITY.items():
            self.add(node, RDF.type, PROV.Activity)
            self.add(node, RDFS.label, Literal(f"{'automatic' if method == 'auto' else 'curated'} alignment", lang="en"))
            self.add(node, PROV.wasAssociatedWith, SOFTWARE if method == "auto" else CURATOR)

    def link(self, link: Link, seen: set[URIRef]) -> None:
        node = alignment_iri(link)
        n = 2
        while node in seen:  # one link per (measure, target document) is the contract; keep extras distinct
            node, n = URIRef(f"{alignment_iri(link)}-{n}"), n + 1
        seen.add(node)
        source = measure_iri(link.source_doc, link.source_key)
        target = measure_iri(link.target_doc, link.target_key) if link.target_key is not None else None
        if target is not None and link.recovered:
            self.lost_measure(link.target_doc, link.target_key)
        self.add(node, RDF.type, PKG.Alignment)
        self.add(node, PKG.sourceMeasure, source)
        self.add(node, PKG.targetDocument, doc_iri(link.target_doc))
        self.add(node, PKG.targetMeasure, target)
        self.add(node, PKG.score, _decimal(link.score))
        self.add(node, PKG.status, STATUS.get(link.status, Literal(link.status)))
        self.add(node, PKG.method, METHOD.get(link.method, Literal(link.method)))
        self.add(node, PKG.relation, RELATION.get(link.relation, Literal(link.relation)))
        self.add(node, PROV.wasGeneratedBy, ACTIVITY.get(link.method, ACTIVITY["auto"]))
        self.add(node, PROV.wasAttributedTo, CURATOR if link.method == "curated" else SOFTWARE)
        self.add(node, RDFS.comment, Literal(link.comment) if link.comment else None)
        if target is not None and (link.status == "aligned" or link.method == "curated"):
            self.add(source, ELI.implements if link.relation == "implements" else PKG.correspondsTo, target)
        for i, ev in enumerate(link.evidence, 1):
            en = URIRef(f"{node}/evidence/{i}")
            self.add(node, PKG.hasEvidence, en)
            self.add(en, RDF.type, PKG.Evidence)
            self.add(en, PKG.sourceSentence, self._sentence_node(link.source_doc, link.source_key, ev.source))
            self.add(en, PKG.targetSentence, self._sentence_node(link.target_doc, link.target_key, ev.target))
            self.add(en, PKG.score, _decimal(ev.score))
        # the parent's preamble may be a runner-up in the records; it is not a measure
        measures = {m.key for m in self.docs[link.target_doc].measures} if link.target_doc in self.docs else set()
        for i, (key, score) in enumerate([r for r in link.runners_up if r[0] in measures], 1):
            rn = URIRef(f"{node}/runner-up/{i}")
            self.add(node, PKG.runnerUp, rn)
            self.add(rn, RDF.type, PKG.RunnerUp)
            self.add(rn, PKG.targetMeasure, measure_iri(link.target_doc, key))
            self.add(rn, PKG.rank, Literal(i))
            self.add(rn, PKG.score, _decimal(score))

    def lost_measure(self, doc_id: str, key: str) -> None:
        """A parent measure whose heading the collected text lost: known by its number only."""
        node = measure_iri(doc_id, key)
        self.add(node, RDF.type, PKG.Measure)
        self.add(node, RDF.type, ELI.LegalResourceSubdivision)
        self.add(node, ELI.is_part_of, doc_iri(doc_id))
        self.add(node, ELI.number, Literal(int_to_cn(int(key))))
        self.add(node, PKG.index, Literal(int(key)))
        self.add(node, PKG.key, Literal(key))
        self.add(node, PKG.headingLost, Literal(True))

    def _sentence_node(self, doc_id: str, key: Optional[str], s: Sentence) -> URIRef:
        """The measure's own sentence node when the span matches one, else a node for the span
        (under the document when the link names no measure, as an unaligned link's evidence may)."""
        if key is None:
            node = URIRef(f"{doc_iri(doc_id)}/chars/{s.span.start}-{s.span.end}")
            self.add(node, RDF.type, PKG.Sentence)
            self.add(node, PKG.text, _zh(s.text))
            self.span(node, doc_id, s.span)
            return node
        measure = measure_iri(doc_id, key)
        d = self.docs.get(doc_id)
        m = next((m for m in d.measures if m.key == key), None) if d else None
        for i, own in enumerate(m.sentences if m else [], 1):
            if own.span == s.span:
                return URIRef(f"{measure}/sentence/{i}")
        node = URIRef(f"{measure}/chars/{s.span.start}-{s.span.end}")
        self.sentence(node, measure, doc_id, s, None)
        return node


def make_graph(registry: Registry, results: list[Processed], links: Iterable[Link] = ()) -> Graph:
    """The corpus as one rdflib Graph: vocabulary, documents, measures, agencies, regions, links."""
    b = _Builder(registry)
    b.g += load_ontology()
    for p in results:
        b.document(p)
    links = list(links)
    if links:
        b.provenance()
    seen: set[URIRef] = set()
    for link in links:
        b.link(link, seen)
    b.emit_agencies()
    b.emit_regions()
    return b.g
