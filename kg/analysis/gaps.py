"""``kg gaps``: coverage gaps, local innovations, weak links, target changes and agency gaps,
read from the built graph with the SPARQL of ``kg/queries/gaps/`` (never from the text).

``gaps(out)`` returns one ``Gap`` per finding, ``coverage(out)`` one ``Coverage`` per child
and parent document pair. Only aligned and curated links (plain ``eli:implements``)
implement a parent measure; weak links are listed as ``weak_link`` for a person to confirm,
shown as candidates on the other kinds, and flagged by ``status`` where they are compared.

>>> classify(_t(98, "%", ">="), _t(98, "%", ">="))
'kept'
>>> classify(_t(30, "家", ">="), _t(20, "家", "="))
'raised'
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Optional

from rapidfuzz import fuzz

from kg.analysis import GAP_KINDS
from kg.analysis.evidence import failed
from kg.core.errors import KgError
from kg.core.resources import package_text
from kg.rdf.vocab import sparql_prefixes
from kg.store.query import opened, restrict, run_query

KINDS = GAP_KINDS
CHANGES = ("kept", "raised", "lowered", "dropped", "new", "not_comparable")
SAME_INDICATOR = 90  # rapidfuzz ratio of normalised indicators: the same indicator
RELATED_INDICATOR = 60  # partial ratio: related wording, but not the same indicator
COPIED = 0.85  # evidence score from which a parent sentence counts as carried over (coverage.rq)
# words that set the scope or phrasing of an indicator rather than what is measured
_SCOPE = re.compile(r"全省|全市|全县|全区|省级以上|省级|市级以上|市级|国家级|以上|总数|总量|累计|达到|力争|基本")
_PUNCT = re.compile(r"[\s、，。；：“”‘’（）()《》,.;:\-—]+")


@dataclass
class Gap:
    """One finding of ``kg gaps``; fields a kind does not use are None."""

    kind: str
    child_doc: str
    parent_doc: str
    child_measure: Optional[str] = None
    child_number: Optional[str] = None
    child_title: Optional[str] = None
    parent_measure: Optional[str] = None
    parent_number: Optional[str] = None
    parent_title: Optional[str] = None
    score: Optional[float] = None
    status: Optional[str] = None  # link status: aligned | weak (weak_link, target_change)
    method: Optional[str] = None
    heading_lost: Optional[bool] = None
    agencies: list[str] = field(default_factory=list)  # unimplemented: the parent's; agency_gap: the other side's
    agency: Optional[str] = None  # agency_gap: the lead without a counterpart
    side: Optional[str] = None  # agency_gap: whose lead it is (parent | child)
    change: Optional[str] = None  # target_change: kept | raised | lowered | dropped | new | not_comparable
    indicator: Optional[str] = None
    child_target: Optional[str] = None
    parent_target: Optional[str] = None
    child_value: Optional[float] = None
    parent_value: Optional[float] = None
    unit: Optional[str] = None
    detail: str = ""

    def record(self) -> dict:
        return asdict(self)


@dataclass
class Coverage:
    """How much of a parent document a child document implements and carries over."""

    child_doc: str
    parent_doc: str
    parent_measures: int
    implemented: int
    child_measures: int
    with_parent: int
    parent_sentences: int
    copied: int
    kind: str = "coverage"

    def record(self) -> dict:
        share = lambda a, b: round(a / b, 3) if b else None  # noqa: E731
        return {
            "kind": self.kind,
            "child_doc": self.child_doc,
            "parent_doc": self.parent_doc,
            "parent_measures": self.parent_measures,
            "implemented": self.implemented,
            "implemented_share": share(self.implemented, self.parent_measures),
            "child_measures": self.child_measures,
            "with_parent": self.with_parent,
            "with_parent_share": share(self.with_parent, self.child_measures),
            "parent_sentences": self.parent_sentences,
            "copied_sentences": self.copied,
            "copy_rate": share(self.copied, self.parent_sentences),
        }


def query_text(name: str) -> str:
    """The SPARQL of ``kg/queries/gaps/<name>.rq``."""
    return package_text("queries", "gaps", f"{name}.rq")


def _rows(
    out, name: str, timeout: Optional[float], child: Optional[str] = None, parent: Optional[str] = None
) -> list[dict]:
    """The rows of a gaps query, restricted in SPARQL to the child and parent documents asked for."""
    only = {var: [doc] for var, doc in (("child_doc", child), ("parent_doc", parent)) if doc is not None}
    return run_query(out, restrict(query_text(name), only), timeout=timeout).rows


def _key(k) -> tuple:
    return (0, int(k), "") if str(k).isdigit() else (1, 0, str(k))


# ------------------------------------------------------------------ the kinds


def unimplemented(out, child=None, parent=None, timeout=None) -> list[Gap]:
    """Parent measures no child measure implements, with the parent's agencies (lead first)."""
    found: dict[tuple, Gap] = {}
    weak: dict[tuple, dict] = {}
    for r in _rows(out, "unimplemented", timeout, child, parent):
        k = (r["child_doc"], r["parent_doc"], r["parent_key"])
        g = found.setdefault(
            k,
            Gap(
                "unimplemented",
                r["child_doc"],
                r["parent_doc"],
                parent_measure=r["parent_key"],
                parent_number=r["parent_number"],
                parent_title=r["parent_title"],
                heading_lost=bool(r["heading_lost"]),
            ),
        )
        if r["agency_name"] and r["agency_name"] not in g.agencies:
            g.agencies.append(r["agency_name"])
        if r["weak_key"]:
            weak.setdefault(k, {})[r["weak_key"]] = (r["weak_number"], r["weak_score"])
    for k, g in found.items():
        notes = []
        if g.heading_lost:
            notes.append("heading lost in the parent text; known from a link's evidence")
        cands = sorted(weak.get(k, {}).items(), key=lambda kv: _key(kv[0]))
        if cands:
            notes.append("weak candidates: " + ", ".join(f"（{n}）{s:.3f}" for _, (n, s) in cands))
        elif not g.heading_lost:
            notes.append("no candidate")
        g.detail = "; ".join(notes)
    return list(found.values())


