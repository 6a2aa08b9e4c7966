"""Process pools for parsing and alignment: same results, in job order, either way."""

import os
import sys
from pathlib import Path

import pytest

from kg.core.parallel import default_workers, fan_out, release_free_heap, run_jobs

_STATE = {}


def _pid_and_square(x):
    return os.getpid(), x * x + _STATE.get("offset", 0)


def test_pool_keeps_job_order_and_sees_state_set_before_the_call():
    _STATE["offset"] = 1
    try:
        out = list(fan_out(_pid_and_square, list(range(40)), workers=2))
    finally:
        _STATE.clear()
    assert [v for _, v in out] == [x * x + 1 for x in range(40)]
    assert {pid for pid, _ in out} - {os.getpid()}  # ran in worker processes


def test_one_worker_or_one_job_runs_in_this_process():
    assert {pid for pid, _ in fan_out(_pid_and_square, [1, 2, 3], workers=1)} == {os.getpid()}
    assert [pid for pid, _ in fan_out(_pid_and_square, [3], workers=2)] == [os.getpid()]


def test_run_jobs_spreads_argument_tuples():
    assert list(run_jobs(divmod, [(7, 2), (9, 4)], workers=2)) == [(3, 1), (2, 1)]


def test_default_workers_is_at_least_one():
    assert default_workers() >= 1


def _generator():
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "bench" / "generate.py"
    spec = importlib.util.spec_from_file_location("bench_generate", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def test_kg_all_in_two_processes_writes_the_same_files_as_in_one(tmp_path):
    """Three synthetic city plans: parsing, alignment and the reports fan out to workers."""
    from kg.pipeline import run_all

    _generator().generate(tmp_path / "corpus", 3, 7)
    one = run_all(tmp_path / "corpus", tmp_path / "one", workers=1)
    two = run_all(tmp_path / "corpus", tmp_path / "two", workers=2)
    assert one.reports == two.reports == 3 and one.links == two.links
    files = sorted(
        p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*") if p.is_file() and "store" not in p.parts
    )
    assert files
    for f in files:
        assert (tmp_path / "two" / f).read_bytes() == (tmp_path / "one" / f).read_bytes(), f


def test_workers_die_with_a_parent_killed_by_sigkill(tmp_path):
    """A pool's parent killed with SIGKILL (no cleanup runs) takes its workers with it."""
    import signal
    import subprocess
    import sys
    import time

    code = (
        "import os, sys, time\n"
        "from kg.core.parallel import start\n"
        "pending = start(time.sleep, [60] * 4, workers=2)\n"
        "time.sleep(0.5)\n"
        "print(' '.join(str(p) for p in pending._pool._processes), flush=True)\n"
        "time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        workers = [int(p) for p in parent.stdout.readline().split()]
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait(timeout=30)
        parent.stdout.close()
    assert len(workers) == 2

    def running(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                return f.read().rsplit(")", 1)[1].split()[0] not in "ZX"
        except FileNotFoundError:
            return False

    deadline = time.monotonic() + 10
    while any(map(running, workers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(running, workers))


def _mark(args):
    folder, x = args
    open(os.path.join(folder, f"{x}.started"), "w").close()
    return x


def test_ahead_bounds_the_jobs_sent_before_the_caller_takes_their_results(tmp_path):
    import time

    results = fan_out(_mark, [(str(tmp_path), x) for x in range(40)], workers=2, ahead=4)
    assert next(results) == 0
    deadline = time.monotonic() + 2  # without the bound, all 40 start well within this
    while time.monotonic() < deadline:
        time.sleep(0.05)
    assert 1 <= len(list(tmp_path.glob("*.started"))) <= 5  # 4 sent, then 1 more for the one taken
    assert list(results) == list(range(1, 40))  # the rest, in order
    assert len(list(tmp_path.glob("*.started"))) == 40


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads VmRSS from /proc (Linux)")
def test_release_free_heap_gives_freed_memory_back_before_a_fork():
    def rss_mib():
        return int(Path("/proc/self/status").read_text().split("VmRSS:")[1].split()[0]) / 1024

    held = [bytes(4000) + bytes([i % 256]) for i in range(40_000)]  # 160 MB from malloc's heap
    kept = held[::64]  # a few left alive, so the freed memory is not all at the heap's top
    del held
    before = rss_mib()
    release_free_heap()
    assert before - rss_mib() > 80, "the freed blocks went back to the system"
    assert len(kept) == 625
