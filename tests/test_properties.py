"""Property tests: the parser never crashes, every span points at its raw text, and every
reader gives a Source or one InputError for whatever bytes it is given."""

import contextlib
import io
import re
import tracemalloc
import unicodedata
import zipfile
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.core.errors import InputError
from kg.extract.parse import parse_text
from kg.read import read_bytes
from kg.read.normalize import normalize
from kg.read.source import FORMATS, Source

from .conftest import DATA, MINI_DOC
from .test_read_docx import make_docx
from .test_read_pdf import make_pdf

PIECES = [
    "一、",
    "二、",
    "（一）",
    "(二)",
    "（十三）",
    "。",
    "，",
    "、",
    "\n",
    "\n\n",
    " ",
    "　　",
    "2025 年",
    "到2025年底",
    "达到20家",
    "98%和95%以上",
    "（市发改委、市\n\n市场监管局等按职责分工负责）",
    "（省生态环境厅牵头负责）",
    "推进工业绿色转型",
    "加强再生资源回收利用",
    "《国务院关于测试的指导意见》",
    "（国发〔2021〕4号）",
    "PM_{2.5}",
    "綠色發展",
    "（此件主动公开）",
    "2021年7月8日",
    "抄送：",
    "ａｂ１２",
    "(",
    ")",
    "“一村一点”",
]
# heading numbers of any shape, malformed ones (（九百九十九百）) included
numerals = st.text(alphabet="〇零一二两三四五六七八九十百", min_size=1, max_size=6)
headings = st.one_of(st.builds("（{}）".format, numerals), st.builds("\n{}、".format, numerals))
texts = st.lists(st.one_of(st.sampled_from(PIECES), headings, st.text(max_size=6)), max_size=40).map("".join)


def fold(s: str) -> str:
    """What normalisation may do to a single character, undone for comparison."""
    return normalize(s, simplify=False).text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_normalised_characters_come_from_their_raw_offsets(raw):
    t = normalize(raw, simplify=False)
    assert len(t.offsets) == len(t.text)
    assert t.offsets == sorted(t.offsets)
    for i, (c, o) in enumerate(zip(t.text, t.offsets)):
        if c == "\n" and i + 1 < len(t.text) and t.offsets[i + 1] == o:
            continue  # a line break put before a heading glued to the previous line owns no raw character
        assert fold(raw[o]) in (c, "") or raw[o] == c or c in "（），：；！？。《》"  # punctuation made full-width


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_parser_never_crashes_and_spans_hold_the_fact(raw):
    try:
        doc = parse_text(raw)
    except InputError:
        return
    simplified = any(w.code == "traditional_script" for w in doc.warnings)

    def squash(s: str) -> str:  # context-free: width and bracket style may depend on neighbours
        return re.sub(r"\s", "", unicodedata.normalize("NFKC", normalize(s, simplify=simplified).text))

    # Page furniture (a line repeated at page edges) is removed in the context of the whole
    # document: a span may cover such removed characters, which are not part of its fact.
    kept = set(normalize(raw, simplify=simplified).offsets)

    def at(span) -> str:
        return "".join(raw[i] for i in range(span.start, span.end) if i in kept or "\f" not in raw)

    for m in doc.measures:
        for s in m.sentences:
            assert squash(at(s.span)) == squash(s.text)
        for a in m.agencies:
            assert squash(at(a.span)) == squash(a.raw)
        for t in m.targets:
            assert 0 <= t.span.start <= t.span.end <= len(raw)


# --- every reader, on whatever bytes it is given: a Source or one InputError, in bounded time and memory


_WARM: list = []


def _warm_up() -> None:
    """Load once what the readers and the parser load on first use (dictionaries, tables),
    so the memory measured is that of the input."""
    if not _WARM:
        page = "<html><head><title>通知</title></head><body>" + "".join(f"<p>{x}</p>" for x in MINI_DOC.split("\n"))
        for name, data in [("w.txt", MINI_DOC.encode()), ("w.html", f"{page}</body></html>".encode())]:
            doc = parse_text(read_bytes(data, name).text, name)
        # a page of loose text: trafilatura's fallbacks load ~80 MB of date-parsing tables on first use
        loose = "\n".join(PIECES) + "</p>一、<div>" + "".join(PIECES)
        with contextlib.suppress(InputError):
            read_bytes(f"<html><head><meta charset='utf-8'><title>通知</title></head><body>{loose}".encode(), "w.html")
        read_bytes(make_pdf("一、总体要求"), "w.pdf")
        read_bytes(_DOCX_TEMPLATE, "w.docx")
        _WARM.append(doc)


