"""Which format a file holds, told from its bytes; the extension is only a hint.

Researchers save files with wrong or missing extensions (a PDF named .html, a web page
named .txt, a .doc that is really DOCX), so the first bytes decide.
"""

from __future__ import annotations

import io
import re
import zipfile

from kg.core.errors import InputError
from kg.read.source import SUPPORTED

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .doc/.xls/.wps/.ppt, and password-protected OOXML
_HTML = re.compile(rb"<!doctype\s+html|<html[\s>]|<head[\s>]|<body[\s>]|<meta\s", re.I)
_HTML_SUFFIXES = (".htm", ".html", ".shtml", ".xhtml")
_BINARY_KINDS = [
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF8", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"{\\rtf", "RTF document"),
    (b"Rar!", "RAR archive"),
    (b"\x1f\x8b", "gzip archive"),
    (b"7z\xbc\xaf", "7-Zip archive"),
]


def unsupported(path: str, what: str) -> InputError:
    return InputError(path, f"unsupported format ({what}); {SUPPORTED}")


def _zip_kind(data: bytes, path: str) -> str:
    try:
        names = set(zipfile.ZipFile(io.BytesIO(data)).namelist())
    except (zipfile.BadZipFile, EOFError, ValueError):
        if path.lower().endswith(".docx"):
            raise InputError(path, "corrupt DOCX (not a readable zip archive)") from None
        raise unsupported(path, "damaged zip archive") from None
    if "word/document.xml" in names or any(n.startswith("word/") for n in names):
        return "docx"
    if any(n.startswith("xl/") for n in names):
        raise unsupported(path, "Excel workbook")
    if any(n.startswith("ppt/") for n in names):
        raise unsupported(path, "PowerPoint presentation")
    if "mimetype" in names:
        raise unsupported(path, "OpenDocument file; save it as DOCX")
    raise unsupported(path, "zip archive; unpack it first")


def _ole_kind(data: bytes, path: str) -> str:
    if "EncryptionInfo".encode("utf-16-le") in data:
        raise InputError(path, "encrypted Office file: a password is needed")
    raise unsupported(path, "old binary Word/WPS/Excel file; save it as DOCX")


def sniff(data: bytes, path: str) -> str:
    """ "pdf", "docx", "html" or "text"; raises InputError for a format policy-kg cannot read.

    >>> sniff(b"%PDF-1.7 ...", "x.txt"), sniff(b"<!DOCTYPE html><html>", "x"), sniff("正文".encode(), "x.pdf")
    ('pdf', 'html', 'text')
    """
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data, path)
    if data.startswith(OLE2):
        return _ole_kind(data, path)
    for magic, what in _BINARY_KINDS:
        if data.startswith(magic):
            raise unsupported(path, what)
    if _HTML.search(head) or (path.lower().endswith(_HTML_SUFFIXES) and b"<" in head):
        return "html"
    return "text"