def local_innovations(out, child=None, parent=None, timeout=None) -> list[Gap]:
    """Child measures that implement no parent measure (per parent document with text)."""
    found: dict[tuple, Gap] = {}
    weak: dict[tuple, list] = {}
    for r in _rows(out, "local-innovations", timeout, child, parent):
        k = (r["child_doc"], r["parent_doc"], r["child_key"])
        found.setdefault(
            k,
            Gap(
                "local_innovation",
                r["child_doc"],
                r["parent_doc"],
                child_measure=r["child_key"],
                child_number=r["child_number"],
                child_title=r["child_title"],
            ),
        )
        if r["weak_key"]:
            weak.setdefault(k, []).append(r)
    for k, g in found.items():
        cands = weak.get(k, [])
        g.detail = (
            (
                "weak candidates: "
                + ", ".join(
                    f"（{w['weak_number']}）{w['weak_score']:.3f}" + (" heading lost" if w["weak_heading_lost"] else "")
                    for w in cands
                )
            )
            if cands
            else "no candidate in the parent"
        )
    return list(found.values())


def weak_links(out, child=None, parent=None, timeout=None) -> list[Gap]:
    """Links the aligner marked weak: a person confirms or overrides them."""
    out_ = []
    for r in _rows(out, "weak-links", timeout, child, parent):
        lost = bool(r["heading_lost"])
        out_.append(
            Gap(
                "weak_link",
                r["child_doc"],
                r["parent_doc"],
                r["child_key"],
                r["child_number"],
                r["child_title"],
                r["parent_key"],
                r["parent_number"],
                r["parent_title"],
                score=r["score"],
                status="weak",
                method=r["method"],
                heading_lost=lost,
                detail=f"{r['evidence']} evidence sentence pairs"
                + ("; parent heading lost in the text" if lost else "")
                + "; confirm or reject in mappings/alignment_overrides.csv",
            )
        )
    return out_


