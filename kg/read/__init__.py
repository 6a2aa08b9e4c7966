"""Read a document file into raw text: PDF, DOCX, HTML or plain text, told apart by content.

``read_source`` is the entry point; every error a user's file can cause is one
``InputError`` line naming the file.
"""

from __future__ import annotations

from pathlib import Path

from kg.core.errors import InputError
from kg.read.docx import read_docx
from kg.read.html import read_html
from kg.read.limits import check_text
from kg.read.pdf import read_pdf
from kg.read.sniff import sniff
from kg.read.source import SUPPORTED, Source, page_of
from kg.read.text import CHINESE_ENCODINGS, decode, decode_reporting, file_bytes, read_text

__all__ = ["CHINESE_ENCODINGS", "Source", "decode", "page_of", "read_bytes", "read_source", "read_text"]

_READERS = {"pdf": read_pdf, "docx": read_docx, "html": read_html}


def read_bytes(data: bytes, path: str) -> Source:
    """A Source from a file's bytes; ``path`` names it in errors and hints at its format.
    Text above the input limit (kg.read.limits) is an InputError."""
    if not data.strip():
        raise InputError(path, "empty file")
    kind = sniff(data, path)
    if kind in _READERS:
        source = _READERS[kind](data, path)
        check_text(path, source.text)
        return source
    try:
        text, encoding, issues = decode_reporting(data, path)
    except InputError as e:
        if not e.problem.startswith("binary file"):
            raise
        if path.lower().endswith(".pdf"):
            raise InputError(path, "corrupt PDF (no %PDF- header)") from None
        raise InputError(path, f"{e.problem}: unsupported format; {SUPPORTED}") from None
    check_text(path, text)
    return Source(path, text, encoding, "text", warnings=issues)


def read_source(path: str | Path) -> Source:
    """Read one document file, whatever its format.

    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("wb", suffix=".txt", delete=False) as f:
    ...     _ = f.write("一、总体要求".encode("utf-8"))
    >>> s = read_source(f.name); os.unlink(f.name)
    >>> s.text, s.format, s.pages
    ('一、总体要求', 'text', [0])
    """
    return read_bytes(file_bytes(path), str(path))
