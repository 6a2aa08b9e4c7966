"""Endpoint benchmark: ``kg serve`` against the ``oxigraph`` server on the same store, same run.

Run on demand (not part of the test suite):

    python bench/serve.py [--build out/build] [--requests 2000] [--concurrency 32]
                          [--queries gaps,coverage,agency-load] [--fair-seconds 12]

Both servers read the store ``kg build`` wrote (``<build>/store``): ``kg serve`` with its
defaults (fast and slow lanes, 10 s time limit, row, byte and memory limits, query check,
network-less workers), and ``oxigraph serve-read-only`` (pip package ``oxigraph``, the same
engine, no limits but ``--timeout-s 10``). Without ``--build`` the seed corpus (``data/``) is
built into a temporary folder first. For each saved query and each server, after a warm-up:
``--requests`` GETs from ``--concurrency`` client threads (one ``httpx.Client`` each),
printing requests/s, p50 and p99 latency, and kg serve's figure over oxigraph's. Both
answers are checked to be the same rows first. Then the fairness figure: p50/p99 of a small
query sent one at a time while two clients loop a query that runs into the time limit.

The client runs on the same machine (one Python process): at high rates it, not the server,
may be the bottleneck, which narrows the ratio; the machine's load is printed with the figures.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.store import check_store  # noqa: E402
from kg.store.query import rows_from_json, saved_queries  # noqa: E402

SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
SMALL = "SELECT ?d WHERE { ?d a <http://data.europa.eu/eli/ontology#LegalResource> } ORDER BY ?d"
JSON = {"Accept": "application/sparql-results+json"}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, within: float = 60) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, params={"query": "ASK {}"}, headers=JSON, timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    sys.exit(f"{proc.args[0]} did not start: {proc.stderr.read().decode() if proc.stderr else ''}")


def start_kg(build: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-c", "from kg.cli import main; main()", "serve", "--build", str(build), "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/sparql"
    _wait(url, proc)
    return proc, url


def start_oxigraph(store: Path) -> tuple[subprocess.Popen, str]:
    exe = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(exe).exists():
        sys.exit("the oxigraph server is not installed: pip install oxigraph")
    port = _free_port()
    proc = subprocess.Popen(
        [exe, "serve-read-only", "--location", str(store), "--bind", f"127.0.0.1:{port}", "--timeout-s", "10"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/query"
    _wait(url, proc)
    return proc, url


def _read(path: str) -> str:
    try:
        with open(path) as f:
            return f.read()
    except OSError:  # a thread or process that ended meanwhile
        return ""


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of ``pid`` and its live children, from /proc (Linux; 0 elsewhere)."""
    if not os.path.isdir(f"/proc/{pid}"):
        return 0.0
    children = [
        int(c) for task in os.listdir(f"/proc/{pid}/task") for c in _read(f"/proc/{pid}/task/{task}/children").split()
    ]
    total = 0.0
    for p in [pid, *children]:
        stat = _read(f"/proc/{p}/stat")
        if stat:
            fields = stat.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def load(url: str, query: str, requests: int, concurrency: int, pid: int = 0) -> dict:
    """``requests`` GETs of ``query`` from ``concurrency`` threads: requests/s, p50, p99, errors."""
    share = [requests // concurrency + (i < requests % concurrency) for i in range(concurrency)]

    def client(n: int) -> list[tuple[float, int]]:
        out = []
        with httpx.Client(timeout=60) as c:
            for _ in range(n):
                t = time.perf_counter()
                code = c.get(url, params={"query": query}, headers=JSON).status_code
                out.append((time.perf_counter() - t, code))
        return out

    cpu = _cpu_seconds(pid) if pid else 0.0
    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        results = [r for part in pool.map(client, share) for r in part]
    elapsed = time.perf_counter() - started
    cpu = (_cpu_seconds(pid) - cpu) if pid else 0.0
    latencies = sorted(t for t, _ in results)
    return {
        "rps": len(results) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[max(0, round(0.99 * len(latencies)) - 1)],
        "errors": sum(code != 200 for _, code in results),
        "cpu_ms": cpu * 1000 / len(results),
    }


def fairness(url: str, seconds: float) -> dict:
    """A small query's latency, one request at a time, while two clients loop SLOW."""
    stop = time.monotonic() + seconds

    def loop_slow():
        with httpx.Client(timeout=60) as c:
            while time.monotonic() < stop:
                try:
                    c.get(url, params={"query": SLOW}, headers=JSON)
                except httpx.TransportError:
                    return

    slow = [threading.Thread(target=loop_slow, daemon=True) for _ in range(2)]
    for t in slow:
        t.start()
    time.sleep(0.1)
    latencies, errors = [], 0
    with httpx.Client(timeout=60) as c:
        while time.monotonic() < stop:
            t = time.perf_counter()
            errors += c.get(url, params={"query": SMALL}, headers=JSON).status_code != 200
            latencies.append(time.perf_counter() - t)
            time.sleep(0.02)
    for t in slow:
        t.join(15)
    latencies.sort()
    return {
        "n": len(latencies),
        "p50": statistics.median(latencies),
        "p99": latencies[max(0, round(0.99 * len(latencies)) - 1)],
        "errors": errors,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", type=Path, help="a build folder (default: the seed corpus, built now)")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=32)
    ap.add_argument("--queries", default="gaps,coverage,agency-load")
    ap.add_argument("--fair-seconds", type=float, default=12.0, help="length of the fairness run (0: skip it)")
    args = ap.parse_args()

    tmp = None
    build = args.build
    if build is None:  # through the CLI, whose options stay put while the library's stages change
        tmp = tempfile.TemporaryDirectory()
        build = Path(tmp.name) / "build"
        print("building the seed corpus …", flush=True)
        subprocess.run(
            [
                sys.executable,
                "-c",
                "from kg.cli import main; main()",
                "--data",
                str(ROOT / "data"),
                "build",
                "--out",
                str(build),
            ],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    store = check_store(build)
    saved = saved_queries()
    queries = {name: saved[name].text for name in args.queries.split(",")}

    servers = {}
    try:
        servers["kg serve"] = start_kg(build)
        servers["oxigraph"] = start_oxigraph(store)
        for name, text in queries.items():
            answers = [
                rows_from_json(httpx.get(url, params={"query": text}, headers=JSON, timeout=60).json())
                for _, url in servers.values()
            ]
            if answers[0] != answers[1]:
                sys.exit(f"{name}: the two servers answer differently")
        print(f"store: {store}; {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} before the run")
        print(f"{args.requests} requests per query at concurrency {args.concurrency}")
        print("cpu ms/req: CPU time of the server and its workers per request (independent of other load)")
        print(
            f"{'query':14s} {'server':9s} {'req/s':>8s} {'p50 ms':>8s} {'p99 ms':>8s} {'cpu ms/req':>10s} {'errors':>6s}"
        )
        for name, text in queries.items():
            figures = {}
            for server, (proc, url) in servers.items():
                load(url, text, max(50, args.requests // 10), args.concurrency)  # warm-up
                f = figures[server] = load(url, text, args.requests, args.concurrency, proc.pid)
                print(
                    f"{name:14s} {server:9s} {f['rps']:8.0f} {f['p50'] * 1000:8.1f} {f['p99'] * 1000:8.1f} "
                    f"{f['cpu_ms']:10.2f} {f['errors']:6d}"
                )
            kg, ox = figures["kg serve"], figures["oxigraph"]
            print(
                f"{name:14s} {'kg/oxi':9s} {kg['rps'] / ox['rps']:8.2f} {kg['p50'] / ox['p50']:8.2f} "
                f"{kg['p99'] / ox['p99']:8.2f} {kg['cpu_ms'] / max(ox['cpu_ms'], 1e-9):10.2f}"
            )
        if args.fair_seconds:
            print(f"small query while two clients loop a query that runs into the time limit ({args.fair_seconds:g} s)")
            for server, (_, url) in servers.items():
                f = fairness(url, args.fair_seconds)
                print(
                    f"{'fairness':14s} {server:9s} {f['n']:8d} {f['p50'] * 1000:8.1f} {f['p99'] * 1000:8.1f} "
                    f"{f['errors']:6d}   (column 3: small queries answered)"
                )
        print(f"load average {os.getloadavg()[0]:.1f} after the run")
    finally:
        for proc, _ in servers.values():
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if tmp:
            tmp.cleanup()


if __name__ == "__main__":
    main()
