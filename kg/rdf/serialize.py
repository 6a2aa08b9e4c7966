"""The graph files: N-Triples written by every build, Turtle and JSON-LD on demand from it.

All three are streamed: N-Triples merged from sorted blocks on disk (``write_ntriples``),
Turtle by Oxigraph's writer straight from ``graph.nt``, JSON-LD
one node at a time, so a graph of millions of triples never sits in memory as objects.
The input order is the sorted N-Triples order, in which all triples of a subject are
adjacent (lines sharing the prefix ``<subject> `` are contiguous), so every writer sees
each node once and the files are byte-identical across rebuilds.

Turtle and JSON-LD are not written by ``kg build`` (``kg export`` writes them): at 1,000
synthetic documents they cost about 45 of the build's 180 CPU-seconds. Written from the
store instead (``Store.dump``), Turtle took three times the CPU of parsing ``graph.nt``
again (the store decodes every term from RocksDB) and came out in the store's hash order;
Oxigraph's JSON-LD writer does not compact (full IRIs, every value an object, twice the
size). So both are written from ``graph.nt`` (docs/outputs.md).
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

from kg.rdf.ntriples import sorted_distinct, split_run
from kg.rdf.vocab import ID, PREFIXES

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_XSD = "http://www.w3.org/2001/XMLSchema#"


# Lines held in memory before a sorted block of them goes to disk: with the line objects
# and the sort, about three times this at most, whatever the size of the corpus.
SPILL = 32 << 20
_BUFFER = 1 << 20  # read buffer per block file in the final merge


def _spill(runs: list[str], folder: Path, n: int, spilled: Optional[Callable[[Path], None]]) -> Path:
    lines = sorted_distinct([ln for text in runs for ln in split_run(text)])
    path = folder / f"block-{n:05d}.nt"
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.writelines(lines)
    if spilled is not None:
        spilled(path)
    return path


def write_ntriples(
    runs: Iterable[str],
    path: Path,
    count: Optional[Callable[[str], str]] = None,
    spill: int = SPILL,
    spilled: Optional[Callable[[Path], None]] = None,
) -> dict[str, int]:
    """Merge sorted runs of lines (``kg.rdf.graph.graph_runs``) into ``path``, sorted and
    distinct, by an external merge sort: runs are gathered into blocks of about ``spill``
    characters, each sorted onto disk beside ``path``, and the blocks merged line by line.
    The graph is never held in memory whole.

    ``spilled`` is told each block's file as soon as it is written (valid N-Triples, every
    line of the graph in one block or more); the file is deleted when the merge is done,
    so a reader that needs it longer keeps a link of its own (the store's loader does).

    Returns the triple counts by ``count(subject IRI)`` (all under "" without ``count``).
    """
    import heapq

    counts: dict[str, int] = {}
    folder = Path(tempfile.mkdtemp(prefix=".blocks-", dir=path.parent))
    try:
        blocks, held, size = [], [], 0
        for text in runs:
            held.append(text)
            size += len(text)
            if size >= spill:
                blocks.append(_spill(held, folder, len(blocks), spilled))
                held, size = [], 0
        if held or not blocks:
            blocks.append(_spill(held, folder, len(blocks), spilled))
        files = [open(b, encoding="utf-8", newline="\n", buffering=_BUFFER) for b in blocks]
        try:
            with open(path, "w", encoding="utf-8", newline="\n", buffering=_BUFFER) as out:
                prev, subject, key, n = None, None, "", 0
                for ln in heapq.merge(*files) if len(files) > 1 else files[0]:
                    if ln == prev:
                        continue
                    out.write(ln)
                    prev = ln
                    if count is not None:
                        s = ln[1 : ln.index(">")]
                        if s != subject:  # sorted: a subject's lines are adjacent
                            counts[key] = counts.get(key, 0) + n
                            subject, key, n = s, count(s), 0
                    n += 1
                counts[key] = counts.get(key, 0) + n
        finally:
            for f in files:
                f.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return {k: v for k, v in counts.items() if v}


def read_lines(path: Path) -> Iterator[str]:
    """The lines of an N-Triples file, one at a time (cut at "\\n" only, as written)."""
    with open(path, encoding="utf-8", newline="\n", buffering=_BUFFER) as f:
        yield from f


def _triples(nt: Path):
    import pyoxigraph

    return pyoxigraph.parse(path=str(nt), format=pyoxigraph.RdfFormat.N_TRIPLES)


class _AfterPrefixes:
    """A byte sink passing on what Oxigraph's Turtle writer writes after its ``@prefix``
    lines (it writes them in an order of its own; the header is written sorted instead)."""

    def __init__(self, f):
        self.f, self.head, self.passing = f, b"", False

    def write(self, data: bytes) -> int:
        if self.passing:
            return self.f.write(data)
        self.head += data
        while not self.passing and b"\n" in self.head:
            first, rest = self.head.split(b"\n", 1)
            if first.startswith(b"@prefix "):
                self.head = rest
            else:
                self.passing = True
                self.f.write(self.head)
        return len(data)

    def flush(self) -> None:
        self.f.flush()

    def close(self) -> None:
        if not self.passing:
            self.f.write(b"" if self.head.startswith(b"@prefix ") else self.head)


def write_turtle(nt: Path, path: Path) -> None:
    """Turtle in the sorted order, vocabulary prefixes in alphabetical order; instance IRIs
    stay whole (they are readable as they are)."""
    import pyoxigraph

    vocab = {k: str(v) for k, v in PREFIXES.items() if not str(v).startswith(str(ID))}
    with open(path, "wb") as f:
        f.write("".join(sorted(f"@prefix {k}: <{v}> .\n" for k, v in vocab.items())).encode("utf-8"))
        sink = _AfterPrefixes(f)
        pyoxigraph.serialize(_triples(nt), sink, format=pyoxigraph.RdfFormat.TURTLE, prefixes=vocab)
        sink.close()


class _Compactor:
    """JSON-LD compaction with the prefix context, as rdflib's ``auto_compact`` writes it:
    compact IRIs, ``@type`` for rdf:type, plain strings, native booleans and integers (only
    lexical forms that read back unchanged), single values unwrapped."""

    def __init__(self, prefixes: dict[str, str]):
        self.prefixes = sorted(((ns, name) for name, ns in prefixes.items()), key=lambda x: -len(x[0]))
        self.cache: dict[str, str] = {}

    def iri(self, iri: str) -> str:
        short = self.cache.get(iri)
        if short is None:
            short = iri
            for ns, name in self.prefixes:  # longest namespace first
                if iri.startswith(ns) and len(iri) > len(ns):
                    rest = iri[len(ns) :]
                    if not rest.startswith("//") and ":" not in rest:
                        short = f"{name}:{rest}"
                    break
            self.cache[iri] = short
        return short

    def value(self, term):
        import pyoxigraph

        if isinstance(term, pyoxigraph.NamedNode):
            return {"@id": self.iri(term.value)}
        lexical = term.value
        if term.language:
            return {"@language": term.language, "@value": lexical}
        dt = term.datatype.value
        if dt == _XSD + "string":
            return lexical
        if dt == _XSD + "boolean" and lexical in ("true", "false"):
            return lexical == "true"
        if dt == _XSD + "integer" and lexical.lstrip("-").isdigit() and str(int(lexical)) == lexical:
            return int(lexical)
        return {"@type": self.iri(dt), "@value": lexical}

    def node(self, iri: str, props: dict[str, list]) -> dict:
        import pyoxigraph

        out = {"@id": self.iri(iri)}
        for key, terms in props.items():
            if key == _RDF_TYPE and all(isinstance(t, pyoxigraph.NamedNode) for t in terms):
                types = [self.iri(t.value) for t in terms]
                out["@type"] = types[0] if len(types) == 1 else types
            else:
                values = [self.value(t) for t in terms]
                out[self.iri(key)] = values[0] if len(values) == 1 else values
        return out


def _nodes(nt: Path):
    """(subject IRI, {predicate IRI: [objects]}) per subject, in file order."""
    current, props = None, {}
    for t in _triples(nt):
        s = t.subject.value
        if s != current:
            if current is not None:
                yield current, props
            current, props = s, {}
        props.setdefault(t.predicate.value, []).append(t.object)
    if current is not None:
        yield current, props


def write_jsonld(nt: Path, path: Path) -> None:
    """Compacted JSON-LD: the ``@context`` of the prefixes, then one ``@graph`` node per
    subject, one node per line (keys sorted), so the file greps and diffs like N-Triples."""
    context = {k: str(v) for k, v in sorted(PREFIXES.items())}
    compact = _Compactor(context)
    dumps = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # the C encoder: no indent
    with open(path, "w", encoding="utf-8") as f:
        f.write(
            '{\n "@context": '
            + json.dumps(context, ensure_ascii=False, indent=1).replace("\n", "\n ")
            + ',\n "@graph": ['
        )
        sep = "\n  "
        for iri, props in _nodes(nt):
            f.write(sep + dumps(compact.node(iri, props)))
            sep = ",\n  "
        f.write("\n ]\n}\n")


EXPORTS = {"turtle": ("graph.ttl", write_turtle), "jsonld": ("graph.jsonld", write_jsonld)}


def export(nt: Path, fmt: str, path: Optional[Path] = None) -> Path:
    """Write the graph in ``nt`` as ``fmt`` (a key of ``EXPORTS``) into ``path`` (default:
    beside ``nt``, ``graph.ttl`` or ``graph.jsonld``); through a temporary file renamed at
    the end, so a reader never sees half a file."""
    name, write = EXPORTS[fmt]
    path = Path(path) if path is not None else nt.with_name(name)
    part = path.with_name(f".{path.name}.part")
    try:
        write(nt, part)
        part.replace(path)
    finally:
        part.unlink(missing_ok=True)
    return path
