"""Parsing and alignment on a real ``dask.distributed`` cluster: a scheduler and two workers
started here on loopback (``dask scheduler`` / ``dask worker`` subprocesses), against the
embedded run of the same corpus."""

import contextlib
import os
import pickle
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.align import align_corpus
from kg.cli import main
from kg.core.dask_jobs import MAX_TASK_JOBS, on_dask, partition, seen, worker_pid
from kg.core.parallel import fan_out, run_jobs
from kg.corpus import process
from kg.present.records import align_records
from tests.conftest import ROOT, stop

distributed = pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install '.[test]')")

SAME = ["alignment.jsonl", "docs.jsonl", "measures.jsonl", "agencies.jsonl", "warnings.jsonl", "build/graph.nt"]


def _dask() -> str:
    here = Path(sys.executable).parent / "dask"
    found = str(here) if here.is_file() else shutil.which("dask")
    if not found:
        pytest.skip("the dask command is not installed (pip install 'dask[distributed]')")
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def dask_cluster(workdir: Path, workers: int = 2):
    """``dask scheduler`` and ``workers`` single-threaded ``dask worker`` processes on loopback,
    run from ``workdir`` (not the test's directory), stopped afterwards."""
    address = f"tcp://127.0.0.1:{_free_port()}"
    common = ["--no-dashboard"]
    procs = [
        subprocess.Popen(
            [_dask(), "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1], *common],
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    try:
        for i in range(workers):
            procs.append(
                subprocess.Popen(
                    [_dask(), "worker", address, "--nthreads", "1", "--host", "127.0.0.1", "--name", f"w{i}", *common],
                    cwd=workdir,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                with distributed.Client(address, timeout=5) as client:
                    client.wait_for_workers(workers, timeout=max(1, deadline - time.monotonic()))
                break
            except (OSError, TimeoutError):
                if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                    raise RuntimeError("the Dask cluster did not start") from None
                time.sleep(0.5)
        yield address
    finally:
        for p in reversed(procs):
            p.terminate()  # all at once, then each waited for
        for p in reversed(procs):
            stop(p, 15)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with dask_cluster(tmp_path_factory.mktemp("dask-workers")) as address:
        yield address


def test_jobs_run_on_both_workers_in_job_order(cluster):
    with on_dask(cluster) as runner:
        assert runner.workers() == 2
        pids = list(fan_out(worker_pid, list(range(40)), workers=1))
        assert list(run_jobs(pow, [(i, 2) for i in range(30)], workers=1)) == [i * i for i in range(30)]
    assert os.getpid() not in pids and len(set(pids)) == 2


def test_a_family_runs_in_one_task(cluster):
    jobs = [(i, i % 12) for i in range(48)]  # families of 4, under the cut (2 × 48 / (2 workers × 8))
    with on_dask(cluster):
        pids = list(run_jobs(worker_pid, jobs, workers=1, family=lambda job: job[1]))
    by_family = {}
    for (_, fam), pid in zip(jobs, pids):
        by_family.setdefault(fam, set()).add(pid)
    assert all(len(p) == 1 for p in by_family.values()) and len(set(pids)) == 2


def test_a_task_is_sent_only_the_pieces_its_jobs_read(cluster):
    docs = {f"d{i}": f"text {i} " * 200 for i in range(60)}
    jobs = [(f"d{i}", f"d{i + 1}") for i in range(0, 20, 2)]  # read d0..d19; d20..d59 by nobody
    with on_dask(cluster) as runner:
        got = list(run_jobs(seen, jobs, workers=1, shared={"docs": docs, "n": 7}, parts={"docs": lambda job: job}))
        traffic = dict(runner.traffic)
    read = {d for job in jobs for d in job}
    for job, s in zip(jobs, got):
        assert s["n"] == 7 and set(job) <= set(s["docs"]) <= read
    # each piece once per task that reads it, never broadcast; the other 40 never sent
    assert traffic["broadcast"] < 2 * 1000 < len(pickle.dumps(docs["d0"])) * 2 * 40
    assert len(pickle.dumps({d: docs[d] for d in read})) <= traffic["to_tasks"] < len(pickle.dumps(docs)) / 2


def test_alignment_tasks_carry_their_family_not_the_corpus(cluster, monkeypatch):
    monkeypatch.chdir(ROOT)
    corpus = process("data")
    whole = len(pickle.dumps(corpus.docs))
    here = align_records(align_corpus(corpus, workers=1))
    with on_dask(cluster) as runner:
        there = align_records(align_corpus(corpus, workers=1))
        traffic = dict(runner.traffic)
    assert there == here and len(here) > 10
    # per worker, the IDF, candidate index and settings: the documents are not broadcast
    assert traffic["broadcast"] / 2 < whole / 2
    assert traffic["largest_task"] < whole / 2


def test_partition_caps_tasks_however_large_the_corpus():
    jobs = [("pair", f"c{i}", "nation") for i in range(5000)]
    tasks = partition(jobs, lambda j: j[2], 2)
    assert sorted(i for t in tasks for i in t) == list(range(5000))
    assert max(len(t) for t in tasks) == MAX_TASK_JOBS


def test_partition_cuts_large_families_and_keeps_every_job_once():
    jobs = [("pair", f"c{i}", "nation" if i % 2 else f"p{i % 5}") for i in range(200)] + [("discover", "x", "city")] * 9
    tasks = partition(jobs, lambda j: j[2] if j[0] == "pair" else None, 2)
    assert sorted(i for t in tasks for i in t) == list(range(len(jobs)))
    assert max(len(t) for t in tasks) <= 2 * -(-len(jobs) // 16)
    for t in tasks:
        assert len({jobs[i][2] if jobs[i][0] == "pair" else None for i in t}) == 1


def test_kg_all_on_the_cluster_writes_the_same_bytes_as_the_embedded_run(cluster, tmp_path, monkeypatch):
    # relative --data: the workers run elsewhere and still read the corpus and record the same paths
    monkeypatch.chdir(ROOT)
    embedded, distributed_out = tmp_path / "embedded", tmp_path / "dask"
    r = CliRunner().invoke(main, ["all", "--data", "data", "--out", str(embedded), "--workers", "2"])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(
        main, ["all", "--data", "data", "--out", str(distributed_out), "--workers", "2", "--scheduler", cluster]
    )
    assert r.exit_code == 0, r.output
    for name in SAME:
        assert (distributed_out / name).read_bytes() == (embedded / name).read_bytes(), name
    assert (embedded / "alignment.jsonl").stat().st_size > 0


def test_kg_align_on_the_cluster_prints_the_same_links(cluster, monkeypatch):
    monkeypatch.chdir(ROOT)
    here = CliRunner().invoke(main, ["align", "--data", "data", "--format", "jsonl", "--workers", "1"])
    there = CliRunner().invoke(
        main, ["align", "--data", "data", "--format", "jsonl", "--workers", "1", "--scheduler", cluster]
    )
    assert here.exit_code == there.exit_code == 0, there.output
    assert there.stdout == here.stdout and here.stdout.count("\n") > 10


def test_unreachable_scheduler_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setattr("kg.core.dask_jobs.CONNECT_TIMEOUT", 2.0)
    address = f"tcp://127.0.0.1:{_free_port()}"
    r = CliRunner().invoke(
        main, ["build", "--data", str(ROOT / "data"), "--out", str(tmp_path), "--scheduler", address]
    )
    assert r.exit_code == 1
    assert r.output.startswith(f"Error: {address}: cannot reach the Dask scheduler (") and r.output.count("\n") == 1
    assert not (tmp_path / "graph.nt").exists()


def test_the_embedded_run_does_not_import_dask():
    code = (
        "import sys; from kg.pipeline import align_folder; align_folder(sys.argv[1], workers=2); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('dask', 'distributed')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(ROOT / "data")], capture_output=True, text=True, timeout=120, check=True
    )
    assert out.stdout.strip() == "[]"
