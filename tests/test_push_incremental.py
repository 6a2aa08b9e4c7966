"""``kg push --incremental`` against a real ``oxigraph`` server, through a loopback proxy
that counts the requests: one named graph per document, only changed documents re-sent,
removed documents deleted, and the server's content equal to the last build."""

import contextlib
import shutil
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import httpx
import pyoxigraph
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.pipeline import build_graph
from kg.rdf.iris import doc_iri
from kg.store.push import DEFAULT_GRAPH_IRI, document_graph, push_documents, state_graph
from tests.conftest import DATA
from tests.test_push import oxigraph_server

BASE = "https://example.org/policy-kg/country"
CHANGED, REMOVED = "jilin-2021-green-economy", "jiangxi-2024-eco-civilization"


@contextlib.contextmanager
def counting_proxy(upstream: str):
    """A loopback HTTP proxy to ``upstream`` that records (method, graph IRI) of each request."""
    seen: list[tuple[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def _forward(self):
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            graph = parse_qs(urlsplit(self.path).query).get("graph", ["default"])[0]
            seen.append((self.command, graph))
            headers = {k: v for k, v in self.headers.items() if k.lower() in ("content-type", "accept")}
            r = httpx.request(self.command, upstream + self.path, content=body, headers=headers, timeout=60)
            self.send_response(r.status_code)
            self.send_header("Content-Type", r.headers.get("content-type", "text/plain"))
            self.send_header("Content-Length", str(len(r.content)))
            self.end_headers()
            self.wfile.write(r.content)

        do_GET = do_PUT = do_POST = do_DELETE = _forward

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", seen
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


@pytest.fixture(scope="module")
def builds(tmp_path_factory):
    """The seed corpus built three times: as it is, with one document's date changed, and
    without one document."""
    root = tmp_path_factory.mktemp("incremental")
    out = {}
    for name in ("first", "changed", "removed"):
        data = root / f"data-{name}"
        shutil.copytree(DATA, data)
        registry = (data / "corpus.yaml").read_text(encoding="utf-8")
        if name == "changed":
            assert "issued: 2021-03-30" not in registry
            start = registry.index(f"id: {CHANGED}")
            issued = registry.index("issued:", start)
            end = registry.index("\n", issued)
            registry = registry[:issued] + "issued: 2021-03-30" + registry[end:]
        if name == "removed":
            start = registry.index(f"  - id: {REMOVED}")
            end = registry.find("\n  - id:", start + 1)
            entry = registry[start : end + 1 if end > 0 else len(registry)]
            (data / entry.split("file: ")[1].split("\n")[0]).unlink()
            registry = registry.replace(entry, "")
        (data / "corpus.yaml").write_text(registry, encoding="utf-8")
        out[name] = root / name
        build_graph(data, out[name], workers=1)
    return out


@pytest.fixture()
def server(tmp_path):
    with oxigraph_server(tmp_path / "store") as base, counting_proxy(base) as (proxy, seen):
        yield proxy, seen


def _doc_graph(doc_id):
    return document_graph(BASE, str(doc_iri(doc_id)).rsplit("/", 1)[1])


def _triples(nt: bytes) -> set:
    """The triples of a build, as the store holds them (it writes literals in canonical form: 3400.0 → 3400)."""
    store = pyoxigraph.Store()
    store.load(nt, format=pyoxigraph.RdfFormat.N_TRIPLES)
    return {str(pyoxigraph.Triple(q.subject, q.predicate, q.object)) for q in store}


def _server_triples(proxy) -> set:
    """Every triple of every graph under BASE but the state graph, read back from the server."""
    r = httpx.get(proxy + "/store", headers={"Accept": "application/n-quads"}, timeout=60)
    r.raise_for_status()
    out = set()
    for q in pyoxigraph.parse(r.content, format=pyoxigraph.RdfFormat.N_QUADS):
        g = q.graph_name.value if isinstance(q.graph_name, pyoxigraph.NamedNode) else ""
        if g.startswith(BASE + "/") and g != state_graph(BASE):
            out.add(str(pyoxigraph.Triple(q.subject, q.predicate, q.object)))
    return out


def test_first_push_sends_every_document_then_only_the_changed_one(server, builds):
    proxy, seen = server
    first = push_documents(builds["first"], proxy + "/store", BASE)
    graphs = {g for m, g in seen if m == "PUT"} - {state_graph(BASE)}
    assert graphs == set(first.sent) and first.deleted == []
    assert _doc_graph(CHANGED) in graphs and document_graph(BASE, None) in graphs
    assert len(graphs) == first.partitions >= 6  # the seed documents with text, and the common graph
    assert _server_triples(proxy) == _triples((builds["first"] / "graph.nt").read_bytes())

    seen.clear()
    again = push_documents(builds["first"], proxy + "/store", BASE)
    assert again.sent == [] and again.unchanged == first.partitions
    assert [m for m, _ in seen] == ["GET", "PUT"]  # the state read and written, nothing else

    seen.clear()
    changed = push_documents(builds["changed"], proxy + "/store", BASE)
    assert changed.sent == [_doc_graph(CHANGED)]
    assert seen == [("GET", state_graph(BASE)), ("PUT", _doc_graph(CHANGED)), ("PUT", state_graph(BASE))]
    assert changed.requests == len(seen)
    assert _server_triples(proxy) == _triples((builds["changed"] / "graph.nt").read_bytes())


def test_a_removed_documents_graph_is_deleted(server, builds):
    proxy, seen = server
    push_documents(builds["first"], proxy + "/store", BASE)
    seen.clear()
    done = push_documents(builds["removed"], proxy + "/store", BASE)
    assert done.deleted == [_doc_graph(REMOVED)] and ("DELETE", _doc_graph(REMOVED)) in seen
    assert _server_triples(proxy) == _triples((builds["removed"] / "graph.nt").read_bytes())
    ask = httpx.post(
        proxy + "/query",
        data={"query": f"ASK {{ GRAPH <{_doc_graph(REMOVED)}> {{ ?s ?p ?o }} }}"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    assert ask.json()["boolean"] is False


def test_cli_incremental_reports_what_it_sent(server, builds):
    proxy, _ = server
    args = ["push", "--build", str(builds["first"]), "--endpoint", proxy + "/store", "--incremental"]
    r = CliRunner().invoke(main, args)
    assert r.exit_code == 0, r.output
    assert f"unchanged, 0 deleted under <{DEFAULT_GRAPH_IRI}>" in r.output
    r = CliRunner().invoke(main, args)
    assert r.output.startswith("0 of ") and "(0 triples)" in r.output
    r = CliRunner().invoke(main, args + ["--replace"])
    assert r.exit_code == 2 and "--incremental" in r.output
