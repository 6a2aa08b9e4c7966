"""PDF text layers, page by page, with pypdfium2 (PDFium: Apache-2.0/BSD).

Chosen over pdfminer.six for speed (the README gives the comparison); its text keeps the
reading order of official documents. The text of each page is kept as PDFium gives it,
only "\\r\\n" made "\\n" and control characters dropped; that string *is* the raw text, so
spans stay exact. Page furniture (numbers, running headers) is left for the normaliser.
"""

from __future__ import annotations

import re

from kg.core.errors import InputError
from kg.read.limits import max_input_bytes, too_large
from kg.read.source import Source, join_pages

MIN_PAGE_CHARS = 5  # a page with fewer visible characters carries no text layer
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PDFIUM_REASON = re.compile(r"\(PDFium: ([^)]*)\)")
# what PDFium gives for glyphs of fonts without a Unicode map: private-use, U+FFFD, controls
_UNMAPPED = re.compile(r"[\ue000-\uf8ff\ufffd\ufffe\uffff\x00-\x08\x0e-\x1f]")


def _page_text(raw: str) -> str:
    return _CONTROL.sub("", raw.replace("\r\n", "\n").replace("\r", "\n"))


def _blank(text: str) -> bool:
    return sum(not c.isspace() for c in text) < MIN_PAGE_CHARS


def _has_image(page, pdfium) -> bool:
    """A page without text that shows an image lost content (a scan, a table as a picture);
    one without an image is a blank page left for printing."""
    kinds = [pdfium.raw.FPDF_PAGEOBJ_IMAGE]
    return next(iter(page.get_objects(filter=kinds, max_depth=3)), None) is not None


def _corrupt(path: str, error: Exception) -> InputError:
    found = _PDFIUM_REASON.search(str(error))
    return InputError(path, f"corrupt PDF (damaged or truncated; PDFium: {found.group(1).lower() if found else error})")


def read_pdf(data: bytes, path: str) -> Source:
    """The text layer of every page, joined with "\\f"; pages that are only pictures are listed."""
    import pypdfium2 as pdfium

    limit, size = max_input_bytes(), 0
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        if getattr(e, "err_code", None) == pdfium.raw.FPDF_ERR_PASSWORD:
            raise InputError(path, "encrypted PDF: a password is needed") from None
        raise _corrupt(path, e) from None
    try:
        pages, pictured, unmapped, visible = [], [], 0, 0
        for i in range(len(pdf)):
            page = pdf[i]
            textpage = page.get_textpage()
            raw = textpage.get_text_range()
            unmapped += len(_UNMAPPED.findall(raw))
            visible += sum(not c.isspace() for c in raw)
            pages.append(_page_text(raw))
            textpage.close()
            if _blank(pages[-1]) and _has_image(page, pdfium):
                pictured.append(i + 1)
            page.close()
            size += len(raw.encode("utf-8", "surrogatepass"))
            if size > limit:  # told before the rest is read
                raise too_large(path, size, f"text of the first {i + 1} pages", limit)
    except pdfium.PdfiumError as e:
        raise _corrupt(path, e) from None
    finally:
        pdf.close()
    if not pages:
        raise InputError(path, "corrupt PDF (no pages)")
    if all(_blank(t) for t in pages):
        raise InputError(path, "no text layer (scanned PDF); OCR is not supported")
    if unmapped * 2 > visible:
        raise InputError(path, "text layer without a Unicode map (its fonts cannot be decoded); OCR is not supported")
    return join_pages(path, pages, "utf-16le", "pdf", pictured)  # PDFium gives UTF-16 text
