"""Word (DOCX) files: body paragraphs and tables in document order, with python-docx (MIT).

A paragraph is one line. A table row is one line with its cells joined by "\\t" (a
merged cell once), so a responsibility table (task | 牵头单位 | 责任单位 | 完成时限) keeps
each task beside its agencies; paragraphs inside one cell are joined by a space. Headers,
footers and deleted (tracked) text are page furniture and left out; inserted text,
hyperlinks, content controls and text boxes are read. Automatic list numbers (Word's
numbering, not in the text) are put in front of their paragraphs as they are shown.
"""

from __future__ import annotations

import io
import zipfile

from kg.core.errors import InputError
from kg.read.docx_numbering import Numbering
from kg.read.limits import PACKED_FACTOR, max_input_bytes, too_large
from kg.read.source import Source

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


_SKIP = {"Fallback", "del", "moveFrom", "instrText", "delText", "footnoteReference", "commentReference"}
_CHARS = {"tab": "\t", "br": "\n", "cr": "\n", "noBreakHyphen": "-"}


def _run_text(el) -> str:
    """The text of a paragraph; a text box's fallback copy (mc:Fallback) and deleted text skipped."""
    out = []
    for child in el.iterchildren():
        if not isinstance(child.tag, str):
            continue
        local = child.tag.rsplit("}", 1)[-1]
        if local in _SKIP:
            continue
        if local == "t" and child.tag.startswith(_W):
            out.append(child.text or "")
        elif local in _CHARS and child.tag.startswith(_W):
            out.append(_CHARS[local])
        else:
            out.append(_run_text(child))
    return "".join(out)


def _cell_text(tc, label) -> str:
    lines = []
    for line in _blocks(tc, label):
        lines.append(line.replace("\t", " ").replace("\n", " ").strip())
    return " ".join(x for x in lines if x)


def _blocks(parent, label):
    """Lines of paragraphs and table rows under ``parent`` (body, cell or content control);
    ``label`` gives a paragraph's automatic list number."""
    for child in parent.iterchildren():
        tag = child.tag[len(_W) :] if isinstance(child.tag, str) and child.tag.startswith(_W) else ""
        if tag == "p":
            yield label(child) + _run_text(child)
        elif tag == "tbl":
            for tr in child.iterchildren(f"{_W}tr"):
                cells = [_cell_text(tc, label) for tc in tr.iterchildren(f"{_W}tc")]
                yield "\t".join(cells)
        elif tag in ("sdt", "sdtContent", "customXml", "smartTag"):
            yield from _blocks(child, label)


def _part_element(document, name: str):
    try:
        return getattr(document.part, name).element
    except (KeyError, NotImplementedError, AttributeError):
        return None


def _check_unpacked_size(data: bytes, path: str) -> None:
    """python-docx unpacks every part in memory: refuse an archive that unpacks above the
    input limit (a zip bomb, or a body far larger than any policy document) before it does."""
    try:
        unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, EOFError, ValueError):
        return  # told as a corrupt DOCX by python-docx
    limit = max_input_bytes() * PACKED_FACTOR
    if unpacked > limit:
        raise too_large(path, unpacked, "DOCX unpacked", limit)


def read_docx(data: bytes, path: str) -> Source:
    """One line per paragraph or table row, in the order of the document body."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    _check_unpacked_size(data, path)
    try:
        document = docx.Document(io.BytesIO(data))
    except (PackageNotFoundError, KeyError, ValueError) as e:
        raise InputError(path, f"corrupt DOCX ({' '.join(str(e).split())})") from None
    except Exception as e:  # lxml's XMLSyntaxError and zip errors on damaged parts
        raise InputError(path, f"corrupt DOCX ({type(e).__name__}: {' '.join(str(e).split())})") from None
    numbering = Numbering(_part_element(document, "numbering_part"), document.styles.element)
    text = "\n".join(_blocks(document.element.body, numbering.label))
    if not text.strip():
        raise InputError(path, "no text in the document body (empty DOCX)")
    return Source(path, text, "utf-8", "docx")
