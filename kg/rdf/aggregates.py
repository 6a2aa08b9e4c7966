"""Derived aggregates: counts the saved queries (``kg/queries/``) would otherwise compute by
reading tens of thousands of triples per pattern, made once while the graph is written.

Each is a node typed with a subclass of ``pkg:Aggregate`` (docs/graph.md, "Derived
aggregates"), minted under the IRI of the document it describes, so it lands in that
document's partition (named graph): incremental validation and ``kg push --incremental``
re-send it with the document. The per-agency counts are corpus-level, like the agencies.
They are computed from the same dataclasses (and the same links) the document's triples
are made of, and restate those triples: a researcher may query them directly, and a saved
query that reads them answers exactly as one counting the underlying triples
(tests/test_saved_queries.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable, Optional
from urllib.parse import quote

from kg.core.model import Link
from kg.corpus import Processed
from kg.rdf.aggregate_values import (
    agency_values,
    document_values,
    id_sort_parts,
    implemented,
    measure_values,
    reached,
)
from kg.rdf.graph_links import link_node, score
from kg.rdf.iris import PKG, RDF, _doc, _measure, agency_iri
from kg.rdf.ntriples import Lit, line, lit, zh

_COPY_RATE = f"<{PKG.copyRate}>"


def lost_measures(links: Iterable[Link]) -> dict[str, set[str]]:
    """Per document: keys of measures known only as a link's recovered target (their heading
    lost); ``kg.rdf.graph_links`` writes them as measures of that document."""
    lost: dict[str, set[str]] = {}
    for link in links:
        if link.recovered and link.target_key is not None:
            lost.setdefault(link.target_doc, set()).add(link.target_key)
    return lost


class _Lines(list):
    def add(self, s: str, p: str, o) -> None:
        if o is not None:
            self.append(line(s, p, o))


def _measure_keys(job: dict, doc_id: str) -> set[str]:
    """Keys of a document's measures as the graph holds them (parsed, plus lost ones)."""
    p = job["results"].get(doc_id)
    keys = {m.key for m in p.doc.measures} if p is not None and p.doc is not None else set()
    return keys | job.get("lost", {}).get(doc_id, set())


def _has_text(job: dict, doc_id: str) -> bool:
    p = job["results"].get(doc_id)
    return p is not None and p.doc is not None


def _rates(lines: list[str]) -> dict[str, str]:
    """Alignment node → its pkg:copyRate literal, read from the lines just made (the rate is
    computed once, by ``kg.rdf.graph_links``)."""
    text, out, mark = "".join(lines), {}, f" {_COPY_RATE} "
    at = text.find(mark)
    while at >= 0:
        start, end = text.rfind("\n", 0, at) + 1, text.index(" .\n", at)
        out[text[start + 1 : at - 1]] = text[at + len(mark) : end]
        at = text.find(mark, end)
    return out


def _decimal(literal: str) -> Decimal:
    return Decimal(literal[1 : literal.index('"', 1)])


def document_aggregates(b, doc_id: str, job: dict) -> list[str]:
    """The aggregates of one document (a child of the ``kg.rdf.graph`` builder ``b``, which
    has just made its triples and its links' from ``job``): targets summary, and for its links coverage per parent document, uptake per parent measure, local
    innovations and parent agencies its implementing measures drop."""
    out = _Lines()
    p = job["results"][doc_id]
    node = _doc(doc_id)
    if p.doc is None:
        return out
    _targets(out, node, doc_id, b, p)
    _links(out, node, doc_id, b, job)
    _unreached(out, doc_id, b, job)
    return out


