"""The one driver of the stages: ``kg all`` (parse, align, build + validate, report, views,
into one folder), ``kg build`` and ``kg align``. Stages take the data of the stage before;
only this module runs them in order.

The whole output folder is written beside ``out`` and swapped in for it in one step
(kg.core.files.replacing_folder): a reader sees the old outputs or the new ones, never a
mix; a failed or killed run leaves the old ones; outputs of documents no longer in the
corpus vanish with the folder they were in; two runs into one ``out`` at once are refused.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from kg.core.errors import BuildError
from kg.core.files import replacing_folder
from kg.core.progress import Progress, or_silent
from kg.corpus import process
from kg.present.output import csv_text, flat_tables, to_json
from kg.present.records import (
    agencies_records,
    align_records,
    docs_records,
    document_record,
    targets_records,
    warnings_records,
)
from kg.store import DEFAULT, MANIFEST


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


# listing → (columns keying its nested tables, list fields another table already holds)
TABLES = {
    "docs": (("id",), ()),
    "measures": (("doc", "key"), ("targets",)),
    "agencies": (("name", "region"), ()),
    "targets": ((), ()),
    "warnings": ((), ()),
    "alignment": (("source_doc", "source_measure", "target_doc", "target_measure"), ()),
}


WORKBOOK = ("docs", "measures", "agencies", "targets", "warnings", "alignment", "alignment_evidence")


def spreadsheet_tables(listings: dict[str, list[dict]]) -> dict[str, str | bytes]:
    """The listings (name → records) as flat CSV tables for spreadsheets
    (``kg.present.output.flat_tables``): ``alignment.csv`` plus ``alignment_evidence.csv``
    keyed by link, and so on; a table with no row is not written. The main tables
    (``WORKBOOK``) also as the sheets of ``tables.xlsx``."""
    from kg.present.workbook import workbook

    out: dict[str, str | bytes] = {}
    tables = {}
    for name, (key, drop) in TABLES.items():
        for table, rows in flat_tables(name, listings[name], key, drop).items():
            if rows:  # no columns to write either
                out[f"{table}.csv"] = csv_text(rows)
                tables[table] = rows
    out["tables.xlsx"] = workbook({name: tables[name] for name in WORKBOOK if name in tables})
    return out


@contextmanager
def _engine(scheduler: Optional[str]):
    """Where parsing and alignment run: local processes, or the Dask cluster at ``scheduler``
    (``kg.core.dask_jobs``)."""
    if scheduler is None:
        yield
        return
    from kg.core.dask_jobs import on_dask

    with on_dask(scheduler):
        yield


def align_folder(
    data_dir: str | Path,
    source: Optional[str] = None,
    target: Optional[str] = None,
    overrides=None,
    discover: bool = True,
    workers: int = 1,
    progress: Optional[Progress] = None,
    scheduler: Optional[str] = None,
):
    """``kg align``: the corpus in ``data_dir`` processed and aligned (``kg.align.Alignment``);
    ``scheduler``: a Dask scheduler's address to parse and align on."""
    from kg.align import align_corpus

    with _engine(scheduler):
        corpus = process(data_dir, progress=progress, workers=workers)
        return align_corpus(corpus, source, target, overrides, workers=workers, progress=progress, discover=discover)


def build_graph(
    data_dir: str | Path,
    out: str | Path = DEFAULT,
    workers: int = 1,
    progress: Optional[Progress] = None,
    scheduler: Optional[str] = None,
):
    """``kg build``: the corpus in ``data_dir`` processed, aligned, built and validated into ``out``;
    ``scheduler``: a Dask scheduler's address to parse and align on (the build runs here)."""
    from kg.align import align_corpus
    from kg.store.build import build

    step = or_silent(progress)
    with _engine(scheduler):
        corpus = process(data_dir, progress=step, workers=workers)
        step("aligning child documents to their parents")
        links = align_corpus(corpus, workers=workers, progress=step).links
    return build(corpus, links, out, workers=workers, progress=step)


