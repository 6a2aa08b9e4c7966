"""``kg serve`` tested as another tool sees it: a real server on a loopback port, queried
with SPARQLWrapper and plain HTTP; same answers as ``kg query``; read-only and bounded."""

import contextlib
import csv
import io
import socket
import subprocess
import sys
import time

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from SPARQLWrapper import JSON, POST, POSTDIRECTLY, TURTLE, SPARQLWrapper

from kg.pipeline import build_graph
from kg.store.query import rows_from_json, run_query, saved_queries

from .conftest import MINI_DOC, ROOT, write_corpus
from .test_guard import ISSUE_BYPASSES, _listener, service_queries

CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
DOCS = "SELECT ?d WHERE { ?d a <http://data.europa.eu/eli/ontology#LegalResource> } ORDER BY ?d"
SR = "https://w3id.org/policy-kg/id/doc/shangrao-2022-green-economy"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(out, *options):
    """``kg serve`` in its own process on a free loopback port, stopped afterwards."""
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from kg.cli import main; main()",
            "serve",
            "--build",
            str(out),
            "--port",
            str(port),
            *options,
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    deadline = time.monotonic() + 60  # four workers start on a machine that may be busy
    while True:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, timeout=2).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"kg serve did not start: {proc.stderr.read().decode()}")
        time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def endpoint(built):
    with running_server(built.out, "--timeout", "2", "--max-rows", "500") as url:
        yield url


def _wrapper(url, query, fmt=JSON):
    w = SPARQLWrapper(url)
    w.setQuery(query)
    w.setReturnFormat(fmt)
    return w


@pytest.mark.parametrize("name", sorted(saved_queries()))
def test_sparqlwrapper_gets_the_same_answers_as_kg_query(endpoint, built, name):
    text = saved_queries()[name].text
    via_http = rows_from_json(_wrapper(endpoint, text).query().convert())
    assert via_http == run_query(built.out, text).rows and via_http


def test_sparqlwrapper_post_form_and_direct_body(endpoint):
    expected = rows_from_json(_wrapper(endpoint, DOCS).query().convert())
    for request_method in (None, POSTDIRECTLY):
        w = _wrapper(endpoint, DOCS)
        w.setMethod(POST)
        if request_method:
            w.setRequestMethod(request_method)
        assert rows_from_json(w.query().convert()) == expected
    assert len(expected) == 6


def test_sparqlwrapper_construct_as_turtle(endpoint):
    q = f"CONSTRUCT {{ <{SR}> ?p ?o }} WHERE {{ <{SR}> ?p ?o }}"
    body = _wrapper(endpoint, q, TURTLE).query().convert()
    g = Graph().parse(data=body, format="turtle")
    assert (URIRef(SR), URIRef("http://purl.org/dc/terms/identifier"), None) in g


