"""The jobs of ``kg.core.parallel`` on an existing Dask cluster (``--scheduler ADDRESS``).

Inside ``on_dask(address)`` every ``run_jobs``/``fan_out`` runs its jobs as tasks of a
``dask.distributed`` cluster instead of forked local processes, with the same functions,
the same jobs and the results in the same order, so the outputs are the same bytes.

What a forked worker inherits has to be shipped instead: the ``shared`` dict of the call
and the process-wide settings the stages set around their jobs (``INHERITED``: the corpus
IDF and the thread count of the similarity scorer) travel once per worker (one scatter,
broadcast), not once per task. Jobs of one ``family`` (alignment: the children of one parent
document) go in one task, so the parent is prepared once for all of them; jobs of no family
go in chunks of consecutive jobs, as the local pool sends them. A family larger than its
share of the work is cut into chunks, so that every worker has work.

Workers import ``kg`` themselves (install the same version on every worker) and read the
corpus files at the paths the client gives (a shared file system, or one machine): a
task runs in the client's working directory when the worker has it, so relative paths
(and the ``file`` recorded for each document) are the same as in a local run. The
import of ``distributed`` happens here only: the embedded default never loads Dask.
"""

from __future__ import annotations

import importlib
import os
import threading
from contextlib import contextmanager
from typing import Callable, Hashable, Iterator, Optional

from kg.core import parallel
from kg.core.errors import KgError

# Module globals a stage sets around its jobs and forked workers inherit: (module, name).
INHERITED = (("kg.core.similarity", "CORPUS_IDF"), ("kg.core.similarity", "WORKERS"))
# Chunks per worker for jobs without a family (and the cut of large families): enough for
# the workers to finish together, few enough that the scheduler's per-task cost stays small.
CHUNKS_PER_WORKER = 8
CONNECT_TIMEOUT = 15.0  # seconds to reach the scheduler
# One task at a time per worker process: the tasks set module globals (``shared``, INHERITED).
_LOCK = threading.Lock()


def _run_task(fn: Callable, jobs: list, payload: tuple) -> list:
    """On a worker: ``fn`` over ``jobs`` with the caller's ``shared`` and inherited settings in force."""
    from threadpoolctl import threadpool_limits

    shared, inherited, cwd = payload
    with _LOCK:
        here = os.getcwd()
        if os.path.isdir(cwd):
            os.chdir(cwd)
        saved = {}
        for (module, name), value in zip(INHERITED, inherited):
            mod = importlib.import_module(module)
            saved[module, name] = getattr(mod, name)
            setattr(mod, name, value)
        parallel._SHARED.clear()
        parallel._SHARED.update(shared)
        try:
            # one core per task, as in a local worker process (the numbers do not depend on it)
            with threadpool_limits(limits=1, user_api="blas"):
                return [fn(job) for job in jobs]
        finally:
            parallel._SHARED.clear()
            for (module, name), value in saved.items():
                setattr(importlib.import_module(module), name, value)
            os.chdir(here)


def worker_pid(*_job) -> int:
    """The process a job ran in (to see where the jobs went)."""
    return os.getpid()


def partition(jobs: list, family: Optional[Callable[[object], Hashable]], workers: int) -> list[list[int]]:
    """Job indices per task: one task per family (cut when larger than a chunk of the work),
    consecutive chunks for jobs of no family (``family`` None, or returning None).

    >>> partition(list("aaabbc"), lambda j: None if j == "c" else j, 1)  # 6 jobs: families cut at 2
    [[0, 1], [2], [3, 4], [5]]
    >>> partition(list(range(5)), None, 1)
    [[0], [1], [2], [3], [4]]
    """
    chunk = max(1, -(-len(jobs) // (max(1, workers) * CHUNKS_PER_WORKER)))
    groups: dict[Hashable, list[int]] = {}
    loose = 0
    for i, job in enumerate(jobs):
        key = family(job) if family else None
        if key is None:
            key, loose = ("chunk", loose // chunk), loose + 1
        else:
            key = ("family", key)
        groups.setdefault(key, []).append(i)
    cut = 2 * chunk  # chunks of loose jobs are smaller already
    return [ids[k : k + cut] for ids in groups.values() for k in range(0, len(ids), cut)]


class DaskPending:
    """Jobs submitted to the cluster: their results, in job order, from ``results()``."""

    def __init__(self, runner: "DaskJobs", fn, jobs: list, shared: Optional[dict], family):
        client = runner.client
        self._address = runner.address
        self._n = len(jobs)
        self._tasks = partition(jobs, family, runner.workers())
        self._where = {i: (t, k) for t, ids in enumerate(self._tasks) for k, i in enumerate(ids)}
        inherited = tuple(getattr(importlib.import_module(m), n) for m, n in INHERITED)
        with runner.errors():
            (self._payload,) = client.scatter(
                [(dict(shared or {}), inherited, os.getcwd())], broadcast=True, hash=False
            )
            self._futures = [
                client.submit(_run_task, fn, [jobs[i] for i in ids], self._payload, pure=False) for ids in self._tasks
            ]
        self._runner = runner

    def results(self) -> Iterator:
        try:
            done: dict[int, list] = {}
            left = [len(ids) for ids in self._tasks]
            for i in range(self._n):
                t, k = self._where[i]
                if t not in done:
                    with self._runner.errors():
                        done[t] = self._futures[t].result()
                    self._futures[t] = None  # the cluster may forget it
                yield done[t][k]
                left[t] -= 1
                if not left[t]:
                    del done[t]
        finally:
            self.close()

    def close(self) -> None:
        """Cancel what has not run yet and release the shipped data (also after an error)."""
        futures = [f for f in getattr(self, "_futures", []) if f is not None]
        if futures:
            self._runner.client.cancel(futures)
        if getattr(self, "_payload", None) is not None:
            self._runner.client.cancel([self._payload])
            self._payload = None
        self._futures = []


class DaskJobs:
    """A connection to a running Dask scheduler that runs ``kg.core.parallel`` jobs."""

    def __init__(self, address: str, timeout: Optional[float] = None):
        try:
            from distributed import Client
        except ImportError:
            raise KgError(
                "--scheduler: dask.distributed is not installed (pip install 'policy-kg[distributed]')"
            ) from None
        self.address = address
        with self.errors():
            self.client = Client(address, timeout=timeout or CONNECT_TIMEOUT, set_as_default=False)
        if not self.workers():
            self.client.close()
            raise KgError(f"{address}: the Dask scheduler has no workers; start some with `dask worker {address}`")

    @contextmanager
    def errors(self):
        """A lost or unreachable scheduler as one line naming it."""
        try:
            yield
        except (OSError, TimeoutError) as e:
            detail = str(e).strip().splitlines()
            raise KgError(
                f"{self.address}: cannot reach the Dask scheduler ({detail[0] if detail else type(e).__name__})"
            ) from None

    def workers(self) -> int:
        return len(self.client.scheduler_info().get("workers", {}))

    def start(self, fn: Callable, jobs: list, shared: Optional[dict] = None, family=None) -> DaskPending:
        return DaskPending(self, fn, jobs, shared, family)

    def close(self) -> None:
        self.client.close()


@contextmanager
def on_dask(address: str) -> Iterator[DaskJobs]:
    """Inside the block, the jobs of ``kg.core.parallel`` run on the Dask cluster at ``address``."""
    runner = DaskJobs(address)
    try:
        with parallel.on_cluster(runner):
            yield runner
    finally:
        runner.close()
