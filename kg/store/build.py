"""``kg build``: the corpus as one validated graph, written as files and as a query store.

The stage takes the processed corpus and its links, makes the graph (kg.rdf.graph),
validates it against ``ontology/shapes.ttl`` (kg.rdf.validate), and writes ``graph.nt``,
``build.json`` and the Oxigraph store ``store/`` into a fresh directory
beside ``out``. Only a complete, conforming build is swapped in for the old ``out``, in one
step (kg.core.files.replacing_folder), so a failed or killed build leaves the previous
outputs intact and a reader never sees half a graph; two builds into one ``out`` at once
are refused.
``graph.nt`` is sorted, so the same corpus always gives byte-identical files; Turtle and
JSON-LD are written from it on demand (``kg export``, kg.rdf.serialize.export).
"""

from __future__ import annotations

import gc
import io
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional
from urllib.parse import quote

from kg import __version__
from kg.core.errors import BuildError
from kg.core.files import replacing_folder
from kg.core.model import Link
from kg.core.progress import Progress, or_silent
from kg.corpus import Corpus
from kg.rdf.graph import graph_runs
from kg.rdf.serialize import write_ntriples
from kg.rdf.validate import check, partition_of, raise_for
from kg.store import DEFAULT, MANIFEST, STORE

FILES = ("graph.nt", "build.json")
FORMAT_VERSION = 1


@dataclass
class BuildSummary:
    out: Path
    triples: int = 0
    documents: int = 0
    parsed: int = 0
    links: int = 0
    per_document: dict[str, int] = field(default_factory=dict)
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0
    written: list[Path] = field(default_factory=list)
    checked: int = 0  # graph partitions (one per document, one for the rest) validated by this build
    reused: int = 0  # partitions unchanged since the previous build in ``out``, not validated again


def triples_per_document(by_partition: dict[str, int], ids: list[str]) -> dict[str, int]:
    """Triples whose subject is the document or one of its parts (an IRI under the
    document's), from the counts by partition ``write_ntriples`` gives."""
    return {i: by_partition.get(quote(i, safe=""), 0) for i in ids}  # IRIs hold the ids percent-encoded


# Oxigraph's bulk loader sorts what one call is given in memory (so memory follows the block,
# not the corpus), and each call leaves its own overlapping files for RocksDB to compact, which
# is most of the cost: one 32 MB block alone loads in 1.4 CPU-s, 17 of them in 43. Measured on
# the 563 MB graph.nt of 1,000 synthetic children (2.9 M triples; bench/store_load.py on a
# loaded machine; CPU-s of the loader's threads and optimize(), peak of its process):
#   blocks of 32 MB 43.0 CPU-s / 216 MiB; 64 MB 45.1 / 393; 128 MB 33.9 / 740;
#   128 MB streamed (``_Span``, no ``bytes`` copy of the block) 39.9 / 615;
#   the whole file in one call 36.9 / 1,461; ``lenient=True`` 44.7 (no saving);
#   ``Store.load`` (a transaction per block) 2.5x bulk_load's CPU on one block.
# At 3,000 children (1.59 GB): 32 MB 156.0 CPU-s / 224 MiB, 128 MB streamed 140.3 / 626.
# 128 MB streamed: fewer compactions than 32 MB for a peak that stays flat as the corpus grows.
LOAD_BLOCK = 128 << 20


class _Span(io.RawIOBase):
    """The bytes of an open file from where it stands up to ``end``: one block fed to the
    loader as a stream, never held whole."""

    def __init__(self, f, end: int):
        self.f, self.end = f, end

    def readable(self) -> bool:
        return True

    def readinto(self, buf) -> int:
        n = min(len(buf), self.end - self.f.tell())
        return self.f.readinto(memoryview(buf)[:n]) if n > 0 else 0


def _load_store(path: Path, nt_file: Path) -> None:
    import pyoxigraph

    store = pyoxigraph.Store(str(path))
    with open(nt_file, "rb", buffering=0) as f, open(nt_file, "rb") as ends:
        size, end = os.fstat(f.fileno()).st_size, 0
        while end < size:
            ends.seek(min(end + LOAD_BLOCK, size))
            ends.readline()  # to the end of the line: N-Triples has one triple per line
            end = ends.tell()
            block = io.BufferedReader(_Span(f, end), 1 << 20)
            store.bulk_load(block, format=pyoxigraph.RdfFormat.N_TRIPLES)
    # Compacted after the bulk load: lookups get two to three times as fast (1,000 synthetic
    # children, loaded machine: gaps 2,886 → 818 ms, diffusion 12.1 → 5.2 s with 32 MB
    # blocks; 1,258 → 548 ms and 15.5 → 3.2 s with 128 MB), for 4–7 CPU-s of the loader's
    # threads, which run alongside validation.
    store.optimize()
    store.flush()
    del store
    gc.collect()


