"""The graph's vocabulary as closed rdflib namespaces: a typo in a term is an error.

``PKG`` mirrors ``ontology/policy-kg.ttl`` term for term (tests/test_vocab.py checks the
two agree); ``ELI`` lists the ELI terms policy-kg uses. ORG, PROV, SKOS, DCTERMS and
schema.org come from rdflib. Instance IRIs live under ``ID`` (see ontology/README.md).

>>> str(PKG.Measure)
'https://w3id.org/policy-kg/ontology#Measure'
>>> PKG.Mesure
Traceback (most recent call last):
...
AttributeError: term 'Mesure' not in namespace 'https://w3id.org/policy-kg/ontology#'
"""

from __future__ import annotations

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, OWL, PROV, RDF, RDFS, SDO, SKOS, XSD, DefinedNamespace

ONTOLOGY = URIRef("https://w3id.org/policy-kg/ontology")
ID = Namespace("https://w3id.org/policy-kg/id/")

__all__ = [
    "PKG",
    "ELI",
    "ID",
    "ONTOLOGY",
    "DCTERMS",
    "ORG",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "SDO",
    "SKOS",
    "XSD",
    "PREFIXES",
    "sparql_prefixes",
]


class PKG(DefinedNamespace):
    """policy-kg's own terms: what ELI, ORG, SKOS, DCTERMS, PROV-O and schema.org lack."""

    _fail = True
    _NS = Namespace("https://w3id.org/policy-kg/ontology#")

    # classes
    Measure: URIRef
    Section: URIRef
    Sentence: URIRef
    Responsibility: URIRef
    Target: URIRef
    Citation: URIRef
    Alignment: URIRef
    Evidence: URIRef
    RunnerUp: URIRef
    SecondaryParent: URIRef
    DataQualityWarning: URIRef
    # concept schemes and their concepts
    AdministrativeLevels: URIRef
    national: URIRef
    provincial: URIRef
    municipal: URIRef
    county: URIRef
    ResponsibilityRoles: URIRef
    lead: URIRef
    support: URIRef
    AlignmentStatuses: URIRef
    aligned: URIRef
    weak: URIRef
    unaligned: URIRef
    AlignmentMethods: URIRef
    auto: URIRef
    curated: URIRef
    AlignmentRelations: URIRef
    implementation: URIRef
    peer: URIRef
    AgencyFunctions: URIRef
    # provenance of extracted facts
    extractedFrom: URIRef
    charStart: URIRef
    charEnd: URIRef
    page: URIRef
    sourceFile: URIRef
    encoding: URIRef
    hasText: URIRef
    # documents and their parts
    level: URIRef
    inSection: URIRef
    key: URIRef
    index: URIRef
    text: URIRef
    responsibilityText: URIRef
    headingLost: URIRef
    hasSentence: URIRef
    hasCitation: URIRef
    citedDocument: URIRef
    hasWarning: URIRef
    warningCode: URIRef
    message: URIRef
    # responsibility
    hasResponsibility: URIRef
    agency: URIRef
    role: URIRef
    rank: URIRef
    printedName: URIRef
    leadAgency: URIRef
    supportAgency: URIRef
    counterpart: URIRef
    function: URIRef
    agencyKind: URIRef
    generic: URIRef
    mapped: URIRef
    # targets
    hasTarget: URIRef
    indicator: URIRef
    targetYear: URIRef
    startYear: URIRef
    baselineYear: URIRef
    targetValue: URIRef
    comparator: URIRef
    aspirational: URIRef
    change: URIRef
    scope: URIRef
    # alignment
    sourceMeasure: URIRef
    targetMeasure: URIRef
    targetDocument: URIRef
    score: URIRef
    status: URIRef
    method: URIRef
    relation: URIRef
    hasEvidence: URIRef
    sourceSentence: URIRef
    targetSentence: URIRef
    copyRate: URIRef  # diffusion: share of the source measure copied from the target
    runnerUp: URIRef
    secondaryParent: URIRef
    margin: URIRef
    childRank: URIRef
    correspondsTo: URIRef
    parentDiscovered: URIRef
    # derived aggregates (kg/rdf/aggregates.py)
    Aggregate: URIRef
    DocumentSummary: URIRef
    ParentCoverage: URIRef
    MeasureUptake: URIRef
    LocalInnovation: URIRef
    FunctionLoad: URIRef
    AgencyLoad: URIRef
    DroppedAgency: URIRef
    summaryOf: URIRef
    childDocument: URIRef
    parentDocument: URIRef
    parentMeasure: URIRef
    childMeasure: URIRef
    loadFunction: URIRef
    loadAgency: URIRef
    droppedAgency: URIRef
    droppedResponsibility: URIRef
    targetCount: URIRef
    quantitativeTargetCount: URIRef
    datedTargetCount: URIRef
    firstTargetYear: URIRef
    lastTargetYear: URIRef
    parentMeasureCount: URIRef
    implementedCount: URIRef
    childMeasureCount: URIRef
    implementingMeasureCount: URIRef
    ratedLinkCount: URIRef
    copyRateTotal: URIRef
    implementingLinkCount: URIRef
    bestCopyRate: URIRef
    weakLinkCount: URIRef
    bestWeakScore: URIRef
    leadCount: URIRef
    responsibilityCount: URIRef
    # values the saved queries print, carried on the aggregates (kg/rdf/aggregate_values.py)
    UnreachedMeasure: URIRef
    partOfCoverage: URIRef
    documentId: URIRef
    documentLevel: URIRef
    documentTitle: URIRef
    documentRegion: URIRef
    parentDocumentId: URIRef
    parentDocumentLevel: URIRef
    parentMeasureKey: URIRef
    parentMeasureIndex: URIRef
    parentMeasureNumber: URIRef
    parentMeasureTitle: URIRef
    childMeasureKey: URIRef
    childMeasureIndex: URIRef
    childMeasureNumber: URIRef
    childMeasureTitle: URIRef
    agencyName: URIRef
    agencyLevel: URIRef
    agencyRegion: URIRef
    agencyGeneric: URIRef
    droppedRole: URIRef
    droppedRank: URIRef
    documentIdPart1: URIRef
    documentIdPart2: URIRef
    documentIdPart3: URIRef
    parentDocumentIdPart1: URIRef
    parentDocumentIdPart2: URIRef
    parentDocumentIdPart3: URIRef


