"""Evaluate alignment against hand labels (mappings/alignment_labels.csv).

Two questions, each with precision, recall and accuracy over the labelled child measures:

- top-1: is the parent the tool proposes (at any status) the labelled one?
- aligned: are the links the tool marks ``aligned`` right, and how many labelled links
  does it mark ``aligned``? (weak and unaligned count as "no link asserted")

A prediction and a label of "no parent" agree; they count for accuracy only. The error
that matters most to a researcher, a link marked ``aligned`` to the wrong parent (or to a
parent where the label says there is none), is counted apart as ``confident_wrong``.

One labels file serves several corpora (the seeds, a folder of the shared PDFs): rows
naming a document the evaluated corpus lacks are skipped, with one note for them all.
``sweep`` recomputes the aligned figures for other margins (``status.MARGIN_ALIGNED``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional, Union

from kg.align import AlignedPair, Alignment, _with_ids
from kg.align.measures import PREAMBLE
from kg.align.overrides import check_title, resolve_measure
from kg.align.status import relative_evidence
from kg.core.resources import mapping_path
from kg.curated.mappings import Rows

COLUMNS = ("source_doc", "source_measure", "target_doc", "target_measure", "note")
# Titles as the labeller read them, checked against the text (a number naming another
# measure is an error); not used for scoring.
OPTIONAL = ("source_title", "target_title")
FILENAME = "alignment_labels.csv"


@dataclass(frozen=True)
class Label:
    source_doc: str
    source_measure: str
    target_doc: str
    target_measure: Optional[str]
    note: str
    line: int
    source_title: str = ""
    target_title: str = ""


def load_labels(path: Union[str, Path, None] = None) -> tuple[Rows, list[Label]]:
    rows = Rows(Path(path) if path is not None else mapping_path(FILENAME), COLUMNS, OPTIONAL)
    out = []
    for line, r in rows:
        rows.require(line, r, ("source_doc", "source_measure", "target_doc"))
        out.append(
            Label(
                r["source_doc"],
                r["source_measure"],
                r["target_doc"],
                r["target_measure"] or None,
                r["note"],
                line,
                r["source_title"],
                r["target_title"],
            )
        )
    return rows, out


@dataclass
class Metrics:
    precision: float
    recall: float
    accuracy: float
    correct: int  # predicted links that match the label
    predicted: int
    labelled: int  # labels with a parent

    @classmethod
    def of(cls, pairs: list[tuple[Optional[str], Optional[str]]]) -> "Metrics":
        predicted = sum(p is not None for p, _ in pairs)
        labelled = sum(g is not None for _, g in pairs)
        correct = sum(p is not None and p == g for p, g in pairs)
        agree = sum(p == g for p, g in pairs)
        return cls(
            round(correct / predicted, 3) if predicted else 1.0,
            round(correct / labelled, 3) if labelled else 1.0,
            round(agree / len(pairs), 3) if pairs else 1.0,
            correct,
            predicted,
            labelled,
        )


@dataclass
class PairEvaluation:
    source_doc: str
    target_doc: str
    measures: int
    top1: Metrics
    aligned: Metrics
    errors: list[str] = field(default_factory=list)  # 十八 → 十六 (label 十七)
    confident_wrong: int = 0  # links marked ``aligned`` to parents (primary and ``also``) the label does not name


def _gold(pair: AlignedPair, labels: list[Label], rows: Rows) -> dict[str, Optional[str]]:
    gold = {}
    for lab in labels:
        if (lab.source_doc, lab.target_doc) != (pair.source.id, pair.target.id):
            continue
        key = resolve_measure(pair.scores.child, lab.source_measure)
        if key is None:
            raise rows.error(lab.line, "source_measure", f"{lab.source_doc} has no measure “{lab.source_measure}”")
        check_title(rows, lab.line, "source_title", pair.scores.child, pair.source.id, key, lab.source_title)
        target = None
        if lab.target_measure:
            target = resolve_measure(pair.scores.parent, lab.target_measure, missing_ok=True)
            if target is None:
                raise rows.error(lab.line, "target_measure", f"{lab.target_doc} has no measure “{lab.target_measure}”")
            check_title(rows, lab.line, "target_title", pair.scores.parent, pair.target.id, target, lab.target_title)
        gold[key] = target
    return gold


def _number(key: Optional[str]) -> str:
    from kg.core.numerals import int_to_cn

    return "none" if key is None else int_to_cn(int(key)) if key.isdigit() else key


def _labels_here(alignment: Alignment, labels, notes: Optional[list[str]]) -> tuple[Rows, list[Label]]:
    """The labels naming documents of this corpus; one note in ``notes`` for the rows skipped."""
    skipped: list[str] = []
    rows, labs = _with_ids(load_labels(labels), alignment.registry, skipped)
    if skipped and notes is not None:
        notes.append(f"{rows.label}: {len(skipped)} rows name documents not in this corpus; not evaluated")
    return rows, labs


def evaluate(
    alignment: Alignment, labels: Union[str, Path, None] = None, notes: Optional[list[str]] = None
) -> list[PairEvaluation]:
    """Top-1 and aligned-status metrics for every aligned pair that has labels; ``notes``
    is told (once) how many label rows name documents this corpus lacks."""
    rows, labs = _labels_here(alignment, labels, notes)
    out = []
    for pair in alignment.pairs:
        gold = _gold(pair, labs, rows)
        if not gold:
            continue
        links = [l for l in pair.links if l.source_key in gold]
        top = [(l.target_key, gold[l.source_key]) for l in links]
        aligned = [(l.target_key if l.status == "aligned" else None, gold[l.source_key]) for l in links]
        numbers = {m.key: m.number for m in pair.scores.child.measures}
        errors = [
            f"{numbers[l.source_key]} → {_number(l.target_key)}"
            f"{''.join(' + ' + _number(k) for k, _ in l.also)} ({l.status}; label {_number(gold[l.source_key])})"
            for l in links
            if l.target_key != gold[l.source_key]
        ]
        # A child merging several parents names the others in ``also``: the labelled parent
        # there is a wrong primary (a top-1 error), not a link to a parent it does not draw on.
        wrong = sum(
            1
            for l in links
            if l.status == "aligned" and gold[l.source_key] not in [l.target_key, *(k for k, _ in l.also)]
        )
        out.append(
            PairEvaluation(
                pair.source.id, pair.target.id, len(links), Metrics.of(top), Metrics.of(aligned), errors, wrong
            )
        )
    return out


def sweep(
    alignment: Alignment, margins: list[float], labels: Union[str, Path, None] = None
) -> list[tuple[float, Metrics]]:
    """Aligned-status metrics if ``status.MARGIN_ALIGNED`` were each of ``margins``, on
    the scorer's best candidate per child measure before lost headings are recovered (so
    the wrong candidates that recovery later moves still count against a low margin): a
    best candidate is asserted when the child is mutual and its margin reaches the value."""
    rows, labs = _labels_here(alignment, labels, None)
    items = []
    for pair in alignment.pairs:
        gold = _gold(pair, labs, rows)
        margin, _, mutual = relative_evidence(pair.scores.score)
        best = pair.scores.score.argmax(axis=1) if pair.scores.score.size else []
        for ci, m in enumerate(pair.scores.child.measures):
            if m.key in gold:
                key = pair.scores.units[int(best[ci])].key
                items.append((None if key == PREAMBLE else key, float(margin[ci]), bool(mutual[ci]), gold[m.key]))
    return [
        (t, Metrics.of([(best if best and mutual and margin >= t else None, g) for best, margin, mutual, g in items]))
        for t in margins
    ]
