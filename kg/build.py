"""``kg build``: the corpus as one validated graph, written as files and as a query store.

The job parses the corpus, makes the graph (kg.graph), validates it against
``ontology/shapes.ttl`` with pySHACL, and writes ``graph.ttl``, ``graph.nt``,
``graph.jsonld``, ``build.json`` and the Oxigraph store ``store/`` into a fresh directory
beside ``out``. Only a complete, conforming build is swapped in for the old ``out``, so a
failed build leaves the previous outputs intact and a reader never sees half a graph.
Serialisations are sorted, so the same corpus always gives byte-identical files.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional

from rdflib import Graph, URIRef
from rdflib.namespace import SH

from . import __version__
from .corpus import Entry, Processed, Registry, process
from .errors import BuildError, GraphInvalid
from .graph import doc_iri, load_shapes, make_graph
from .model import Link
from .vocab import ID, PREFIXES

FILES = ("graph.ttl", "graph.nt", "graph.jsonld", "build.json")
STORE = "store"
MANIFEST = "build.json"
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


def corpus_links(registry: Registry, results: list[Processed]) -> list[Link]:
    """Alignment links for the corpus: every declared pair, curated overrides applied."""
    from .align import align_corpus

    return align_corpus(registry.path, processed=(registry, results)).links


def validate(g: Graph) -> None:
    """Raise GraphInvalid (one line, the first few violations) unless ``g`` conforms."""
    import pyshacl

    conforms, report, _ = pyshacl.validate(g, shacl_graph=load_shapes(), inference="none", advanced=False)
    if conforms:
        return
    problems = []
    for result in sorted(report.subjects(SH.focusNode, None), key=str):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        where = f"{focus} {g.namespace_manager.normalizeUri(path) if isinstance(path, URIRef) else ''}".strip()
        problems.append(f"{where}: {message}")
    shown = "; ".join(sorted(problems)[:3])
    raise GraphInvalid(f"graph does not conform to ontology/shapes.ttl ({len(problems)} violations): {shown}")


def triples_per_document(g: Graph, ids: list[str]) -> dict[str, int]:
    """Triples whose subject is the document or one of its parts (an IRI under the document's)."""
    by_iri = {str(doc_iri(i)): i for i in ids}
    counts = dict.fromkeys(ids, 0)
    for s in g.subjects(unique=False):
        doc = by_iri.get("/".join(str(s).split("/", 7)[:7]))  # https://w3id.org/policy-kg/id/doc/<id>
        if doc is not None:
            counts[doc] += 1
    return counts


def _ntriples(g: Graph) -> str:
    lines = g.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    return "".join(sorted({line + "\n" for line in lines if line.strip()}))


def _turtle(nt: str) -> str:
    """Turtle from the sorted N-Triples (Oxigraph's writer, fast and order-preserving), with
    vocabulary prefixes in a fixed order; instance IRIs stay whole, they are readable as they are."""
    import pyoxigraph

    vocab = {k: v for k, v in PREFIXES.items() if not v.startswith(str(ID))}
    triples = pyoxigraph.parse(nt.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES)
    text = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=vocab).decode("utf-8")
    lines = text.splitlines(keepends=True)
    head = [line for line in lines if line.startswith("@prefix ")]
    return "".join(sorted(head)) + "".join(lines[len(head):])


def _sorted_json(value):
    """JSON-LD with every node list and value array in a fixed order (they are unordered sets)."""
    if isinstance(value, dict):
        return {k: _sorted_json(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        items = [_sorted_json(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, ensure_ascii=False, sort_keys=True))
    return value


def _jsonld(g: Graph) -> str:
    context = {k: v for k, v in sorted(PREFIXES.items())}
    data = json.loads(g.serialize(format="json-ld", context=context, auto_compact=True))
    if isinstance(data, dict) and "@context" in data:
        ctx = data.pop("@context")
        data = {"@context": ctx, **_sorted_json(data)}
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def _load_store(path: Path, nt_file: Path) -> None:
    import pyoxigraph

    store = pyoxigraph.Store(str(path))
    store.bulk_load(path=str(nt_file), format=pyoxigraph.RdfFormat.N_TRIPLES)
    store.flush()
    del store
    gc.collect()


def _is_build_dir(out: Path) -> bool:
    return (out / MANIFEST).is_file() or not any(out.iterdir())


def _swap_in(new: Path, out: Path) -> None:
    """Replace ``out`` by ``new`` with two renames; restore the old one if the second fails."""
    if not out.exists():
        os.replace(new, out)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
    os.rmdir(old)
    os.replace(out, old)
    try:
        os.replace(new, out)
    except OSError:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def build(data_dir: str | Path, out: str | Path = "build", links: Optional[list[Link]] = None,
          progress: Optional[Callable[[Entry], None]] = None, processed=None) -> BuildSummary:
    """Build, validate and write the graph of the corpus in ``data_dir`` into ``out``.

    ``links`` are the alignment links (default: ``corpus_links``); ``processed`` is the
    ``(registry, results)`` of a corpus already parsed (``kg all``). Raises GraphInvalid
    when the graph breaks the shapes and BuildError when ``out`` cannot be replaced;
    either way the previous ``out`` is left as it was.
    """
    started = time.perf_counter()
    out = Path(out)
    if out.exists() and (not out.is_dir() or not _is_build_dir(out)):
        raise BuildError(f"{out}: exists and is not a `kg build` output (no {MANIFEST}); choose another --out")
    registry, results = processed or process(data_dir, progress=progress)
    if links is None:
        links = corpus_links(registry, results)
    g = make_graph(registry, results, links)
    validate(g)
    ids = [p.entry.id for p in results]
    summary = BuildSummary(out, triples=len(g), documents=len(results), parsed=sum(1 for p in results if p.doc),
                           links=len(links), per_document=triples_per_document(g, ids),
                           failed=[f"{p.entry.id}: {p.error}" for p in results if p.error])
    manifest = {
        "format": FORMAT_VERSION, "generator": f"policy-kg {__version__}", "triples": summary.triples,
        "documents": summary.per_document, "links": summary.links, "conforms": True,
        "files": list(FILES[:3]) + [STORE + "/"],
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    try:
        nt = _ntriples(g)
        (tmp / "graph.nt").write_text(nt, encoding="utf-8")
        (tmp / "graph.ttl").write_text(_turtle(nt), encoding="utf-8")
        (tmp / "graph.jsonld").write_text(_jsonld(g), encoding="utf-8")
        _load_store(tmp / STORE, tmp / "graph.nt")
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        _swap_in(tmp, out)
    except OSError as e:
        raise BuildError(f"{out}: could not write the build ({e.strerror or e}); the previous outputs are unchanged") from None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    summary.written = [out / name for name in FILES] + [out / STORE]
    summary.seconds = time.perf_counter() - started
    return summary
