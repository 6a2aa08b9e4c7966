"""What every reader returns: the document's raw text and where its pages start.

The raw text is the reference for every span in the graph. For a PDF it is the pages'
text joined with form feeds, so a span's page is found by offset (``page_at``) and the
normaliser can still see page ends.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field

from kg.core.model import Issue

FORMATS = ("text", "pdf", "docx", "html")
SUPPORTED = "policy-kg reads PDF (with a text layer), DOCX, HTML and plain text"


@dataclass
class Source:
    """One document file as read.

    >>> s = Source("a.pdf", "一页\\f二页", "utf-8", "pdf", [0, 3])
    >>> s.page_at(0), s.page_at(2), s.page_at(3)
    (1, 1, 2)
    """

    path: str
    text: str
    encoding: str
    format: str = "text"
    pages: list[int] = field(default_factory=lambda: [0])  # raw offset where each page starts
    empty_pages: list[int] = field(default_factory=list)  # 1-based pages showing images but no text
    warnings: list[Issue] = field(default_factory=list)  # data-quality problems met while reading (bad_bytes)

    def page_at(self, offset: int) -> int:
        """The 1-based page holding raw offset ``offset`` (a page's closing form feed is its own)."""
        return page_of(self.pages, offset)


def page_of(pages: list[int], offset: int) -> int:
    """The 1-based page holding raw offset ``offset``, given the offsets where pages start
    (``Source.pages``, ``Document.pages``).

    >>> page_of([0, 120, 250], 119), page_of([0, 120, 250], 120)
    (1, 2)
    """
    return max(1, bisect_right(pages, offset))


def join_pages(path: str, pages: list[str], encoding: str, format: str, empty: list[int]) -> Source:
    """A paged Source: pages joined with "\\f", the start offset of each kept."""
    starts, at = [], 0
    for text in pages:
        starts.append(at)
        at += len(text) + 1
    return Source(path, "\f".join(pages), encoding, format, starts or [0], empty)
