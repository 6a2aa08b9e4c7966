"""The endpoint's query workers in two lanes, so slow queries cannot starve small ones.

Every query starts in the fast lane. One still running after ``threshold`` seconds moves to
the slow lane with its worker (nothing is re-run): the worker is counted against the slow
lane's slots and a spare worker takes its place in the fast lane. The query's text is
remembered, so a client repeating it goes straight to the slow lane. (Slow-lane workers
keep the normal CPU priority: at nice 10 a small query's median halved under two looping
slow queries, but on a machine busy with other work a 40 ms saved query in the slow lane
reached a 2 s time limit.) When every slow slot is taken, a query
passing the threshold is stopped and waits for a slot without holding a fast worker, then
runs again for the rest of its time. A slow lane full for longer than the queue wait answers
503 (``Busy``) with a time to retry after.

Workers killed (time limit, memory cap, or from outside) are replaced in the background; a
worker that died while idle is noticed when taken, never handed a query. All workers are
replaced when ``kg build`` swaps in a new store.
"""

from __future__ import annotations

import asyncio
import hashlib
import sys
import time
from collections import OrderedDict
from pathlib import Path
from typing import Optional

from kg.core.errors import QueryError, StoreError
from kg.store import MANIFEST, check_store
from kg.store.bounded import TICK, Answer, Worker, memory_exceeded

REMEMBERED = 512  # slow query texts remembered, most recent first


class Busy(QueryError):
    """Every worker of the lane a query needs stayed in use for the whole queue wait."""


def _stamp(out: Path):
    try:
        st = (out / MANIFEST).stat()
        return st.st_ino, st.st_mtime_ns
    except OSError:
        return None


def _digest(sparql: str) -> bytes:
    return hashlib.blake2b(sparql.encode("utf-8", "surrogatepass"), digest_size=16).digest()


