"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over the built store.

A small Starlette app (served by uvicorn) in front of query workers in two lanes
(kg.store.lanes: slow queries cannot starve small ones), so every query has a hard time
limit, limits on its result's rows and bytes and on its worker's memory, and nothing can
write: the workers open the store read-only; updates and graph-store writes are
refused; federated SERVICE calls are refused on the parsed query, and the workers run
without network (kg.store.guard). Cross-origin requests are refused unless origins are named.
Results follow content negotiation (Accept header, or a ``format`` parameter as
SPARQLWrapper sends it). A request body is read up to ``MAX_BODY`` bytes (413 beyond; a URL
query string as long, 414). A
failure the client may retry (a worker died or passed its memory cap, every worker busy) is
503 with ``Retry-After``, never 400 or 500.

>>> negotiate("application/sparql-results+xml;q=0.5, text/csv", None)
['text/csv', 'application/sparql-results+xml']
>>> negotiate("*/*", "tsv")
['text/tab-separated-values']
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
from html import escape
from importlib import resources
from pathlib import Path
from typing import Optional, Sequence
from urllib.parse import parse_qs

from kg.core.errors import KgError, NotAcceptable, QueryError, QueryRefused, QueryTimeout, ResultTooLarge, StoreError
from kg.store import DEFAULT, build_dir, check_store
from kg.store.bounded import GRAPH_TYPES, SELECT_TYPES, Worker, WorkerLost, megabytes
from kg.store.lanes import Busy, WorkerPool
from kg.store.query import saved_queries

MAX_BODY = 1_000_000  # bytes of a POST body (a query, or a form holding one); 413 beyond
MAX_BYTES = 32_000_000  # bytes of a serialised result; 422 beyond
MAX_MEMORY = 1_000_000_000  # resident bytes of one query worker; stopped and 503 beyond
SLOW_WORKERS = 2  # workers of the slow lane, beside --workers in the fast lane
THRESHOLD = 0.5  # seconds a query runs in the fast lane before it moves to the slow lane
RETRY_AFTER = {WorkerLost: "1", Busy: "5"}  # seconds a client should wait before sending the query again

FORMAT_PARAM = {  # ?format= values (SPARQLWrapper's and common ones) → media types to try
    "json": ["application/sparql-results+json", "application/ld+json"],
    "xml": ["application/sparql-results+xml", "application/rdf+xml"],
    "csv": ["text/csv"],
    "tsv": ["text/tab-separated-values"],
    "turtle": ["text/turtle"],
    "ttl": ["text/turtle"],
    "n3": ["text/turtle"],
    "ntriples": ["application/n-triples"],
    "nt": ["application/n-triples"],
    "n-triples": ["application/n-triples"],
    "rdf": ["application/rdf+xml"],
    "rdfxml": ["application/rdf+xml"],
    "rdf+xml": ["application/rdf+xml"],
    "json-ld": ["application/ld+json"],
    "jsonld": ["application/ld+json"],
}
FORM = "application/x-www-form-urlencoded"


def negotiate(accept: Optional[str], fmt: Optional[str]) -> list[str]:
    """Media types the client takes, best first: ``format`` wins, else the Accept q-values."""
    if fmt:
        return list(FORMAT_PARAM.get(fmt.lower(), [fmt.lower()] if "/" in fmt else ["unknown/" + fmt]))
    ranked = []
    for i, part in enumerate((accept or "").split(",")):
        media, *params = [p.strip() for p in part.split(";")]
        q = 1.0
        for p in params:
            if p.startswith("q="):
                try:
                    q = float(p[2:])
                except ValueError:
                    q = 0.0
        if media and q > 0:
            ranked.append((-q, i, media.lower()))
    return [m for _, _, m in sorted(ranked)]


