"""``kg serve`` under load and abuse on a loopback port: slow queries do not starve small ones,
bodies, answers and workers are bounded, a dead worker is a 503 the pool recovers from, and a
busy port is one line. Every loop is bounded in time."""

import os
import select
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import ROOT
from .test_bounded import CARTESIAN, tenfold
from .test_serve import DOCS, _free_port

TIMEOUT = 6  # the served time limit, short so that slow clients cycle within the test


def _children(pid: int) -> list[int]:
    out = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{task}/children") as f:
            out += [int(c) for c in f.read().split()]
    return out


def _cpu(pid: int) -> int:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def _settled(pid: int, workers: int = 4, within: float = 60) -> list[int]:
    """The server's worker pids once all are up and idle (none spending CPU for 0.5 s)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        before = {c: _cpu(c) for c in _children(pid)}
        time.sleep(0.5)
        if len(before) == workers and all(_cpu(c) == t for c, t in before.items()):
            return list(before)
    pytest.fail("the server's workers did not settle")


def _start(out, port: int, **limits) -> subprocess.Popen:
    """``serve()`` in its own process, with limits ``kg serve`` has no option for."""
    code = (
        "import sys; from kg.store.serve import serve; "
        "serve(sys.argv[1], port=int(sys.argv[2]), ready=lambda url: print(url, file=sys.stderr, flush=True), "
        f"**{limits!r})"
    )
    return subprocess.Popen(
        [sys.executable, "-c", code, str(out), str(port)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _ready_line(proc: subprocess.Popen, within: float = 60) -> str:
    """The first line ``proc`` writes to stderr, or a failure when none comes in time."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if select.select([proc.stderr], [], [], 0.2)[0]:
            return proc.stderr.readline().decode()
        if proc.poll() is not None:
            break
    proc.kill()
    pytest.fail(f"the server printed nothing: {proc.stderr.read().decode()}")


@pytest.fixture(scope="module")
def server(built):
    port = _free_port()
    proc = _start(built.out, port, timeout=TIMEOUT, max_memory=400_000_000)
    url = _ready_line(proc).strip()
    assert url == f"http://127.0.0.1:{port}/sparql"
    yield proc, url
    proc.terminate()
    proc.wait(10)


def test_the_ready_line_comes_once_the_port_answers(server):
    _, url = server
    assert httpx.get(url, params={"query": "ASK {}"}, timeout=5).status_code == 200


def test_a_small_query_stays_fast_while_two_clients_loop_slow_queries(server):
    _, url = server
    stop = time.monotonic() + TIMEOUT + 3  # each slow client sends its query twice
    slow_answers = []

    def loop_slow():
        with httpx.Client(timeout=60) as client:
            while time.monotonic() < stop:
                r = client.get(url, params={"query": CARTESIAN})
                slow_answers.append((r.status_code, r.text))

    slow = [threading.Thread(target=loop_slow) for _ in range(2)]
    for t in slow:
        t.start()
    time.sleep(0.1)
    latencies = []
    with httpx.Client(timeout=60) as client:
        while time.monotonic() < stop:
            started = time.perf_counter()
            r = client.get(url, params={"query": DOCS}, headers={"Accept": "text/csv"})
            latencies.append(time.perf_counter() - started)
            assert r.status_code == 200 and r.text.count("\n") == 7
            time.sleep(0.02)
    for t in slow:
        t.join(3 * TIMEOUT)
    latencies.sort()
    p99 = latencies[max(0, round(0.99 * len(latencies)) - 1)]
    print(f"small queries: {len(latencies)}, p50 {statistics.median(latencies):.3f} s, p99 {p99:.3f} s")
    assert len(latencies) > 50 and p99 < 1.0
    assert len(slow_answers) >= 2
    assert {a for a in slow_answers} == {
        (503, f"the query ran longer than the {TIMEOUT} s time limit and was stopped\n")
    }


