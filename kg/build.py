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

from rdflib import Graph, Literal, URIRef
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


_ESCAPE = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def _nt_term(x) -> str:
    """A term as canonical N-Triples (the form rdflib's and Oxigraph's writers give)."""
    if isinstance(x, URIRef):
        return f"<{x}>"
    if isinstance(x, Literal):
        v = f'"{str.translate(x, _ESCAPE)}"'
        if x.language:
            return f"{v}@{x.language}"
        dt = x.datatype
        return f"{v}^^<{dt}>" if dt is not None and dt != _XSD_STRING else v
    raise TypeError(f"not an IRI or literal (the graph has no blank nodes): {x!r}")


def _ntriples(g: Graph) -> str:
    """Sorted canonical N-Triples, one line per triple, written directly from the triples
    (rdflib's nt serializer is several times slower)."""
    t = _nt_term
    return "".join(sorted({f"{t(s)} {t(p)} {t(o)} .\n" for s, p, o in g}))


def _parse_nt(nt: str) -> list:
    """The sorted N-Triples as Oxigraph triples (in file order), for the other writers."""
    import pyoxigraph

    return list(pyoxigraph.parse(nt.encode("utf-8"), format=pyoxigraph.RdfFormat.N_TRIPLES))


def _turtle(triples: list) -> str:
    """Turtle from the sorted triples (Oxigraph's writer, fast and order-preserving), with
    vocabulary prefixes in a fixed order; instance IRIs stay whole, they are readable as they are."""
    import pyoxigraph

    vocab = {k: v for k, v in PREFIXES.items() if not v.startswith(str(ID))}
    text = pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.TURTLE, prefixes=vocab).decode("utf-8")
    lines = text.splitlines(keepends=True)
    head = [line for line in lines if line.startswith("@prefix ")]
    return "".join(sorted(head)) + "".join(lines[len(head):])


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"


class _Compactor:
    """Compacts Oxigraph's expanded JSON-LD with the prefix context, the way rdflib's
    ``auto_compact`` writes it: compact IRIs, ``@type`` for rdf:type, plain strings,
    native booleans and integers (only lexical forms that read back unchanged), and
    single values unwrapped."""

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = sorted(((ns, name) for name, ns in prefixes.items()), key=lambda x: -len(x[0]))
        self.cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        short = self.cache.get(iri)
        if short is None:
            short = iri
            for ns, name in self.prefixes:  # longest namespace first
                if iri.startswith(ns) and len(iri) > len(ns):
                    rest = iri[len(ns):]
                    if not rest.startswith("//") and ":" not in rest:
                        short = f"{name}:{rest}"
                    break
            self.cache[iri] = short
        return short

    def value(self, v: dict):
        if "@id" in v:
            return {"@id": self.iri(v["@id"])}
        if "@language" in v:
            return v
        dt, lexical = v.get("@type"), v["@value"]
        if dt is None or dt == _XSD_STRING:
            return lexical
        if dt == _XSD + "boolean" and lexical in ("true", "false"):
            return lexical == "true"
        if dt == _XSD + "integer" and lexical.lstrip("-").isdigit() and str(int(lexical)) == lexical:
            return int(lexical)
        return {"@type": self.iri(dt), "@value": lexical}

    def node(self, n: dict) -> dict:
        out = {}
        for key, values in n.items():
            if key == "@id":
                out["@id"] = self.iri(values)
            elif key == _RDF_TYPE and all("@id" in v for v in values):
                types = [self.iri(v["@id"]) for v in values]
                out["@type"] = types[0] if len(types) == 1 else types
            else:
                vals = [self.value(v) for v in values]
                out[self.iri(key)] = vals[0] if len(vals) == 1 else vals
        return out


def _jsonld(triples: list) -> str:
    """Compacted JSON-LD from the sorted triples: Oxigraph writes the expanded form (one node
    object per subject, in the sorted order, so the output is deterministic) and _Compactor
    applies the prefix context."""
    import pyoxigraph

    context = {k: str(v) for k, v in sorted(PREFIXES.items())}
    expanded = json.loads(pyoxigraph.serialize(triples, format=pyoxigraph.RdfFormat.JSON_LD))
    merged: dict[str, dict] = {}
    for n in expanded:  # one object per subject; merge should the writer ever split one
        same = merged.setdefault(n["@id"], {"@id": n["@id"]})
        for key, values in n.items():
            if key != "@id":
                same.setdefault(key, []).extend(values)
    compact = _Compactor(context)
    graph = [compact.node(n) for n in merged.values()]
    data = {"@context": context, "@graph": [dict(sorted(n.items())) for n in graph]}
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
        triples = _parse_nt(nt)
        (tmp / "graph.ttl").write_text(_turtle(triples), encoding="utf-8")
        (tmp / "graph.jsonld").write_text(_jsonld(triples), encoding="utf-8")
        del triples
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
