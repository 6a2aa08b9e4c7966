"""Who a document is in the corpus: its readable id, and which documents it implements.

A document's id is its region, year and short title (``kg docs`` shows them); its parents
are the documents whose titles or document numbers it cites. Duplicates are settled here
too, because the id of the copy that is kept depends on which copy that is.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

from kg.curated.mappings import LEVELS, Region, load_regions

# -- ids ------------------------------------------------------------------------------
WRAPPER = re.compile(r"^(?:.*?(?:印发|转发|发布))?(?:关于)?(?:印发)?")
NOISE = re.compile(r"[\W_]|的通知$|的意见$")


def short_title(title: str, region: Optional[Region] = None, length: int = 24) -> str:
    """The title without its issuer, wrapper (关于印发…的通知) and region, cut to ``length``.

    >>> short_title("江西省人民政府印发关于加快建立健全绿色低碳循环发展经济体系的若干措施的通知")
    '加快建立健全绿色低碳循环发展经济体系的若干措施'
    """
    t = re.sub(r"[《》“”\"'（）()〔〕\s]", "", title or "")
    inner = re.search(r"印发(?:关于)?(.+?)的通知$", t)
    if inner:
        t = inner.group(1)
    t = re.sub(r"^.*?关于", "", t) if "关于" in t[:30] else t
    names = sorted(
        (n for r in ([region] + load_regions().ancestors(region)[1:] if region else []) for n in r.names),
        key=len,
        reverse=True,
    )
    for n in names:
        if t.startswith(n):
            t = t[len(n) :]
            break
    t = re.sub(r"^(?:关于|的)", "", t)
    t = re.sub(r"[^\w]", "", t)
    return t[:length] or "文件"


def readable_id(region: Optional[str], year: Optional[str], title: Optional[str]) -> str:
    """``region-year-short title``, in Chinese: stable across runs and file orders, readable
    by the researchers who read the documents (IRIs percent-encode it).

    >>> readable_id("江西省", "2021-07-08", "江西省人民政府关于加快建立健全绿色低碳循环发展经济体系的若干措施")
    '江西-2021-加快建立健全绿色低碳循环发展经济体系的若干措施'
    """
    r = load_regions().get(region) if region else None
    place = (r.short_name or r.name) if r else "未知地区"
    parts = [place, year[:4] if year else None, short_title(title or "", r)]
    return "-".join(p for p in parts if p)


def unique_id(base: str, taken: set[str], doc_number: Optional[str], file: Optional[str]) -> str:
    """``base``, or with a suffix from the document number ("-6" of 〔2022〕6号), else a
    short stable hash of the file name, when another document has it already."""
    if base not in taken:
        return base
    m = re.search(r"(\d+)\s*号", doc_number or "")
    if m and f"{base}-{m.group(1)}" not in taken:
        return f"{base}-{m.group(1)}"
    digest = hashlib.sha1((file or base).encode("utf-8")).hexdigest()
    n = 6
    while f"{base}-{digest[:n]}" in taken and n < len(digest):
        n += 2
    return f"{base}-{digest[:n]}"


# -- parents from citations -----------------------------------------------------------
def plain_number(number: Optional[str]) -> str:
    """A document number with brackets and spaces unified (国发[2021] 4号 = 国发〔2021〕4号)."""
    return re.sub(r"[\s〔〕\[\]【】（）()]", "", number or "")


def title_key(title: Optional[str]) -> str:
    """A title without issuer and punctuation: what a citation and the document share
    (《国务院关于…的指导意见》 cites 关于…的指导意见; 印发《X》的通知 is cited as X)."""
    t = re.sub(r"[\W_]", "", title or "")
    inner = re.search(r"印发(?:关于)?(.+?)的通知$", t)
    if inner:
        t = inner.group(1)
    i = t.find("关于")
    if 0 <= i <= 40:
        t = t[i + 2 :]
    return t


@dataclass(frozen=True)
class Candidate:
    """A document a citation may name: its id, level, region and the names it is cited by."""

    id: str
    level: Optional[str]
    region: Optional[str]
    titles: tuple[str, ...]
    doc_number: Optional[str] = None
    issued: Optional[str] = None


class CitationIndex:
    """The corpus by document number and title key, to turn citations into parents."""

    def __init__(self, candidates: Iterable[Candidate]):
        self.by_number: dict[str, list[Candidate]] = {}
        self.by_title: dict[str, list[Candidate]] = {}
        for c in candidates:
            if c.doc_number:
                self.by_number.setdefault(plain_number(c.doc_number), []).append(c)
            for t in {title_key(t) for t in c.titles if t}:
                if len(t) >= 6:
                    self.by_title.setdefault(t, []).append(c)

    def parents(self, child: Candidate, citations) -> list[str]:
        """Ids of the cited documents above ``child`` in its own line of regions (a city
        implements its province and the state, not another province), in citation order.
        A document of the same level and region counts when issued no later than the
        child (a national plan implementing the national guidance it cites)."""
        if child.level is None:
            return []
        regions = load_regions()
        here = regions.get(child.region) if child.region else None
        line = {r.name for r in regions.ancestors(here)} if here else set()
        out: list[str] = []
        for c in citations:
            found = self.by_number.get(plain_number(c.doc_number), []) if c.doc_number else []
            found = found or self.by_title.get(title_key(c.title), [])
            for cand in found:
                if cand.id == child.id or cand.level is None or cand.id in out or cand.region not in line:
                    continue
                higher = LEVELS.index(cand.level) < LEVELS.index(child.level)
                peer = cand.region == child.region and (
                    not cand.issued or not child.issued or cand.issued <= child.issued
                )
                if higher or peer:
                    out.append(cand.id)
        return out


# -- the corpus -----------------------------------------------------------------------
def complete_corpus(registry, results) -> None:
    """Fill every field the registry left out from the parsed text, give inferred
    documents readable ids, turn citations into declared parents, and hold back
    duplicates and documents nothing placed (``Processed.held``), with a warning.

    ``registry`` holds every entry (those without text too); ``results`` are changed in place.
    """
    from kg.core.model import Issue
    from kg.corpus.duplicates import find_duplicates

    def inferred(e, name: str) -> bool:
        return e.origin.get(name) == "inferred"

    taken = {e.id for e in registry.entries if not inferred(e, "id")}
    for p in results:
        e, d = p.entry, p.doc
        if d is not None:
            for name, value in (
                ("title", d.title or d.embedded_title),
                ("level", d.level),
                ("region", d.region),
                ("issuers", list(d.issuers)),
                ("issued", d.issued),
                ("doc_number", d.doc_number),
            ):
                if inferred(e, name):
                    setattr(e, name, value)
        if inferred(e, "id"):
            year = e.issued or (re.search(r"\d{4}", e.doc_number or "") or [None])[0]
            base = (
                readable_id(e.region, year, (d.embedded_title or d.title) if d else e.title)
                if d is not None
                else Path(e.file).stem
            )
            e.id = unique_id(base, taken, e.doc_number, e.file)
            taken.add(e.id)
    parsed = {p.entry.id: p.doc for p in results if p.doc is not None}
    registered = {p.entry.id for p in results if not inferred(p.entry, "id")}
    found = find_duplicates(parsed)
    by_id = {p.entry.id: p for p in results}
    rename: dict[str, str] = {}
    for dup, (kept, _) in found.items():
        if inferred(by_id[dup].entry, "id") and inferred(by_id[kept].entry, "id") and kept.startswith(dup + "-"):
            # the copy collected first took the plain id; the copy that is used takes it over
            by_id[dup].entry.id, by_id[kept].entry.id = kept, dup
            rename.update({dup: kept, kept: dup})
    if rename:
        parsed = {rename.get(i, i): d for i, d in parsed.items()}
        found = {rename.get(d, d): (rename.get(k, k), why) for d, (k, why) in found.items()}
    first = {}  # id → its first result (a dict, not a scan of the corpus per duplicate)
    for x in results:
        first.setdefault(x.entry.id, x)
    for dup, (kept, why) in found.items():
        p = first[dup]
        if dup in registered and kept in registered:
            # the registry lists both as documents of their own: its word stands, the likeness is reported
            p.doc.warnings.append(Issue("duplicate_document", f"reads like {kept} ({why}); both registered, both used"))
            continue
        p.doc.warnings.append(Issue("duplicate_document", f"a copy of {kept} ({why}); {kept} is used"))
        parsed[kept].warnings.append(Issue("duplicate_document", f"also collected as {dup} ({why}); this copy is used"))
        p.held, p.doc, p.duplicate_of, p.held_because = p.doc, None, kept, f"duplicate of {kept}"
    for p in results:
        if p.doc is not None and p.entry.level is None:
            p.doc.warnings.append(
                Issue(
                    "unplaced", "no level or region found in the issuer, title, 文号 or text; give them in corpus.yaml"
                )
            )
            p.held, p.doc, p.held_because = p.doc, None, "level and region unknown"
    redirect = {p.entry.id: p.duplicate_of for p in results if p.duplicate_of}
    cands = [
        Candidate(e.id, e.level, e.region, (e.title,), e.doc_number, e.issued)
        for e in registry.entries
        if e.file is None
    ]
    cands += [
        Candidate(
            p.entry.id,
            p.entry.level,
            p.entry.region,
            (p.doc.title, p.doc.embedded_title, p.entry.title),
            p.entry.doc_number,
            p.entry.issued,
        )
        for p in results
        if p.doc is not None
    ]
    index = CitationIndex(cands)
    for p in results:
        e, d = p.entry, p.doc or p.held
        if d is not None and inferred(e, "implements"):
            me = Candidate(e.id, e.level, e.region, (), e.doc_number, e.issued)
            e.implements = list(dict.fromkeys(redirect.get(x, x) for x in index.parents(me, d.citations)))
    # two documents of one level citing each other: keep the link from the later one only
    ids = {p.entry.id: p.entry for p in results}
    for e in ids.values():
        for q in list(e.implements):
            other = ids.get(q)
            if (
                other is not None
                and e.id in other.implements
                and inferred(e, "implements")
                and (e.issued or "") < (other.issued or "")
            ):
                e.implements.remove(q)
