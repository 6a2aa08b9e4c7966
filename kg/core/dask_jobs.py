"""The jobs of ``kg.core.parallel`` on an existing Dask cluster (``--scheduler ADDRESS``).

Inside ``on_dask(address)`` every ``run_jobs``/``fan_out`` runs its jobs as tasks of a
``dask.distributed`` cluster instead of forked local processes, with the same functions,
the same jobs and the results in the same order, so the outputs are the same bytes.

What a forked worker inherits has to be shipped instead, and only what a task reads:

- ``parts`` of the call name the large entries of ``shared`` that jobs read piecemeal (the
  parsed documents: id → Document) and, per job, which pieces it reads (alignment: the
  child and the parents it aligns). Each task gets only its jobs' pieces, each piece pickled
  once on the client however many tasks need it, and the task's data is scattered to one
  worker, where the task then runs; a worker so holds the documents of its tasks in flight,
  not the corpus.
- The rest of ``shared`` and the process-wide settings the stages set around their jobs
  (``INHERITED``: the corpus IDF and the thread count of the similarity scorer) travel once
  per worker (one scatter, broadcast).
- Jobs of one ``family`` (alignment: the children of one parent document) go in one task,
  so the parent is shipped and prepared once for all of them; jobs of no family go in chunks
  of consecutive jobs, as the local pool sends them. A family larger than its share of the
  work is cut into chunks, so that every worker has work. At most ``AHEAD`` tasks per worker
  are on the cluster at a time, so neither the client nor the workers hold every task's data.
- Every byte shipped is counted (``DaskJobs.traffic``): bench/dask.py prints it.

Workers import ``kg`` themselves (install the same version on every worker) and read the
corpus files at the paths the client gives (a shared file system, or one machine): a
task runs in the client's working directory when the worker has it, so relative paths
(and the ``file`` recorded for each document) are the same as in a local run. The
import of ``distributed`` happens here only: the embedded default never loads Dask.
"""

from __future__ import annotations

import importlib
import os
import pickle
import threading
import uuid
from collections import Counter
from contextlib import contextmanager
from typing import Callable, Hashable, Iterable, Iterator, Optional

from kg.core import parallel
from kg.core.errors import KgError

# Module globals a stage sets around its jobs and forked workers inherit: (module, name).
INHERITED = (("kg.core.similarity", "CORPUS_IDF"), ("kg.core.similarity", "WORKERS"))
# Chunks per worker for jobs without a family (and the cut of large families): enough for
# the workers to finish together, few enough that the scheduler's per-task cost stays small.
CHUNKS_PER_WORKER = 8
# At most this many jobs in a task, however large the corpus: a task's documents (and so a
# worker's memory) stay bounded; a parent is still shipped once per this many children.
MAX_TASK_JOBS = 128
# Tasks per worker on the cluster at once (submitted, running or done and not yet read):
# enough that no worker waits for the next, few enough that their data stays small.
AHEAD = 4
CONNECT_TIMEOUT = 15.0  # seconds to reach the scheduler
# One task at a time per worker process: the tasks set module globals (``shared``, INHERITED).
_LOCK = threading.Lock()
# On a worker: the broadcast part of the current call, unpickled once (token, value).
_COMMON: list = [None, None]


def _run_task(fn: Callable, jobs: list, common: tuple, part: dict) -> bytes:
    """On a worker: ``fn`` over ``jobs`` with the caller's ``shared`` (the broadcast ``common``
    and this task's ``part`` of it) and inherited settings in force; the results pickled."""
    from threadpoolctl import threadpool_limits

    token, blob = common
    with _LOCK:
        if _COMMON[0] != token:
            _COMMON[:] = [token, pickle.loads(blob)]
        shared, inherited, cwd = _COMMON[1]
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
        parallel._SHARED.update(
            {name: {k: pickle.loads(b) for k, b in pieces.items()} for name, pieces in part.items()}
        )
        try:
            # one core per task, as in a local worker process (the numbers do not depend on it)
            with threadpool_limits(limits=1, user_api="blas"):
                return pickle.dumps([fn(job) for job in jobs], protocol=pickle.HIGHEST_PROTOCOL)
        finally:
            parallel._SHARED.clear()
            for (module, name), value in saved.items():
                setattr(importlib.import_module(module), name, value)
            os.chdir(here)


def worker_pid(*_job) -> int:
    """The process a job ran in (to see where the jobs went)."""
    return os.getpid()


def seen(*_job) -> dict:
    """What ``shared`` held for a job: each dict's keys, other entries as they are (to see
    what travelled)."""
    return {name: sorted(v) if isinstance(v, dict) else v for name, v in parallel.shared().items()}


