"""Cross-level alignment: link every child measure to the parent measure it implements.

``align_corpus`` aligns each document to the parents the registry declares (or the pair
asked for) and, for a document below the national level that declares none, to the
parents it discovers with the candidate index (``kg.align.candidates``); it scores with
``kg.align.measures`` (bigrams weighed by one IDF over the whole corpus, status from
relative evidence by ``kg.align.status``), applies the curated overrides and returns plain
``Link`` records; ``kg.align.evaluate`` measures them against labelled pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Optional, Union

from threadpoolctl import threadpool_limits

from kg.align.candidates import CandidateIndex, candidate_documents
from kg.align.discovery import SHORTLIST, align_undeclared, find_parents
from kg.align.measures import PairScores, measure_texts
from kg.align.overrides import load_overrides
from kg.align.pair import align_documents
from kg.core import similarity as text
from kg.core.errors import KgError
from kg.core.model import Link
from kg.core.parallel import run_jobs, shared
from kg.core.progress import Progress
from kg.core.similarity import _jieba
from kg.corpus import LEVELS, Corpus, Entry, Processed, Registry

__all__ = [
    "AlignedPair",
    "Alignment",
    "DiscoveredParent",
    "align_corpus",
    "align_documents",
    "align_undeclared",
    "pairs_to_align",
]


@dataclass
class AlignedPair:
    source: Entry
    target: Entry
    relation: str  # "implements" | "peer"
    links: list[Link]
    scores: PairScores
    discovered: bool = False  # the target was found by parent discovery, not declared
    support: Optional[float] = None  # the candidate index's document support in [0, 1] (None when declared)


@dataclass(frozen=True)
class DiscoveredParent:
    doc: str  # registry id of the parent document
    support: float  # in [0, 1]: how much of the child the candidate index finds in it
    similarity: float  # in [0, 1]: of the child's sentences to its text (1.0: all copied verbatim)


@dataclass
class Alignment:
    registry: Registry
    results: list[Processed]
    pairs: list[AlignedPair] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # pairs that could not be aligned, and why
    # child id -> the parents discovery found for it (only the ``target`` document when
    # one is named), best first; [] when it found none. Only children that declare no
    # parent, are below the national level and have a higher-level document with text.
    discovered: dict[str, list[DiscoveredParent]] = field(default_factory=dict)
    # Sentence pairs compared, the shortlisted documents discovery did not keep included
    # (``pairs`` holds the kept ones only).
    pairs_scored: int = 0

    @property
    def links(self) -> list[Link]:
        return [link for p in self.pairs for link in p.links]


def _relation(source: Entry, target: Entry) -> str:
    if target.id in source.implements or LEVELS.index(target.level) < LEVELS.index(source.level):
        return "implements"
    return "peer"


def pairs_to_align(
    registry: Registry, source: Optional[str] = None, target: Optional[str] = None
) -> list[tuple[Entry, Entry, str]]:
    """(child, parent, relation) pairs: the registry's declared parents, narrowed by
    ``source``/``target``; a pair named on both sides is aligned even if undeclared."""
    if source and target:
        s, t = registry.get(source), registry.get(target)
        if s.id == t.id:
            raise KgError(f"--source and --target name the same document ({s.id})")
        return [(s, t, _relation(s, t))]
    entries = [registry.get(source)] if source else registry.entries
    wanted = registry.get(target).id if target else None
    return [(e, registry.get(p), "implements") for e in entries for p in e.implements if wanted in (None, p)]


def _undeclared(registry: Registry, docs: dict, source: Optional[str], target: Optional[str]) -> list[Entry]:
    """Documents whose parents are to be discovered: below the national level, parsed,
    declaring no parent (only ``source`` when given; none when a pair is named)."""
    if source and target:
        return []
    entries = [registry.get(source)] if source else registry.entries
    return [e for e in entries if not e.implements and e.level != LEVELS[0] and docs.get(e.id) is not None]


def _search_space(registry: Registry, docs: dict, children: list[Entry]):
    """One candidate index over every higher-level document with text, and per child
    level the mask of the documents above it; children with nothing above them are dropped."""
    if not children:
        return None, {}, []
    lowest = max(LEVELS.index(e.level) for e in children)
    level = {e.id: LEVELS.index(e.level) for e in registry.entries if e.level in LEVELS}  # unplaced: no text held
    index = CandidateIndex(
        {e.id: docs[e.id] for e in registry.entries if docs.get(e.id) is not None and level[e.id] < lowest}
    )
    masks = {}
    for name in {e.level for e in children}:
        masks[name] = index.allowed([d for d in index.docs if level[d] < LEVELS.index(name)])
    return index, masks, [e for e in children if masks[e.level].any()]


def _job(kind: str, source_id: str, *args) -> tuple[Optional[list], list[tuple], int]:
    """One unit of alignment work, run in a worker: a declared pair ("pair", child, parent,
    relation) or a discovery ("discover", child, level). Returns (the discovered parents
    or None, [(target id, relation, support, packed links, detached scores)], sentence
    pairs scored)."""
    docs, table = shared()["docs"], shared()["table"]
    if kind == "pair":
        target_id, relation = args
        links, scores = align_documents(docs[source_id], docs[target_id], source_id, target_id, relation, table)
        return None, [(target_id, relation, None, scores.pack(links), scores.detach())], scores.pairs_scored
    index, masks, wanted = shared()["index"], shared()["masks"], shared()["wanted"]
    shortlisted = find_parents(docs[source_id], source_id, docs, index, masks[args[0]], table)
    found = [f for f in shortlisted if f.kept and wanted in (None, f.doc)]
    return (
        [DiscoveredParent(f.doc, f.support, f.similarity) for f in found],
        [(f.doc, "implements", f.support, f.scores.pack(f.links), f.scores.detach()) for f in found],
        sum(f.scores.pairs_scored for f in shortlisted),
    )


def _family(job: tuple) -> Optional[str]:
    """The parent of a declared pair: on a cluster, the children of one parent go in one task."""
    return job[2] if job[0] == "pair" else None


class _Reads:
    """The documents a job reads, so that on a cluster its task is sent only those (not the
    corpus): a pair's child and parent; a discovery's child and the documents its shortlist
    names. The candidate index is deterministic, so the shortlist found here (on the client,
    called for each discovery job only on a cluster) is the one the worker finds."""

    def __init__(self, docs: dict, index: Optional[CandidateIndex], masks: dict):
        self.docs, self.index, self.masks = docs, index, masks

    def __call__(self, job: tuple) -> tuple[str, ...]:
        if job[0] == "pair":
            return job[1], job[2]
        found = candidate_documents(self.docs[job[1]], self.index, SHORTLIST, self.masks[job[2]])
        return (job[1], *(doc for doc, _ in found))


def align_corpus(
    corpus: Corpus,
    source: Optional[str] = None,
    target: Optional[str] = None,
    overrides: Union[str, Path, None, bool] = None,
    workers: int = 1,
    progress: Optional[Progress] = None,
    discover: bool = True,
) -> Alignment:
    """Align a processed corpus (``kg.corpus.process``). ``overrides``: a CSV path, None for
    the installed mappings/alignment_overrides.csv, or False to see the tool's own links only.
    ``discover``: find the parents of documents that declare none (see ``Alignment.discovered``).
    ``workers`` > 1 aligns document pairs in that many processes (large corpora);
    ``progress`` is told of each pair as it is done."""
    if isinstance(corpus, (str, Path)):
        raise TypeError("align_corpus takes a processed corpus: align_corpus(kg.process(folder))")
    registry, results = corpus
    docs = {p.entry.id: p.doc for p in results}
    entries = {e.id: e for e in registry.entries}
    order = {e.id: i for i, e in enumerate(registry.entries)}
    out = Alignment(registry, results)
    table = None
    if overrides is not False:
        table = _with_ids(load_overrides(overrides), registry, out.skipped if overrides is None else None)
    jobs = []
    for s, t, relation in pairs_to_align(registry, source, target):
        missing = [e for e in (s, t) if docs.get(e.id) is None]
        if missing:
            why = "registered without text" if not missing[0].file else "failed to parse"
            out.skipped.append(f"{s.id} → {t.id}: {missing[0].id} {why}")
            continue
        jobs.append(("pair", s.id, t.id, relation))
    index, masks, children = _search_space(
        registry, docs, _undeclared(registry, docs, source, target) if discover else []
    )
    jobs += [("discover", e.id, e.level) for e in children]
    jobs.sort(key=lambda job: order[job[1]])  # registry order; stable, so declared pairs keep theirs
    if workers > 1:
        _jieba()  # loaded once here, inherited by the forked workers
    wanted = registry.get(target).id if target else None
    # One bigram IDF for every pair (and discovery), over every measure of the corpus.
    idf = text.BigramIdf.of([t for d in docs.values() if d is not None for t in measure_texts(d)])
    # The matrices of one pair are small: BLAS threads (and, with a process per core,
    # rapidfuzz threads) would only contend for the cores.
    with (
        threadpool_limits(limits=1, user_api="blas"),
        text.threads(1 if workers > 1 else text.WORKERS),
        text.corpus_idf(idf),
    ):
        done = run_jobs(
            _job,
            jobs,
            workers,
            shared={"docs": docs, "table": table, "index": index, "masks": masks, "wanted": wanted},
            family=_family,
            parts={"docs": _Reads(docs, index, masks)},
        )
        for k, (job, (found, aligned, scored)) in enumerate(zip(jobs, done), 1):
            s = entries[job[1]]
            out.pairs_scored += scored
            for target_id, relation, support, packed, detached in aligned:
                scores = PairScores.attach(docs[s.id], docs[target_id], detached)
                out.pairs.append(
                    AlignedPair(
                        s, entries[target_id], relation, scores.unpack(packed), scores, found is not None, support
                    )
                )
            if found is not None:
                out.discovered[s.id] = found
            if progress:
                what = (
                    f"aligned {s.id} → {job[2]}"
                    if found is None
                    else f"discovered {', '.join(f.doc for f in found) or 'no parent'} for {s.id}"
                )
                progress(f"{what} ({k}/{len(jobs)})")
    return out


def _with_ids(table, registry: Registry, notes: Optional[list[str]] = None):
    """Rows of a curated table (overrides, labels) with documents named by registry id.

    A row naming a document this corpus lacks is an error, unless ``notes`` is given (the
    installed table, curated for the seed corpus, used on another corpus): then the row
    is reported there and not applied.
    """
    rows, items = table
    out = []
    for item in items:
        ids = {}
        for col in ("source_doc", "target_doc"):
            try:
                ids[col] = registry.get(getattr(item, col)).id
            except KgError:
                if notes is None:
                    raise rows.error(item.line, col, f"no document “{getattr(item, col)}” in the registry") from None
                notes.append(
                    f"{rows.label} line {item.line}: no document “{getattr(item, col)}” in this corpus; row not applied"
                )
                break
        else:
            out.append(replace(item, **ids))
    return rows, out
