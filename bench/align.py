"""Alignment speed: time per document pair and pairs scored per second.

Run on demand (not part of the test suite):

    python bench/align.py [--data data] [--runs 20]

Start-up (parsing, loading jieba's dictionary once) is timed apart from alignment. The
baseline, measured in the same run, is one raw ``rapidfuzz.process.cdist`` over the same
sentence pairs: what the scorer costs before evidence, titles and topics are combined.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz, process as rf_process  # noqa: E402

from kg.align import align_documents, pairs_to_align  # noqa: E402
from kg.align.text import _jieba, clean, tokens  # noqa: E402
from kg.corpus import process  # noqa: E402


def _timed(fn, runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return times


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default="data")
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()

    t = time.perf_counter()
    registry, results = process(args.data)
    parse_s = time.perf_counter() - t
    t = time.perf_counter()
    _jieba()
    jieba_s = time.perf_counter() - t
    docs = {p.entry.id: p.doc for p in results}
    print(f"start-up: parse corpus {parse_s * 1000:.0f} ms, jieba dictionary {jieba_s * 1000:.0f} ms (once per process)")
    print(f"{'pair':62} {'median ms':>9} {'min ms':>7} {'measure pairs/s':>15} {'sentence pairs/s':>16} {'raw cdist ms':>12} {'ratio':>6}")
    pairs = pairs_to_align(registry) + [(registry.get("jilin-2021-green-economy"), registry.get("jiangxi-2021-green-economy"), "peer")]
    for s, p, relation in pairs:
        child, parent = docs.get(s.id), docs.get(p.id)
        if child is None or parent is None:
            continue
        def run():
            tokens.cache_clear()  # time a cold pair: no sentence tokenised by an earlier run
            align_documents(child, parent, s.id, p.id, relation)

        times = _timed(run, args.runs)
        c_sents = [clean(x.text) for m in child.measures for x in m.sentences]
        p_sents = [clean(x.text) for m in parent.measures for x in m.sentences] + [clean(x.text) for x in parent.preamble]
        raw = _timed(lambda: rf_process.cdist(c_sents, p_sents, scorer=fuzz.ratio, workers=-1), args.runs)
        med = statistics.median(times)
        measure_pairs = len(child.measures) * (len(parent.measures) + 1)
        sentence_pairs = len(c_sents) * len(p_sents)
        print(f"{s.id + ' → ' + p.id:62} {med * 1000:9.1f} {min(times) * 1000:7.1f} {measure_pairs / med:15,.0f} "
              f"{sentence_pairs / med:16,.0f} {statistics.median(raw) * 1000:12.2f} {med / statistics.median(raw):6.0f}x")


if __name__ == "__main__":
    main()
