"""The machine-readable records of DESIGN.md's contracts, built from parsed documents.

Field names here are a public contract (documented in the README): add fields, never
rename or drop them.
"""

from __future__ import annotations

from typing import Optional

from kg.core.model import AgencyRef, Document, Measure, Section, Target
from kg.corpus import Processed


def _span(span) -> list[int]:
    return span.as_list()


def agency_record(a: AgencyRef) -> dict:
    return {
        "name": a.name,
        "raw": a.raw,
        "role": a.role,
        "generic": a.generic,
        "mapped": a.mapped,
        "level": a.level,
        "region": a.region,
        "kind": a.kind,
        "counterpart": a.counterpart,
        "function": a.function,
        "span": _span(a.span),
        "page": a.span.page,
    }


def target_record(
    t: Target, doc_id: Optional[str] = None, measure: Optional[Measure] = None, section: Optional[Section] = None
) -> dict:
    rec = {
        "doc": doc_id,
        "number": measure.number if measure else None,
        "section": (measure.section if measure else section.number if section else None),
        "year": t.year,
        "year_start": t.year_start,
        "indicator": t.indicator,
        "value": t.value,
        "value_max": t.value_max,
        "unit": t.unit,
        "comparator": t.comparator,
        "aspirational": t.aspirational,
        "change": t.change,
        "scope": t.scope,
        "baseline_year": t.baseline_year,
        "text": t.text,
        "span": _span(t.span),
        "page": t.span.page,
    }
    if doc_id is None:
        del rec["doc"]
    return rec


def measure_record(m: Measure) -> dict:
    return {
        "number": m.number,
        "index": m.index,
        "key": m.key,
        "section": m.section,
        "title": m.title,
        "text": m.text,
        "sentences": [{"text": s.text, "span": _span(s.span)} for s in m.sentences],
        "responsibility": m.responsibility,
        "agencies": [agency_record(a) for a in m.agencies],
        "targets": [target_record(t, measure=m) for t in m.targets],
        "span": _span(m.span),
        "page": m.span.page,
        "segments": [_span(x) for x in m.segments],
    }


def document_record(d: Document) -> dict:
    """``kg parse FILE --format json``: one object for one document."""
    return {
        "file": d.path,
        "encoding": d.encoding,
        "title": d.title,
        "embedded_title": d.embedded_title,
        "issuers": d.issuers,
        "doc_number": d.doc_number,
        "issued": d.issued,
        "level": d.level,
        "region": d.region,
        "format": d.format,
        "pages": len(d.pages) if d.format == "pdf" else None,
        "citations": [
            {"title": c.title, "doc_number": c.doc_number, "span": _span(c.span), "page": c.span.page}
            for c in d.citations
        ],
        "warnings": [
            {
                "code": w.code,
                "message": w.message,
                "span": _span(w.span) if w.span else None,
                "page": w.span.page if w.span else None,
            }
            for w in d.warnings
        ],
        "sections": [
            {
                "number": s.number,
                "index": s.index,
                "title": s.title,
                "text": s.text,
                "targets": [target_record(t, section=s) for t in s.targets],
                "span": _span(s.span),
            }
            for s in d.sections
        ],
        "targets": [target_record(t) for t in d.targets],
        "measures": [measure_record(m) for m in d.measures],
        "closing": [s.text for s in d.closing],
    }


def docs_records(results: list[Processed]) -> list[dict]:
    """``kg docs``: one record per registered document, failed ones included."""
    out = []
    for p in results:
        e, d = p.entry, p.doc or p.held
        out.append(
            {
                "id": e.id,
                "title": e.title,
                "level": e.level,
                "region": e.region,
                "issued": e.issued,
                "doc_number": e.doc_number,
                "file": e.file,
                "parents": e.implements,
                "measures": len(d.measures) if d else None,
                "agencies": len({a.name for m in d.measures for a in m.agencies}) if d else None,
                "targets": len(d.all_targets()) if d else None,
                "warnings": [str(w) for w in d.warnings] if d else ([p.error] if p.error else []),
                "status": "error" if p.error else ("held" if p.held else "parsed" if d else "no text"),
                "origin": {
                    k: e.origin.get(k, "registered")
                    for k in ("id", "title", "level", "region", "issuers", "issued", "doc_number", "implements")
                },
                "duplicate_of": p.duplicate_of,
                "held_because": p.held_because,
            }
        )
    return out


def targets_records(results: list[Processed]) -> list[dict]:
    """``kg targets``: every target of every parsed document, in document order."""
    return [target_record(t, p.entry.id, m, s) for p in results if p.doc for m, s, t in p.doc.all_targets()]