def _targets(out: _Lines, node: str, doc_id: str, b, p: Processed) -> None:
    d = p.doc
    found: dict[str, tuple[bool, list[int]]] = {}  # target node → (has a value, years)

    def owner(iri: str, targets) -> None:
        for i, t in enumerate(targets, 1):
            has, years = found.setdefault(f"{iri}/target/{i}", (False, []))
            found[f"{iri}/target/{i}"] = (has or t.value is not None, years + ([t.year] if t.year else []))

    owner(node, d.targets)
    for s in d.sections:
        owner(f"{node}/section/{quote(s.key or str(s.index), safe='')}", s.targets)
    for m in d.measures:
        owner(_measure(doc_id, m.key), m.targets)
    years = [y for _, ys in found.values() for y in ys]
    quantitative = sum(1 for has, _ in found.values() if has)
    sn = f"{node}/summary"
    out.add(sn, RDF.type, PKG.DocumentSummary)
    out.add(sn, PKG.summaryOf, node)
    out.add(sn, PKG.targetCount, lit(len(found)))
    out.add(sn, PKG.quantitativeTargetCount, lit(quantitative))
    out.add(sn, PKG.datedTargetCount, lit(len(found) - quantitative))
    out.add(sn, PKG.firstTargetYear, lit(min(years)) if years else None)
    out.add(sn, PKG.lastTargetYear, lit(max(years)) if years else None)
    document_values(out, sn, b, p.entry, title=True)


def _agency(b, a):
    """The agency's IRI as the builder keys it (an rdflib URIRef: a plain str misses it),
    remembered on the builder: minting it is most of the cost of these counts."""
    known = b.__dict__.setdefault("_aggregate_agencies", {})
    iri = known.get((a.name, a.region))
    if iri is None:
        iri = known[(a.name, a.region)] = agency_iri(a.name, b._code(a.region))
    return iri


def _function_load(out: _Lines, node: str, b, p: Processed) -> None:
    """Per function: an agency's function is the one the graph gives it, its first mention in
    the corpus (so made with the corpus-level lines, where the agencies are merged)."""
    counts: dict[Optional[str], list[int]] = {}  # function id (None: no function) → [lead, total]
    for m in p.doc.measures:
        for a in m.agencies:
            known = b.agencies.get(_agency(b, a))
            c = counts.setdefault(known.function if known else None, [0, 0])
            c[0] += a.role == "lead"
            c[1] += 1
    from kg.rdf.graph import function_iri  # the builder's module, which imports this one

    for fid, (lead, total) in sorted(counts.items(), key=lambda x: x[0] or ""):
        fn = f"{node}/function-load/{quote(fid, safe='') if fid else 'none'}"
        out.add(fn, RDF.type, PKG.FunctionLoad)
        out.add(fn, PKG.summaryOf, node)
        out.add(fn, PKG.loadFunction, function_iri(fid) if fid else None)
        out.add(fn, PKG.leadCount, lit(lead))
        out.add(fn, PKG.responsibilityCount, lit(total))


