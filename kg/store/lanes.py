"""The endpoint's query workers in two lanes, so slow queries cannot starve small ones.

Every query starts in the fast lane. One still running after ``threshold`` seconds moves to
the slow lane with its worker (nothing is re-run): the worker is counted against the slow
lane's slots and a spare worker takes its place in the fast lane. When every slow slot is
taken, a query past the threshold that is costly (``threshold`` seconds of its worker's CPU,
or ``WALL`` thresholds of wall time) is stopped and waits for a slot without holding a fast
worker, then runs again for the rest of its time; one that is only slowed by a busy machine
stays where it is. A costly query's text is remembered, so a client repeating it goes
straight to the slow lane; a remembered one that turns out cheap is forgotten. A lane
full for longer than the queue wait answers 503 (``Busy``) with a time to retry after.
(Slow-lane workers keep the normal CPU priority: at nice 10 a small query's median halved
under two looping slow queries, but on a machine busy with other work a 40 ms saved query
in the slow lane reached a 2 s time limit.)

Workers killed (time limit, memory cap, or from outside) are replaced in the background; a
worker that died while idle is noticed when taken, never handed a query. The slow lane
takes an idle worker only while enough stay idle for the free fast slots, so after
workers were killed it waits for their replacements, not the small queries. All workers
are replaced when ``kg build`` swaps in a new store.
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

WALL = 4  # a query in the fast lane for this many thresholds of wall time moves, whatever its CPU time
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
        self.fast_free = fast  # fast slots nobody holds: idle workers kept back for them
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
        """Start the workers; returns once the fast lane's are up (the slow lane's follow)."""
        fast = self.fast_free
        for _ in range(self.size - fast):
            asyncio.get_running_loop().create_task(self._spawn())
        await asyncio.gather(*(self._spawn() for _ in range(fast)))
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

    async def _take(self, lane: asyncio.Semaphore) -> Worker:
        """An idle worker; the slow lane takes one only while enough stay idle for the free fast
        slots, so that after workers were killed it waits for their replacements, not small queries."""
        stamp = _stamp(self.out)
        if stamp != self.stamp:  # a rebuild replaced the store: retire the workers holding the old one
            self.stamp = stamp
            for _ in range(self.idle.qsize()):
                self._retire(self.idle.get_nowait())
        give_up = time.monotonic() + self.queue_wait
        while True:
            if lane is self.slow:
                while self.idle.qsize() <= self.fast_free and time.monotonic() < give_up:
                    await asyncio.sleep(TICK)
            try:
                w = await asyncio.wait_for(self.idle.get(), timeout=max(0.0, give_up - time.monotonic()))
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

    def _costly(self, w: Worker, cpu: Optional[float], elapsed: float) -> bool:
        """Whether a query has passed the threshold: in CPU time of its worker where it can be read,
        so that a small query slowed by a busy machine stays in the fast lane; in wall time past
        ``WALL`` thresholds (a query waiting on the disk spends little CPU)."""
        now = w.cpu_seconds()
        if cpu is None or now is None:
            return elapsed >= self.threshold
        return now - cpu >= self.threshold or elapsed >= WALL * self.threshold

    def _let_go(self, lane: asyncio.Semaphore) -> None:
        self.fast_free += lane is self.fast
        lane.release()

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
        self.fast_free -= lane is self.fast
        held: Optional[asyncio.Semaphore] = lane
        w: Optional[Worker] = None
        in_flight = False  # a query was sent and its answer not read: the worker cannot serve another
        loop = asyncio.get_running_loop()
        try:
            w = await self._take(lane)
            in_flight = True
            w.send(sparql, accept, max_rows, max_bytes)
            sent, cpu = time.monotonic(), w.cpu_seconds()
            left = timeout if timeout else float("inf")
            moving = lane is self.fast
            while True:
                ready = loop.create_future()
                fd = w.conn.fileno()
                loop.add_reader(fd, lambda f=ready: f.done() or f.set_result(None))
                started = time.monotonic()
                try:
                    while not ready.done():
                        now = time.monotonic()
                        if now - started >= left:
                            self._remember(key)
                            raise w.timed_out(timeout)
                        if (
                            moving
                            and now - sent >= self.threshold
                            and (not self.slow.locked() or self._costly(w, cpu, now - sent))
                        ):
                            break
                        await asyncio.wait([ready], timeout=min(TICK, left - (now - started)))
                        if not ready.done() and w.over_memory(self.max_memory):
                            self._remember(key)
                            raise memory_exceeded(self.max_memory)
                finally:
                    loop.remove_reader(fd)
                left -= time.monotonic() - started
                if ready.done():
                    break
                # past the threshold in the fast lane: to the slow lane, with its worker if a slot is free
                moving = False
                if not self.slow.locked():
                    await self.slow.acquire()
                    self._let_go(self.fast)
                    held = self.slow
                    continue
                self._remember(key)  # every slow slot is taken and it is costly: stop it, and wait for
                self._retire(w)  # a slot without holding a fast worker
                w = None
                self._let_go(self.fast)
                held = None
                await self._acquire(self.slow)
                held = self.slow
                w = await self._take(self.slow)
                w.send(sparql, accept, max_rows, max_bytes)
                sent, cpu = time.monotonic(), w.cpu_seconds()
            if self._costly(w, cpu, time.monotonic() - sent):
                self._remember(key)
            else:  # cheap (this time): the next one starts in the fast lane
                self.slow_queries.pop(key, None)
            try:
                answer = await asyncio.to_thread(w.receive)
            except QueryError:
                in_flight = False
                raise
            in_flight = False
            return answer
        finally:
            if held is not None:
                self._let_go(held)
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
