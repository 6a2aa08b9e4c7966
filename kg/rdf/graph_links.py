"""Alignment links as triples: a qualified ``pkg:Alignment`` node for every link (score,
margin, the child's rank, status, runners-up and the secondary parents a merged child also
draws on) and, for aligned and curated links, the plain ``eli:implements`` (or
``pkg:correspondsTo``) triple to the primary parent.

A mixin of the graph builder (``kg.rdf.graph``): it uses the builder's ``add``, ``span``,
``sentence`` and ``docs``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Optional

from kg import __version__
from kg.align.diffusion import copy_rate
from kg.core.model import Link, Sentence, Span
from kg.core.numerals import int_to_cn
from kg.rdf.iris import ELI, ID, PKG, PROV, RDF, RDFS, _doc, _measure, alignment_iri
from kg.rdf.ntriples import Lit, lang, lit, zh

STATUS = {"aligned": PKG.aligned, "weak": PKG.weak, "unaligned": PKG.unaligned}
METHOD = {"auto": PKG.auto, "curated": PKG.curated}
RELATION = {"implements": PKG.implementation, "peer": PKG.peer}
SOFTWARE = ID["agent/policy-kg"]
CURATOR = ID["agent/curator"]
ACTIVITY = {"auto": ID["activity/automatic-alignment"], "curated": ID["activity/curated-alignment"]}


def score(x: float) -> Decimal:
    """A score rounded to 4 places as a Decimal, so reruns print the same digits."""
    return Decimal(str(round(float(x), 4)))


def _decimal(x: float) -> Lit:
    """Scores as xsd:decimal rounded to 4 places (``score``)."""
    return lit(score(x))


def link_node(link: Link, seen: set[str]) -> str:
    """The alignment node of ``link``, made distinct from those in ``seen`` (and added to it):
    one link per (measure, target document) is the contract; extras are kept apart as
    ``…-2``, ``…-3`` in the order the links come."""
    node = base = alignment_iri(link)
    n = 2
    while node in seen:
        node, n = f"{base}-{n}", n + 1
    seen.add(node)
    return node


def lost_number(key: str) -> tuple[Lit, Lit]:
    """The eli:number and pkg:index of a measure whose heading the text lost: from its key."""
    return lit(int_to_cn(int(key))), lit(int(key))


class AlignmentTriples:
    def provenance(self) -> None:
        self.add(SOFTWARE, RDF.type, PROV.SoftwareAgent)
        self.add(SOFTWARE, RDFS.label, lit(f"policy-kg {__version__}"))
        self.add(CURATOR, RDF.type, PROV.Agent)
        self.add(CURATOR, RDFS.label, lang("researcher editing mappings/alignment_overrides.csv", "en"))
        for method, node in ACTIVITY.items():
            self.add(node, RDF.type, PROV.Activity)
            self.add(node, RDFS.label, lang(f"{'automatic' if method == 'auto' else 'curated'} alignment", "en"))
            self.add(node, PROV.wasAssociatedWith, SOFTWARE if method == "auto" else CURATOR)

    def link(self, link: Link, seen: set[str]) -> None:
        node = link_node(link, seen)
        source = _measure(link.source_doc, link.source_key)
        target = _measure(link.target_doc, link.target_key) if link.target_key is not None else None
        if target is not None and link.recovered:
            self.lost_measure(link.target_doc, link.target_key)
        self.add(node, RDF.type, PKG.Alignment)
        self.add(node, PKG.sourceMeasure, source)
        self.add(node, PKG.targetDocument, _doc(link.target_doc))
        self.add(node, PKG.targetMeasure, target)
        self.add(node, PKG.score, _decimal(link.score))
        # the relative evidence the status was decided from (absent on a recovered link)
        self.add(node, PKG.margin, _decimal(link.margin) if link.margin is not None else None)
        self.add(node, PKG.childRank, lit(link.rank) if link.rank is not None else None)
        self.add(node, PKG.status, STATUS.get(link.status, lit(link.status)))
        self.add(node, PKG.method, METHOD.get(link.method, lit(link.method)))
        self.add(node, PKG.relation, RELATION.get(link.relation, lit(link.relation)))
        self.add(node, PROV.wasGeneratedBy, ACTIVITY.get(link.method, ACTIVITY["auto"]))
        self.add(node, PROV.wasAttributedTo, CURATOR if link.method == "curated" else SOFTWARE)
        self.add(node, RDFS.comment, lit(link.comment) if link.comment else None)
        # diffusion: the share of the child measure's text copied from the target measure
        if target is not None:
            d = self.docs.get(link.source_doc)
            own = next((m.sentences for m in d.measures if m.key == link.source_key), []) if d else []
            rate = copy_rate(link, own)
            self.add(node, PKG.copyRate, _decimal(rate) if rate is not None else None)
        if target is not None and (link.status == "aligned" or link.method == "curated"):
            self.add(source, ELI.implements if link.relation == "implements" else PKG.correspondsTo, target)
        for i, ev in enumerate(link.evidence, 1):
            en = f"{node}/evidence/{i}"
            self.add(node, PKG.hasEvidence, en)
            self.add(en, RDF.type, PKG.Evidence)
            self.add(en, PKG.sourceSentence, self._sentence_node(link.source_doc, link.source_key, ev.source))
            self.add(en, PKG.targetSentence, self._sentence_node(link.target_doc, link.target_key, ev.target))
            self.add(en, PKG.score, _decimal(ev.score))
        # the parent's preamble may be a runner-up in the records; it is not a measure
        measures = self._sentences_of(link.target_doc)
        for i, (key, score) in enumerate([r for r in link.runners_up if r[0] in measures], 1):
            rn = f"{node}/runner-up/{i}"
            self.add(node, PKG.runnerUp, rn)
            self.add(rn, RDF.type, PKG.RunnerUp)
            self.add(rn, PKG.targetMeasure, _measure(link.target_doc, key))
            self.add(rn, PKG.rank, lit(i))
            self.add(rn, PKG.score, _decimal(score))

        for i, (key, score) in enumerate([a for a in link.also if a[0] in measures], 1):
            an = f"{node}/also/{i}"
            self.add(node, PKG.secondaryParent, an)
            self.add(an, RDF.type, PKG.SecondaryParent)
            self.add(an, PKG.targetMeasure, _measure(link.target_doc, key))
            self.add(an, PKG.score, _decimal(score))

    def lost_measure(self, doc_id: str, key: str) -> None:
        """A parent measure whose heading the collected text lost: known by its number only."""
        node = _measure(doc_id, key)
        self.add(node, RDF.type, PKG.Measure)
        self.add(node, RDF.type, ELI.LegalResourceSubdivision)
        self.add(node, ELI.is_part_of, _doc(doc_id))
        number, index = lost_number(key)
        self.add(node, ELI.number, number)
        self.add(node, PKG.index, index)
        self.add(node, PKG.key, lit(key))
        self.add(node, PKG.headingLost, lit(True))

    def _sentence_node(self, doc_id: str, key: Optional[str], s: Sentence) -> str:
        """The measure's own sentence node when the span matches one, else a node for the span
        (under the document when the link names no measure, as an unaligned link's evidence may)."""
        if key is None:
            node = f"{_doc(doc_id)}/chars/{s.span.start}-{s.span.end}"
            self.add(node, RDF.type, PKG.Sentence)
            self.add(node, PKG.text, zh(s.text))
            self.span(node, doc_id, s.span)
            return node
        measure = _measure(doc_id, key)
        i = self._sentences_of(doc_id).get(key, {}).get(s.span)
        if i is not None:
            return f"{measure}/sentence/{i}"
        node = f"{measure}/chars/{s.span.start}-{s.span.end}"
        self.sentence(node, measure, doc_id, s, None)
        return node

    def _sentences_of(self, doc_id: str) -> dict[str, dict[Span, int]]:
        """Per measure key of a document: its sentences' spans → their numbers (from 1)."""
        found = self._sentence_numbers.get(doc_id)
        if found is None:
            d = self.docs.get(doc_id)
            found = self._sentence_numbers[doc_id] = (
                {m.key: {own.span: i for i, own in reversed(list(enumerate(m.sentences, 1)))} for m in d.measures}
                if d
                else {}
            )
        return found
