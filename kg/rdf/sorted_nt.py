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
import weakref
from bisect import bisect_left
from pathlib import Path
from typing import Iterator, Optional

# Bytes between two marks: 17,000 marks (about 2 MB) for the 563 MB graph.nt of 1,000 synthetic
# children. A lookup reads two of these spans; validation looks up ~120,000 borrowed nodes
# there: 56 µs a lookup with 128 KB marks, 32 µs with 32 KB (16 KB: 27 µs, for twice the marks).
MARK = 32 << 10
_PROBE = 4096  # bytes read at a time to find a line


def marks(path: Path, every: int = MARK) -> tuple[list[bytes], list[int]]:
    """The subject (``b"<iri> "``) of the first line starting at or after every ``every``
    bytes of the sorted file, and where that line starts: what ``SortedLines`` looks lines up
    by. A few thousand short reads, not a pass over the file."""
    subjects, offsets = [], []
    with SortedLines(path, ([], [])) as f:
        for pos in range(0, f.size, every):
            start, line = f._line_from(pos)
            if start < f.size and (not offsets or start > offsets[-1]):
                subjects.append(line[: line.index(b">") + 2])
                offsets.append(start)
    return subjects, offsets


class SortedLines:
    """Lookups in a sorted N-Triples file: ``facts(iri)`` are the lines whose subject is
    ``iri``; ``read(ranges)`` the lines in byte ranges; ``first_at_least(key)`` a binary
    search. ``marks`` (from ``marks``) let a lookup read two blocks of about ``MARK`` bytes
    instead of searching the whole file. Keeps one file descriptor open."""

    def __init__(self, path: Path, marks: tuple[list[bytes], list[int]]):
        self.path = Path(path)
        self.fd = os.open(self.path, os.O_RDONLY)
        # closed when the object goes, if nobody called ``close`` (a reader kept for a check's
        # length is dropped with the check's shared state)
        self._closing = weakref.finalize(self, os.close, self.fd)
        self.size = os.fstat(self.fd).st_size
        self.subjects, self.offsets = marks

    def __enter__(self) -> "SortedLines":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self._closing()  # at most once
        self.fd = -1

    def facts(self, iri: str) -> tuple[str, ...]:
        key = f"<{iri}> ".encode("utf-8")
        # blocks whose first subject is below the key: the last of them holds the first line
        # of the key's run, or the run starts right at the next block
        if not self.offsets:
            return ()
        i = max(bisect_left(self.subjects, key) - 1, 0)
        pos = self.offsets[i]
        end = self.offsets[i + 2] if i + 2 < len(self.offsets) else self.size
        data = os.pread(self.fd, end - pos, pos)
        at = 0 if data.startswith(key) else data.find(b"\n" + key) + 1
        if at == 0 and not data.startswith(key):
            return ()
        out = []
        while True:
            cut = data.find(b"\n", at)
            if cut < 0:  # the run goes on past what was read
                more = os.pread(self.fd, MARK, pos + len(data))
                if not more:
                    break
                data += more
                continue
            if not data.startswith(key, at):
                break
            out.append(data[at : cut + 1].decode("utf-8"))
            at = cut + 1
        return tuple(out)

    def _line_from(self, pos: int) -> tuple[int, bytes]:
        """The first line starting at or after byte ``pos``: (its start, the line with its
        newline); (size, b"") past the last."""
        if pos > 0:
            while True:  # the newline ending the line byte ``pos - 1`` is in
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
        parts = []
        at = pos
        while True:
            chunk = os.pread(self.fd, _PROBE, at)
            cut = chunk.find(b"\n")
            if cut >= 0 or not chunk:
                parts.append(chunk[: cut + 1] if cut >= 0 else chunk)
                return pos, b"".join(parts)
            parts.append(chunk)
            at += len(chunk)

    def first_at_least(self, key: bytes, lo: int = 0, hi: Optional[int] = None) -> int:
        """The start of the first line not less than ``key`` (``size`` if none), searched
        between line starts ``lo`` and ``hi``."""
        hi = self.size if hi is None else hi  # lines before lo are < key; the first from hi is >= key
        while lo < hi:
            mid = (lo + hi) // 2
            start, line = self._line_from(mid)
            if start < hi and line < key:
                lo = start + len(line)
            else:
                hi = mid
        return lo

    def line_at(self, pos: int) -> bytes:
        """The line starting at byte ``pos``."""
        return self._line_from(pos)[1] if pos < self.size else b""

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