def agencies_records(results: list[Processed], level: Optional[str] = None) -> list[dict]:
    """``kg agencies``: each agency (name + region) with its lead/support load.

    ``aliases`` joins the curated aliases with the forms actually printed in the texts.
    """
    from kg.curated.mappings import load_agencies

    table = load_agencies()
    rows: dict[tuple, dict] = {}
    for p in results:
        if not p.doc:
            continue
        for m in p.doc.measures:
            for a in m.agencies:
                entry = table.lookup(a.name, (a.region,) if a.region else ()) if a.mapped else None
                row = rows.setdefault(
                    (a.name, a.region),
                    {
                        "name": a.name,
                        "level": a.level,
                        "region": a.region,
                        "kind": a.kind,
                        "function": a.function,
                        "aliases": set(entry.aliases) if entry else set(),
                        "counterpart": a.counterpart,
                        "mapped": a.mapped,
                        "generic": a.generic,
                        "lead": 0,
                        "support": 0,
                        "measures": [],
                    },
                )
                if a.raw != a.name:
                    row["aliases"].add(a.raw)
                row[a.role] += 1
                row["measures"].append({"doc": p.entry.id, "number": m.number, "role": a.role})
    out = []
    for row in rows.values():
        if level and row["level"] != level:
            continue
        row["aliases"] = sorted(row["aliases"])
        out.append(row)
    out.sort(key=lambda r: (-(r["lead"] + r["support"]), -r["lead"], r["region"] or "", r["name"]))
    return out


def warnings_records(results: list[Processed]) -> list[dict]:
    out = []
    for p in results:
        if p.error:
            out.append({"doc": p.entry.id, "code": "error", "message": p.error, "span": None})
        for w in p.doc.warnings if p.doc else []:
            out.append(
                {
                    "doc": p.entry.id,
                    "code": w.code,
                    "message": w.message,
                    "span": _span(w.span) if w.span else None,
                    "page": w.span.page if w.span else None,
                }
            )
    return out


def _measure_side(prefix: str, doc_id: str, doc_title: str, doc: Document, key, recovered: bool, evidence) -> dict:
    m = next((x for x in doc.measures if x.key == key), None) if key is not None else None
    rec = {
        f"{prefix}_doc": doc_id,
        f"{prefix}_doc_title": doc_title,
        f"{prefix}_measure": key,
        f"{prefix}_number": m.number if m else None,
        f"{prefix}_title": m.title if m else None,
        f"{prefix}_text": m.text if m else None,
    }
    if key is not None and m is None and recovered:
        from kg.core.numerals import int_to_cn

        rec[f"{prefix}_number"] = int_to_cn(int(key))
        rec[f"{prefix}_text"] = "".join(dict.fromkeys(e.target.text for e in evidence)) or None
    return rec


def align_records(alignment) -> list[dict]:
    """``kg align``: one record per child measure and parent (or peer) document."""
    out = []
    for pair in alignment.pairs:
        child, parent = pair.scores.child, pair.scores.parent
        titles = {m.key: m.title for m in parent.measures}
        for link in pair.links:
            rec = _measure_side("source", pair.source.id, pair.source.title, child, link.source_key, False, [])
            rec.update(
                _measure_side(
                    "target", pair.target.id, pair.target.title, parent, link.target_key, link.recovered, link.evidence
                )
            )
            rec.update(
                {
                    "score": link.score,
                    "margin": link.margin,
                    "rank": link.rank,
                    "status": link.status,
                    "method": link.method,
                    "relation": link.relation,
                    "recovered": link.recovered,
                    "comment": link.comment,
                    "discovered": link.discovered,
                    "discovery_support": pair.support if link.discovered else None,
                    "evidence": [
                        {
                            "source_sentence": e.source.text,
                            "target_sentence": e.target.text,
                            "score": e.score,
                            "source_span": _span(e.source.span),
                            "target_span": _span(e.target.span),
                            "source_page": e.source.span.page,
                            "target_page": e.target.span.page,
                        }
                        for e in link.evidence
                    ],
                    "runners_up": [{"measure": k, "title": titles.get(k), "score": s} for k, s in link.runners_up],
                    "also": [{"measure": k, "title": titles.get(k), "score": s} for k, s in link.also],
                }
            )
            out.append(rec)
    return out


def evaluation_records(evaluations) -> list[dict]:
    """``kg align --evaluate``: one record per labelled document pair."""
    out = []
    for e in evaluations:
        rec = {"source_doc": e.source_doc, "target_doc": e.target_doc, "measures": e.measures}
        for name in ("top1", "aligned"):
            m = getattr(e, name)
            rec.update(
                {
                    f"{name}_precision": m.precision,
                    f"{name}_recall": m.recall,
                    f"{name}_accuracy": m.accuracy,
                    f"{name}_correct": m.correct,
                    f"{name}_predicted": m.predicted,
                    f"{name}_labelled": m.labelled,
                }
            )
        rec["confident_wrong"] = e.confident_wrong
        rec["errors"] = e.errors
        out.append(rec)
    return out