def _links(out: _Lines, node: str, doc_id: str, b, job: dict) -> None:
    links: list[Link] = job["links"].get(doc_id, [])
    rates = _rates(b.lines)
    seen: set[str] = set()
    named = [(link_node(link, seen), link) for link in links]  # the nodes kg.rdf.graph_links made
    measured = [(a, k) for a, k in named if k.target_key is not None and k.relation == "implements"]
    implements = {
        (k.source_key, k.target_doc, k.target_key)
        for _, k in measured
        if k.status == "aligned" or k.method == "curated"
    }
    # per (parent document, parent measure): [implementing links, best rate, weak links, best weak
    # score, implementing links that state a rate]
    uptake: dict[tuple[str, str], list] = {}
    # per parent document: implemented parent measures, child measures implementing, rates, links
    pairs: dict[str, tuple[set, set, list, list]] = {}
    for a, k in measured:
        u = uptake.setdefault((k.target_doc, k.target_key), [0, None, 0, None, 0])
        rate = rates.get(a)
        if (k.source_key, k.target_doc, k.target_key) in implements:
            u[0] += 1
            if rate is not None:
                u[4] += 1
                if u[1] is None or _decimal(rate) > _decimal(u[1]):
                    u[1] = rate
            done, by, rated, n = pairs.setdefault(k.target_doc, (set(), set(), [], []))
            done.add(k.target_key)
            by.add(k.source_key)
            n.append(a)
            if rate is not None:
                rated.append(_decimal(rate))
        elif k.status == "weak":
            u[2] += 1
            w = score(k.score)
            u[3] = w if u[3] is None else max(u[3], w)
    parents = sorted(set(job["results"][doc_id].entry.implements) | job["discovered"].get(doc_id, set()))
    mine = _measure_keys(job, doc_id)
    entry = job["results"][doc_id].entry
    covered: dict[str, str] = {}  # parent document → its pkg:ParentCoverage node
    for parent in parents:
        if not _has_text(job, parent):
            continue
        keys = _measure_keys(job, parent)
        done, by, rated, n = pairs.get(parent, (set(), set(), [], []))
        cn = f"{node}/coverage/{quote(parent, safe='')}"
        out.add(cn, RDF.type, PKG.ParentCoverage)
        out.add(cn, PKG.childDocument, node)
        out.add(cn, PKG.parentDocument, _doc(parent))
        out.add(cn, PKG.parentMeasureCount, lit(len(keys)))
        out.add(cn, PKG.implementedCount, lit(len(done)))
        out.add(cn, PKG.childMeasureCount, lit(len(mine)))
        out.add(cn, PKG.implementingMeasureCount, lit(len(by)))
        out.add(cn, PKG.implementingLinkCount, lit(len(n)))
        out.add(cn, PKG.ratedLinkCount, lit(len(rated)))
        out.add(cn, PKG.copyRateTotal, lit(sum(rated, Decimal(0))))
        document_values(out, cn, b, entry, region=True)
        document_values(out, cn, b, job["results"][parent].entry, "parent", level=False)
        covered[parent] = cn
        for key in keys:  # every parent measure is a row of the gaps: an uptake node, maybe of nothing
            uptake.setdefault((parent, key), [0, None, 0, None, 0])
    for (parent, key), (n, best, weak, best_weak, rated) in sorted(uptake.items()):
        un = f"{node}/uptake/{quote(parent, safe='')}/{quote(key, safe='')}"
        out.add(un, RDF.type, PKG.MeasureUptake)
        out.add(un, PKG.childDocument, node)
        out.add(un, PKG.parentDocument, _doc(parent))
        out.add(un, PKG.parentMeasure, _measure(parent, key))
        out.add(un, PKG.implementingLinkCount, lit(n))
        out.add(un, PKG.ratedLinkCount, lit(rated))
        out.add(un, PKG.bestCopyRate, Lit(best) if best is not None else None)
        out.add(un, PKG.weakLinkCount, lit(weak))
        out.add(un, PKG.bestWeakScore, lit(best_weak) if best_weak is not None else None)
        _uptake_values(out, un, b, job, entry, parent, key, covered.get(parent))
    if any(_has_text(job, parent) for parent in parents):
        _innovations(out, node, doc_id, named, implements, mine, b, job)
    _dropped(out, doc_id, b, job, implements)


def _uptake_values(out: _Lines, un: str, b, job: dict, entry, parent: str, key: str, coverage) -> None:
    """What the gaps and diffusion rows print of an uptake: the child's identifier, level and
    region, and, when the parent measure is one those queries list (a measure of a document
    with text that some document implements), the parent's identifier and level and the
    measure's key, index, number and title; the parent coverage it belongs to, if any."""
    document_values(out, un, b, entry, region=True)
    id_sort_parts(out, un, entry.id)
    if _has_text(job, parent) and parent in implemented(job):
        if measure_values(out, un, job, parent, key, "parent"):
            document_values(out, un, b, job["results"][parent].entry, "parent")
            id_sort_parts(out, un, parent, "parent")
    out.add(un, PKG.partOfCoverage, coverage)


def _unreached(out: _Lines, doc_id: str, b, job: dict) -> None:
    """A measure of this document, which has text and which some document implements, that no
    implementing or weak alignment of any document reaches: the diffusion row with no child."""
    if doc_id not in implemented(job):
        return
    entry, hit = job["results"][doc_id].entry, reached(job)
    for key in sorted(_measure_keys(job, doc_id)):
        if (doc_id, key) in hit:
            continue
        pm = _measure(doc_id, key)
        rn = f"{pm}/unreached"
        out.add(rn, RDF.type, PKG.UnreachedMeasure)
        out.add(rn, PKG.parentMeasure, pm)
        measure_values(out, rn, job, doc_id, key, "parent")
        document_values(out, rn, b, entry, "parent")
        id_sort_parts(out, rn, doc_id, "parent")


