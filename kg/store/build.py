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
import json
import os
import queue
import shutil
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional
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
#   128 MB streamed (no ``bytes`` copy of the block) 39.9 / 615;
#   the whole file in one call 36.9 / 1,461; ``lenient=True`` 44.7 (no saving there; on an
#   idle machine it saves 12-19 %, see ``_load_store``);
#   ``Store.load`` (a transaction per block) 2.5x bulk_load's CPU on one block.
# At 3,000 children (1.59 GB): 32 MB 156.0 CPU-s / 224 MiB, 128 MB streamed 140.3 / 626; the
# whole file streamed through one call 126.3 / 1,633 (peak set by Oxigraph's own batches).
# 128 MB: fewer compactions than 32 MB for a peak that stays flat as the corpus grows. The
# calls are made of the graph's blocks as they are spilled, each given as a file (``_joined``).
LOAD_BLOCK = 128 << 20


def _joined(blocks: list[Path], into: Path) -> Path:
    """The blocks as one file (each ends with a line end): a load call is given a path, as
    Oxigraph then reads without taking the GIL. Read through a Python stream instead, a
    140 MB block took 17.5 s to load beside a busy main thread against 11 s idle (10-11 s by
    path either way)."""
    if len(blocks) == 1:
        return blocks[0]
    with open(into, "wb") as out:
        for block in blocks:
            with open(block, "rb") as f:
                size, done = os.fstat(f.fileno()).st_size, 0
                while done < size:  # copied by the kernel
                    done += os.sendfile(out.fileno(), f.fileno(), done, size - done)
            block.unlink()
    return into


class _Spool:
    """The graph's sorted blocks (kg.rdf.serialize.write_ntriples) handed to the store's
    loader as they are spilled, so the store loads while the graph is still being made and
    merged instead of after it. Each block is hard-linked into ``folder`` (the merge deletes
    its own), loaded in calls of about LOAD_BLOCK bytes and deleted once loaded; a line in
    several blocks is one triple in the store, as in graph.nt."""

    def __init__(self, folder: Path):
        self.folder, self.blocks, self.cancelled = folder, queue.Queue(), False
        folder.mkdir()

    def add(self, block: Path) -> None:
        mine = self.folder / block.name
        try:
            os.link(block, mine)
        except OSError:  # a file system without hard links
            shutil.copyfile(block, mine)
        self.blocks.put(mine)

    def close(self, cancel: bool = False) -> None:
        """No more blocks; ``cancel``: load none of those still waiting (the build failed)."""
        self.cancelled = self.cancelled or cancel
        self.blocks.put(None)

    def calls(self) -> Iterator[list[Path]]:
        """Lists of blocks of about LOAD_BLOCK bytes, until ``close``."""
        pending, size = [], 0
        while (block := self.blocks.get()) is not None and not self.cancelled:
            pending.append(block)
            size += block.stat().st_size
            if size >= LOAD_BLOCK:
                yield pending
                pending, size = [], 0
        if pending and not self.cancelled:
            yield pending


def _load_store(path: Path, spool: _Spool) -> None:
    import pyoxigraph

    store = None
    for blocks in spool.calls():
        # opened at the first block, once the graph's workers are forked: they never inherit
        # a process with RocksDB's threads running
        if store is None:
            store = pyoxigraph.Store(str(path))
        call = _joined(blocks, spool.folder / "call.nt")
        # lenient: IRIs are not parsed again. Every IRI of graph.nt is minted by kg.rdf.iris
        # (the variable parts percent-encoded); the SHACL engine parses the lines its shapes
        # read strictly, ``kg export`` the whole file, and so does tests/test_build.py.
        # Parsing IRIs was 12-19 % of the load's CPU (bench/store_load.py, 1,000 synthetic children,
        # idle machine: 128 MB calls 40.4 and 38.8 CPU-s strict, 35.8 and 31.3 lenient).
        store.bulk_load(path=str(call), format=pyoxigraph.RdfFormat.N_TRIPLES, lenient=True)
        call.unlink()
    if spool.cancelled or store is None:  # the build failed: its folder is thrown away
        return
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
    checking = None
    spool = _Spool(tmp / ".load")
    # Oxigraph's loader releases the GIL: the store loads each sorted block of the graph as
    # it is spilled, alongside the graph's workers and the merge into graph.nt.
    loading = _Thread(_load_store, tmp / STORE, spool)
    try:
        stage(f"making the graph of {len(results)} documents and {len(links)} links (the store loading alongside)")
        # Streamed: each document's lines go to sorted blocks on disk, merged into graph.nt.
        try:
            runs = graph_runs(registry, results, links, workers)
            by_partition = write_ntriples(runs, tmp / "graph.nt", partition_of, spilled=spool.add)
        finally:
            spool.close()
        summary.triples, summary.per_document = sum(by_partition.values()), triples_per_document(by_partition, ids)
        # runs in worker processes while the files are written; unchanged partitions are not checked again
        checking = check(tmp / "graph.nt", workers, known=_validated_before(out))
        stage(f"loading {summary.triples:,} triples into the store (SHACL validation running alongside)")
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
    except BaseException:
        spool.close(cancel=True)
        raise
    finally:
        if checking is not None:
            checking.close()
        loading.wait()
        shutil.rmtree(spool.folder, ignore_errors=True)
    return summary