@pytest.mark.parametrize(
    "accept, fmt, media, check",
    [
        ("application/sparql-results+json", None, "application/sparql-results+json", '"bindings"'),
        ("application/sparql-results+xml", None, "application/sparql-results+xml", "<sparql"),
        ("text/csv", None, "text/csv", "d\r\nhttps://w3id.org/policy-kg/id/doc/"),
        ("text/tab-separated-values", None, "text/tab-separated-values", "?d\n<https://w3id.org/policy-kg/id/doc/"),
        ("*/*", "csv", "text/csv", "d\r\n"),
        ("text/html;q=0.9, application/sparql-results+xml", None, "application/sparql-results+xml", "<sparql"),
    ],
)
def test_select_results_by_content_negotiation(endpoint, accept, fmt, media, check):
    params = {"query": DOCS, **({"format": fmt} if fmt else {})}
    r = httpx.get(endpoint, params=params, headers={"Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    assert check in r.text


def test_csv_rows_match(endpoint):
    r = httpx.post(endpoint, data={"query": DOCS}, headers={"Accept": "text/csv"})
    table = list(csv.reader(io.StringIO(r.text)))
    assert table[0] == ["d"] and len(table) == 7


@pytest.mark.parametrize(
    "accept, media", [("text/turtle", "text/turtle"), ("application/n-triples", "application/n-triples")]
)
def test_construct_as_turtle_or_ntriples(endpoint, accept, media):
    q = f"CONSTRUCT {{ <{SR}> ?p ?o }} WHERE {{ <{SR}> ?p ?o }}"
    r = httpx.post(endpoint, content=q.encode(), headers={"Content-Type": "application/sparql-query", "Accept": accept})
    assert r.status_code == 200 and r.headers["content-type"].startswith(media)
    g = Graph().parse(data=r.text, format="turtle" if media == "text/turtle" else "nt")
    assert len(g) > 5


def test_cors_for_a_named_browser_tool(built):
    with running_server(built.out, "--cors-origin", "https://yasgui.example") as url:
        r = httpx.get(url, params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.example"})
        pre = httpx.options(
            url,
            headers={
                "Origin": "https://yasgui.example",
                "Access-Control-Request-Method": "POST",
                "Access-Control-Request-Headers": "content-type",
            },
        )
    assert r.headers["access-control-allow-origin"] == "https://yasgui.example"
    assert pre.status_code == 200 and "POST" in pre.headers["access-control-allow-methods"]


@pytest.mark.parametrize(
    "request_kwargs, status",
    [
        ({"method": "POST", "data": {"update": "INSERT DATA { <a:a> <a:b> <a:c> }"}}, 403),
        (
            {
                "method": "POST",
                "content": b"INSERT DATA { <a:a> <a:b> <a:c> }",
                "headers": {"Content-Type": "application/sparql-update"},
            },
            403,
        ),
        ({"method": "GET", "params": {"update": "CLEAR ALL"}}, 403),
        (
            {"method": "PUT", "content": b"<a:a> <a:b> <a:c> .", "headers": {"Content-Type": "application/n-triples"}},
            405,
        ),
        ({"method": "DELETE"}, 405),
        ({"method": "POST", "data": {"query": "INSERT DATA { <a:a> <a:b> <a:c> }"}}, 403),
    ],
)
def test_writes_are_refused(endpoint, request_kwargs, status):
    method = request_kwargs.pop("method")
    r = httpx.request(method, endpoint, **request_kwargs)
    assert r.status_code == status
    count = httpx.get(endpoint, params={"query": "ASK { <a:a> ?p ?o }"}).json()
    assert count["boolean"] is False


def test_invalid_sparql_is_a_400_with_the_parser_message(endpoint):
    r = httpx.get(endpoint, params={"query": "SELECT ?x WHERE { ?x }"})
    assert r.status_code == 400
    assert r.text == "invalid SPARQL: Expected SelectQuery, found '?'  (at char 18), (line:1, col:19)\n"


def test_long_query_is_cut_off_with_a_clear_error_and_the_endpoint_recovers(endpoint):
    started = time.monotonic()
    r = httpx.get(endpoint, params={"query": CARTESIAN}, timeout=30)
    assert r.status_code == 503
    assert r.text == "the query ran longer than the 2 s time limit and was stopped\n"
    assert time.monotonic() - started < 6
    assert httpx.get(endpoint, params={"query": "ASK { ?s ?p ?o }"}, timeout=30).json()["boolean"] is True


def test_result_size_limit(endpoint):
    r = httpx.get(endpoint, params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert r.status_code == 422
    assert r.text == "the result has more than 500 rows (the limit); add LIMIT or narrow the query\n"


def test_federated_service_calls_are_refused(endpoint):
    r = httpx.get(endpoint, params={"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"})
    assert r.status_code == 403 and "SERVICE" in r.text
    fine = httpx.get(endpoint, params={"query": 'SELECT ("SERVICE" AS ?x) WHERE {} # SERVICE'})
    assert fine.status_code == 200


@pytest.fixture(scope="module")
def listener():
    server, count, thread = _listener()
    yield server.getsockname()[1], count
    count["stop"] = True
    thread.join()
    server.close()


def _refused_without_a_connection(endpoint, listener, query, post):
    port, count = listener
    query = query.replace("{port}", str(port))
    if post:
        r = httpx.post(endpoint, content=query.encode(), headers={"Content-Type": "application/sparql-query"})
    else:
        r = httpx.get(endpoint, params={"query": query})
    assert r.status_code in (400, 403), (query, r.status_code, r.text)
    assert count["n"] == 0


@pytest.mark.parametrize("post", [False, True])
@pytest.mark.parametrize("query", ISSUE_BYPASSES)
def test_the_issue_bypasses_open_no_connection(endpoint, listener, query, post):
    _refused_without_a_connection(endpoint, listener, query, post)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), post=st.booleans())
def test_no_construction_around_service_opens_a_connection(endpoint, listener, data, post):
    """Every construction the strategy draws is refused, and the loopback listener it aims
    at never hears from the endpoint."""
    _refused_without_a_connection(endpoint, listener, data.draw(service_queries(listener[0])), post)


def test_endpoint_workers_are_cut_off_the_network(built):
    from kg.store import check_store
    from kg.store.bounded import Worker

    w = Worker(str(check_store(built.out)), public=True)
    try:
        if not w.isolated:
            pytest.skip("this system does not allow a process its own network namespace (unshare)")
        assert w.run("ASK { ?s ?p ?o }").body
    finally:
        w.close()


def test_cross_origin_reads_are_refused_unless_the_origin_is_named(built, endpoint):
    origin = {"Origin": "https://evil.example"}
    r = httpx.get(endpoint, params={"query": "ASK {}"}, headers=origin)
    assert r.status_code == 200 and "access-control-allow-origin" not in r.headers
    with running_server(built.out, "--cors-origin", "https://yasgui.org") as url:
        named = httpx.get(url, params={"query": "ASK {}"}, headers={"Origin": "https://yasgui.org"})
        other = httpx.get(url, params={"query": "ASK {}"}, headers=origin)
    assert named.headers["access-control-allow-origin"] == "https://yasgui.org"
    assert "access-control-allow-origin" not in other.headers


def test_unacceptable_format_is_406(endpoint):
    r = httpx.get(endpoint, params={"query": "ASK {}"}, headers={"Accept": "image/png"})
    assert r.status_code == 406


def test_human_query_page_is_self_contained(endpoint):
    for r in (httpx.get(endpoint.removesuffix("sparql")), httpx.get(endpoint, headers={"Accept": "text/html"})):
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        assert "<textarea" in r.text and "dropped-agencies" in r.text
        assert "<script src" not in r.text and "<link" not in r.text and "@import" not in r.text


MINI_REGISTRY = """documents:
  - id: mini-2022
    file: mini.txt
    title: 上饶市人民政府印发关于测试的实施方案的通知
    level: municipal
    region: 上饶市
"""
MEASURES = "SELECT (COUNT(*) AS ?n) WHERE { ?m a <https://w3id.org/policy-kg/ontology#Measure> }"


def test_a_running_server_answers_from_the_new_build_after_a_rebuild(tmp_path):

    data = write_corpus(tmp_path, {"mini.txt": MINI_DOC}, MINI_REGISTRY)
    build_graph(data, tmp_path / "b")
    with running_server(tmp_path / "b", "--workers", "1") as url:
        assert httpx.get(url, params={"query": MEASURES}).json()["results"]["bindings"][0]["n"]["value"] == "2"
        (data / "mini.txt").write_text(
            MINI_DOC + "\n（三）加强宣传引导。做好宣传。（市委宣传部负责）\n", encoding="utf-8"
        )
        build_graph(data, tmp_path / "b")
        answer = httpx.get(url, params={"query": MEASURES}, timeout=30).json()
        assert answer["results"]["bindings"][0]["n"]["value"] == "3"


def test_serve_without_a_store_says_how_to_build_it(tmp_path):
    from click.testing import CliRunner

    from kg.cli import main

    r = CliRunner().invoke(main, ["serve", "--build", str(tmp_path / "none")])
    assert r.exit_code == 1
    assert (
        r.output
        == f"Error: {tmp_path / 'none'}: no graph store found; run `kg build --out {tmp_path / 'none'}` to build it\n"
    )
