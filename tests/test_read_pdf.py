"""PDF text layers: pages, page map, and one-line errors for what cannot be read."""

import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.core.errors import InputError
from kg.read import read_bytes, read_source

SHARED = Path(__file__).resolve().parent.parent.parent / "shared" / "corpora" / "dual-carbon"
NO_SHARED = "the shared corpus ../shared/corpora/dual-carbon is absent (it sits beside the worktree)"
NO_TEXT = "no text layer (scanned PDF); OCR is not supported"


def make_pdf(*pages: str | None) -> bytes:
    """A PDF with one page per argument: text in the CID font STSong-Light, or None for a picture only."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    for page in pages:
        if page is None:
            c.drawImage(ImageReader(Image.new("L", (40, 40), 128)), 100, 500, 200, 200)
        else:
            c.setFont("STSong-Light", 12)
            for i, line in enumerate(page.split("\n")):
                c.drawString(72, 760 - 18 * i, line)
        c.showPage()
    c.save()
    return buf.getvalue()


def test_pages_are_joined_with_form_feeds_and_mapped():
    s = read_bytes(make_pdf("一、总体要求\n（一）推进工业绿色转型。", "（二）加快农业绿色发展。"), "two.pdf")
    assert s.format == "pdf" and len(s.pages) == 2 and s.text.count("\f") == 1
    first, second = s.text.split("\f")
    assert "推进工业绿色转型" in first and "加快农业绿色发展" in second
    assert s.page_at(s.text.index("推进")) == 1 and s.page_at(s.text.index("加快")) == 2
    assert s.page_at(s.pages[1] - 1) == 1 and s.page_at(s.pages[1]) == 2


def test_line_ends_are_newlines_only():
    s = read_bytes(make_pdf("第一行\n第二行"), "lines.pdf")
    assert "\r" not in s.text and "第一行\n第二行" in s.text


def test_page_that_is_only_a_picture_is_listed_not_fatal():
    s = read_bytes(make_pdf("（一）推进工业绿色转型。", None, "（二）加快农业绿色发展。"), "mixed.pdf")
    assert s.empty_pages == [2] and len(s.pages) == 3


def test_blank_page_is_not_reported_as_a_picture():
    s = read_bytes(make_pdf("（一）推进工业绿色转型。", ""), "blank.pdf")
    assert s.empty_pages == [] and len(s.pages) == 2


def test_scanned_pdf_is_one_line():
    with pytest.raises(InputError) as e:
        read_bytes(make_pdf(None, None), "scan.pdf")
    assert str(e.value) == f"scan.pdf: {NO_TEXT}"


def test_encrypted_pdf_needing_a_password_is_one_line():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf("（一）推进工业绿色转型。"))))
    writer.encrypt(user_password="secret", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    with pytest.raises(InputError) as e:
        read_bytes(buf.getvalue(), "locked.pdf")
    assert str(e.value) == "locked.pdf: encrypted PDF: a password is needed"


def test_pdf_with_only_an_owner_password_is_read():
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf("（一）推进工业绿色转型。"))))
    writer.encrypt(user_password="", owner_password="owner", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    assert "推进工业绿色转型" in read_bytes(buf.getvalue(), "restricted.pdf").text


@pytest.mark.parametrize("cut", [0.5, 0.1])
def test_truncated_pdf_is_one_line(cut):
    data = make_pdf("（一）推进工业绿色转型。", "（二）加快农业绿色发展。")
    with pytest.raises(InputError, match=r"^cut\.pdf: corrupt PDF \(") as e:
        read_bytes(data[: int(len(data) * cut)], "cut.pdf")
    assert "\n" not in str(e.value)


def test_garbage_after_the_header_is_a_corrupt_pdf():
    with pytest.raises(InputError, match=r"^junk\.pdf: corrupt PDF \("):
        read_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 8, "junk.pdf")


def test_kg_parse_of_a_scanned_pdf_is_one_line_and_exit_1(tmp_path):
    p = tmp_path / "scan.pdf"
    p.write_bytes(make_pdf(None))
    r = CliRunner().invoke(main, ["parse", str(p)])
    assert r.exit_code == 1 and r.output == f"Error: {p}: {NO_TEXT}\n"


def test_kg_parse_reads_a_pdf(tmp_path):
    p = tmp_path / "plan.pdf"
    p.write_bytes(
        make_pdf(
            "上饶市人民政府印发关于测试的实施方案的通知",
            "一、健全生产体系\n（一）推进工业绿色转型。到2025年全市绿色工厂总数达到20家。\n（二）加快农业绿色发展。推进农业节水。",
        )
    )
    from kg.extract.parse import parse_file

    doc = parse_file(p)
    assert doc.format == "pdf" and len(doc.pages) == 2
    assert [m.title for m in doc.measures] == ["推进工业绿色转型", "加快农业绿色发展"]
    assert all(doc.raw.count("\f", 0, m.span.start) == 1 for m in doc.measures)


# --- the shared corpus of 147 official PDFs ------------------------------------------------------


@pytest.fixture(scope="module")
def shared_pdfs():
    if not (SHARED / "pdf").is_dir():
        pytest.skip(NO_SHARED)
    return sorted((SHARED / "pdf").glob("*.pdf"))


def shared(number: int) -> Path:
    if not (SHARED / "pdf").is_dir():
        pytest.skip(NO_SHARED)
    return next((SHARED / "pdf").glob(f"{number}、*.pdf"))


def test_every_shared_pdf_reads_with_its_pages(shared_pdfs):
    import pypdfium2 as pdfium

    assert len(shared_pdfs) == 147
    for path in shared_pdfs:
        try:
            s = read_source(path)
        except InputError as e:
            assert e.problem == NO_TEXT, str(e)
            continue
        pdf = pdfium.PdfDocument(str(path))
        assert len(s.pages) == len(pdf) == s.text.count("\f") + 1, path.name
        pdf.close()
        assert s.pages[0] == 0 and all(s.text[i - 1] == "\f" for i in s.pages[1:]), path.name
        assert all(s.page_at(i) == n and s.page_at(i - 1) == n - 1 for n, i in enumerate(s.pages[1:], 2)), path.name
        assert sum("\u4e00" <= c <= "\u9fff" for c in s.text) > len(s.text) / 3, path.name


def test_shared_jiangxi_measures_pdf_holds_its_text():
    s = read_source(shared(89))
    assert "大力发展绿色金融" in s.text and s.format == "pdf"


def test_shared_shangrao_plan_pdf_holds_its_text():
    s = read_source(shared(355))
    assert "上饶" in s.text and s.page_at(s.text.index("上饶")) == 1


def test_shared_pdf_with_pictured_pages_lists_them():
    assert read_source(shared(227)).empty_pages == [7, 13]


def test_text_layer_of_unmapped_glyphs_is_one_line(monkeypatch):
    import pypdfium2 as pdfium

    # what PDFium returns for a font without a Unicode map: private-use code points
    monkeypatch.setattr(
        pdfium.PdfTextPage, "get_text_range", lambda self, *a, **k: "\ue001\ue002\ue003\ue004\ue005\ue006 推进"
    )
    with pytest.raises(InputError, match=r"^garbled\.pdf: text layer without a Unicode map .*; OCR is not supported$"):
        read_bytes(make_pdf("（一）推进工业绿色转型。"), "garbled.pdf")


def test_parse_warns_about_pages_that_are_pictures(tmp_path):
    from kg.extract.parse import parse_file

    p = tmp_path / "plan.pdf"
    p.write_bytes(
        make_pdf("一、健全生产体系\n（一）推进工业绿色转型。推进节能。\n（二）加快农业绿色发展。推进节水。", None)
    )
    doc = parse_file(p)
    assert [str(w) for w in doc.warnings if w.code == "empty_pages"] == [
        "empty_pages: pages that are images without text (not read): 2"
    ]


def test_a_folder_with_unreadable_pdfs_processes_the_rest(tmp_path):
    """Scanned, corrupt and empty files in a folder with no registry: one line each, exit 1,
    and the readable PDF beside them goes through the whole job."""
    good = make_pdf(
        "上饶市人民政府关于测试的实施方案",
        "一、总体要求\n（一）推进工业绿色转型。到2025年全市绿色工厂达到20家。",
        "（二）加快农业绿色发展。推进农业节水。",
    )
    (tmp_path / "good.pdf").write_bytes(good)
    (tmp_path / "scan.pdf").write_bytes(make_pdf(None))
    (tmp_path / "cut.pdf").write_bytes(good[: len(good) // 2])
    (tmp_path / "empty.docx").write_bytes(b"")
    r = CliRunner().invoke(main, ["--data", str(tmp_path), "all", "--out", str(tmp_path / "out"), "--workers", "1"])
    assert r.exit_code == 1, r.output
    errors = sorted(line for line in r.stderr.splitlines() if line.startswith("error:"))
    assert len(errors) == 3 and "Traceback" not in r.output
    assert any(f"scan.pdf: {NO_TEXT}" in e for e in errors)
    assert any("cut.pdf: corrupt PDF (" in e for e in errors) and any("empty.docx: empty file" in e for e in errors)
    measures = (tmp_path / "out" / "measures.jsonl").read_text(encoding="utf-8").splitlines()
    assert len(measures) == 2 and (tmp_path / "out" / "build" / "graph.nt").exists()