def agency_gaps(out, child=None, parent=None, timeout=None) -> list[Gap]:
    """Lead agencies of one side of an implementing pair with no counterpart on the other side."""
    found = _rows(out, "agency-gaps", timeout, child, parent)
    docs = sorted({r[side] for r in found for side in ("child_doc", "parent_doc")})
    names: dict[tuple, list[str]] = {}
    if docs:
        for r in run_query(out, restrict(query_text("measure-agencies"), {"doc": docs}), timeout=timeout).rows:
            names.setdefault((r["doc"], r["key"]), []).append(r["name"])
    meta = _measure_meta(out, timeout, docs, whole=child is None and parent is None)
    out_ = []
    for r in found:
        other = (r["child_doc"], r["child_key"]) if r["side"] == "parent" else (r["parent_doc"], r["parent_key"])
        c, p = meta.get((r["child_doc"], r["child_key"]), {}), meta.get((r["parent_doc"], r["parent_key"]), {})
        where = "child measure" if r["side"] == "parent" else "parent measure"
        out_.append(
            Gap(
                "agency_gap",
                r["child_doc"],
                r["parent_doc"],
                r["child_key"],
                c.get("number"),
                c.get("title"),
                r["parent_key"],
                p.get("number"),
                p.get("title"),
                agencies=list(dict.fromkeys(names.get(other, []))),
                agency=r["name"],
                side=r["side"],
                detail=f"{r['side']} lead {r['name']} has no counterpart among the {where}'s agencies",
            )
        )
    return out_


MEASURES_LOOKUP = (
    sparql_prefixes("eli", "pkg", "dcterms")
    + """SELECT ?doc ?key ?number ?title WHERE {
  ?m a pkg:Measure ; pkg:key ?key ; eli:number ?number ; eli:is_part_of/dcterms:identifier ?doc .
  # VALUES ?doc
  OPTIONAL { ?m eli:title ?title }
}"""
)
MEASURES_WHOLE = (
    sparql_prefixes("eli", "pkg", "dcterms")
    + """SELECT ?doc ?key ?number ?title WHERE {
  { SELECT ?d ?doc WHERE { ?d dcterms:identifier ?doc } }
  { SELECT ?m ?d WHERE { ?m eli:is_part_of ?d } }
  { SELECT ?m WHERE { ?m a pkg:Measure } }
  { SELECT ?m ?key WHERE { ?m pkg:key ?key } }
  { SELECT ?m ?number WHERE { ?m eli:number ?number } }
  OPTIONAL { ?m eli:title ?title }
}"""
)


def _measure_meta(out, timeout, docs: list[str], whole: bool = False) -> dict[tuple, dict]:
    """Number and title of the measures of ``docs``, by (document, key). ``whole``: the
    findings are corpus-wide, so every measure is read in one pass and joined by hash (11 s
    against 3 s at 1,000 documents); for a pair, its measures are looked up (30 ms against 0.5 s)."""
    if not docs:
        return {}
    rows = run_query(out, MEASURES_WHOLE if whole else restrict(MEASURES_LOOKUP, {"doc": docs}), timeout=timeout).rows
    wanted = set(docs)
    return {(r["doc"], r["key"]): r for r in rows if r["doc"] in wanted}


# ------------------------------------------------------------------ targets


@dataclass
class _T:
    value: Optional[float]
    unit: str
    comparator: Optional[str]
    year: Optional[int] = None
    indicator: str = ""
    text: str = ""
    iri: str = ""
    value_max: Optional[float] = None


def _t(value, unit, comparator, year=2025, indicator="x"):
    return _T(value, unit, comparator, year, indicator)


def norm_indicator(s: str) -> str:
    """An indicator without scope words and punctuation: 全省省级绿色园区 → 绿色园区."""
    return _PUNCT.sub("", _SCOPE.sub("", s or ""))


def _unit_kind(t: _T) -> str:
    if t.value is None:
        return "dated"
    return "%" if "%" in t.unit or "％" in t.unit else t.unit