class WorkerPool:
    """``fast`` + ``slow`` worker processes over the store at ``out``; ``run`` answers one query."""

    def __init__(
        self,
        out: Path,
        fast: int = 2,
        slow: int = 2,
        threshold: float = 0.5,
        max_memory: Optional[int] = None,
        queue_wait: float = 40.0,
    ):
        self.out, self.size = out, fast + slow
        self.threshold, self.max_memory, self.queue_wait = threshold, max_memory, queue_wait
        self.fast, self.slow = asyncio.Semaphore(fast), asyncio.Semaphore(slow)
        self.idle: asyncio.Queue = asyncio.Queue()
        self.stamp = _stamp(out)
        self.all: set[Worker] = set()
        self.slow_queries: OrderedDict[bytes, None] = OrderedDict()
        self.closed = False

    async def _spawn(self) -> None:
        failures = 0
        while True:
            try:
                w = await asyncio.to_thread(Worker, str(check_store(self.out)), public=True)
                break
            except StoreError as e:  # the store is being replaced, or broke: say so once, keep trying
                if not failures:
                    print(f"kg serve: cannot start a query worker: {e}", file=sys.stderr)
                failures += 1
                await asyncio.sleep(1.0)
            if self.closed:
                return
        if self.closed:
            w.close()
            return
        w.stamp = self.stamp
        self.all.add(w)
        self.idle.put_nowait(w)

    async def start(self) -> None:
        await asyncio.gather(*(self._spawn() for _ in range(self.size)))
        if not all(w.isolated for w in self.all):
            print(
                "kg serve: warning: the query workers cannot be cut off the network on this system; "
                "SERVICE is still refused by the query check",
                file=sys.stderr,
            )

    def _retire(self, w: Worker) -> None:
        self.all.discard(w)
        w.close()
        if not self.closed:
            asyncio.get_running_loop().create_task(self._spawn())

    def _release(self, w: Worker) -> None:
        """Back to the idle workers; retired instead when dead or holding a replaced store."""
        if w.alive and w.stamp == self.stamp:
            self.idle.put_nowait(w)
        else:
            self._retire(w)

    async def _take(self) -> Worker:
        stamp = _stamp(self.out)
        if stamp != self.stamp:  # a rebuild replaced the store: retire the workers holding the old one
            self.stamp = stamp
            for _ in range(self.idle.qsize()):
                self._retire(self.idle.get_nowait())
        while True:
            try:
                w = await asyncio.wait_for(self.idle.get(), timeout=self.queue_wait)
            except asyncio.TimeoutError:  # workers could not be started (the store went away mid-rebuild?)
                raise Busy(f"no query worker became free in {self.queue_wait:g} s; try again") from None
            if w.alive and w.stamp == self.stamp:
                return w
            self._retire(w)  # died while idle (killed from outside): never hand it a query

    async def _acquire(self, lane: asyncio.Semaphore) -> None:
        try:
            await asyncio.wait_for(lane.acquire(), timeout=self.queue_wait)
        except asyncio.TimeoutError:
            which = "slow-query" if lane is self.slow else "query"
            raise Busy(
                f"the endpoint is busy (every {which} worker stayed in use for {self.queue_wait:g} s); try again"
            ) from None

    def _remember(self, key: bytes) -> None:
        self.slow_queries[key] = None
        self.slow_queries.move_to_end(key)
        while len(self.slow_queries) > REMEMBERED:
            self.slow_queries.popitem(last=False)

    async def run(
        self,
        sparql: str,
        accept: list[str],
        max_rows: Optional[int] = None,
        timeout: Optional[float] = None,
        max_bytes: Optional[int] = None,
    ) -> Answer:
        """Answer ``sparql`` within ``timeout`` seconds of work; Busy, WorkerLost or QueryTimeout otherwise."""
        key = _digest(sparql)
        lane = self.slow if key in self.slow_queries else self.fast
        await self._acquire(lane)
        held: Optional[asyncio.Semaphore] = lane
        w: Optional[Worker] = None
        in_flight = False  # a query was sent and its answer not read: the worker cannot serve another
        loop = asyncio.get_running_loop()
        try:
            w = await self._take()
            in_flight = True
            w.send(sparql, accept, max_rows, max_bytes)
            left = timeout if timeout else float("inf")
            moves_at = time.monotonic() + self.threshold if lane is self.fast else float("inf")
            while True:
                ready = loop.create_future()
                fd = w.conn.fileno()
                loop.add_reader(fd, lambda f=ready: f.done() or f.set_result(None))
                started = time.monotonic()
                try:
                    while not ready.done():
                        now = time.monotonic()
                        if now - started >= left:
                            raise w.timed_out(timeout)
                        if now >= moves_at:
                            break
                        await asyncio.wait([ready], timeout=min(TICK, left - (now - started), moves_at - now))
                        if not ready.done() and w.over_memory(self.max_memory):
                            raise memory_exceeded(self.max_memory)
                finally:
                    loop.remove_reader(fd)
                left -= time.monotonic() - started
                if ready.done():
                    break
                # past the threshold in the fast lane: to the slow lane, with its worker if a slot is free
                moves_at = float("inf")
                self._remember(key)
                if not self.slow.locked():
                    await self.slow.acquire()
                    self.fast.release()
                    held = self.slow
                    continue
                self._retire(w)  # every slow slot is taken: stop it, and wait for one without a fast worker
                w = None
                self.fast.release()
                held = None
                await self._acquire(self.slow)
                held = self.slow
                w = await self._take()
                w.send(sparql, accept, max_rows, max_bytes)
            try:
                answer = await asyncio.to_thread(w.receive)
            except QueryError:
                in_flight = False
                raise
            in_flight = False
            return answer
        finally:
            if held is not None:
                held.release()
            if w is not None:
                if in_flight:  # stopped (time, memory), died, or the request was abandoned mid-query
                    self._retire(w)
                else:
                    self._release(w)

    async def close(self) -> None:
        self.closed = True
        for w in list(self.all):
            w.close()
        self.all.clear()
