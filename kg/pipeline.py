"""``kg all``: the main job — parse, align, build + validate, report, views — into one folder.

The whole output folder is written beside ``out`` and swapped in for it in one step
(kg.core.files.replacing_folder): a reader sees the old outputs or the new ones, never a
mix; a failed or killed run leaves the old ones; outputs of documents no longer in the
corpus vanish with the folder they were in; two runs into one ``out`` at once are refused.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from kg.core.errors import BuildError
from kg.core.files import replacing_folder
from kg.corpus import ReadingProgress, process
from kg.present.output import to_json
from kg.present.records import (
    agencies_records,
    align_records,
    docs_records,
    document_record,
    targets_records,
    warnings_records,
)


@dataclass
class RunSummary:
    out: Path
    written: list[Path] = field(default_factory=list)
    documents: int = 0
    parsed: int = 0
    failed: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # "file: why" for duplicates and unplaced documents
    measures: int = 0
    agencies: int = 0
    targets: int = 0
    warnings: int = 0
    links: dict[str, int] = field(default_factory=dict)  # status -> count
    triples: int = 0
    reports: int = 0


def _jsonl(records) -> str:
    return "".join(to_json(r) + "\n" for r in records)


def run_all(
    data_dir: str | Path, out: str | Path, progress: Optional[Callable[[str], None]] = None, workers: int = 1
) -> RunSummary:
    """Parse, align, build and validate the graph, report and draw the corpus in ``data_dir``
    into ``out``: listings as JSON Lines, ``build/``, ``report/`` and the interactive views.
    ``workers``: processes for parsing, alignment, validation and reports.

    ``out`` is replaced whole, so it must be empty or an earlier ``kg all`` output
    (holding ``build/build.json``); anything else is refused rather than deleted."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or not _is_all_output(out)):
        raise BuildError(f"{out}: exists and is not a `kg all` output (no {BUILD_MANIFEST}); choose another --out")
    # locked from the start, so a second run into ``out`` fails at once, not after parsing
    with replacing_folder(out, "outputs") as new:
        summary = _run_into(new, data_dir, out, progress, workers)
    summary.written = [out / p.relative_to(new) for p in summary.written]
    return summary


BUILD_MANIFEST = "build/build.json"


def _is_all_output(out: Path) -> bool:
    return (out / BUILD_MANIFEST).is_file() or not any(out.iterdir())


def _run_into(new: Path, data_dir, out: Path, progress, workers: int) -> RunSummary:
    """``run_all``, writing into the new folder ``new`` that will replace ``out``."""
    from kg.align import align_corpus
    from kg.present.report import write_report
    from kg.store.build import build

    step = progress or (lambda message: None)
    registry, results = process(data_dir, progress=ReadingProgress(step), workers=workers)
    step("aligning child documents to their parents")
    alignment = align_corpus(data_dir, processed=(registry, results), workers=workers, progress=step)
    links = align_records(alignment)
    summary = RunSummary(out)
    agencies, targets = agencies_records(results), targets_records(results)
    documents = {p.entry.id: document_record(p.doc) for p in results if p.doc}
    files: dict[str, str] = {
        "docs.jsonl": _jsonl(docs_records(results)),
        "agencies.jsonl": _jsonl(agencies),
        "targets.jsonl": _jsonl(targets),
        "warnings.jsonl": _jsonl(warnings_records(results)),
        "alignment.jsonl": _jsonl(links),
        "measures.jsonl": _jsonl({"doc": doc_id, **m} for doc_id, rec in documents.items() for m in rec["measures"]),
    }
    for doc_id, rec in documents.items():
        files[f"documents/{doc_id}.json"] = to_json(rec) + "\n"
    for name, content in sorted(files.items()):
        (new / name).parent.mkdir(parents=True, exist_ok=True)
        (new / name).write_text(content, encoding="utf-8")
        summary.written.append(new / name)
    if (out / BUILD_MANIFEST).is_file():  # the previous build's record of what it validated, reused
        (new / "build").mkdir()
        shutil.copyfile(out / BUILD_MANIFEST, new / BUILD_MANIFEST)
    step("building and validating the graph")
    built = build(
        data_dir, new / "build", links=alignment.links, processed=(registry, results), workers=workers, stage=step
    )
    summary.written += [new / "build"]
    summary.triples = built.triples
    step("writing the alignment-gap reports")
    report = write_report(new / "build", new / "report", workers=workers)
    summary.written += [p for p in report.written if p.suffix == ".html"]
    summary.reports = len(report.pairs)
    step("drawing the interactive views")
    from kg.present.viz import write_view

    for view in ("alignment", "agencies"):
        summary.written.append(write_view(new / "build", view, new / f"{view}.html"))
    summary.documents = len(results)
    summary.parsed = sum(1 for p in results if p.doc)
    summary.failed = [f"{p.entry.id}: {p.error}" for p in results if p.error]
    summary.held = [f"{p.entry.file}: {p.held_because}" for p in results if p.held]
    summary.measures = sum(len(p.doc.measures) for p in results if p.doc)
    summary.agencies = len(agencies)
    summary.targets = len(targets)
    summary.warnings = sum(len(p.doc.warnings) for p in results if p.doc)
    for r in links:
        summary.links[r["status"]] = summary.links.get(r["status"], 0) + 1
    return summary
