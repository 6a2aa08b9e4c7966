"""Is a parsed document scrambled? The parser's own warnings are the evidence.

A web scrape that shuffles passages leaves its headings out of order; one that also
repeats passages leaves duplicated sentences in the body or headings printed twice with
the same title. Out-of-order numbers alone happen in clean documents (a misprint), and so
do a repeated sentence or two; the two together do not (0 of the 147 shared PDFs).
"""

from __future__ import annotations

from kg.core.model import Document

MIN_DUPLICATES = 2  # duplicated passages in the body (a cover title printed twice is one)


def scramble_evidence(doc: Document) -> list[str]:
    """Why ``doc`` reads as scrambled ([] when it does not)."""
    codes = [w.code for w in doc.warnings]
    if "out_of_order" not in codes:
        return []
    duplicates = sum(
        1 for w in doc.warnings if w.code == "duplicate_passage" and not w.message.startswith("front matter")
    )
    repeated = sum(1 for m in doc.measures if len(m.segments) > 1)
    if duplicates < MIN_DUPLICATES and not repeated:
        return []
    out = ["measure numbers out of order"]
    if duplicates:
        out.append(f"{duplicates} duplicated passages")
    if repeated:
        out.append(f"{repeated} headings repeated")
    if "missing_numbers" in codes:
        out.append("measure numbers missing")
    return out