class ELI(DefinedNamespace):
    """The European Legislation Identifier terms policy-kg uses (a subset of ELI 1.5)."""

    _fail = True
    _NS = Namespace("http://data.europa.eu/eli/ontology#")

    LegalResource: URIRef
    LegalResourceSubdivision: URIRef
    is_part_of: URIRef
    implements: URIRef
    cites: URIRef
    date_document: URIRef
    responsibility_of: URIRef
    passed_by: URIRef
    title: URIRef
    number: URIRef
    id_local: URIRef


PREFIXES = {
    "pkg": str(PKG._NS),
    "eli": str(ELI._NS),
    "org": str(ORG),
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "prov": str(PROV),
    "schema": str(SDO),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "doc": str(ID) + "doc/",
    "agency": str(ID) + "agency/",
    "region": str(ID) + "region/",
    "function": str(ID) + "function/",
}


def sparql_prefixes(*names: str) -> str:
    """SPARQL ``PREFIX`` lines for ``names`` (keys of ``PREFIXES``), so no query retypes an IRI.

    >>> print(sparql_prefixes("pkg", "dcterms"), end="")
    PREFIX pkg: <https://w3id.org/policy-kg/ontology#>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    """
    return "".join(f"PREFIX {n}: <{PREFIXES[n]}>\n" for n in names)


class Terms:
    """A namespace's terms as plain strings, looked up (and checked) once each: the graph
    builder reads terms hundreds of thousands of times, and a closed rdflib namespace
    validates every attribute access.

    >>> Terms(PKG).Measure
    'https://w3id.org/policy-kg/ontology#Measure'
    """

    def __init__(self, namespace):
        self._namespace = namespace

    def __getattr__(self, name: str) -> str:
        if name.startswith("_"):
            raise AttributeError(name)
        value = str(getattr(self._namespace, name))  # an unknown term fails here, as in rdflib
        setattr(self, name, value)
        return value