def test_a_body_over_the_limit_is_413(server):
    _, url = server
    from kg.store.serve import MAX_BODY

    big = ("SELECT * WHERE { ?s ?p ?o } #" + "x" * MAX_BODY).encode()
    headers = {"Content-Type": "application/sparql-query"}
    r = httpx.post(url, content=big, headers=headers)
    assert r.status_code == 413
    assert r.text == "the request body is larger than 1 MB (the limit); send a shorter query\n"

    def chunks():  # no Content-Length: refused while it streams
        for _ in range(20):
            yield b"#" + b"x" * 99_999

    assert httpx.post(url, content=chunks(), headers=headers).status_code == 413
    form = httpx.post(url, data={"query": big.decode()})
    assert form.status_code == 413
    assert httpx.post(url, content=b"ASK {}", headers=headers).json()["boolean"] is True
    host, port = url.split("/")[2].split(":")
    with socket.create_connection((host, int(port)), timeout=30) as raw:  # httpx refuses to send such a URL
        raw.sendall(b"GET /sparql?query=ASK%7B%7D%23" + b"x" * MAX_BODY + b" HTTP/1.1\r\nHost: kg\r\n\r\n")
        assert raw.recv(100)[:12] in (b"HTTP/1.1 400", b"HTTP/1.1 414")  # the HTTP parser's limit, or ours


def test_a_query_string_over_the_limit_is_414(built):
    import asyncio

    from kg.store.serve import create_app

    async def ask():  # the app without its lifespan: refused before any worker is asked
        transport = httpx.ASGITransport(app=create_app(built.out, max_body=1000))
        async with httpx.AsyncClient(transport=transport, base_url="http://kg") as client:
            return await client.get("/sparql", params={"query": "ASK {} #" + "x" * 1000})

    r = asyncio.run(ask())
    assert r.status_code == 414
    assert r.text == "the request URL is longer than 1 kB (the limit); send a shorter query\n"


def test_a_huge_one_row_answer_is_refused_by_the_byte_limit(server):
    _, url = server
    r = httpx.post(url, data={"query": tenfold(7, "?v{n}", last=4)}, timeout=60)  # one row: a 40 MB string
    assert r.status_code == 422
    assert r.text.startswith("the result is larger than 32 MB (the limit)")
    assert httpx.get(url, params={"query": DOCS}).status_code == 200


def test_a_worker_over_its_memory_cap_is_a_503_and_the_pool_recovers(server):
    _, url = server
    r = httpx.post(url, data={"query": tenfold(8)}, timeout=60)  # strings of 1 GB
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    assert r.text.startswith("the query needed more than 400 MB of memory")
    assert httpx.get(url, params={"query": DOCS}, timeout=30).status_code == 200


def test_a_worker_killed_mid_query_is_a_503_and_the_next_query_is_served(server):
    proc, url = server
    answer = {}
    t = threading.Thread(target=lambda: answer.update(r=httpx.get(url, params={"query": CARTESIAN}, timeout=60)))
    idle = {c: _cpu(c) for c in _settled(proc.pid)}
    t.start()
    time.sleep(1.5)
    busy = max(idle, key=lambda c: _cpu(c) - idle[c])  # the only worker spending CPU runs the query
    assert _cpu(busy) > idle[busy]
    os.kill(busy, signal.SIGKILL)
    t.join(30)
    r = answer["r"]
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    assert r.text == "the query worker died while answering (it was killed or crashed); try again\n"
    assert httpx.get(url, params={"query": DOCS}, timeout=30).status_code == 200


def test_after_every_idle_worker_dies_the_next_queries_are_served(server):
    proc, url = server
    for pid in _settled(proc.pid):
        os.kill(pid, signal.SIGKILL)
    answers = [httpx.get(url, params={"query": DOCS}, timeout=60) for _ in range(5)]
    assert [r.status_code for r in answers] == [200] * 5


def test_two_thousand_requests_at_concurrency_32_all_succeed(server):
    _, url = server

    def client(n):
        with httpx.Client(timeout=60) as c:
            return [c.get(url, params={"query": DOCS}).status_code for _ in range(n)]

    started = time.monotonic()
    with ThreadPoolExecutor(32) as pool:
        codes = [code for codes in pool.map(client, [63] * 31 + [2000 - 63 * 31]) for code in codes]
    print(f"2000 requests at concurrency 32: {2000 / (time.monotonic() - started):.0f} requests/s")
    assert len(codes) == 2000 and codes.count(200) == 2000


def test_a_busy_port_is_one_line_and_a_non_zero_exit(built):
    from click.testing import CliRunner

    from kg.cli import main

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = CliRunner().invoke(main, ["serve", "--build", str(built.out), "--port", str(port)])
    assert r.exit_code == 1
    assert r.output == (
        f"Error: --port {port}: the port is already in use on 127.0.0.1 (another kg serve or server?); "
        "stop it or choose another port\n"
    )
