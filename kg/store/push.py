"""``kg push``: upload the built graph to any SPARQL 1.1 Graph Store HTTP Protocol endpoint.

When one machine's embedded store is not enough, the graph goes to a server (Oxigraph
server, Apache Jena Fuseki, GraphDB, QLever). ``build/graph.nt`` is sent as
``application/n-triples`` to ``ENDPOINT?graph=IRI`` (a named graph) or ``ENDPOINT?default``
(the default graph): PUT replaces the graph, POST adds to it. The file is streamed in
blocks with its length declared up front, so a graph of 10^8 triples never sits in memory
and servers that refuse chunked uploads still accept it.

>>> graph_store_url("http://127.0.0.1:7878/store", "https://w3id.org/policy-kg/graph")
'http://127.0.0.1:7878/store?graph=https%3A%2F%2Fw3id.org%2Fpolicy-kg%2Fgraph'
>>> graph_store_url("http://127.0.0.1:7878/store?no_transaction", None)
'http://127.0.0.1:7878/store?no_transaction&default'
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional
from urllib.parse import quote

from kg.core.errors import PushError
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
    if not endpoint.startswith(("http://", "https://")):
        raise PushError(
            f"{endpoint}: the endpoint must be an http:// or https:// Graph Store URL "
            "(for example http://localhost:7878/store)"
        )
    if graph is not None and not graph.strip():
        raise PushError("--graph: give a graph IRI, or --default-graph")
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


def _first_line(e: Exception) -> str:
    text = str(e).strip().splitlines()
    return text[0] if text else type(e).__name__
