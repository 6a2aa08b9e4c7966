"""How large one document may be, checked before it is read whole.

The parser holds 60–100 times a document's text in memory (50 MB of text took 29 s and
3.1 GB), so an input is refused above ``KG_MAX_INPUT_MB`` megabytes (default
``DEFAULT_MB``): a text or HTML file by its size on disk, before it is read; a PDF or DOCX
by the text it holds, counted as UTF-8 (DOCX: the size of its unpacked body, before it is
parsed; PDF: page by page as it is read). PDF and DOCX files themselves may be
``PACKED_FACTOR`` times larger on disk (images, fonts, compression). docs/corpus.md
gives the measurements behind the default.
"""

from __future__ import annotations

import os

from kg.core.errors import InputError

ENV = "KG_MAX_INPUT_MB"
DEFAULT_MB = 8
PACKED_FACTOR = 8  # a PDF's or DOCX's file size allowed per byte of text


def max_input_bytes() -> int:
    """The limit in bytes, from ``KG_MAX_INPUT_MB`` (a positive number of megabytes) or the default."""
    value = os.environ.get(ENV, "").strip()
    if not value:
        return DEFAULT_MB * 1_000_000
    try:
        mb = float(value)
    except ValueError:
        mb = -1.0
    if not mb > 0:
        raise InputError(ENV, f"“{value}” is not a positive number of megabytes")
    return int(mb * 1_000_000)


def too_large(path, size: int, what: str, limit: int) -> InputError:
    return InputError(
        path,
        f"{what} of {size / 1e6:.1f} MB is above the input limit of {limit / 1e6:g} MB "
        f"(set {ENV} to raise it; the parser needs about 100 times the text in memory)",
    )


def check_text(path, text: str, limit: int | None = None) -> None:
    """Raise InputError when ``text`` is larger than the limit, counted as UTF-8."""
    limit = max_input_bytes() if limit is None else limit
    if len(text) * 4 > limit:  # cheap first: no character takes more than 4 bytes in UTF-8
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > limit:
            raise too_large(path, size, "text", limit)
