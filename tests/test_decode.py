"""Damaged UTF-8 read with its bad bytes replaced and reported; undecodable files and inputs
above the size limit are one clear error."""

import pytest

from kg.core.errors import InputError
from kg.extract.parse import parse_file
from kg.read import decode, read_bytes, read_source
from kg.read.limits import ENV, max_input_bytes
from kg.read.text import damaged_utf8, decode_reporting

from .conftest import MINI_DOC
from .test_read_docx import make_docx
from .test_read_pdf import make_pdf

TEXT = "上饶市人民政府印发关于加快建立健全绿色低碳循环发展经济体系的实施方案的通知\n（一）推进工业绿色转型。"


def test_a_stray_byte_is_replaced_and_reported_with_its_byte_offset():
    data = TEXT.encode()
    at = data.index("推进".encode())
    text, encoding, issues = decode_reporting(data[:at] + b"\xff" + data[at:], "f.txt")
    assert encoding == "utf-8" and text == TEXT.replace("推进", "\ufffd推进")
    (issue,) = issues
    assert issue.code == "bad_bytes" and f"byte offset {at}: 0xff" in issue.message
    assert text[issue.span.start : issue.span.end] == "\ufffd" and issue.span.start == TEXT.index("推进")


def test_a_file_cut_mid_character_keeps_everything_before_the_cut():
    data = TEXT.encode()[:-2]  # the last "。" cut after its first byte
    text, _, (issue,) = decode_reporting(data, "cut.txt")
    assert text == TEXT[:-1] + "\ufffd"
    assert f"byte offset {len(data) - 1}: 0xe3 is not UTF-8, cut short at the end of the file" in issue.message


def test_a_bom_file_with_a_bad_byte_is_read_too():
    text, _, (issue,) = decode_reporting(b"\xef\xbb\xbf" + "上饶".encode() + b"\x80" + TEXT.encode(), "f.txt")
    assert text == "上饶\ufffd" + TEXT and "byte offset 9: 0x80" in issue.message and issue.span.start == 2


def test_offsets_of_facts_stay_exact_and_the_warning_reaches_the_document(tmp_path):
    damaged = MINI_DOC.replace("推进农业节水", "推进农\udcff业节水").encode("utf-8", "surrogateescape")
    (tmp_path / "city.txt").write_bytes(damaged)
    doc = parse_file(tmp_path / "city.txt")
    raw = read_source(tmp_path / "city.txt").text
    (bad,) = [w for w in doc.warnings if w.code == "bad_bytes"]
    assert raw[bad.span.start] == "\ufffd" and str(damaged.index(b"\xff")) in bad.message
    for m in doc.measures:
        for s in m.sentences:
            assert raw[s.span.start : s.span.end].replace("\n", "") == s.text.replace("\n", "")
    assert any("\ufffd" in s.text for m in doc.measures for s in m.sentences)


def test_a_mostly_undecodable_file_is_one_error():
    data = bytearray(TEXT.encode() * 20)
    for i in range(0, len(data), 40):  # 2.5 % of the bytes
        data[i] = 0xFF
    with pytest.raises(InputError, match=r"^bad\.txt: undecodable bytes"):
        decode(bytes(data), "bad.txt")


@pytest.mark.parametrize("encoding", ["gb18030", "gbk"])
def test_gb18030_files_are_still_told_from_damaged_utf8(encoding):
    assert decode(TEXT.encode(encoding), "f.txt") == (TEXT, "gb18030")
    # few Chinese characters among ASCII: a few invalid UTF-8 bytes, but not damaged UTF-8
    assert damaged_utf8(("Appendix A: list of measures, see 附件 for details.\n" * 3).encode(encoding)) is None


def test_a_web_page_with_a_bad_byte_reports_it():
    page = f"<html><head><title>通知</title></head><body><p>{TEXT * 3}</p></body></html>".encode()
    at = page.index("推进".encode())
    s = read_bytes(page[:at] + b"\xfe" + page[at:], "page.html")
    assert [w.code for w in s.warnings] == ["bad_bytes"] and "0xfe" in s.warnings[0].message


# --- the input size limit ----------------------------------------------------------------------


def test_the_limit_defaults_to_8_mb_and_is_set_by_the_environment(monkeypatch):
    monkeypatch.delenv(ENV, raising=False)
    assert max_input_bytes() == 8_000_000
    monkeypatch.setenv(ENV, "0.5")
    assert max_input_bytes() == 500_000
    monkeypatch.setenv(ENV, "lots")
    with pytest.raises(InputError, match=rf"^{ENV}: “lots” is not a positive number of megabytes"):
        max_input_bytes()


def test_a_text_file_above_the_limit_is_refused_before_it_is_read(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV, "0.01")  # 10 kB
    big = tmp_path / "big.txt"
    big.write_bytes(MINI_DOC.encode() * 40)
    with pytest.raises(InputError) as e:
        read_source(big)
    assert str(e.value).startswith(f"{big}: file of 0.0") and "above the input limit of 0.01 MB" in str(e.value)
    assert ENV in str(e.value)
    (tmp_path / "small.txt").write_bytes(MINI_DOC.encode())
    assert read_source(tmp_path / "small.txt").text == MINI_DOC


def test_a_docx_that_unpacks_above_the_limit_is_refused(monkeypatch):
    data = make_docx(lambda d: [d.add_paragraph(TEXT * 50) for _ in range(100)])
    monkeypatch.setenv(ENV, "0.05")  # the archive may unpack to 8 × 50 kB
    with pytest.raises(InputError, match=r"^big\.docx: DOCX unpacked of .* MB is above the input limit of 0\.4 MB"):
        read_bytes(data, "big.docx")


def test_a_pdf_whose_text_is_above_the_limit_is_refused_page_by_page(monkeypatch):
    data = make_pdf(*[TEXT] * 6)
    monkeypatch.setenv(ENV, str(len(TEXT.encode()) * 3.5 / 1e6))
    with pytest.raises(InputError, match=r"^big\.pdf: text of the first 4 pages of .* is above the input limit"):
        read_bytes(data, "big.pdf")
    monkeypatch.setenv(ENV, "1")
    assert read_bytes(data, "big.pdf").text.count("\f") == 5
