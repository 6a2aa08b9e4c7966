"""Alignment speed: time per document pair and pairs scored per second.

Run on demand (not part of the test suite):

    python bench/align.py [--data data] [--runs 20]

Start-up (parsing, loading jieba's dictionary once) is timed apart from alignment. Each
pair is timed cold (no sentence cut, no document prepared before) and with the parent
already prepared by an earlier child, as it is for every child after the first in a corpus.
The baseline, measured in the same run, is one raw ``rapidfuzz.process.cdist`` over the
same sentence pairs: what the scorer costs before evidence, titles and topics are combined.
Each pair's copy rate (which moves the scorer's weights between copied and rewritten text)
and its links by status are printed too.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from rapidfuzz import fuzz  # noqa: E402
from rapidfuzz import process as rf_process

from kg.align import align_documents, pairs_to_align  # noqa: E402
from kg.align.measures import measure_texts  # noqa: E402
from kg.align.prepared import clear_caches, parent_side, side_of  # noqa: E402
from kg.core.similarity import BigramIdf, _jieba, clean, corpus_idf  # noqa: E402  # noqa: E402
from kg.corpus import process  # noqa: E402


def _timed(fn, runs: int, setup=lambda: None) -> list[float]:
    times = []
    for _ in range(runs):
        setup()
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
    t = time.perf_counter()
    idf = BigramIdf.of([x for d in docs.values() if d is not None for x in measure_texts(d)])
    print(f"corpus bigram IDF: {(time.perf_counter() - t) * 1000:.0f} ms (once per align_corpus)")
    print(
        f"start-up: parse corpus {parse_s * 1000:.0f} ms, jieba dictionary {jieba_s * 1000:.0f} ms (once per process)"
    )
    print(
        f"{'pair':62} {'cold ms':>8} {'parent ready ms':>15} {'sentence pairs/s':>16} {'raw cdist ms':>12} {'ratio':>6} "
        f"{'copy':>5}  aligned/weak/unaligned"
    )
    pairs = pairs_to_align(registry) + [
        (registry.get("jilin-2021-green-economy"), registry.get("jiangxi-2021-green-economy"), "peer")
    ]
    for s, p, relation in pairs:
        child, parent = docs.get(s.id), docs.get(p.id)
        if child is None or parent is None:
            continue

        def run():
            with corpus_idf(idf):  # as align_corpus scores every pair
                return align_documents(child, parent, s.id, p.id, relation)

        def parent_ready():
            clear_caches()
            side_of(parent, parent_side)

        cold = statistics.median(_timed(run, args.runs, clear_caches))
        med = statistics.median(_timed(run, args.runs, parent_ready))
        links, scores = run()
        status = "/".join(str(sum(link.status == x for link in links)) for x in ("aligned", "weak", "unaligned"))
        c_sents = [clean(x.text) for m in child.measures for x in m.sentences]
        p_sents = [clean(x.text) for x in scores.parent_sentences]
        raw = statistics.median(
            _timed(lambda: rf_process.cdist(c_sents, p_sents, scorer=fuzz.ratio, workers=-1), args.runs)
        )
        print(
            f"{s.id + ' → ' + p.id:62} {cold * 1000:8.1f} {med * 1000:15.1f} {scores.pairs_scored / med:16,.0f} "
            f"{raw * 1000:12.2f} {med / raw:5.1f}x {scores.copy_rate:5.2f}  {status}"
        )


if __name__ == "__main__":
    main()