class _Thread(threading.Thread):
    """``fn(*args)`` in a thread; ``join`` re-raises what it raised."""

    def __init__(self, fn, *args):
        super().__init__(daemon=True)
        self.fn, self.args, self.error = fn, args, None
        self.start()

    def run(self) -> None:
        try:
            self.fn(*self.args)
        except BaseException as e:  # handed to the joining thread
            self.error = e

    def wait(self) -> None:
        super().join()

    def join(self, timeout=None) -> None:
        super().join(timeout)
        if self.error is not None:
            raise self.error


def _validated_before(out: Path) -> dict[str, str]:
    """The digests of the partitions the build in ``out`` found conforming (none when there
    is no such build, or it was written by another format version)."""
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    known = manifest.get("validated") if manifest.get("format") == FORMAT_VERSION else None
    return known if isinstance(known, dict) else {}


def _is_build_dir(out: Path) -> bool:
    return (out / MANIFEST).is_file() or not any(out.iterdir())


def build(
    corpus: Corpus,
    links: list[Link],
    out: str | Path = DEFAULT,
    workers: int = 1,
    progress: Optional[Progress] = None,
) -> BuildSummary:
    """Build, validate and write the graph of a processed corpus and its alignment links
    (``kg.corpus.process``, ``kg.align.align_corpus(...).links``) into ``out``.

    Raises GraphInvalid when the graph breaks the shapes and BuildError when ``out`` cannot
    be replaced; either way the previous ``out`` is left as it was. ``workers``: processes
    for making the graph and SHACL validation; ``progress`` is told what the build is doing.
    """
    started = time.perf_counter()
    out = Path(out)
    if out.exists() and (not out.is_dir() or not _is_build_dir(out)):
        raise BuildError(f"{out}: exists and is not a `kg build` output (no {MANIFEST}); choose another --out")
    # locked from the start, so a second build into ``out`` fails at once, not after making the graph
    with replacing_folder(out, "build") as tmp:
        summary = _build_into(tmp, corpus, links, out, workers, or_silent(progress))
    summary.written = [out / name for name in FILES] + [out / STORE]
    summary.seconds = time.perf_counter() - started
    return summary


def _build_into(tmp: Path, corpus: Corpus, links: list[Link], out: Path, workers: int, stage: Progress) -> BuildSummary:
    """``build``, writing into the new folder ``tmp`` that will replace ``out``."""
    registry, results = corpus
    ids = [p.entry.id for p in results]
    summary = BuildSummary(
        out,
        documents=len(results),
        parsed=sum(1 for p in results if p.doc),
        links=len(links),
        failed=[f"{p.entry.id}: {p.error}" for p in results if p.error],
    )
    loading = checking = None
    try:
        stage(f"making the graph of {len(results)} documents and {len(links)} links")
        # Streamed: each document's lines go to sorted blocks on disk, merged into graph.nt.
        by_partition = write_ntriples(graph_runs(registry, results, links, workers), tmp / "graph.nt", partition_of)
        summary.triples, summary.per_document = sum(by_partition.values()), triples_per_document(by_partition, ids)
        # runs in worker processes while the files are written; unchanged partitions are not checked again
        checking = check(tmp / "graph.nt", workers, known=_validated_before(out))
        stage(f"loading {summary.triples:,} triples into the store (SHACL validation running alongside)")
        loading = _Thread(_load_store, tmp / STORE, tmp / "graph.nt")  # Oxigraph's loader releases the GIL
        loading.join()
        raise_for(checking.violations(lambda done, n: stage(f"SHACL validation: {done} of {n} parts checked")))
        manifest = {
            "format": FORMAT_VERSION,
            "generator": f"policy-kg {__version__}",
            "triples": summary.triples,
            "documents": summary.per_document,
            "links": summary.links,
            "conforms": True,
            "files": [FILES[0], STORE + "/"],
            "validated": checking.conforming,
        }
        summary.checked, summary.reused = checking.partitions - len(checking.reused), len(checking.reused)
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    finally:
        if checking is not None:
            checking.close()
        if loading is not None:
            loading.wait()
    return summary