def _page(timeout: Optional[float], max_rows: Optional[int]) -> str:
    html = (resources.files("kg") / "static" / "query.html").read_text(encoding="utf-8")
    saved = [{"name": q.name, "question": q.question, "text": q.text} for q in saved_queries().values()]
    default = saved[0]["text"] if saved else "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
    return (
        html.replace("__SAVED__", json.dumps(saved, ensure_ascii=False).replace("</", "<\\/"))
        .replace("__DEFAULT__", escape(default))
        .replace("__TIMEOUT__", f"{timeout:g}" if timeout else "no")
        .replace("__MAX_ROWS__", str(max_rows) if max_rows else "no limit")
    )


class ServeError(KgError):
    """The endpoint cannot start (the port is taken, the address cannot be used)."""


class BodyTooLarge(QueryError):
    """A request body past the limit (413); raised before the rest of it is read."""


async def _read_body(request, limit: int) -> bytes:
    """The request body, refused (BodyTooLarge) as soon as it passes ``limit`` bytes."""
    message = f"the request body is larger than {megabytes(limit)} (the limit); send a shorter query"
    try:
        if int(request.headers.get("content-length") or 0) > limit:
            raise BodyTooLarge(message)
    except ValueError:
        pass
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(message)
        chunks.append(chunk)
    return b"".join(chunks)