def run_all(
    data_dir: str | Path,
    out: str | Path,
    progress: Optional[Progress] = None,
    workers: int = 1,
    scheduler: Optional[str] = None,
) -> RunSummary:
    """Parse, align, build and validate the graph, report and draw the corpus in ``data_dir``
    into ``out``: listings as JSON Lines and as CSV tables for spreadsheets, ``build/``, ``report/``
    and the interactive views. ``workers``: processes for parsing, alignment, validation and
    reports; ``scheduler``: a Dask scheduler's address to parse and align on instead (the rest
    runs here).

    ``out`` is replaced whole, so it must be empty or an earlier ``kg all`` output
    (holding ``build/build.json``); anything else is refused rather than deleted."""
    out = Path(out)
    if out.exists() and (not out.is_dir() or not _is_all_output(out)):
        raise BuildError(f"{out}: exists and is not a `kg all` output (no {BUILD_MANIFEST}); choose another --out")
    # locked from the start, so a second run into ``out`` fails at once, not after parsing
    with replacing_folder(out, "outputs") as new:
        summary = _run_into(new, data_dir, out, or_silent(progress), workers, scheduler)
    summary.written = [out / p.relative_to(new) for p in summary.written]
    return summary


BUILD_MANIFEST = f"build/{MANIFEST}"  # the build inside the output folder of `kg all`


def _is_all_output(out: Path) -> bool:
    return (out / BUILD_MANIFEST).is_file() or not any(out.iterdir())


def _run_into(new: Path, data_dir, out: Path, step: Progress, workers: int, scheduler: Optional[str]) -> RunSummary:
    """``run_all``, writing into the new folder ``new`` that will replace ``out``."""
    from kg.align import align_corpus
    from kg.present.report import write_report
    from kg.present.viz import write_view
    from kg.store.build import build

    with _engine(scheduler):
        corpus = process(data_dir, progress=step, workers=workers)
        step("aligning child documents to their parents")
        alignment = align_corpus(corpus, workers=workers, progress=step)
    registry, results = corpus
    links = align_records(alignment)
    # The build needs the links only: the aligned pairs (their score matrices) and, once
    # written, the listings are let go before it, so the build's peak does not carry them.
    aligned = alignment.links
    del alignment
    summary = RunSummary(out)
    agencies, targets = agencies_records(results), targets_records(results)
    documents = {p.entry.id: document_record(p.doc) for p in results if p.doc}
    listings = {
        "docs": docs_records(results),
        "agencies": agencies,
        "targets": targets,
        "warnings": warnings_records(results),
        "alignment": links,
        "measures": [{"doc": doc_id, **m} for doc_id, rec in documents.items() for m in rec["measures"]],
    }
    files: dict[str, str | bytes] = {f"{name}.jsonl": _jsonl(records) for name, records in listings.items()}
    files.update(spreadsheet_tables(listings))
    for doc_id, rec in documents.items():
        files[f"documents/{doc_id}.json"] = to_json(rec) + "\n"
    for name, content in sorted(files.items()):
        (new / name).parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            (new / name).write_bytes(content)
        else:
            (new / name).write_text(content, encoding="utf-8")
        summary.written.append(new / name)
    summary.agencies, summary.targets = len(agencies), len(targets)
    for r in links:
        summary.links[r["status"]] = summary.links.get(r["status"], 0) + 1
    del files, listings, documents, agencies, targets, links
    if (out / BUILD_MANIFEST).is_file():  # the previous build's record of what it validated, reused
        (new / "build").mkdir()
        shutil.copyfile(out / BUILD_MANIFEST, new / BUILD_MANIFEST)
    step("building and validating the graph")
    built = build(corpus, aligned, new / "build", workers=workers, progress=step)
    summary.written += [new / "build"]
    summary.triples = built.triples
    step("writing the alignment-gap reports")
    # each pair's evidence is read once, by the report's workers, for the report and the view
    report = write_report(new / "build", new / "report", workers=workers, views=True)
    summary.written += [p for p in report.written if p.suffix == ".html"]
    step("drawing the interactive views")
    for view in ("alignment", "agencies"):
        summary.written.append(write_view(new / "build", view, new / f"{view}.html", drawn=report.views))
    summary.reports = len(report.pairs)
    summary.documents = len(results)
    summary.parsed = sum(1 for p in results if p.doc)
    summary.failed = [f"{p.entry.id}: {p.error}" for p in results if p.error]
    summary.held = [f"{p.entry.file}: {p.held_because}" for p in results if p.held]
    summary.measures = sum(len(p.doc.measures) for p in results if p.doc)
    summary.warnings = sum(len(p.doc.warnings) for p in results if p.doc)
    return summary
