"""Both cores for the pure-Python stages (parsing, alignment): a process pool, or none.

Threads would not help (the GIL); processes are forked so they inherit what the parent
already holds (jieba's dictionary, the parsed corpus) instead of loading it again. Where
fork is unavailable, or the job is too small to repay a pool, work runs in-process.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from typing import Callable, Iterable, Iterator, Optional, TypeVar

T = TypeVar("T")
R = TypeVar("R")


def default_workers() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_SHARED: dict = {}


def shared() -> dict:
    """What the caller of ``fan_out`` handed its jobs as ``shared`` (read it inside ``fn``)."""
    return _SHARED


def fan_out(fn: Callable[[T], R], jobs: list[T], workers: int, shared: Optional[dict] = None,
            min_jobs: int = 2) -> Iterator[R]:
    """``fn`` over ``jobs``, results in job order; in ``workers`` forked processes when
    there are at least ``min_jobs`` jobs. Large inputs common to all jobs go in ``shared``:
    forked children inherit them instead of receiving a pickled copy per job."""
    _SHARED.clear()
    _SHARED.update(shared or {})
    try:
        if workers <= 1 or len(jobs) < max(min_jobs, 2) or "fork" not in multiprocessing.get_all_start_methods():
            yield from map(fn, jobs)
            return
        workers = min(workers, len(jobs))
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            yield from pool.map(fn, jobs, chunksize=max(1, len(jobs) // (workers * 8)))
    finally:
        _SHARED.clear()


def run_jobs(fn: Callable[..., R], jobs: Iterable[tuple], workers: int, shared: Optional[dict] = None) -> Iterator[R]:
    """``fn(*job)`` for each job, in order (a star-map over ``fan_out``)."""
    return fan_out(_Star(fn), list(jobs), workers, shared)


class _Star:
    """``fn(*args)`` as a picklable one-argument callable."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, args):
        return self.fn(*args)
