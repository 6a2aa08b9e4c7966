"""Both cores for the pure-Python stages (parsing, alignment, making and validating the
graph, reports): a process pool, or none.

Threads would not help (the GIL); processes are forked so they inherit what the parent
already holds (jieba's dictionary, the parsed corpus) instead of loading it again. Where
fork is unavailable, or the job is too small to repay a pool, work runs in-process.

Workers die with the process that started them, however it ends (SIGKILL included): a
killed pool's workers would otherwise wait for jobs forever (``die_with_parent``).
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from itertools import islice
from typing import Callable, Hashable, Iterable, Iterator, Optional, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 0.5  # how often the fallback watchdog looks for its parent


def die_with_parent(parent: int) -> None:
    """Make this process end when process ``parent`` (the one that started it) ends.

    On Linux the kernel sends SIGKILL at the parent's death (``prctl(PR_SET_PDEATHSIG)``;
    strictly at the death of the parent's thread that forked, and pools are started and
    closed from one thread). Elsewhere a daemon thread checks every ``WATCH_SECONDS``
    whether the process was handed to another parent. Either way, a parent already gone
    ends it now.
    """
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0
        except (AttributeError, OSError):
            armed = False
    if armed:
        if os.getppid() != parent:  # died before the death signal was armed
            os._exit(1)
    else:
        watch_parent(parent)


def watch_parent(parent: int) -> None:
    """End this process when ``parent`` ends, by a daemon thread that checks every
    ``WATCH_SECONDS``: for processes started from any thread of a long-lived parent (the
    endpoint's query workers), where the death signal would follow the starting thread."""
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="kg-parent-watch").start()


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(WATCH_SECONDS)
    os._exit(1)


def _worker_start(parent: int, collecting: bool) -> None:
    """Initializer of every pool worker."""
    die_with_parent(parent)
    if collecting:
        gc.enable()


def release_free_heap() -> None:
    """Give the heap's free pages back to the system (glibc's ``malloc_trim``). What an
    earlier stage freed (alignment's score matrices and passing objects) otherwise stays in
    this process, and workers forked now share it copy-on-write, so it weighs on the memory
    of every process alive: at 3,000 synthetic children, 245 of the 353 MB alignment left in
    the main process went back. Does nothing where the C library has no ``malloc_trim``."""
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (AttributeError, OSError):
        return
    trim(0)


_SHARED: dict = {}


def shared() -> dict:
    """What the caller of ``fan_out`` handed its jobs as ``shared`` (read it inside ``fn``)."""
    return _SHARED