def create_app(
    out: str | Path = DEFAULT,
    timeout: Optional[float] = 10.0,
    max_rows: Optional[int] = 10000,
    workers: int = 2,
    cors_origins: Sequence[str] = (),
    *,
    max_body: int = MAX_BODY,
    max_bytes: Optional[int] = MAX_BYTES,
    max_memory: Optional[int] = MAX_MEMORY,
    slow_workers: int = SLOW_WORKERS,
    threshold: float = THRESHOLD,
):
    """The ASGI app: ``/sparql`` (SPARQL 1.1 Protocol, read-only) and ``/`` (a query page).

    ``cors_origins``: web origins (``https://yasgui.org``, or ``*`` for any) whose pages may
    read answers; none by default, so a page a researcher happens to open cannot query it.
    ``workers`` run queries in the fast lane, ``slow_workers`` those past ``threshold`` seconds."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import HTMLResponse, PlainTextResponse, Response
    from starlette.routing import Route

    out = build_dir(out)
    check_store(out)
    page = _page(timeout, max_rows)
    state: dict = {}

    def error(status: int, message: str, retry_after: Optional[str] = None) -> Response:
        headers = {"Retry-After": retry_after} if retry_after else None
        return PlainTextResponse(message + "\n", status_code=status, headers=headers)

    async def home(request):
        return HTMLResponse(page)

    async def sparql(request):
        if len(request.scope.get("query_string", b"")) > max_body:
            return error(414, f"the request URL is longer than {megabytes(max_body)} (the limit); send a shorter query")
        params = {k: request.query_params.getlist(k) for k in request.query_params.keys()}
        query: Optional[str] = None
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            try:
                body = (await _read_body(request, max_body)).decode("utf-8", errors="replace")
            except BodyTooLarge as e:
                return error(413, str(e))
            if ctype == FORM:
                for k, v in parse_qs(body, keep_blank_values=True).items():
                    params.setdefault(k, []).extend(v)
            elif ctype == "application/sparql-query":
                query = body
            elif ctype == "application/sparql-update":
                return error(403, "this endpoint is read-only: SPARQL Update is not accepted")
            else:
                return error(
                    415,
                    f"unsupported content type “{ctype}”: POST a form ({FORM}) or a query (application/sparql-query)",
                )
        if "update" in params:
            return error(403, "this endpoint is read-only: SPARQL Update is not accepted")
        if params.get("default-graph-uri") or params.get("named-graph-uri"):
            return error(
                400, "default-graph-uri and named-graph-uri are not supported: the default graph holds the whole corpus"
            )
        if query is None:
            queries = params.get("query", [])
            if len(queries) > 1:
                return error(400, "more than one query parameter")
            if not queries:
                if "text/html" in request.headers.get("accept", "") and request.method == "GET":
                    return HTMLResponse(page)
                return error(
                    400,
                    "missing query: send ?query=… (GET), a form with query=… or an "
                    "application/sparql-query body (POST)",
                )
            query = queries[0]
        fmt = (params.get("format") or [None])[0]
        accept = negotiate(request.headers.get("accept"), fmt)
        try:
            answer = await state["pool"].run(query, accept, max_rows, timeout, max_bytes)
        except (WorkerLost, Busy) as e:
            return error(503, str(e), next(v for k, v in RETRY_AFTER.items() if isinstance(e, k)))
        except QueryTimeout as e:
            return error(503, str(e))
        except QueryRefused as e:
            return error(403, str(e))
        except ResultTooLarge as e:
            return error(422, str(e))
        except NotAcceptable as e:
            return error(406, str(e))
        except QueryError as e:
            return error(400, str(e))
        except StoreError as e:
            return error(503, str(e))
        return Response(answer.body, media_type=answer.media_type, headers={"Vary": "Accept"})

    @contextlib.asynccontextmanager
    async def lifespan(app):
        pool = state["pool"] = WorkerPool(out, workers, slow_workers, threshold, max_memory)
        await pool.start()
        try:
            yield
        finally:
            await pool.close()

    cors = (
        [
            Middleware(
                CORSMiddleware,
                allow_origins=list(cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["*"],
                expose_headers=["Content-Type"],
            )
        ]
        if cors_origins
        else []
    )
    return Starlette(
        routes=[Route("/", home, methods=["GET"]), Route("/sparql", sparql, methods=["GET", "POST"])],
        middleware=cors,
        lifespan=lifespan,
    )


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to host:port and listening; ServeError (one line) when the port is taken."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as e:
        raise ServeError(f"--host {host}: not an address this machine can listen on ({e})") from None
    sock = socket.socket(family, kind, proto)
    try:
        if os.name != "nt":  # as uvicorn does: a restart may rebind at once
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        sock.listen(2048)
    except OSError as e:
        sock.close()
        if e.errno in (errno.EADDRINUSE, getattr(errno, "WSAEADDRINUSE", -1)):
            raise ServeError(
                f"--port {port}: the port is already in use on {host} (another kg serve or server?); "
                "stop it or choose another port"
            ) from None
        raise ServeError(f"--host {host} --port {port}: cannot listen there ({e.strerror or e})") from None
    sock.set_inheritable(False)
    return sock


def serve(
    out: str | Path = DEFAULT,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: Optional[float] = 10.0,
    max_rows: Optional[int] = 10000,
    workers: int = 2,
    ready=None,
    cors_origins: Sequence[str] = (),
    **limits,
) -> None:
    """Serve ``out``'s store on http://host:port/sparql until interrupted.

    ``ready(url)`` is called once the port is bound and the workers are up; a port in use is
    a ServeError before anything is printed. ``limits``: create_app's keyword limits."""
    import uvicorn

    app = create_app(out, timeout, max_rows, workers, cors_origins, **limits)
    sock = listen(host, port)
    try:
        Worker(str(check_store(build_dir(out)))).close()  # a corrupt store: one line now, not a traceback later
    except StoreError:
        sock.close()
        raise
    url = f"http://{host if ':' not in host else f'[{host}]'}:{sock.getsockname()[1]}/sparql"

    class Server(uvicorn.Server):
        async def startup(self, sockets=None):
            await super().startup(sockets=sockets)
            if self.started and ready:
                ready(url)

    config = uvicorn.Config(app, log_level=os.environ.get("KG_LOG_LEVEL", "warning"))
    try:
        Server(config).run(sockets=[sock])
    finally:
        sock.close()


__all__ = ["create_app", "serve", "listen", "ServeError", "negotiate", "SELECT_TYPES", "GRAPH_TYPES"]
