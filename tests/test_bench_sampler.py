"""bench/run.py's memory sampler: it sees the workers' memory, and keeps to its CPU budget
(read every 0.2 s, it took a fifth of a core from the builds it measured)."""

from __future__ import annotations

import importlib.util
import multiprocessing
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/smaps_rollup").exists() or "fork" not in multiprocessing.get_all_start_methods(),
    reason="the sampler reads /proc/<pid>/smaps_rollup (Linux) and the test forks a worker",
)


@pytest.fixture(scope="module")
def run():
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _hold(mib: int, seconds: float) -> None:
    block = bytearray(mib << 20)
    block[:: 1 << 12] = b"\1" * len(block[:: 1 << 12])  # touch every page
    time.sleep(seconds)


def test_the_peak_counts_a_forked_worker(run):
    sampler = run._MemorySampler()
    time.sleep(0.5)
    before = sampler.peak_kib
    worker = multiprocessing.get_context("fork").Process(target=_hold, args=(200, 1.5))
    worker.start()
    worker.join()
    peak = sampler.stop()
    assert worker.exitcode == 0
    assert peak * 1024 - before > 150 * 1024  # the worker's 200 MiB, seen from the parent
    assert sampler.readings >= 3


def test_it_keeps_to_its_budget(run, monkeypatch):
    cost = 0.02  # CPU-seconds a reading takes, made up: a large process's page tables

    def slow(pid: int) -> int:
        started = time.thread_time()
        while time.thread_time() - started < cost:
            pass
        return 1

    monkeypatch.setattr(run._MemorySampler, "_pss_kib", staticmethod(slow))
    sampler = run._MemorySampler(interval=0.001, budget=0.1)
    time.sleep(1.5)
    sampler.stop()
    # 1.5 s at most 0.1 of a core: about 7 readings of 20 ms, each followed by 0.2 s (not 1 ms)
    assert 2 <= sampler.readings <= 10
    assert sampler.cpu() == pytest.approx(sampler.readings * cost, rel=0.5)
    assert sampler.cpu() <= 0.1 * 1.5 + cost
