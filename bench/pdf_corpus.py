"""A folder of real PDFs read, parsed and placed with no registry, scored against its catalogue.

    python bench/pdf_corpus.py [FOLDER] [--workers 2] [-v]

FOLDER defaults to the shared dual-carbon corpus (``../shared/corpora/dual-carbon/pdf``);
its catalogue (``metadata.jsonl``, ``citations.jsonl``) sits one folder up. Prints:
documents read, documents with measures, median measures per document, inferred level and
region agreeing with the catalogue, cited parents found, pages per second, peak memory —
and, as the baseline measured in the same run, the text layer alone (``kg.read``), so the
ratio says what parsing and inference add to reading. The issue's goals are printed beside
each figure; documents that miss one are listed.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT.parent / "shared" / "corpora" / "dual-carbon" / "pdf"


def _peak_mib() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def read_only(files: list[Path]) -> tuple[float, int, list[str]]:
    """Seconds to read every text layer, pages read, failures (the baseline)."""
    from kg.core.errors import InputError
    from kg.read import read_source

    pages, failed = 0, []
    start = time.perf_counter()
    for f in files:
        try:
            pages += len(read_source(f).pages)
        except InputError as e:
            failed.append(str(e))
    return time.perf_counter() - start, pages, failed


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("-v", "--verbose", action="store_true", help="list every disagreement and missed parent")
    a = ap.parse_args()
    if not a.folder.is_dir():
        print(f"{a.folder}: no such folder (the shared corpus is not here)", file=sys.stderr)
        return 2
    from kg.corpus import corpus_files, process
    from kg.corpus.infer_score import score_inference
    from kg.present.records import docs_records

    files = corpus_files(a.folder)
    read_s, pages, unreadable = read_only(files)
    start = time.perf_counter()
    registry, results = process(a.folder, workers=a.workers)
    parse_s = time.perf_counter() - start
    records = docs_records(results)
    docs = [p.doc or p.held for p in results]
    parsed = [d for d in docs if d is not None]
    with_measures = [d for d in parsed if d.measures]
    unnumbered = [d for d in parsed if any(w.code == "unnumbered_document" for w in d.warnings)]
    failed = [p for p in results if p.error]
    print(f"{a.folder.name}: {len(files)} files, {pages} pages, {a.workers} workers")
    print(
        f"read (text layer only, baseline): {read_s:.1f} s, {pages / read_s:.0f} pages/s, {len(unreadable)} unreadable"
    )
    print(
        f"read + parse + infer:             {parse_s:.1f} s, {pages / parse_s:.0f} pages/s "
        f"({parse_s / read_s:.2f}x the baseline)   goal <= 30 s"
    )
    print(f"documents read: {len(parsed)}/{len(files)}   goal {len(files)}/{len(files)}")
    print(
        f"documents with measures: {len(with_measures)} ({len(unnumbered)} of them unnumbered, read as one "
        f"measure); median measures per document {statistics.median(len(d.measures) for d in with_measures):g}"
    )
    held = [p for p in results if p.held]
    print(f"held out of the corpus: {len(held)} (" + ", ".join(f"{p.entry.file}: {p.held_because}" for p in held) + ")")
    catalogue = a.folder.parent
    if (catalogue / "metadata.jsonl").is_file():
        s = score_inference(records, catalogue)
        print(
            f"level and region agree with metadata.jsonl: {s.both_agree}/{s.documents} ({s.place_share:.1%})"
            f"   goal >= 95 %"
        )
        print(f"cited parents found (citations.jsonl): {s.pairs_found}/{s.pairs} ({s.pairs_share:.1%})   goal >= 90 %")
        if a.verbose:
            for d in s.disagreements:
                print("  place:", d["file"], "ours", d["ours"], "catalogue", d["catalogue"])
            for m in s.missed_pairs:
                print("  missed:", m["child"], "->", m["parent"], "ours", m["parents"])
    print(f"peak memory: {_peak_mib():.0f} MiB (largest process)")
    for p in failed:
        print(f"  failed: {p.error}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
