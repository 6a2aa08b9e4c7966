import codecs

import pytest

from kg.core.errors import InputError
from kg.read import decode, read_text

TEXT = "上饶市人民政府印发关于加快建立健全绿色低碳循环发展经济体系的实施方案的通知\n（一）推进工业绿色转型。"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk", "utf-16", "utf-16-le", "utf-16-be"])
def test_every_encoding_users_bring_decodes_to_the_same_text(encoding):
    text, _ = decode(TEXT.encode(encoding), "f.txt")
    assert text == TEXT


def test_gb18030_is_reported_as_such():
    assert decode(TEXT.encode("gb18030"), "f.txt")[1] == "gb18030"


def test_empty_file_is_a_clear_error(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"  \n")
    with pytest.raises(InputError, match=r"empty\.txt: empty file"):
        read_text(p)


def test_binary_file_is_a_clear_error(tmp_path):
    p = tmp_path / "image.txt"
    p.write_bytes(bytes(range(256)) * 20)
    with pytest.raises(InputError, match=r"image\.txt: binary file"):
        read_text(p)


def test_undecodable_bytes_are_a_clear_error():
    with pytest.raises(InputError, match="undecodable bytes"):
        decode(b"\x81\x30\xff\xff" * 50, "bad.txt")


def test_missing_file_names_the_file(tmp_path):
    with pytest.raises(InputError, match="nope.txt: file not found"):
        read_text(tmp_path / "nope.txt")


def test_bom_is_not_part_of_the_text():
    text, enc = decode(codecs.BOM_UTF8 + TEXT.encode(), "f.txt")
    assert text == TEXT and enc == "utf-8"


# --- read_source: formats told apart by their bytes -------------------------------------------

from kg.read import Source, read_bytes, read_source  # noqa: E402
from kg.read.sniff import OLE2, sniff  # noqa: E402


def test_plain_text_reads_as_one_page(tmp_path):
    p = tmp_path / "notice.txt"
    p.write_bytes(TEXT.encode("gb18030"))
    s = read_source(p)
    assert (s.text, s.encoding, s.format, s.pages, s.empty_pages) == (TEXT, "gb18030", "text", [0], [])


def test_format_is_told_by_content_not_extension():
    assert sniff(b"%PDF-1.4\n...", "saved.html") == "pdf"
    assert sniff(b"<!DOCTYPE html><html><body>x</body></html>", "page.txt") == "html"
    assert sniff(b"\xef\xbb\xbf<html lang='zh'>", "page") == "html"
    assert sniff(TEXT.encode(), "notice.pdf") == "text"


def test_html_extension_is_a_hint_for_a_fragment():
    assert sniff("<div>正文</div>".encode(), "page.htm") == "html"
    assert sniff("<div>正文</div>".encode(), "page.txt") == "text"


@pytest.mark.parametrize(
    "data, what",
    [
        (OLE2 + b"\x00" * 600, "old binary Word/WPS/Excel file; save it as DOCX"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "PNG image"),
        (b"{\\rtf1\\ansi ...}", "RTF document"),
    ],
)
def test_unsupported_formats_are_one_line_naming_what_is_supported(data, what):
    with pytest.raises(InputError) as e:
        read_bytes(data, "x.doc")
    assert (
        e.value.problem
        == f"unsupported format ({what}); policy-kg reads PDF (with a text layer), DOCX, HTML and plain text"
    )


def test_zip_that_is_not_word_is_unsupported(tmp_path):
    import zipfile

    p = tmp_path / "book.xlsx"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(InputError, match=r"unsupported format \(Excel workbook\)"):
        read_source(p)


def test_other_binary_says_binary_and_names_the_supported_formats():
    with pytest.raises(InputError) as e:
        read_bytes(b"\x00\x01\x02" * 100, "broken.txt")
    assert e.value.problem.startswith("binary file, not text: unsupported format; policy-kg reads PDF")


def test_binary_named_pdf_without_header_is_a_corrupt_pdf():
    with pytest.raises(InputError, match=r"x\.pdf: corrupt PDF \(no %PDF- header\)"):
        read_bytes(bytes(range(256)) * 20, "x.pdf")


@pytest.mark.parametrize("name", ["empty.pdf", "empty.docx", "empty.html", "empty.txt"])
def test_empty_file_of_each_format_is_one_line(tmp_path, name):
    p = tmp_path / name
    p.write_bytes(b"")
    with pytest.raises(InputError, match=rf"{name}: empty file$"):
        read_source(p)


def test_page_at_is_one_based_and_exact_at_page_boundaries():
    s = Source("a.pdf", "第一页\f第二页\f", "utf-8", "pdf", [0, 4, 8])
    assert [s.page_at(i) for i in range(len(s.text) + 1)] == [1, 1, 1, 1, 2, 2, 2, 2, 3]
    assert s.text[s.pages[1]] == "第" and s.text[s.pages[1] - 1] == "\f"


def test_directory_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="is a directory"):
        read_source(tmp_path)
