"""A sorted N-Triples file (``graph.nt``) read as an index on disk: a node's triples found
by binary search, and the file cut into byte ranges by a key of the subject.

``graph.nt`` is sorted and one triple a line, so all the lines of a subject are adjacent
(they share the prefix ``<subject> ``) and can be found in about 30 reads of the file
whatever its size. Validation reads its partitions and the nodes they point to this way
(kg.rdf.validate) instead of holding every line in memory, so its memory does not grow with
the corpus. UTF-8 bytes sort as the code points ``sorted`` compares, so the byte order of
the file is the order the lines were sorted in.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, Optional

_PROBE = 4096  # bytes read to find the start of the next line


class SortedLines:
    """Lookups in a sorted N-Triples file: ``facts(iri)`` are the lines whose subject is
    ``iri``; ``read(ranges)`` the lines in byte ranges. Keeps one file descriptor and an LRU
    of recent lookups (bounded, so memory stays flat)."""

    def __init__(self, path: Path, cache: int = 1 << 15):
        self.path = Path(path)
        self.fd = os.open(self.path, os.O_RDONLY)
        self.size = os.fstat(self.fd).st_size
        self.facts = lru_cache(maxsize=cache)(self._facts)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1

    def _line_from(self, pos: int) -> tuple[int, bytes]:
        """The first line starting at or after byte ``pos``: (its start, the line with its
        newline); (size, b"") past the last."""
        if pos > 0:
            while True:  # the newline ending the line ``pos - 1`` is in
                chunk = os.pread(self.fd, _PROBE, pos - 1)
                if not chunk:
                    return self.size, b""
                cut = chunk.find(b"\n")
                if cut >= 0:
                    pos += cut
                    break
                pos += len(chunk)
        if pos >= self.size:
            return self.size, b""
        return pos, self._line_at(pos)

    def _line_at(self, start: int) -> bytes:
        """The line starting at byte ``start``."""
        parts = []
        pos = start
        while True:
            chunk = os.pread(self.fd, _PROBE, pos)
            cut = chunk.find(b"\n")
            if cut >= 0 or not chunk:
                parts.append(chunk[: cut + 1] if cut >= 0 else chunk)
                return b"".join(parts)
            parts.append(chunk)
            pos += len(chunk)

    def first_at_least(self, key: bytes) -> int:
        """The start of the first line not less than ``key`` (``size`` if none)."""
        lo, hi = 0, self.size  # lines starting before lo are < key; the first line from hi is >= key
        while lo < hi:
            mid = (lo + hi) // 2
            start, line = self._line_from(mid)
            if start < self.size and line < key:
                lo = start + len(line)
            else:
                hi = mid
        return lo

    def _facts(self, iri: str) -> tuple[str, ...]:
        key = f"<{iri}> ".encode("utf-8")
        pos, out = self.first_at_least(key), []
        while pos < self.size:
            line = self._line_at(pos)
            if not line.startswith(key):
                break
            out.append(line.decode("utf-8"))
            pos += len(line)
        return tuple(out)

    def read(self, ranges: list[tuple[int, int]]) -> Iterator[str]:
        """The lines in the byte ranges (each from a line start to a line end), in order."""
        for start, end in ranges:
            pos = start
            while pos < end:
                block = os.pread(self.fd, min(end - pos, 8 << 20), pos)
                cut = block.rfind(b"\n") + 1 if pos + len(block) < end else len(block)
                if cut == 0:  # one line longer than the block
                    block = os.pread(self.fd, end - pos, pos)
                    cut = block.rfind(b"\n") + 1 or len(block)
                text = block[:cut].decode("utf-8")
                yield from (ln + "\n" for ln in text.split("\n")[:-1])
                pos += cut


def ranges_by(
    path: Path, key_of: Callable[[str], str], also: Optional[bytes] = None
) -> tuple[dict[str, list[tuple[int, int]]], dict[str, int], list[str]]:
    """Cut the sorted file into byte ranges by ``key_of(subject IRI)``: key → its ranges
    (adjacent ranges merged), key → its number of lines, and the lines whose predicate is
    ``also`` (``b"<IRI>"``: the class hierarchy, which every partition needs). One pass, holding only the ranges."""
    ranges: dict[str, list[tuple[int, int]]] = {}
    counts: dict[str, int] = {}
    found: list[str] = []
    prefix, key, start, pos, n = b"\0", None, 0, 0, 0

    def close(end: int) -> None:
        if key is None or end == start:
            return
        spans = ranges.setdefault(key, [])
        if spans and spans[-1][1] == start:
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
        counts[key] = counts.get(key, 0) + n

    with open(path, "rb", buffering=1 << 20) as f:
        for ln in f:
            if not ln.startswith(prefix):  # a new subject: its lines are adjacent
                cut = ln.index(b">")
                prefix = ln[: cut + 2]
                k = key_of(ln[1:cut].decode("utf-8"))
                if k != key:
                    close(pos)
                    key, start, n = k, pos, 0
            if also is not None and also in ln and ln.split(b" ", 2)[1] == also:
                found.append(ln.decode("utf-8"))
            n += 1
            pos += len(ln)
    close(pos)
    return ranges, counts, found