def partition(jobs: list, family: Optional[Callable[[object], Hashable]], workers: int) -> list[list[int]]:
    """Job indices per task: one task per family (cut when larger than a chunk of the work,
    or than ``MAX_TASK_JOBS``), consecutive chunks for jobs of no family (``family`` None, or
    returning None).

    >>> partition(list("aaabbc"), lambda j: None if j == "c" else j, 1)  # 6 jobs: families cut at 2
    [[0, 1], [2], [3, 4], [5]]
    >>> partition(list(range(5)), None, 1)
    [[0], [1], [2], [3], [4]]
    """
    chunk = max(1, min(MAX_TASK_JOBS, -(-len(jobs) // (max(1, workers) * CHUNKS_PER_WORKER))))
    groups: dict[Hashable, list[int]] = {}
    loose = 0
    for i, job in enumerate(jobs):
        key = family(job) if family else None
        if key is None:
            key, loose = ("chunk", loose // chunk), loose + 1
        else:
            key = ("family", key)
        groups.setdefault(key, []).append(i)
    cut = min(2 * chunk, MAX_TASK_JOBS)  # chunks of loose jobs are smaller already
    return [ids[k : k + cut] for ids in groups.values() for k in range(0, len(ids), cut)]


def _dumps(obj) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)


class DaskPending:
    """Jobs submitted to the cluster: their results, in job order, from ``results()``."""

    def __init__(self, runner: "DaskJobs", fn, jobs: list, shared: Optional[dict], family, parts):
        self._runner, self._fn, self._jobs = runner, fn, jobs
        workers = runner.workers()
        self._tasks = partition(jobs, family, workers)
        self._where = {i: (t, k) for t, ids in enumerate(self._tasks) for k, i in enumerate(ids)}
        shared, self._parts = dict(shared or {}), dict(parts or {})
        self._pieces = {name: shared.pop(name, None) or {} for name in self._parts}
        self._pickled: dict[tuple, bytes] = {}  # (part, key) -> the piece pickled, once per call
        inherited = tuple(getattr(importlib.import_module(m), n) for m, n in INHERITED)
        blob = _dumps((shared, inherited, os.getcwd()))
        runner.traffic.update(calls=1, broadcast=len(blob) * workers)
        self._futures: list = [None] * len(self._tasks)
        self._payload, self._submitted = None, 0
        self._ahead = max(1, AHEAD * workers)
        with runner.errors():
            (self._payload,) = runner.client.scatter([(uuid.uuid4().hex, blob)], broadcast=True, hash=False)
            self._submit(self._ahead)

    def _part(self, ids: list[int]) -> dict:
        """The pieces of ``shared`` the jobs ``ids`` read, pickled: {part: {key: bytes}}."""
        out: dict = {}
        for name, needs in self._parts.items():
            pieces = out.setdefault(name, {})
            for i in ids:
                for key in needs(self._jobs[i]):
                    if key not in pieces:
                        if (name, key) not in self._pickled:
                            self._pickled[name, key] = _dumps(self._pieces[name][key])
                        pieces[key] = self._pickled[name, key]
        return out

    def _submit(self, upto: int) -> None:
        """Send tasks until ``upto`` of them have been sent."""
        client = self._runner.client
        while self._submitted < min(upto, len(self._tasks)):
            t = self._submitted
            jobs = [self._jobs[i] for i in self._tasks[t]]
            part = self._part(self._tasks[t])
            size = sum(len(b) for pieces in part.values() for b in pieces.values()) + len(_dumps(jobs))
            self._runner.traffic.update(tasks=1, to_tasks=size)
            self._runner.traffic["largest_task"] = max(self._runner.traffic["largest_task"], size)
            (data,) = client.scatter([part], hash=False) if part else (part,)
            self._futures[t] = client.submit(_run_task, self._fn, jobs, self._payload, data, pure=False)
            self._submitted += 1

    def results(self) -> Iterator:
        try:
            done: dict[int, list] = {}
            left = [len(ids) for ids in self._tasks]
            for i in range(len(self._jobs)):
                t, k = self._where[i]
                if t not in done:
                    with self._runner.errors():
                        self._submit(t + self._ahead)
                        blob = self._futures[t].result()
                    self._futures[t] = None  # the cluster may forget it, and its data
                    self._runner.traffic.update(results=len(blob))
                    done[t] = pickle.loads(blob)
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
        self._futures, self._pickled = [], {}


class DaskJobs:
    """A connection to a running Dask scheduler that runs ``kg.core.parallel`` jobs.

    ``traffic`` counts what was shipped, in pickled bytes: ``broadcast`` (the common part of
    ``shared`` and the inherited settings, times the workers it went to), ``to_tasks`` (each
    task's jobs and pieces), ``largest_task``, ``results`` (what came back), ``tasks``, ``calls``.
    """

    def __init__(self, address: str, timeout: Optional[float] = None):
        try:
            from distributed import Client
        except ImportError:
            raise KgError(
                "--scheduler: dask.distributed is not installed (pip install 'policy-kg[distributed]')"
            ) from None
        self.address = address
        self.traffic: Counter = Counter(calls=0, tasks=0, broadcast=0, to_tasks=0, largest_task=0, results=0)
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

    def start(
        self,
        fn: Callable,
        jobs: list,
        shared: Optional[dict] = None,
        family=None,
        parts: Optional[dict[str, Callable[[object], Iterable[Hashable]]]] = None,
    ) -> DaskPending:
        return DaskPending(self, fn, jobs, shared, family, parts)

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