def _bounded(fn, data: bytes):
    """``fn(data)`` with its memory peak measured: a result or an InputError, nothing else."""
    _warm_up()
    tracemalloc.start()
    try:
        try:
            result = fn(data)
        except InputError as e:
            result = e
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # generous: the parser needs 60–100 times its text (docs/corpus.md), plus a fixed amount
    assert peak < 32_000_000 + 200 * len(data), f"{peak:,} bytes for {len(data):,} bytes of input"
    return result


def _read_and_parse(path: str):
    def run(data: bytes):
        source = read_bytes(data, path)
        assert isinstance(source, Source) and source.format in FORMATS
        doc = parse_text(source.text, path, source.encoding)
        for m in doc.measures:
            for s in m.sentences:
                assert 0 <= s.span.start <= s.span.end <= len(source.text)
        return doc

    return run


READ = settings(
    max_examples=60,
    deadline=timedelta(seconds=20),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
utf8_pieces = st.one_of(st.sampled_from(PIECES).map(str.encode), st.binary(max_size=3), texts.map(str.encode))
damaged_text = st.lists(utf8_pieces, max_size=30).map(b"".join)


@READ
@given(damaged_text, st.sampled_from(["f.txt", "f.html", "f.pdf", "f.docx", "f"]))
def test_any_bytes_are_read_or_refused_in_one_line(data, name):
    _bounded(_read_and_parse(name), data)


@READ
@given(texts, st.sampled_from(["gb18030", "utf-16", "utf-8-sig"]))
def test_text_in_every_encoding_is_read_or_refused_in_one_line(raw, encoding):
    _bounded(_read_and_parse("f.txt"), raw.encode(encoding, "replace"))


html_pieces = st.one_of(
    st.sampled_from(["<p>", "</p>", "<div>", "</div>", "<table><tr><td>", "</td><td>", "</td></tr></table>", "<br>"]),
    st.sampled_from(PIECES),
    texts,
)


@READ
@given(st.lists(html_pieces, max_size=40).map("".join), st.binary(max_size=4))
def test_web_pages_are_read_or_refused_in_one_line(body, junk):
    page = f"<html><head><meta charset='utf-8'><title>通知</title></head><body>{body}</body></html>".encode()
    _bounded(_read_and_parse("f.html"), page[: len(page) // 2] + junk + page[len(page) // 2 :])


def _docx_with(body: str, damage: bytes) -> bytes:
    """A DOCX whose document.xml is replaced by paragraphs of ``body`` (raw XML, escaped),
    then ``damage`` spliced into the archive's bytes (nothing when empty)."""
    from xml.sax.saxutils import escape

    paragraphs = "".join(f"<w:p><w:r><w:t>{escape(line)}</w:t></w:r></w:p>" for line in body.split("\n"))
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        f'wordprocessingml/2006/main"><w:body>{paragraphs}</w:body></w:document>'
    )
    src, buf = zipfile.ZipFile(io.BytesIO(_DOCX_TEMPLATE)), io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for item in src.infolist():
            z.writestr(item, xml if item.filename == "word/document.xml" else src.read(item))
    data = buf.getvalue()
    return data[: len(data) // 2] + damage + data[len(data) // 2 :] if damage else data


_DOCX_TEMPLATE = make_docx(lambda d: d.add_paragraph("模板"))
printable = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=8)


@READ
@given(st.lists(st.one_of(st.sampled_from(PIECES), printable), max_size=30).map("".join), st.binary(max_size=3))
def test_docx_files_are_read_or_refused_in_one_line(body, damage):
    _bounded(_read_and_parse("f.docx"), _docx_with(body, damage))


pdf_lines = st.lists(
    st.sampled_from([p for p in PIECES if "\n" not in p]) | st.sampled_from(["一、", "（一）"]), max_size=8
)


@settings(max_examples=15, deadline=timedelta(seconds=20), suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(pdf_lines.map("".join), min_size=1, max_size=4), st.integers(0, 3), st.binary(max_size=3))
def test_pdf_files_are_read_or_refused_in_one_line(pages, cut, damage):
    data = make_pdf(*(page or None for page in pages))
    if cut:  # truncated or damaged on the way
        at = len(data) * cut // 4
        data = data[:at] + damage + (data[at + len(damage) :] if cut % 2 else b"")
    _bounded(_read_and_parse("f.pdf"), data)


def test_the_parser_needs_a_bounded_multiple_of_its_text():
    """The measured cost (docs/corpus.md: about 60 times the text) stays under a generous bound."""
    _warm_up()
    seed = "\n".join(p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.txt")))
    raw = seed * 2  # about 0.2 MB of UTF-8
    tracemalloc.start()
    try:
        doc = parse_text(raw, "big.txt")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(doc.measures) > 50
    assert peak < 150 * len(raw.encode("utf-8")), f"{peak:,} bytes for {len(raw.encode()):,} bytes of text"
