"""Web pages saved from government sites: the article body only, with trafilatura (Apache-2.0).

A saved page is mostly menus, breadcrumbs, share buttons, "打印本页/关闭窗口" and footers;
trafilatura finds the article and keeps its paragraphs and table rows as lines. The page
title (without the site's name after "_") is put first when the body does not start with it.
The page is decoded with its declared charset (GB2312/GBK pages are common), or by kg's
own decoder when it declares none.
"""

from __future__ import annotations

import codecs
import re

from kg.core.errors import InputError
from kg.core.model import Issue
from kg.read.source import Source
from kg.read.text import damaged_utf8, decode_reporting

_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([A-Za-z0-9_:.-]+)""", re.I)
_WIDER = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "big5": "big5hkscs"}


def _declared(data: bytes) -> str | None:
    found = _CHARSET.search(data[:8192])
    if not found:
        return None
    name = found.group(1).decode("ascii", "replace").lower()
    try:
        return codecs.lookup(_WIDER.get(name, name)).name
    except LookupError:
        return None


def decode_html(data: bytes, path: str) -> tuple[str, str, list[Issue]]:
    """The page as text, by its byte-order mark, its declared charset or kg's decoder; with
    the bytes replaced as ``bad_bytes`` warnings (without spans: the page's text is not the
    raw text, the article extracted from it is)."""
    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[3:].decode("utf-8"), "utf-8", []
        except UnicodeDecodeError:
            damaged = damaged_utf8(data[3:], 3)
            if damaged is not None:
                return damaged[0], "utf-8", _unplaced(damaged[1])
            return data[3:].decode("utf-8", "replace"), "utf-8", [Issue("bad_bytes", "many bytes are not UTF-8")]
    declared = _declared(data)
    if declared:
        try:
            return data.decode(declared), declared, []
        except UnicodeDecodeError:
            pass  # a page that lies about its charset: let the decoder guess
    text, encoding, issues = decode_reporting(data, path)
    return text, encoding, _unplaced(issues)


def _unplaced(issues: list[Issue]) -> list[Issue]:
    return [Issue(i.code, i.message) for i in issues]


_BLOCKS = {"p", "head", "item", "quote", "code"}
# "关于…的通知_政策文件_江西省人民政府": a page title carries the site's sections after a separator
_SITE_SUFFIX = re.compile(r"\s*(?:_|｜|\||——|\s-\s).*$")


def _inline(el) -> str:
    """An element's text with <lb/> as a line break."""
    out = [el.text or ""]
    for child in el:
        out.append("\n" if child.tag == "lb" else _inline(child))
        out.append(child.tail or "")
    return "".join(out)


def _lines(el):
    """Lines of trafilatura's XML: a paragraph per line; a table row with several cells on one
    line, cells joined by a tab; a row of one cell (a page laid out with tables) as its lines."""
    for child in el:
        if child.tag == "table":
            for row in child.iter("row"):
                cells = row.findall("cell")
                if len(cells) == 1:
                    yield from _cell_lines(cells[0])
                elif cells:
                    yield "\t".join(" ".join(_cell_lines(c)) for c in cells)
        elif child.tag in _BLOCKS:
            yield from _inline(child).split("\n")
        else:
            yield from _lines(child)
        if child.tail and child.tail.strip():
            yield child.tail


def _cell_lines(cell):
    if cell.text and cell.text.strip():
        yield cell.text
    yield from _lines(cell)


def read_html(data: bytes, path: str) -> Source:
    """The article body of a saved web page, one paragraph or table row per line."""
    import trafilatura

    page, encoding, issues = decode_html(data, path)
    found = trafilatura.bare_extraction(
        page,
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        favor_recall=True,
        with_metadata=True,  # for the title
        # the page's date is not used: without the extensive search, the first page a process
        # reads no longer loads dateparser's tables (72 → 30 MB, the first call 69 → 5 s here)
        date_extraction_params={"extensive_search": False},
    )
    body, title = "", ""
    if found is not None and getattr(found, "body", None) is not None:
        body = "\n".join(x.strip() for x in _lines(found.body) if x.strip())
        title = _SITE_SUFFIX.sub("", (found.title or "").strip())
    if not re.search(r"[\u4e00-\u9fffA-Za-z0-9]", body):
        raise InputError(path, "no article text found in the web page")
    if title and not body.startswith(title[:12]):
        body = f"{title}\n{body}"
    return Source(path, body, encoding, "html", warnings=issues)