def classify(child: _T, parent: _T) -> str:
    """kept / raised / lowered for the same indicator: ambition, so a lower ceiling (<=)
    or an earlier deadline is raised; a number equal to the parent's is kept."""
    if child.value is None or parent.value is None:
        if child.year == parent.year or child.year is None or parent.year is None:
            return "kept"
        return "raised" if child.year < parent.year else "lowered"
    if child.value == parent.value and (child.value_max == parent.value_max):
        return "kept"
    higher = child.value > parent.value
    if "<" in (child.comparator or "") or "<" in (parent.comparator or ""):
        higher = not higher
    return "raised" if higher else "lowered"


def _match(children: list[_T], parents: list[_T]):
    """Pairs of the same indicator (and unit kind), then related-but-different ones, then the rest."""
    pairs, used_c, used_p = [], set(), set()
    scored = sorted(
        (
            (fuzz.ratio(norm_indicator(c.indicator), norm_indicator(p.indicator)), i, j)
            for i, c in enumerate(children)
            for j, p in enumerate(parents)
            if _unit_kind(c) == _unit_kind(p)
        ),
        key=lambda x: (-x[0], x[1], x[2]),
    )
    for s, i, j in scored:
        if s >= SAME_INDICATOR and i not in used_c and j not in used_p:
            pairs.append((children[i], parents[j], s))
            used_c.add(i)
            used_p.add(j)
    related = {}
    for i, c in enumerate(children):
        if i in used_c:
            continue
        near = [
            parents[j]
            for j, p in enumerate(parents)
            if j not in used_p
            and _unit_kind(c) == _unit_kind(p)
            and fuzz.partial_ratio(norm_indicator(c.indicator), norm_indicator(p.indicator)) >= RELATED_INDICATOR
        ]
        if near:
            related[i] = near
    near_parents = {p.iri for ps in related.values() for p in ps}
    new = [c for i, c in enumerate(children) if i not in used_c and i not in related]
    dropped = [p for j, p in enumerate(parents) if j not in used_p and p.iri not in near_parents]
    return pairs, [(children[i], ps) for i, ps in related.items()], new, dropped


def _fmt(t: _T) -> str:
    if t.value is None:
        return f"{t.indicator}（{t.year or '无年份'}）"
    v = f"{t.value:g}" + (f"–{t.value_max:g}" if t.value_max is not None else "")
    return f"{t.indicator} {t.comparator or ''}{v}{t.unit}" + (f"（{t.year}）" if t.year else "")


def target_changes(out, child=None, parent=None, timeout=None) -> list[Gap]:
    """Child targets against the parent's for each linked pair of measures (aligned, curated
    or weak, flagged by ``status``): kept, raised, lowered, new, dropped, or not comparable."""
    links: dict[tuple, dict] = {}
    for r in _rows(out, "targets", timeout, child, parent):
        k = (r["child_doc"], r["child_key"], r["parent_doc"], r["parent_key"])
        link = links.setdefault(k, {"row": r, "child": {}, "parent": {}})
        link[r["side"]][r["target"]] = _T(
            r["value"],
            r["unit"] or "",
            r["comparator"],
            r["year"],
            r["indicator"] or r["text"],
            r["text"],
            r["target"],
            r["value_max"],
        )
    docs = sorted({doc for k in links for doc in (k[0], k[2])})
    meta = _measure_meta(out, timeout, docs, whole=child is None and parent is None)
    found, compared, dropped_later = [], set(), []
    for (cd, ck, pd, pk), link in links.items():
        r, c, p = link["row"], meta.get((cd, ck), {}), meta.get((pd, pk), {})

        def gap(change, ct=None, pt=None, detail=""):
            return Gap(
                "target_change",
                cd,
                pd,
                ck,
                c.get("number"),
                c.get("title"),
                pk,
                p.get("number"),
                p.get("title"),
                score=r["score"],
                status=r["status"],
                method=r["method"],
                change=change,
                indicator=(ct or pt).indicator,
                child_target=ct.text if ct else None,
                parent_target=pt.text if pt else None,
                child_value=ct.value if ct else None,
                parent_value=pt.value if pt else None,
                unit=(ct or pt).unit or None,
                detail=detail,
            )

        pairs, related, new, dropped = _match(list(link["child"].values()), list(link["parent"].values()))
        for ct, pt, s in pairs:
            compared.add((cd, pd, pt.iri))
            found.append(gap(classify(ct, pt), ct, pt, f"{_fmt(ct)} vs {_fmt(pt)}; indicator similarity {s:.0f}"))
        for ct, pts in related:
            compared.update((cd, pd, pt.iri) for pt in pts)
            found.append(
                gap(
                    "not_comparable",
                    ct,
                    pts[0] if len(pts) == 1 else None,
                    f"{_fmt(ct)} vs "
                    + "; ".join(_fmt(pt) for pt in pts)
                    + ": related wording, different indicator or scope",
                )
            )
        found += [gap("new", ct, None, f"{_fmt(ct)}: no parent target for this indicator") for ct in new]
        dropped_later += [
            (gap("dropped", None, pt, f"{_fmt(pt)}: no child target for this indicator"), pt.iri) for pt in dropped
        ]
    # a parent target compared in another link of the same child document is not dropped, and
    # one two child measures both leave out (or one cited as evidence by two links) is dropped once
    dropped_once: dict[tuple, Gap] = {}
    for g, iri in dropped_later:
        dropped_once.setdefault((g.child_doc, g.parent_doc, iri), g)
    return found + [g for k, g in dropped_once.items() if k not in compared]


