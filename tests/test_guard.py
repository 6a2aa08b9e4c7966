"""The endpoint's query check decides on the parsed query, and a public worker has no network."""

import socket
import subprocess
import sys
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.core.errors import QueryError, QueryRefused
from kg.store.guard import check_query
from kg.store.query import saved_queries

# Escapes a prefixed name's local part may hold (SPARQL 1.1 PN_LOCAL_ESC).
PN_LOCAL_ESC = list("_~.-!$&'()*+,;=/?#@%")


def service_queries(port: int):
    """Queries that call SERVICE on ``port`` behind the things a text search misreads:
    escaped prefixed names, comments, strings and IRIs holding quotes or hashes."""
    target = f"<http://127.0.0.1:{port}/x>"
    escaped_name = st.builds(
        lambda e, tail: f"ex:a\\{e}{tail}", st.sampled_from(PN_LOCAL_ESC), st.sampled_from(["", "b", "\\#", "\\'"])
    )
    decoy = st.one_of(
        st.builds(lambda n: f"?s {n} ?o .", escaped_name),
        st.builds(lambda n: f"?s ex:p {n} .", escaped_name),
        st.sampled_from(
            [
                '?s ex:p "a#b" .',
                "?s ex:p 'x\\'' .",
                '?s ex:p """ # " """ .',
                "?s <http://e/#'> ?o .",
                "# a comment with ' and \"\n",
                "?s ex:p '''it's''' .",
                '?s ex:p "SERVICE" .',
                "?s ex:p ex:SERVICE .",
                'FILTER(?o != "#")',
            ]
        ),
    )
    keyword = st.sampled_from(["SERVICE", "service", "Service", "SERVICE SILENT", "service silent"])
    wrap = st.sampled_from(
        [
            "{}",
            "OPTIONAL {{ {} }}",
            "{{ {} }} UNION {{ ?a ?b ?c }}",
            "FILTER EXISTS {{ {} }}",
            "{{ SELECT * WHERE {{ {} }} }}",
            "MINUS {{ {} }}",
        ]
    )
    return st.builds(
        lambda decoys, kw, w, sep: (
            "PREFIX ex: <http://e/> SELECT * WHERE { "
            + sep.join(decoys)
            + sep
            + w.format(f"{kw} {target} {{ ?x ?y ?z }}")
            + " }"
        ),
        st.lists(decoy, min_size=1, max_size=3),
        keyword,
        wrap,
        st.sampled_from([" ", "\n"]),
    )


ISSUE_BYPASSES = [
    "PREFIX ex: <http://e/> SELECT ?x WHERE { OPTIONAL { ?s ex:a\\# ?o } SERVICE <http://127.0.0.1:{port}/x> { ?x ?y ?z } }",
    "PREFIX ex: <http://e/> SELECT ?x WHERE { OPTIONAL { ?s ex:a\\' ?o } SERVICE <http://127.0.0.1:{port}/x> { ?x ?y ?z } }",
]


@pytest.mark.parametrize("query", ISSUE_BYPASSES)
def test_service_hidden_behind_an_escaped_prefixed_name_is_refused(query):
    with pytest.raises(QueryError):
        check_query(query.replace("{port}", "18099"))


@settings(max_examples=200, deadline=None)
@given(service_queries(18099))
def test_every_construction_around_a_service_clause_is_refused(query):
    with pytest.raises(QueryError):
        check_query(query)


def test_a_plain_service_clause_is_refused_as_federation():
    with pytest.raises(QueryRefused, match="SERVICE"):
        check_query("SELECT * WHERE { ?s ?p ?o SERVICE SILENT ?endpoint { ?x ?y ?z } }")


def test_an_update_sent_as_a_query_is_refused_as_read_only():
    with pytest.raises(QueryRefused, match="read-only"):
        check_query("INSERT DATA { <http://a> <http://b> <http://c> }")


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ("SERVICE" AS ?x) WHERE {} # SERVICE <http://e/>',
        "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:SERVICE ?o . ?service ex:p ex:service }",
        "SELECT * WHERE { <http://e/SERVICE#x> ?p ?o }",
        *[q.text for q in saved_queries().values()],
    ],
)
def test_queries_that_only_mention_service_pass(query):
    check_query(query)


def _listener():
    """A loopback listener that counts the connections it receives."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    count = {"n": 0, "stop": False}

    def accept():
        while not count["stop"]:
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            count["n"] += 1
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    return server, count, thread


def test_an_isolated_process_cannot_open_any_connection():
    server, count, thread = _listener()
    port = server.getsockname()[1]
    probe = (
        "import socket, sys\nfrom kg.store.guard import isolate_network\n"
        "ok = isolate_network()\n"
        f"s = socket.socket()\ntry:\n    s.connect(('127.0.0.1', {port})); print(ok, 'connected')\n"
        "except OSError as e:\n    print(ok, 'refused')\n"
    )
    try:
        out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30).stdout.split()
    finally:
        count["stop"] = True
        thread.join()
        server.close()
    if out[0] == "False":
        pytest.skip("this system does not allow a process its own network namespace (unshare)")
    assert out == ["True", "refused"] and count["n"] == 0