def _innovations(out: _Lines, node: str, doc_id: str, named, implements, mine: set[str], b, job: dict) -> None:
    implementing = {source for source, _, _ in implements}
    weak: dict[str, list] = {}
    for _, k in named:
        if k.status == "weak" and k.relation == "implements":
            w = weak.setdefault(k.source_key, [0, None])
            s = score(k.score)
            w[0] += 1
            w[1] = s if w[1] is None else max(w[1], s)
    for key in sorted(mine - implementing):
        n, best = weak.get(key, (0, None))
        inn = f"{node}/innovation/{quote(key, safe='')}"
        out.add(inn, RDF.type, PKG.LocalInnovation)
        out.add(inn, PKG.summaryOf, node)
        out.add(inn, PKG.childMeasure, _measure(doc_id, key))
        out.add(inn, PKG.weakLinkCount, lit(n))
        out.add(inn, PKG.bestWeakScore, lit(best) if best is not None else None)
        document_values(out, inn, b, job["results"][doc_id].entry, level=False)
        measure_values(out, inn, job, doc_id, key, "child")


def _dropped(out: _Lines, doc_id: str, b, job: dict, implements) -> None:
    own = {m.key: m for m in job["results"][doc_id].doc.measures}
    parents: dict[str, dict] = {}
    for source, parent, key in sorted(implements):
        pd = job["results"].get(parent)
        if pd is None or pd.doc is None:
            continue
        measures = parents.get(parent)
        if measures is None:
            measures = parents[parent] = {m.key: m for m in pd.doc.measures}
        pm, cm = measures.get(key), own.get(source)
        if pm is None or not pm.agencies:
            continue
        kept: set[str] = set()
        for a in cm.agencies if cm is not None else ():
            agency = _agency(b, a)
            kept.add(str(agency))
            known = b.agencies.get(agency)
            if known is not None and known.counterpart is not None:
                kept.add(str(known.counterpart))
        parent_measure = _measure(parent, key)
        for i, a in enumerate(pm.agencies, 1):
            agency = str(_agency(b, a))
            if agency in kept:
                continue
            dn = f"{_measure(doc_id, source)}/dropped/{quote(parent, safe='')}/{quote(key, safe='')}/{i}"
            out.add(dn, RDF.type, PKG.DroppedAgency)
            out.add(dn, PKG.childMeasure, _measure(doc_id, source))
            out.add(dn, PKG.parentMeasure, parent_measure)
            out.add(dn, PKG.droppedResponsibility, f"{parent_measure}/responsibility/{i}")
            out.add(dn, PKG.droppedAgency, agency)
            _dropped_values(out, dn, b, job, doc_id, source, parent, key, a, i)


def _dropped_values(out: _Lines, dn: str, b, job: dict, doc_id: str, source: str, parent: str, key: str, a, i) -> None:
    """What a dropped-agencies row prints: both documents' identifiers, both measures' keys
    (and the child's index, its order), the agency's name and its role and rank."""
    document_values(out, dn, b, job["results"][doc_id].entry, level=False)
    document_values(out, dn, b, job["results"][parent].entry, "parent", level=False)
    measure_values(out, dn, job, doc_id, source, "child")
    out.add(dn, PKG.parentMeasureKey, lit(key))
    out.add(dn, PKG.agencyName, zh(a.name))
    out.add(dn, PKG.droppedRole, lit(a.role))
    out.add(dn, PKG.droppedRank, lit(i))


def agency_aggregates(b, results: Iterable[Processed]) -> list[str]:
    """Per agency, corpus-wide: the responsibilities it holds and how many it leads; and per
    document, the function loads (minted under the document's IRI, so in its partition)."""
    counts: dict[str, list] = {}  # agency IRI as a str → [lead, total, the builder's key]
    out = _Lines()
    for p in results:
        if p.doc is not None:
            _function_load(out, _doc(p.entry.id), b, p)
        for m in p.doc.measures if p.doc is not None else ():
            for a in m.agencies:
                iri = _agency(b, a)
                c = counts.setdefault(str(iri), [0, 0, iri])
                c[0] += a.role == "lead"
                c[1] += 1
    for agency, (lead, total, iri) in sorted(counts.items()):
        ln = f"{agency}/load"
        out.add(ln, RDF.type, PKG.AgencyLoad)
        out.add(ln, PKG.loadAgency, agency)
        out.add(ln, PKG.leadCount, lit(lead))
        out.add(ln, PKG.responsibilityCount, lit(total))
        agency_values(out, ln, b, iri)
    return out
