"""Read a document file into text, whatever encoding it was saved in.

Users bring UTF-8 (with or without BOM), UTF-16 and GB18030/GBK files. UTF-8 and
BOM-marked files are decoded exactly; anything else goes to charset-normalizer,
restricted to the encodings Chinese government text actually comes in.
"""

from __future__ import annotations

import codecs
from pathlib import Path

from kg.core.errors import InputError

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


def decode(data: bytes, path: str = "<bytes>") -> tuple[str, str]:
    """Decode ``data``; returns (text, encoding name). Raises InputError naming ``path``."""
    if not data.strip():
        raise InputError(path, "empty file")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(enc).lstrip("\ufeff")
            except UnicodeDecodeError as e:
                raise InputError(path, f"undecodable bytes at offset {e.start} ({enc} with BOM)") from None
            if not _plausible(text[:4000]):
                raise InputError(path, f"binary or garbled content behind a {enc} byte-order mark")
            return text, enc.replace("-sig", "")
    if b"\x00" in data[:4096]:
        found = _utf16_without_bom(data)
        if found:
            return found
        raise InputError(path, "binary file, not text")
    if _looks_binary(data):
        raise InputError(path, "binary file, not text")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data, cp_isolation=CHINESE_ENCODINGS).best()
    if best is None:
        raise InputError(path, "undecodable bytes: not UTF-8, UTF-16 or GB18030/GBK/Big5 text")
    text = str(best)
    if not _plausible(text):
        raise InputError(path, f"undecodable bytes: no Chinese text found (best guess {best.encoding})")
    return text, best.encoding


def file_bytes(path: str | Path) -> bytes:
    """A file's bytes; a file that cannot be opened is one InputError naming it."""
    p = Path(path)
    try:
        return p.read_bytes()
    except FileNotFoundError:
        raise InputError(p, "file not found") from None
    except IsADirectoryError:
        raise InputError(p, "is a directory, not a file") from None
    except OSError as e:
        raise InputError(p, f"cannot read ({e.strerror})") from None


def read_text(path: str | Path) -> tuple[str, str]:
    """Read and decode one file; (text, encoding)."""
    return decode(file_bytes(path), str(path))