# ------------------------------------------------------------------ all of it

FINDERS = {
    "unimplemented": unimplemented,
    "local_innovation": local_innovations,
    "weak_link": weak_links,
    "target_change": target_changes,
    "agency_gap": agency_gaps,
}


def check_documents(out, *ids: Optional[str], timeout: Optional[float] = None) -> None:
    """KgError naming the first of ``ids`` that is not a document of the build in ``out``."""
    wanted = [i for i in ids if i]
    if not wanted:
        return
    q = sparql_prefixes("eli", "dcterms") + """SELECT ?id WHERE { ?d a eli:LegalResource ; dcterms:identifier ?id }"""
    known = {r["id"] for r in run_query(out, q, timeout=timeout).rows}
    for i in wanted:
        if i not in known:
            raise KgError(f"no document “{i}” in the build in {out} (documents: {', '.join(sorted(known))})")
    bad = failed(out)
    for i in wanted:
        if i in bad:
            raise KgError(f"document “{i}” failed, so it has no findings: {bad[i]}")


def gaps(
    out, child: Optional[str] = None, parent: Optional[str] = None, kinds=KINDS, timeout: Optional[float] = None
) -> list[Gap]:
    """Every finding of the kinds asked for on the build in ``out``, by document pair then kind."""
    with opened(out) as build:
        check_documents(build, child, parent, timeout=timeout)
        found = [g for kind in kinds for g in FINDERS[kind](build, child, parent, timeout)]
        bad = failed(build)  # a document with no measure implements nothing: findings on it are the tool's
        found = [g for g in found if g.child_doc not in bad and g.parent_doc not in bad]
    order = {k: i for i, k in enumerate(KINDS)}
    return sorted(
        found,
        key=lambda g: (
            g.child_doc,
            g.parent_doc,
            order[g.kind],
            _key(g.child_measure or ""),
            _key(g.parent_measure or ""),
            g.side or "",
            CHANGES.index(g.change) if g.change else 0,
        ),
    )


def coverage(
    out, child: Optional[str] = None, parent: Optional[str] = None, timeout: Optional[float] = None
) -> list[Coverage]:
    """Coverage figures per child and parent document pair (parents with text)."""
    with opened(out) as build:
        check_documents(build, child, parent, timeout=timeout)
        rows = _rows(build, "coverage", timeout, child, parent)
        bad = failed(build)
        rows = [r for r in rows if r["child_doc"] not in bad and r["parent_doc"] not in bad]
    return [
        Coverage(
            r["child_doc"],
            r["parent_doc"],
            r["parent_measures"],
            r["implemented"],
            r["child_measures"],
            r["with_parent"],
            r["parent_sentences"],
            r["copied"],
        )
        for r in rows
    ]
