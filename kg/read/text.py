"""Read a document file into text, whatever encoding it was saved in.

Users bring UTF-8 (with or without BOM), UTF-16 and GB18030/GBK files. UTF-8 and
BOM-marked files are decoded exactly; anything else goes to charset-normalizer,
restricted to the encodings Chinese government text actually comes in.

A UTF-8 file damaged in a few places (a stray byte, a file cut mid-character) is read with
each invalid byte sequence replaced by one U+FFFD, and each replacement reported as a
``bad_bytes`` warning naming its byte offset; the raw text is the text so decoded, so
every span stays exact. A file with more than ``MAX_BAD_SHARE`` of its bytes invalid is
not taken for damaged UTF-8 (GB18030 text is nearly all invalid UTF-8).
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path

from kg.core.errors import InputError
from kg.core.model import Issue, Span
from kg.read.limits import PACKED_FACTOR, max_input_bytes, too_large

CHINESE_ENCODINGS = ["gb18030", "gbk", "gb2312", "big5", "utf_16", "utf_8"]
_BOMS = [
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
]


def _plausible(text: str) -> bool:
    """Decoded text that is mostly printable, with Chinese in it."""
    if not text:
        return False
    bad = sum(1 for c in text if (ord(c) < 32 and c not in "\n\r\t\f") or 0xD800 <= ord(c) < 0xE000)
    cjk = sum(1 for c in text if "\u4e00" <= c <= "\u9fff")
    return bad == 0 and cjk >= len(text) // 10


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    for enc in ("utf-16-le", "utf-16-be"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _plausible(text[:4000]):
            return text, enc
    return None


def _looks_binary(data: bytes) -> bool:
    head = data[:4096]
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return controls > len(head) // 50


MAX_BAD_SHARE = 0.01  # of a file's bytes, replaced at most in a file taken for damaged UTF-8
MAX_REPORTED = 20  # bad_bytes warnings per file; the rest are counted in one more


def damaged_utf8(data: bytes, base: int = 0) -> tuple[str, list[Issue]] | None:
    """``data`` as UTF-8 with each invalid byte sequence (a stray byte, a character cut
    short) replaced by U+FFFD, and a ``bad_bytes`` warning per replacement (byte offsets
    counted from ``base``); None when the bytes are not mostly UTF-8: more than
    ``MAX_BAD_SHARE`` of them invalid (and more than 3), or fewer multi-byte characters than
    invalid runs (GB18030 text with few Chinese characters).

    >>> text, issues = damaged_utf8("上饶".encode() + b"\\xff" + "市".encode())
    >>> text == "上饶\\ufffd市", [str(i) for i in issues]
    (True, ['bad_bytes: byte offset 6: 0xff is not UTF-8, read as U+FFFD [chars 2-3]'])
    """
    view, budget = memoryview(data), max(len(data) * MAX_BAD_SHARE, 3)  # one damaged character in any file
    pieces: list[str] = []
    bad: list[tuple[int, int, int]] = []  # byte start, byte end, character offset
    at, chars, extra, bad_bytes = 0, 0, 0, 0
    while at < len(data):
        try:
            piece, _ = codecs.utf_8_decode(view[at:], "strict", True)
            end = len(data)
        except UnicodeDecodeError as e:
            piece, _ = codecs.utf_8_decode(view[at : at + e.start], "strict", True)
            end = at + e.start
            bad.append((end, at + e.end, chars + len(piece)))
            bad_bytes += e.end - e.start
            if bad_bytes > budget:
                return None
        pieces.append(piece)
        chars += len(piece)
        extra += (end - at) - len(piece)  # bytes beyond the first of multi-byte characters
        if bad and bad[-1][0] == end:
            pieces.append("\ufffd")
            chars += 1
            at = bad[-1][1]
        else:
            at = end
    if extra < len(bad):
        return None
    issues = []
    for start, stop, char in bad[:MAX_REPORTED]:
        shown = " ".join(f"0x{b:02x}" for b in data[start:stop])
        cut = ", cut short at the end of the file" if stop == len(data) and data[start] >= 0xC0 else ""
        issues.append(
            Issue(
                "bad_bytes",
                f"byte offset {base + start}: {shown} is not UTF-8{cut}, read as U+FFFD",
                Span(char, char + 1),
            )
        )
    if len(bad) > MAX_REPORTED:
        issues.append(Issue("bad_bytes", f"{len(bad) - MAX_REPORTED} more invalid UTF-8 sequences read as U+FFFD"))
    return "".join(pieces), issues


def decode(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Decode ``data``; returns (text, encoding name). Raises InputError naming ``path``."""
    text, encoding, _ = decode_reporting(data, path)
    return text, encoding


def decode_reporting(data: bytes, path: str = "<bytes>") -> tuple[str, str, list[Issue]]:
    """Decode ``data``; returns (text, encoding name, data-quality warnings: bytes replaced).
    Raises InputError naming ``path``."""
    if not data.strip():
        raise InputError(path, "empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            issues: list[Issue] = []
            try:
                text = data.decode(enc)
            except UnicodeDecodeError as e:
                found = damaged_utf8(data[len(bom) :], len(bom)) if enc == "utf-8-sig" else None
                if found is None:
                    raise InputError(path, f"undecodable bytes at offset {e.start} ({enc} with BOM)") from None
                text, issues = found
            stripped = text.lstrip("\ufeff")
            if len(stripped) != len(text):  # the spans of the warnings move with the text
                shift = len(text) - len(stripped)
                issues = [
                    Issue(i.code, i.message, i.span and Span(i.span.start - shift, i.span.end - shift)) for i in issues
                ]
            if not _plausible(stripped[:4000]):
                raise InputError(path, f"binary or garbled content behind a {enc} byte-order mark")
            return stripped, enc.replace("-sig", ""), issues
    if b"\x00" in data[:4096]:
        found = _utf16_without_bom(data)
        if found:
            return (*found, [])
        raise InputError(path, "binary file, not text")
    if _looks_binary(data):
        raise InputError(path, "binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    damaged = damaged_utf8(data)
    if damaged is not None:
        return damaged[0], "utf-8", damaged[1]
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=CHINESE_ENCODINGS).best()
    if best is None:
        raise InputError(path, "undecodable bytes: not UTF-8, UTF-16 or GB18030/GBK/Big5 text")
    text = str(best)
    if not _plausible(text):
        raise InputError(path, f"undecodable bytes: no Chinese text found (best guess {best.encoding})")
    return text, best.encoding, []


_PACKED = (b"%PDF-", b"PK\x03\x04")  # formats whose text is smaller than the file


def file_bytes(path: str | Path, limit: int | None = None) -> bytes:
    """A file's bytes; a file that cannot be opened, or is above the input limit
    (kg.read.limits; checked before it is read), is one InputError naming it."""
    p = Path(path)
    limit = max_input_bytes() if limit is None else limit
    try:
        with open(p, "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size > limit:
                head = f.read(1024)
                packed = head.startswith(_PACKED[1]) or _PACKED[0] in head
                if not packed or size > limit * PACKED_FACTOR:
                    raise too_large(p, size, "file", limit * (PACKED_FACTOR if packed else 1))
                f.seek(0)
            return f.read()
    except FileNotFoundError:
        raise InputError(p, "file not found") from None
    except IsADirectoryError:
        raise InputError(p, "is a directory, not a file") from None
    except OSError as e:
        raise InputError(p, f"cannot read ({e.strerror})") from None


def read_text(path: str | Path) -> tuple[str, str]:
    """Read and decode one file; (text, encoding)."""
    return decode(file_bytes(path), str(path))
