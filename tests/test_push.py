"""``kg push`` against a real Graph Store: the ``oxigraph`` server from PyPI, started on a
loopback port with its own temporary store, then queried over the SPARQL protocol."""

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.store.push import DEFAULT_GRAPH_IRI, push
from kg.store.query import resolve, rows_from_json, run_query

from .conftest import stop

OTHER = "https://example.org/policy-kg/partition/jiangxi"


def _oxigraph() -> str:
    """The oxigraph server binary (pip package ``oxigraph``); skipped outside CI when missing."""
    here = Path(sys.executable).parent / "oxigraph"
    found = str(here) if here.is_file() else shutil.which("oxigraph")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("the oxigraph server binary is missing: pip install '.[test]' installs it (package oxigraph)")
    pytest.skip("the oxigraph server binary is not installed (pip install oxigraph)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def oxigraph_server(location: Path):
    """``oxigraph serve`` on a free loopback port over ``location``, stopped afterwards."""
    port = _free_port()
    proc = subprocess.Popen(
        [_oxigraph(), "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    try:
        while True:
            try:
                if httpx.get(base + "/query", params={"query": "ASK {}"}, timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"oxigraph serve did not start: {proc.stderr.read().decode()[-500:]}")
            time.sleep(0.2)
        yield base
    finally:
        stop(proc, 10)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with oxigraph_server(tmp_path_factory.mktemp("oxigraph")) as base:
        yield base


def _select(base, sparql, **params):
    r = httpx.post(
        base + "/query",
        params=params,
        data={"query": sparql},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    r.raise_for_status()
    return rows_from_json(r.json())


def _count(base, graph=None):
    where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
    return _select(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}")[0]["n"]


def _nt_lines(out):
    with open(out / "graph.nt", "rb") as f:
        return sum(1 for line in f if line.strip())


def test_push_puts_every_triple_into_the_named_graph(server, built):
    r = CliRunner().invoke(main, ["push", "--build", str(built.out), "--endpoint", server + "/store", "--replace"])
    assert r.exit_code == 0, r.output
    triples = _nt_lines(built.out)
    assert triples == built.triples
    assert r.output.startswith(f"{triples} triples pushed (replaced <{DEFAULT_GRAPH_IRI}>, HTTP 20")
    assert r.output.rstrip().endswith(" s")
    assert _count(server, DEFAULT_GRAPH_IRI) == triples


def test_saved_query_on_the_server_gives_the_rows_of_kg_query(server, built):
    push(built.out, server + "/store", replace=True)
    text = resolve("gaps")
    # default-graph-uri (SPARQL 1.1 Protocol) makes the pushed named graph the query's default graph
    remote = _select(server, text, **{"default-graph-uri": DEFAULT_GRAPH_IRI})
    assert remote == run_query(built.out, text).rows and remote


def test_replace_twice_keeps_the_count(server, built):
    first = push(built.out, server + "/store", OTHER, replace=True)
    second = push(built.out, server + "/store", OTHER, replace=True)
    assert first.method == second.method == "PUT"
    assert first.triples == second.triples == _count(server, OTHER) == built.triples


def test_default_graph_push_adds_to_the_default_graph(server, built):
    s = push(built.out, server + "/store", None)
    assert (s.method, s.graph, s.triples) == ("POST", None, built.triples)
    assert _count(server) == built.triples
    assert s.url.endswith("/store?default")


def test_server_refusal_is_one_line_with_the_servers_message(server, built):
    r = CliRunner().invoke(
        main, ["push", "--build", str(built.out), "--endpoint", server + "/store", "--graph", "not an iri"]
    )
    assert r.exit_code == 1
    line = r.output.strip()
    assert "\n" not in line and "Traceback" not in r.output
    assert line.startswith(f"Error: {server}/store: the server refused the upload (POST → 400 Bad Request): ")


def test_closed_port_is_one_line_error(tmp_path):
    (tmp_path / "graph.nt").write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    url = f"http://127.0.0.1:{_free_port()}/store"
    r = CliRunner().invoke(main, ["push", "--build", str(tmp_path), "--endpoint", url])
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: {url}: cannot connect (") and r.output.endswith("; is the server running?\n")
    assert r.output.count("\n") == 1


def test_missing_build_and_bad_endpoint_are_usage_errors(tmp_path):
    r = CliRunner().invoke(main, ["push", "--build", str(tmp_path), "--endpoint", "http://127.0.0.1:9/store"])
    assert r.exit_code == 1
    assert r.output == f"Error: {tmp_path}: no graph.nt found; run `kg build --out {tmp_path}` to build it\n"
    (tmp_path / "graph.nt").write_text("", encoding="utf-8")
    r = CliRunner().invoke(main, ["push", "--build", str(tmp_path), "--endpoint", "localhost:7878/store"])
    assert r.exit_code == 1 and "must be an http:// or https:// Graph Store URL" in r.output
    r = CliRunner().invoke(
        main, ["push", "--build", str(tmp_path), "--endpoint", "http://x/store", "--graph", "urn:g", "--default-graph"]
    )
    assert r.exit_code == 2 and "not both" in r.output
