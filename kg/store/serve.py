"""``kg serve``: a read-only SPARQL 1.1 Protocol endpoint over the built store.

A small Starlette app (served by uvicorn) in front of a pool of query workers
(kg.store.bounded), so every query has a hard time limit and a result-size limit and nothing
can write: the workers open the store read-only; updates and graph-store writes are
refused; federated SERVICE calls are refused on the parsed query, and the workers run
without network (kg.store.guard). Cross-origin requests are refused unless origins are named.
Results follow content negotiation (Accept header, or a ``format`` parameter as
SPARQLWrapper sends it).

>>> negotiate("application/sparql-results+xml;q=0.5, text/csv", None)
['text/csv', 'application/sparql-results+xml']
>>> negotiate("*/*", "tsv")
['text/tab-separated-values']
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
from html import escape
from importlib import resources
from pathlib import Path
from typing import Optional, Sequence
from urllib.parse import parse_qs

from kg.core.errors import NotAcceptable, QueryError, QueryRefused, QueryTimeout, ResultTooLarge, StoreError
from kg.store import DEFAULT, MANIFEST, build_dir, check_store
from kg.store.bounded import GRAPH_TYPES, SELECT_TYPES, Worker
from kg.store.query import saved_queries

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


def _stamp(out: Path):
    try:
        st = (out / MANIFEST).stat()
        return st.st_ino, st.st_mtime_ns
    except OSError:
        return None


class WorkerPool:
    """Idle query workers; a worker killed by a timeout is replaced in the background, and
    all are replaced when ``kg build`` swaps in a new store."""

    def __init__(self, out: Path, size: int):
        self.out, self.size = out, size
        self.idle: asyncio.Queue = asyncio.Queue()
        self.stamp = _stamp(out)
        self.all: set[Worker] = set()

    async def _spawn(self) -> None:
        w = await asyncio.to_thread(Worker, str(check_store(self.out)), public=True)
        w.stamp = self.stamp
        self.all.add(w)
        self.idle.put_nowait(w)

    async def start(self) -> None:
        await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        if not all(w.isolated for w in self.all):
            print(
                "kg serve: warning: the query workers cannot be cut off the network on this system; "
                "SERVICE is still refused by the query check",
                file=sys.stderr,
            )

    def _retire(self, w: Worker) -> None:
        self.all.discard(w)
        w.close()
        asyncio.get_running_loop().create_task(self._spawn())

    async def run(self, sparql: str, accept: list[str], max_rows: Optional[int], timeout: Optional[float]):
        stamp = _stamp(self.out)
        if stamp != self.stamp:  # a rebuild replaced the store: retire the workers holding the old one
            self.stamp = stamp
            for _ in range(self.idle.qsize()):
                self._retire(self.idle.get_nowait())
        try:
            w = await asyncio.wait_for(self.idle.get(), timeout=(timeout or 60) + 30)
        except asyncio.TimeoutError:
            raise QueryTimeout("the endpoint is busy (every query worker is in use); try again") from None
        try:
            return await asyncio.to_thread(w.run, sparql, accept, max_rows, timeout)
        finally:
            if w.alive and w.stamp == self.stamp:
                self.idle.put_nowait(w)
            else:
                self._retire(w)

    async def close(self) -> None:
        for w in list(self.all):
            w.close()
        self.all.clear()


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


def create_app(
    out: str | Path = DEFAULT,
    timeout: Optional[float] = 10.0,
    max_rows: Optional[int] = 10000,
    workers: int = 2,
    cors_origins: Sequence[str] = (),
):
    """The ASGI app: ``/sparql`` (SPARQL 1.1 Protocol, read-only) and ``/`` (a query page).

    ``cors_origins``: web origins (``https://yasgui.org``, or ``*`` for any) whose pages may
    read answers; none by default, so a page a researcher happens to open cannot query it."""
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import HTMLResponse, PlainTextResponse, Response
    from starlette.routing import Route

    out = build_dir(out)
    check_store(out)
    page = _page(timeout, max_rows)
    state: dict = {}

    def error(status: int, message: str) -> Response:
        return PlainTextResponse(message + "\n", status_code=status)

    async def home(request):
        return HTMLResponse(page)

    async def sparql(request):
        params = {k: request.query_params.getlist(k) for k in request.query_params.keys()}
        query: Optional[str] = None
        if request.method == "POST":
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            body = (await request.body()).decode("utf-8", errors="replace")
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
            answer = await state["pool"].run(query, accept, max_rows, timeout)
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
        pool = state["pool"] = WorkerPool(out, workers)
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


def serve(
    out: str | Path = DEFAULT,
    host: str = "127.0.0.1",
    port: int = 7878,
    timeout: Optional[float] = 10.0,
    max_rows: Optional[int] = 10000,
    workers: int = 2,
    ready=None,
    cors_origins: Sequence[str] = (),
) -> None:
    """Serve ``out``'s store on http://host:port/sparql until interrupted."""
    import uvicorn

    app = create_app(out, timeout, max_rows, workers, cors_origins)
    if ready:
        ready(f"http://{host}:{port}/sparql")
    uvicorn.run(app, host=host, port=port, log_level=os.environ.get("KG_LOG_LEVEL", "warning"))


__all__ = ["create_app", "serve", "negotiate", "SELECT_TYPES", "GRAPH_TYPES"]