class Pending:
    """Jobs started by ``start``: their results, in job order, from ``results()``."""

    def __init__(
        self, fn, jobs: list, workers: int, shared: Optional[dict], min_jobs: int, ahead: Optional[int] = None
    ):
        self._fn, self._jobs, self._shared, self._pool, self._it = fn, jobs, dict(shared or {}), None, None
        if workers > 1 and len(jobs) >= max(min_jobs, 2) and "fork" in multiprocessing.get_all_start_methods():
            _SHARED.clear()
            _SHARED.update(self._shared)
            workers = min(workers, len(jobs))
            # Objects alive now are shared with the children copy-on-write: frozen, a collection
            # in a child does not touch (and so copy) the pages holding them. Here, collections
            # wait until the results are in: they are plain data, and a collection every few
            # hundred objects unpickled would walk all those gathered so far again and again.
            self._collecting = gc.isenabled()
            gc.freeze()
            gc.disable()
            release_free_heap()  # before the fork: the children share what this process holds
            self._pool = ProcessPoolExecutor(
                max_workers=workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=_worker_start,
                initargs=(os.getpid(), self._collecting),
            )
            # Executor.map submits every job now: the workers are forked here, from this
            # thread, and inherit ``shared``; the caller goes on while they work. Small
            # chunks: the workers finish together (a job takes milliseconds, a chunk's round
            # trip much less).
            chunk = max(1, len(jobs) // (workers * 32))
            if ahead is None:
                self._it = self._pool.map(fn, jobs, chunksize=chunk)
            else:
                self._it = _bounded(self._pool, _Chunk(fn), jobs, max(1, min(chunk, ahead // (2 * workers))), ahead)

    def results(self) -> Iterator:
        try:
            if self._pool is None:  # in this process, when asked
                _SHARED.clear()
                _SHARED.update(self._shared)
                # as in the workers: collections do not walk what was alive before the jobs
                # (a parsed corpus of 10^3 documents: a fifth of the alignment time)
                gc.freeze()
                try:
                    yield from map(self._fn, self._jobs)
                finally:
                    gc.unfreeze()
            else:
                yield from self._it
        finally:
            self.close()

    def close(self) -> None:
        """Stop: jobs not yet running are dropped (also after an error in the caller)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
            if self._collecting:
                gc.enable()
            gc.unfreeze()
        _SHARED.clear()


class _Chunk:
    """``fn`` over a list of jobs, as one picklable callable (a chunk sent to a worker)."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, jobs: list) -> list:
        return [self.fn(job) for job in jobs]


def _bounded(pool: ProcessPoolExecutor, fn: _Chunk, jobs: list, chunk: int, ahead: int) -> Iterator:
    """Results in job order, with about ``ahead`` jobs sent and not yet taken (in chunks of
    ``chunk``): a caller slower than the workers holds that many results, not all of them.
    The first chunks are sent now, so the workers start at once."""
    chunks = iter([jobs[i : i + chunk] for i in range(0, len(jobs), chunk)])
    waiting = deque(pool.submit(fn, c) for c in islice(chunks, max(1, ahead // chunk)))

    def drain() -> Iterator:
        while waiting:
            done = waiting.popleft().result()
            for c in islice(chunks, 1):
                waiting.append(pool.submit(fn, c))
            yield from done

    return drain()


# The cluster jobs run on instead of local processes, inside ``on_cluster`` (None: local).
_CLUSTER = None


@contextmanager
def on_cluster(runner):
    """Jobs started inside the block run on ``runner`` (``kg.core.dask_jobs.DaskJobs``:
    ``runner.start(fn, jobs, shared, family, parts)``) instead of local processes."""
    global _CLUSTER
    saved, _CLUSTER = _CLUSTER, runner
    try:
        yield runner
    finally:
        _CLUSTER = saved


def start(
    fn: Callable[[T], R],
    jobs: list[T],
    workers: int,
    shared: Optional[dict] = None,
    min_jobs: int = 2,
    family: Optional[Callable[[T], Hashable]] = None,
    parts: Optional[dict[str, Callable[[T], Iterable[Hashable]]]] = None,
    ahead: Optional[int] = None,
) -> Pending:
    """Start ``fn`` over ``jobs`` in ``workers`` forked processes (when there are at least
    ``min_jobs`` jobs; otherwise they run in this process when the results are asked for)
    and return at once, so the caller can do other work meanwhile. Large inputs common to
    all jobs go in ``shared``: forked children inherit them instead of receiving a pickled
    copy per job (read them inside ``fn`` with ``shared()``). Inside ``on_cluster`` the jobs
    run on the cluster, those of one ``family`` (a key per job; None: none) in one task, and
    ``parts`` says which pieces of the large dicts in ``shared`` each job reads (name of the
    entry → a function of the job giving its keys), so that a task is sent only those;
    forked local workers ignore it, as they share everything already. ``ahead`` bounds the
    local jobs sent and not yet taken (None: all are sent at once), so that results large
    and slower to take than to make (a graph's lines) do not pile up in this process."""
    if _CLUSTER is not None:
        return _CLUSTER.start(fn, list(jobs), shared, family, parts)
    return Pending(fn, list(jobs), workers, shared, min_jobs, ahead)


def fan_out(
    fn: Callable[[T], R],
    jobs: list[T],
    workers: int,
    shared: Optional[dict] = None,
    min_jobs: int = 2,
    family: Optional[Callable[[T], Hashable]] = None,
    parts: Optional[dict[str, Callable[[T], Iterable[Hashable]]]] = None,
    ahead: Optional[int] = None,
) -> Iterator[R]:
    """``fn`` over ``jobs``, results in job order, in ``workers`` processes (see ``start``)."""
    yield from start(fn, jobs, workers, shared, min_jobs, family, parts, ahead).results()


def run_jobs(
    fn: Callable[..., R],
    jobs: Iterable[tuple],
    workers: int,
    shared: Optional[dict] = None,
    family: Optional[Callable[[tuple], Hashable]] = None,
    parts: Optional[dict[str, Callable[[tuple], Iterable[Hashable]]]] = None,
) -> Iterator[R]:
    """``fn(*job)`` for each job, in order (a star-map over ``fan_out``)."""
    return fan_out(_Star(fn), list(jobs), workers, shared, family=family, parts=parts)


class _Star:
    """``fn(*args)`` as a picklable one-argument callable."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, args):
        return self.fn(*args)
