"""``kg push``: upload the built graph to any SPARQL 1.1 Graph Store HTTP Protocol endpoint.

When one machine's embedded store is not enough, the graph goes to a server (Oxigraph
server, Apache Jena Fuseki, GraphDB, QLever). ``build/graph.nt`` is sent as
``application/n-triples`` to ``ENDPOINT?graph=IRI`` (a named graph) or ``ENDPOINT?default``
(the default graph): PUT replaces the graph, POST adds to it. The file is streamed in
blocks with its length declared up front, so a graph of 10^8 triples never sits in memory
and servers that refuse chunked uploads still accept it.

``push_documents`` (``kg push --incremental``) sends one named graph per document instead,
only those changed since the last push, and deletes those gone, so rebuilding one province
does not reload the country (docs/scaling.md).

>>> graph_store_url("http://127.0.0.1:7878/store", "https://w3id.org/policy-kg/graph")
'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fpolicy-kg%2Fgraph'
>>> graph_store_url("http://127.0.0.1:7878/store?no_transaction", None)
'http://127.0.0.1:7878/store?no_transaction&default'
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import quote

from kg.core.errors import PushError
from kg.rdf.vocab import ID
from kg.store import build_dir

DEFAULT_GRAPH_IRI = "https://w3id.org/policy-kg/graph"
NT = "graph.nt"
BLOCK = 1 << 20  # bytes per upload block


@dataclass
class PushSummary:
    url: str
    method: str  # PUT (replace) or POST (add)
    graph: Optional[str]  # None: the default graph
    triples: int
    bytes: int
    status: int
    seconds: float


def graph_store_url(endpoint: str, graph: Optional[str]) -> str:
    """The Graph Store Protocol URL of ``graph`` (None: the default graph) at ``endpoint``.

    Parameters already on ``endpoint`` (an access token, Oxigraph's ``no_transaction``) are kept.
    """
    sep = "&" if "?" in endpoint else "?"
    return endpoint + sep + ("default" if graph is None else "graph=" + quote(graph, safe=""))


class _Upload:
    """The file as an iterator of blocks that counts the lines (triples) it has sent."""

    def __init__(self, path: Path):
        self.path = path
        self.lines = 0
        self.sent = 0

    def __iter__(self) -> Iterator[bytes]:
        with open(self.path, "rb") as f:
            last = b"\n"
            while block := f.read(BLOCK):
                self.lines += block.count(b"\n")
                self.sent += len(block)
                last = block[-1:]
                yield block
            if last != b"\n":  # a last line without its newline is still a triple
                self.lines += 1


def _server_message(response) -> str:
    text = " ".join(response.text.split())
    return (text[:300] + "…") if len(text) > 300 else text


def push(
    out: str | Path,
    endpoint: str,
    graph: Optional[str] = DEFAULT_GRAPH_IRI,
    replace: bool = False,
    connect_timeout: float = 10.0,
) -> PushSummary:
    """Upload ``<out>/graph.nt`` to the Graph Store endpoint ``endpoint``.

    ``graph`` is the named graph's IRI (None: the default graph); ``replace`` sends PUT,
    which replaces the graph, instead of POST, which adds to it. Raises PushError (one line)
    when there is no build, the server cannot be reached or it refuses the upload.
    """
    import httpx

    out = build_dir(out)
    path = out / NT
    if not path.is_file():
        raise PushError(f"{out}: no {NT} found", build=out)
    _check_endpoint(endpoint, graph)
    url = graph_store_url(endpoint, graph)
    method = "PUT" if replace else "POST"
    upload = _Upload(path)
    size = path.stat().st_size
    headers = {"Content-Type": "application/n-triples", "Content-Length": str(size)}
    started = time.perf_counter()
    try:
        # No read limit: a store may take long to index a large graph before it answers.
        with httpx.Client(timeout=httpx.Timeout(None, connect=connect_timeout)) as client:
            response = client.request(method, url, content=iter(upload), headers=headers)
    except httpx.ConnectError as e:
        raise PushError(f"{endpoint}: cannot connect ({_first_line(e)}); is the server running?") from None
    except (httpx.HTTPError, httpx.InvalidURL) as e:
        raise PushError(f"{endpoint}: the upload failed ({_first_line(e)})") from None
    except OSError as e:
        raise PushError(f"{path}: cannot read ({e.strerror or e})") from None
    if response.status_code >= 400:
        message = _server_message(response)
        raise PushError(
            f"{endpoint}: the server refused the upload ({method} → {response.status_code} "
            f"{response.reason_phrase})" + (f": {message}" if message else "")
        )
    return PushSummary(
        url, method, graph, upload.lines, upload.sent, response.status_code, time.perf_counter() - started
    )


def _check_endpoint(endpoint: str, graph: Optional[str]) -> None:
    if not endpoint.startswith(("http://", "https://")):
        raise PushError(
            f"{endpoint}: the endpoint must be an http:// or https:// Graph Store URL "
            "(for example http://localhost:7878/store)"
        )
    if graph is not None and not graph.strip():
        raise PushError("--graph: give a graph IRI, or --default-graph")


def _first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__


# ---- One named graph per document, only the changed ones sent (``kg push --incremental``) ----

DOC_LINE = re.compile(rb"<" + re.escape(str(ID).encode()) + rb"doc/([^/>]+)[/>]")
STATE_DIGEST = "https://w3id.org/policy-kg/push#digest"  # <document graph> push:digest "hex" (the state graph)
_STATE_LINE = re.compile(r"^<([^>]+)> <" + re.escape(STATE_DIGEST) + r'> "([0-9a-f]+-[0-9]+)" \.$')
SPOOL = 32 << 20  # bytes of changed documents' lines held before they are appended to their files


@dataclass
class IncrementalSummary:
    endpoint: str
    graph: str  # the base IRI: documents under <graph>/doc/…, the rest in <graph>/common
    partitions: int  # document graphs and the common graph in this build
    sent: list[str]  # graph IRIs replaced (PUT), in file order
    deleted: list[str]  # graph IRIs of documents pushed before and gone from this build (DELETE)
    triples: int  # triples sent
    requests: int  # HTTP requests made, the state graph's GET and PUT included
    seconds: float

    @property
    def unchanged(self) -> int:
        return self.partitions - len(self.sent)


def document_graph(base: str, doc_key: Optional[str]) -> str:
    """The named graph of a document, from its IRI (``doc_key``: the IRI's last segment, as
    in the graph), or of the rest (agencies, regions, vocabulary) for None.

    >>> document_graph("https://w3id.org/policy-kg/graph", "shangrao-2022")
    'https://w3id.org/policy-kg/graph/doc/shangrao-2022'
    >>> document_graph("https://w3id.org/policy-kg/graph", None)
    'https://w3id.org/policy-kg/graph/common'
    """
    return f"{base}/common" if doc_key is None else f"{base}/doc/{doc_key}"


def state_graph(base: str) -> str:
    """The small graph holding the digest of each graph pushed under ``base``."""
    return f"{base}/pushed"


def _key(line: bytes) -> Optional[str]:
    """The document a triple is about (its subject is the document or under its IRI), or None."""
    m = DOC_LINE.match(line)
    return m.group(1).decode("ascii") if m else None


def digests(path: Path) -> dict[Optional[str], str]:
    """Per document (None: the rest) a digest of its triples that ignores their order: the
    sum of the lines' 128-bit BLAKE2 hashes, and how many lines there are."""
    sums: dict[Optional[str], list[int]] = {}
    with open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\r\n")
            if not line.strip():
                continue
            acc = sums.setdefault(_key(line), [0, 0])
            acc[0] += int.from_bytes(hashlib.blake2b(line, digest_size=16).digest(), "big")
            acc[1] += 1
    return {k: f"{s % (1 << 128):032x}-{n}" for k, (s, n) in sums.items()}


def _spool(path: Path, keys: set, into: Path) -> dict[Optional[str], Path]:
    """The lines of the ``keys`` documents, each document's in its own file under ``into``."""
    files = {k: into / f"{i}.nt" for i, k in enumerate(sorted(keys, key=lambda k: (k is None, k or "")))}
    held: dict[Optional[str], list[bytes]] = {}
    size = 0

    def flush():
        for k, lines in held.items():
            with open(files[k], "ab") as f:
                f.writelines(lines)
        held.clear()

    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            k = _key(line)
            if k in files:
                held.setdefault(k, []).append(line if line.endswith(b"\n") else line + b"\n")
                size += len(line)
                if size > SPOOL:
                    flush()
                    size = 0
    flush()
    return files


def _pushed(client, endpoint: str, base: str) -> dict[str, str]:
    """graph IRI -> digest, as the last push under ``base`` recorded it on the server."""
    r = client.get(graph_store_url(endpoint, state_graph(base)), headers={"Accept": "application/n-triples"})
    if r.status_code == 404:
        return {}
    _check(r, "GET", endpoint)
    return {m.group(1): m.group(2) for m in map(_STATE_LINE.match, r.text.splitlines()) if m}


def _check(response, method: str, endpoint: str) -> None:
    if response.status_code >= 400:
        message = _server_message(response)
        raise PushError(
            f"{endpoint}: the server refused the request ({method} → {response.status_code} "
            f"{response.reason_phrase})" + (f": {message}" if message else "")
        )


def push_documents(
    out: str | Path, endpoint: str, graph: str = DEFAULT_GRAPH_IRI, connect_timeout: float = 10.0
) -> IncrementalSummary:
    """Push ``<out>/graph.nt`` as one named graph per document under ``graph``
    (``document_graph``), sending only the graphs whose digest differs from the one the
    last push recorded in the server's ``state_graph``; graphs of documents no longer in
    the build are deleted. The state is written last, so a push that fails midway is
    completed by the next one. Errors as in ``push``."""
    import httpx

    out = build_dir(out)
    path = out / NT
    if not path.is_file():
        raise PushError(f"{out}: no {NT} found", build=out)
    _check_endpoint(endpoint, graph)
    started = time.perf_counter()
    current = {document_graph(graph, k): (k, d) for k, d in digests(path).items()}
    requests = 0
    try:
        with (
            httpx.Client(timeout=httpx.Timeout(None, connect=connect_timeout)) as client,
            tempfile.TemporaryDirectory(prefix="kg-push-") as spool,
        ):
            before = _pushed(client, endpoint, graph)
            requests += 1
            changed = [g for g, (_, d) in current.items() if before.get(g) != d]
            files = _spool(path, {current[g][0] for g in changed}, Path(spool))
            triples = 0
            for g in changed:
                upload = _Upload(files[current[g][0]])
                headers = {"Content-Type": "application/n-triples", "Content-Length": str(upload.path.stat().st_size)}
                _check(client.put(graph_store_url(endpoint, g), content=iter(upload), headers=headers), "PUT", endpoint)
                requests += 1
                triples += upload.lines
            gone = sorted(set(before) - set(current))
            for g in gone:
                r = client.delete(graph_store_url(endpoint, g))
                requests += 1
                if r.status_code != 404:
                    _check(r, "DELETE", endpoint)
            state = "".join(f'<{g}> <{STATE_DIGEST}> "{d}" .\n' for g, (_, d) in sorted(current.items()))
            r = client.put(
                graph_store_url(endpoint, state_graph(graph)),
                content=state.encode(),
                headers={"Content-Type": "application/n-triples"},
            )
            requests += 1
            _check(r, "PUT", endpoint)
    except httpx.ConnectError as e:
        raise PushError(f"{endpoint}: cannot connect ({_first_line(e)}); is the server running?") from None
    except (httpx.HTTPError, httpx.InvalidURL) as e:
        raise PushError(f"{endpoint}: the upload failed ({_first_line(e)})") from None
    return IncrementalSummary(
        endpoint, graph, len(current), changed, gone, triples, requests, time.perf_counter() - started
    )
