"""Instance IRIs, stable across rebuilds and readable (ontology/README.md lists them), and
the vocabulary's terms as plain strings for the graph builder.

They are derived from registry ids, measure keys, GB/T 2260 codes and canonical agency
names, never from counters over the whole corpus or hashes of texts, so a rebuild mints
the same IRIs. The ``_`` forms give plain strings, cached: the graph builder asks for the
same document and measure IRIs hundreds of thousands of times.

>>> measure_iri("shangrao-2022-green-economy", "2")
rdflib.term.URIRef('https://w3id.org/policy-kg/id/doc/shangrao-2022-green-economy/measure/2')
>>> str(agency_iri("省生态环境厅", "360000"))
'https://w3id.org/policy-kg/id/agency/360000/%E7%9C%81%E7%94%9F%E6%80%81%E7%8E%AF%E5%A2%83%E5%8E%85'
"""

from __future__ import annotations

from functools import lru_cache
from typing import Optional
from urllib.parse import quote

from rdflib import URIRef

from kg.core.model import Link
from kg.rdf import vocab
from kg.rdf.vocab import ID, Terms

# Vocabulary terms as plain strings for the graph builder (looked up once each; see vocab.Terms).
DCTERMS, ELI, ORG, PKG, PROV, RDF, RDFS, SDO, SKOS, XSD = (
    Terms(ns)
    for ns in (
        vocab.DCTERMS,
        vocab.ELI,
        vocab.ORG,
        vocab.PKG,
        vocab.PROV,
        vocab.RDF,
        vocab.RDFS,
        vocab.SDO,
        vocab.SKOS,
        vocab.XSD,
    )
)


@lru_cache(maxsize=None)
def _doc(doc_id: str) -> str:
    return f"{ID}doc/{quote(doc_id, safe='')}"


@lru_cache(maxsize=1 << 16)
def _measure(doc_id: str, key: str) -> str:
    return f"{_doc(doc_id)}/measure/{quote(key, safe='')}"


def doc_iri(doc_id: str) -> URIRef:
    return URIRef(_doc(doc_id))


def measure_iri(doc_id: str, key: str) -> URIRef:
    return URIRef(_measure(doc_id, key))


def region_iri(code: str) -> URIRef:
    return ID[f"region/{code}"]


def agency_iri(name: str, region_code: Optional[str]) -> URIRef:
    """An agency is its canonical name within the region it serves (省生态环境厅 of 江西省)."""
    return ID[f"agency/{region_code}/{quote(name, safe='')}" if region_code else f"agency/{quote(name, safe='')}"]


def alignment_iri(link: Link) -> str:
    part = "alignment" if link.relation == "implements" else "peer"
    return f"{_measure(link.source_doc, link.source_key)}/{part}/{quote(link.target_doc, safe='')}"
