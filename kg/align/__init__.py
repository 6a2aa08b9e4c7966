"""Cross-level alignment: link every child measure to the parent measure it implements.

``align_corpus`` aligns each document to the parents the registry declares (or the pair
asked for), scores with ``kg.align.measures``, applies the curated overrides and returns
plain ``Link`` records; ``kg.align.evaluate`` measures them against labelled pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Optional, Union

from threadpoolctl import threadpool_limits

from ..corpus import LEVELS, Entry, Processed, Registry, process
from ..errors import KgError
from ..mappings import load_agencies
from ..model import AgencyRef, Document, Link
from ..parallel import run_jobs, shared
from .candidates import CandidateIndex, candidate_parents, documents_from
from .measures import PairScores, choose, score_pair
from .overrides import apply_overrides, load_overrides
from . import text
from .text import _jieba

__all__ = ["AlignedPair", "Alignment", "align_corpus", "align_documents", "align_undeclared", "pairs_to_align"]


@dataclass
class AlignedPair:
    source: Entry
    target: Entry
    relation: str  # "implements" | "peer"
    links: list[Link]
    scores: PairScores


@dataclass
class Alignment:
    registry: Registry
    results: list[Processed]
    pairs: list[AlignedPair] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # pairs that could not be aligned, and why

    @property
    def links(self) -> list[Link]:
        return [link for p in self.pairs for link in p.links]


def _lift(source_level: Optional[str], target_level: Optional[str]):
    """Agency name as the target document's level would print it: 市工信局 → 省工业和信息化厅."""
    steps = (LEVELS.index(source_level) - LEVELS.index(target_level)) if source_level in LEVELS and target_level in LEVELS else 1
    table = load_agencies()

    def up(a: AgencyRef) -> str:
        name = a.name
        for i in range(max(steps, 0)):
            nxt = a.counterpart if i == 0 else (table.by_name[name].counterpart if name in table.by_name else "")
            if not nxt:
                break
            name = nxt
        return name

    return up


def align_documents(child: Document, parent: Document, source_id: str = "child", target_id: str = "parent",
                    relation: str = "implements", overrides=None,
                    candidates: Optional[set[str]] = None) -> tuple[list[Link], PairScores]:
    """Align two parsed documents; ``overrides`` is ``load_overrides()``'s result or None;
    ``candidates`` limits the parent measures scored (see ``kg.align.candidates``)."""
    scores = score_pair(child, parent, _lift(child.level, parent.level), candidates)
    links = choose(scores, source_id, target_id, relation)
    if overrides is not None:
        links = apply_overrides(links, scores, source_id, target_id, overrides[1], overrides[0])
    return links, scores


def align_undeclared(child: Document, child_id: str, parents: dict[str, Document],
                     index: Optional[CandidateIndex] = None, k: int = 10, top: int = 3,
                     overrides=None) -> tuple[list[Link], int]:
    """Align a child whose parents are not declared: find candidate parent measures in
    ``parents`` (id → Document, the higher-level documents) with the candidate index, pick
    the documents they point to, and align the child to each of them scoring only the
    candidate measures (and the preamble).

    Returns (links, pairs_scored): one link per child measure per candidate document,
    best document first, and the sentence pairs scored. Build ``index`` once
    (``CandidateIndex(parents)``) when aligning many children.
    """
    index = index if index is not None else CandidateIndex(parents)
    candidates = candidate_parents(child, index, k)
    links: list[Link] = []
    pairs = 0
    for doc_id, _ in documents_from(candidates, top):
        keys = {key for row in candidates for d, key, _ in row if d == doc_id}
        found, scores = align_documents(child, parents[doc_id], child_id, doc_id, "implements", overrides, keys)
        links += found
        pairs += scores.pairs_scored
    return links, pairs


def _relation(source: Entry, target: Entry) -> str:
    if target.id in source.implements or LEVELS.index(target.level) < LEVELS.index(source.level):
        return "implements"
    return "peer"


def pairs_to_align(registry: Registry, source: Optional[str] = None, target: Optional[str] = None) -> list[tuple[Entry, Entry, str]]:
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


def _align_job(source_id: str, target_id: str, relation: str) -> tuple[list[Link], tuple]:
    docs, table = shared()["docs"], shared()["table"]
    links, scores = align_documents(docs[source_id], docs[target_id], source_id, target_id, relation, table)
    return links, scores.detach()


def align_corpus(data_dir: Union[str, Path], source: Optional[str] = None, target: Optional[str] = None,
                 overrides: Union[str, Path, None, bool] = None, processed=None, workers: int = 1,
                 progress: Optional[Callable[[str], None]] = None) -> Alignment:
    """Align the corpus in ``data_dir``. ``overrides``: a CSV path, None for the installed
    mappings/alignment_overrides.csv, or False to see the tool's own links only.
    ``workers`` > 1 aligns document pairs in that many processes (large corpora);
    ``progress`` is told of each pair as it is done."""
    registry, results = processed or process(data_dir)
    docs = {p.entry.id: p.doc for p in results}
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
        jobs.append((s, t, relation))
    if workers > 1:
        _jieba()  # loaded once here, inherited by the forked workers
    # The matrices of one pair are small: BLAS threads (and, with a process per core,
    # rapidfuzz threads) would only contend for the cores.
    with threadpool_limits(limits=1, user_api="blas"), text.threads(1 if workers > 1 else text.WORKERS):
        done = run_jobs(_align_job, [(s.id, t.id, relation) for s, t, relation in jobs], workers,
                        shared={"docs": docs, "table": table})
        for k, ((s, t, relation), (links, detached)) in enumerate(zip(jobs, done), 1):
            scores = PairScores.attach(docs[s.id], docs[t.id], detached)
            out.pairs.append(AlignedPair(s, t, relation, links, scores))
            if progress:
                progress(f"aligned {s.id} → {t.id} ({k}/{len(jobs)})")
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
                notes.append(f"{rows.label} line {item.line}: no document “{getattr(item, col)}” in this corpus; row not applied")
                break
        else:
            out.append(replace(item, **ids))
    return rows, out
